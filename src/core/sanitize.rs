//! Makes text from backends safe to draw in a terminal.
//!
//! Log lines, event messages and object names come from systems we do not
//! control. Written to the terminal as they are, their escape sequences could
//! move the cursor over other panes, clear the screen, retitle the window,
//! write the clipboard (OSC 52), hide text or reorder it (bidi overrides).
//! [`sanitize`] turns arbitrary bytes into [`SafeText`]: printable text, plus
//! the SGR colours that were in the input as data the UI maps through its
//! theme.
//!
//! What happens to each kind of input:
//!
//! - Invalid UTF-8 becomes U+FFFD, as in [`String::from_utf8_lossy`]; a lone
//!   byte 0x80–0x9F (an 8-bit C1 control such as CSI 0x9B) becomes
//!   [`ESCAPE_MARK`] instead.
//! - CSI sequences (`ESC [` … final byte) are removed; SGR ones (final `m`)
//!   become [`StyledRun`]s. A CSI cut short by a byte that cannot be part of
//!   it, or by the end of input, leaves an [`ESCAPE_MARK`].
//! - OSC (`ESC ]`), DCS (`ESC P`), SOS (`ESC X`), PM (`ESC ^`) and APC
//!   (`ESC _`) strings are removed up to their terminator (ST = `ESC \`, and
//!   BEL for OSC) and leave one [`ESCAPE_MARK`]. As in terminals, any other
//!   ESC also ends the string and starts a new sequence. An unterminated
//!   string swallows the rest of the input.
//! - A lone ESC and other escape sequences (`ESC c`, `ESC 7`, `ESC ( 0`, …)
//!   become one [`ESCAPE_MARK`].
//! - C0 controls other than TAB, and DEL, become their Unicode control
//!   pictures (U+2400 + code, U+2421 for DEL): a CR shows as `␍` and can never
//!   make later text overwrite earlier text; LF shows as `␊`.
//! - C1 controls (U+0080–U+009F) become [`ESCAPE_MARK`].
//! - Bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) become
//!   [`BIDI_MARK`].
//! - TAB expands to spaces up to the next multiple of [`TAB_WIDTH`] columns,
//!   counting one column per char of output. That is the display width for
//!   everything but wide (CJK, emoji) and zero-width chars, where tab stops
//!   may land off by a column or two.
//!
//! The work is one forward pass over the input (escape strings are skipped
//! with `memchr`), so it is linear in the input whatever the input is.

use std::fmt;
use std::ops::Range;

/// Shown where an escape sequence, a lone ESC or a C1 control was removed.
pub const ESCAPE_MARK: char = '\u{241B}';

/// Shown for a bidi override or isolate control, which could reorder the text
/// after it.
pub const BIDI_MARK: char = '\u{FFFD}';

/// Distance between tab stops, in columns.
pub const TAB_WIDTH: usize = 4;

const ESC: u8 = 0x1B;
const BEL: u8 = 0x07;
const DEL: u8 = 0x7F;

/// Text that is safe to write to a terminal, with the colours its source
/// asked for.
///
/// Only the sanitizer builds one, so holding a `SafeText` means the text has
/// no control characters, escape sequences or bidi controls.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "StoredText")]
pub struct SafeText {
    text: String,
    runs: Vec<StyledRun>,
}

/// A `SafeText` as a recording or a room message carries it: untrusted
/// bytes until checked, so reading one back cannot smuggle in an escape.
#[derive(serde::Deserialize)]
struct StoredText {
    text: String,
    runs: Vec<StyledRun>,
}

impl From<StoredText> for SafeText {
    /// Kept as stored when the text is what the sanitizer would make of it
    /// and the runs fit it; sanitized anew (without styles) otherwise.
    fn from(stored: StoredText) -> Self {
        let clean = sanitize_str(&stored.text);
        if clean.text == stored.text && runs_fit(&stored.runs, &stored.text) {
            SafeText {
                text: stored.text,
                runs: stored.runs,
            }
        } else {
            clean
        }
    }
}

/// Any text becomes a `SafeText` only through the sanitizer.
impl From<&str> for SafeText {
    fn from(text: &str) -> Self {
        sanitize_str(text)
    }
}

impl From<String> for SafeText {
    fn from(text: String) -> Self {
        sanitize_str(&text)
    }
}

/// Runs in order, not overlapping, inside the text and on char boundaries.
fn runs_fit(runs: &[StyledRun], text: &str) -> bool {
    let mut end = 0;
    runs.iter().all(|r| {
        let ok = r.range.start >= end
            && r.range.start <= r.range.end
            && text.is_char_boundary(r.range.start)
            && text.is_char_boundary(r.range.end)
            && r.range.end <= text.len();
        end = r.range.end;
        ok
    })
}

impl SafeText {
    /// The printable text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Styled byte ranges of the text, in order and not overlapping. Text
    /// outside every run has the default style.
    pub fn runs(&self) -> &[StyledRun] {
        &self.runs
    }

    /// The text without its styles.
    pub fn into_text(self) -> String {
        self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Gives back the slack the sanitizer's buffers grew with: text kept by
    /// the hundred thousand (a log buffer) costs its length, not more.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.runs.shrink_to_fit();
    }

    /// This text, then `suffix` (sanitized too): for a mark opsdeck adds to
    /// backend text, such as where a log line was cut.
    pub fn followed_by(mut self, suffix: &str) -> SafeText {
        let tail = sanitize_str(suffix);
        let offset = self.text.len();
        self.text.push_str(&tail.text);
        self.runs.extend(tail.runs.into_iter().map(|r| StyledRun {
            range: r.range.start + offset..r.range.end + offset,
            style: r.style,
        }));
        self
    }
}

/// Read like a `str` (it only ever holds sanitized text).
impl std::ops::Deref for SafeText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for SafeText {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for SafeText {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A byte range of a [`SafeText`] that the input drew with one SGR style.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StyledRun {
    pub range: Range<usize>,
    pub style: SgrStyle,
}

/// Text attributes set by SGR (`ESC [ … m`). `None` colours mean the
/// terminal's default.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct SgrStyle {
    pub fg: Option<SgrColor>,
    pub bg: Option<SgrColor>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub reverse: bool,
}

/// A colour as the input wrote it, for the UI to map through its theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SgrColor {
    /// One of the 16 ANSI colours: 0–7 normal (SGR 30–37), 8–15 bright
    /// (SGR 90–97).
    Basic(u8),
    /// An entry of the 256-colour palette (`38;5;n`).
    Indexed(u8),
    /// A truecolour (`38;2;r;g;b`).
    Rgb(u8, u8, u8),
}

/// Sanitizes `input` with no length limit.
pub fn sanitize(input: &[u8]) -> SafeText {
    sanitize_capped(input, usize::MAX)
}

/// Sanitizes a string with no length limit.
pub fn sanitize_str(input: &str) -> SafeText {
    sanitize_str_capped(input, usize::MAX)
}

/// [`sanitize_capped`] for a string, which skips UTF-8 validation.
pub fn sanitize_str_capped(input: &str, max_bytes: usize) -> SafeText {
    // Most keys and values are short plain ASCII: copy them as they are.
    if input.len() <= max_bytes
        && input.is_ascii()
        && find_control(input.as_bytes(), 0) == input.len()
    {
        return SafeText {
            text: input.to_owned(),
            runs: Vec::new(),
        };
    }
    let mut sanitizer = Sanitizer::new(input.as_bytes(), max_bytes);
    sanitizer.valid = Some(input);
    sanitizer.run();
    sanitizer.finish()
}

/// Sanitizes `input`, stopping once the text would exceed `max_bytes`.
///
/// When input is left over, the text (at most `max_bytes`, cut at a char
/// boundary) is followed by the marker `… [+N bytes]`, where N counts the
/// input bytes not shown. Nothing is read past the cut, so the cost is bounded
/// by `max_bytes` plus whatever escape sequences produced no text before it.
pub fn sanitize_capped(input: &[u8], max_bytes: usize) -> SafeText {
    let mut sanitizer = Sanitizer::new(input, max_bytes);
    sanitizer.run();
    sanitizer.finish()
}

/// State of one pass over the input.
struct Sanitizer<'a> {
    input: &'a [u8],
    /// The input as a `str`, when the caller already knows it is UTF-8.
    valid: Option<&'a str>,
    text: String,
    limit: usize,
    /// Input offset of the first byte that did not fit under `limit`.
    cut_at: Option<usize>,
    style: SgrStyle,
    run_start: usize,
    runs: Vec<StyledRun>,
    /// Byte offset in `text` and its column at the last tab stop, so tabs
    /// count columns from there instead of from the start each time.
    tab_byte: usize,
    tab_col: usize,
}

impl<'a> Sanitizer<'a> {
    fn new(input: &'a [u8], limit: usize) -> Self {
        Sanitizer {
            input,
            valid: None,
            text: String::with_capacity(input.len().min(limit)),
            limit,
            cut_at: None,
            style: SgrStyle::default(),
            run_start: 0,
            runs: Vec::new(),
            tab_byte: 0,
            tab_col: 0,
        }
    }

    fn run(&mut self) {
        let len = self.input.len();
        let mut pos = 0;
        while pos < len && self.cut_at.is_none() {
            let end = find_control(self.input, pos);
            self.push_bytes(pos, end);
            if end == len || self.cut_at.is_some() {
                break;
            }
            pos = self.control(end);
        }
    }

    fn finish(mut self) -> SafeText {
        self.flush_run();
        if let Some(at) = self.cut_at {
            let left = self.input.len() - at;
            self.text.push_str(&format!("\u{2026} [+{left} bytes]"));
        }
        SafeText {
            text: self.text,
            runs: self.runs,
        }
    }

    /// Handles the control byte at `pos`; returns where to go on.
    fn control(&mut self, pos: usize) -> usize {
        match self.input[pos] {
            ESC => self.escape(pos),
            b'\t' => {
                self.tab(pos);
                pos + 1
            }
            byte => {
                self.push_char(control_picture(byte), pos);
                pos + 1
            }
        }
    }

    /// Handles the escape sequence starting at `esc`; returns where it ends.
    fn escape(&mut self, esc: usize) -> usize {
        let next = esc + 1;
        match self.input.get(next) {
            Some(b'[') => self.csi(esc),
            Some(b']') => self.string(esc, true),
            Some(b'P' | b'X' | b'^' | b'_') => self.string(esc, false),
            Some(0x20..=0x2F) => self.nf_escape(esc),
            Some(0x30..=0x7E) => {
                self.push_char(ESCAPE_MARK, esc);
                next + 1
            }
            // A lone ESC: what follows is not part of a sequence, so it is
            // handled on its own.
            _ => {
                self.push_char(ESCAPE_MARK, esc);
                next
            }
        }
    }

    /// `ESC [` parameters (0x30–0x3F) and intermediates (0x20–0x2F) up to a
    /// final byte (0x40–0x7E).
    fn csi(&mut self, esc: usize) -> usize {
        let body = esc + 2;
        let mut pos = body;
        while let Some(&byte) = self.input.get(pos) {
            match byte {
                0x20..=0x3F => pos += 1,
                0x40..=0x7E => {
                    if byte == b'm' {
                        let input = self.input;
                        self.sgr(&input[body..pos]);
                    }
                    return pos + 1;
                }
                // Not part of a CSI: show that something was cut, then handle
                // the byte normally.
                _ => {
                    self.push_char(ESCAPE_MARK, esc);
                    return pos;
                }
            }
        }
        self.push_char(ESCAPE_MARK, esc);
        pos
    }

    /// `ESC` intermediates (0x20–0x2F) then a final byte (0x30–0x7E), such
    /// as `ESC ( 0` (line-drawing charset) or `ESC # 8` (fill screen).
    fn nf_escape(&mut self, esc: usize) -> usize {
        self.push_char(ESCAPE_MARK, esc);
        let mut pos = esc + 1;
        while let Some(0x20..=0x2F) = self.input.get(pos) {
            pos += 1;
        }
        match self.input.get(pos) {
            Some(0x30..=0x7E) => pos + 1,
            _ => pos,
        }
    }

    /// OSC, DCS, SOS, PM or APC: skipped to ST (`ESC \`), to any other ESC,
    /// to BEL when `bel_ends` (OSC), or to the end of input.
    fn string(&mut self, esc: usize, bel_ends: bool) -> usize {
        self.push_char(ESCAPE_MARK, esc);
        let body = esc + 2;
        let rest = &self.input[body..];
        let found = if bel_ends {
            memchr::memchr2(ESC, BEL, rest)
        } else {
            memchr::memchr(ESC, rest)
        };
        let Some(offset) = found else {
            return self.input.len();
        };
        let at = body + offset;
        match (self.input[at], self.input.get(at + 1)) {
            (BEL, _) => at + 1,
            (_, Some(b'\\')) => at + 2,
            // Another ESC starts a new sequence, as it does in a terminal.
            _ => at,
        }
    }

    fn tab(&mut self, pos: usize) {
        let col = self.tab_col + self.text[self.tab_byte..].chars().count();
        let pad = TAB_WIDTH - col % TAB_WIDTH;
        // All or nothing: part of a tab would not map back to input bytes.
        if pad > self.limit - self.text.len() {
            self.cut_at = Some(pos);
            return;
        }
        self.text.push_str(&"    "[..pad]);
        self.tab_byte = self.text.len();
        self.tab_col = col + pad;
    }

    fn sgr(&mut self, params: &[u8]) {
        let mut style = self.style;
        apply_sgr(&mut style, params);
        if style != self.style {
            self.flush_run();
            self.style = style;
            self.run_start = self.text.len();
        }
    }

    /// Records the text drawn with the current style since `run_start`.
    fn flush_run(&mut self) {
        let end = self.text.len();
        if self.style == SgrStyle::default() || self.run_start >= end {
            return;
        }
        if let Some(last) = self.runs.last_mut()
            && last.range.end == self.run_start
            && last.style == self.style
        {
            last.range.end = end;
        } else {
            self.runs.push(StyledRun {
                range: self.run_start..end,
                style: self.style,
            });
        }
        self.run_start = end;
    }

    /// Pushes `input[start..end]`, which holds no ASCII control byte.
    fn push_bytes(&mut self, start: usize, end: usize) {
        // Segments end at ASCII bytes or the end, so they are char boundaries.
        if let Some(valid) = self.valid {
            self.push_valid(&valid[start..end], start);
            return;
        }
        let bytes = &self.input[start..end];
        if let Ok(valid) = std::str::from_utf8(bytes) {
            self.push_valid(valid, start);
            return;
        }
        let mut at = start;
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if !self.push_valid(valid, at) {
                return;
            }
            at += valid.len();
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            let mark = match invalid {
                [0x80..=0x9F] => ESCAPE_MARK,
                _ => char::REPLACEMENT_CHARACTER,
            };
            if !self.push_char(mark, at) {
                return;
            }
            at += invalid.len();
        }
    }

    /// Pushes valid UTF-8 with C1 and bidi controls replaced; returns false
    /// once the limit is hit.
    fn push_valid(&mut self, s: &str, at: usize) -> bool {
        if s.is_ascii() {
            return self.push_str(s, at);
        }
        let bytes = s.as_bytes();
        let mut done = 0;
        // Every char to replace is encoded with a 0xC2 or 0xE2 lead byte.
        for i in memchr::memchr2_iter(0xC2, 0xE2, bytes) {
            let Some((len, mark)) = replaced_char_at(&bytes[i..]) else {
                continue;
            };
            if !self.push_str(&s[done..i], at + done) || !self.push_char(mark, at + i) {
                return false;
            }
            done = i + len;
        }
        self.push_str(&s[done..], at + done)
    }

    /// Pushes `s` (which starts at input offset `at`), or as much of it as
    /// fits; returns false once the limit is hit.
    fn push_str(&mut self, s: &str, at: usize) -> bool {
        let room = self.limit - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return true;
        }
        let mut fits = room;
        while !s.is_char_boundary(fits) {
            fits -= 1;
        }
        self.text.push_str(&s[..fits]);
        self.cut_at = Some(at + fits);
        false
    }

    /// Pushes a char standing for input at offset `at`; returns false once
    /// the limit is hit.
    fn push_char(&mut self, c: char, at: usize) -> bool {
        if c.len_utf8() > self.limit - self.text.len() {
            self.cut_at = Some(at);
            return false;
        }
        self.text.push(c);
        true
    }
}

/// Offset of the next ASCII control byte (C0, ESC or DEL) at or after `from`.
///
/// Almost every byte of a log line is printable, so this is the hot loop: it
/// tests eight bytes at a time and only looks at single bytes in a word that
/// holds a control.
fn find_control(input: &[u8], from: usize) -> usize {
    let is_control = |b: &u8| *b < 0x20 || *b == DEL;
    let rest = &input[from..];
    let mut words = rest.chunks_exact(8);
    let mut offset = 0;
    for chunk in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if has_control(u64::from_le_bytes(word)) {
            break;
        }
        offset += 8;
    }
    rest[offset..]
        .iter()
        .position(is_control)
        .map_or(input.len(), |i| from + offset + i)
}

/// Whether any byte of `word` is below 0x20 or is 0x7F. The "has a byte less
/// than n" and "has a zero byte" bit tricks: subtracting borrows into a byte's
/// top bit only when that byte is below n, and `!word` drops bytes whose top
/// bit was already set. The answer is exact for the word as a whole.
fn has_control(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let del = word ^ (ONES * u64::from(DEL));
    let is_del = del.wrapping_sub(ONES) & !del & HIGH;
    (below_space | is_del) != 0
}

/// The visible stand-in for a C0 control or DEL.
fn control_picture(byte: u8) -> char {
    if byte == DEL {
        return '\u{2421}';
    }
    char::from_u32(0x2400 + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// If valid UTF-8 `bytes` start with a C1 or bidi control, its length and
/// the mark that replaces it.
fn replaced_char_at(bytes: &[u8]) -> Option<(usize, char)> {
    match bytes {
        [0xC2, 0x80..=0x9F, ..] => Some((2, ESCAPE_MARK)),
        // U+202A–U+202E (LRE, RLE, PDF, LRO, RLO).
        [0xE2, 0x80, 0xAA..=0xAE, ..] => Some((3, BIDI_MARK)),
        // U+2066–U+2069 (LRI, RLI, FSI, PDI).
        [0xE2, 0x81, 0xA6..=0xA9, ..] => Some((3, BIDI_MARK)),
        _ => None,
    }
}

/// Applies SGR parameters (`1;38;5;208`, `38:2::255:0:0`, …) to `style`.
/// Unknown codes are ignored, including conceal (8), so no text is hidden.
fn apply_sgr(style: &mut SgrStyle, params: &[u8]) {
    // Private-mode sequences such as `ESC [ > 4 ; 2 m` are not SGR.
    if params
        .iter()
        .any(|b| !matches!(b, b'0'..=b'9' | b';' | b':'))
    {
        return;
    }
    let mut groups = params.split(|&b| b == b';');
    while let Some(group) = groups.next() {
        let mut subs = group.split(|&b| b == b':');
        let code = subs.next().and_then(number).unwrap_or(0);
        match code {
            0 => *style = SgrStyle::default(),
            1 => style.bold = true,
            2 => style.dim = true,
            3 => style.italic = true,
            // `4:0` is "no underline"; `4:3` and the like are curly etc.
            4 => style.underline = subs.next().and_then(number) != Some(0),
            7 => style.reverse = true,
            21 => style.underline = true,
            22 => {
                style.bold = false;
                style.dim = false;
            }
            23 => style.italic = false,
            24 => style.underline = false,
            27 => style.reverse = false,
            30..=37 => style.fg = Some(SgrColor::Basic((code - 30) as u8)),
            38 => style.fg = extended_color(subs, &mut groups).or(style.fg),
            39 => style.fg = None,
            40..=47 => style.bg = Some(SgrColor::Basic((code - 40) as u8)),
            48 => style.bg = extended_color(subs, &mut groups).or(style.bg),
            49 => style.bg = None,
            90..=97 => style.fg = Some(SgrColor::Basic((code - 90 + 8) as u8)),
            100..=107 => style.bg = Some(SgrColor::Basic((code - 100 + 8) as u8)),
            _ => {}
        }
    }
}

/// Reads the colour after 38/48, either from colon sub-parameters
/// (`38:5:n`, `38:2:r:g:b`, `38:2:cs:r:g:b`) or from the next `;` groups
/// (`38;5;n`, `38;2;r;g;b`), consuming them in both cases.
fn extended_color<'p>(
    subs: impl Iterator<Item = &'p [u8]>,
    groups: &mut impl Iterator<Item = &'p [u8]>,
) -> Option<SgrColor> {
    let mut subs = subs.peekable();
    if subs.peek().is_some() {
        let mut values = [None; 5];
        let mut count = 0;
        for sub in subs.take(values.len()) {
            values[count] = number(sub);
            count += 1;
        }
        return match &values[..count] {
            [Some(5), index] => Some(SgrColor::Indexed(byte(*index)?)),
            [Some(2), r, g, b] | [Some(2), _, r, g, b] => {
                Some(SgrColor::Rgb(byte(*r)?, byte(*g)?, byte(*b)?))
            }
            _ => None,
        };
    }
    match groups.next().and_then(number) {
        Some(5) => Some(SgrColor::Indexed(byte(groups.next().and_then(number))?)),
        Some(2) => {
            let r = groups.next().and_then(number);
            let g = groups.next().and_then(number);
            let b = groups.next().and_then(number);
            Some(SgrColor::Rgb(byte(r)?, byte(g)?, byte(b)?))
        }
        _ => None,
    }
}

/// A decimal parameter; empty means "not given". Saturates instead of
/// overflowing on absurd input.
fn number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    let value = digits.iter().fold(0u16, |acc, &d| {
        acc.saturating_mul(10).saturating_add(u16::from(d - b'0'))
    });
    Some(value)
}

/// A colour component, which must fit in a byte.
fn byte(value: Option<u16>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

/// The central property of sanitized text: nothing a terminal would act on.
/// Longest text kept from one backend message (a Timeline row, an error).
pub const SAFE_TEXT_BYTES: usize = 4096;

/// Backend text as the terminal may show it: no escape sequences or
/// controls, bounded length.
pub fn safe(text: &str) -> String {
    sanitize_str_capped(text, SAFE_TEXT_BYTES).into_text()
}

#[cfg(test)]
pub(crate) fn is_terminal_safe(text: &str) -> bool {
    text.chars().all(|c| {
        let code = u32::from(c);
        code >= 0x20
            && !(0x7F..=0x9F).contains(&code)
            && !(0x202A..=0x202E).contains(&code)
            && !(0x2066..=0x2069).contains(&code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_terminal_safe(text: &str) {
        assert!(is_terminal_safe(text), "unsafe output: {text:?}");
    }

    fn text(input: &[u8]) -> String {
        let out = sanitize(input);
        assert_terminal_safe(out.as_str());
        out.into_text()
    }

    fn red() -> SgrStyle {
        SgrStyle {
            fg: Some(SgrColor::Basic(1)),
            ..SgrStyle::default()
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        let line = "order-service-7d9f 10:07:58 payment ok — 42€ 注文";
        let out = sanitize_str(line);
        assert_eq!(out.as_str(), line);
        assert!(out.runs().is_empty());
    }

    #[test]
    fn csi_cursor_movement_and_clear_screen_are_removed() {
        assert_eq!(
            text(b"a\x1b[2Jb\x1b[Hc\x1b[10;20Hd\x1b[3Ae\x1b[?25lf"),
            "abcdef"
        );
        assert_eq!(text(b"before\x1b[1Kafter\x1b[2K"), "beforeafter");
    }

    #[test]
    fn sgr_16_colours_become_runs() {
        let out = sanitize(b"\x1b[31mred\x1b[0m plain \x1b[1;94mbright\x1b[m");
        assert_eq!(out.as_str(), "red plain bright");
        let bright_bold = SgrStyle {
            fg: Some(SgrColor::Basic(12)),
            bold: true,
            ..SgrStyle::default()
        };
        assert_eq!(
            out.runs(),
            [
                StyledRun {
                    range: 0..3,
                    style: red()
                },
                StyledRun {
                    range: 10..16,
                    style: bright_bold
                },
            ]
        );
    }

    #[test]
    fn sgr_256_and_truecolor_in_both_notations() {
        let cases: [(&[u8], SgrColor); 5] = [
            (b"\x1b[38;5;208mx", SgrColor::Indexed(208)),
            (b"\x1b[38:5:208mx", SgrColor::Indexed(208)),
            (b"\x1b[38;2;255;128;0mx", SgrColor::Rgb(255, 128, 0)),
            (b"\x1b[38:2:255:128:0mx", SgrColor::Rgb(255, 128, 0)),
            (b"\x1b[38:2::255:128:0mx", SgrColor::Rgb(255, 128, 0)),
        ];
        for (input, colour) in cases {
            let out = sanitize(input);
            assert_eq!(out.as_str(), "x");
            assert_eq!(out.runs()[0].style.fg, Some(colour), "{input:?}");
        }
        let out = sanitize(b"\x1b[48;2;1;2;3;4mx");
        let style = out.runs()[0].style;
        assert_eq!(style.bg, Some(SgrColor::Rgb(1, 2, 3)));
        assert!(style.underline, "the group after the colour still applies");
    }

    #[test]
    fn sgr_attributes_and_partial_resets() {
        let out = sanitize(b"\x1b[1;2;3;4;7ma\x1b[22;23mb\x1b[24;27mc");
        let styles: Vec<SgrStyle> = out.runs().iter().map(|r| r.style).collect();
        let all = SgrStyle {
            bold: true,
            dim: true,
            italic: true,
            underline: true,
            reverse: true,
            ..SgrStyle::default()
        };
        let after_22_23 = SgrStyle {
            underline: true,
            reverse: true,
            ..SgrStyle::default()
        };
        assert_eq!(styles, [all, after_22_23]);
        assert_eq!(out.runs()[1].range, 1..2);
    }

    #[test]
    fn same_style_runs_merge_and_conceal_is_ignored() {
        let out = sanitize(b"\x1b[31ma\x1b[31mb\x1b[8msecret\x1b[39m");
        assert_eq!(out.as_str(), "absecret");
        assert_eq!(
            out.runs(),
            [StyledRun {
                range: 0..8,
                style: red()
            }]
        );
    }

    #[test]
    fn private_mode_m_is_not_sgr() {
        let out = sanitize(b"\x1b[>4;2mtext");
        assert_eq!(out.as_str(), "text");
        assert!(out.runs().is_empty());
    }

    #[test]
    fn osc_title_hyperlink_and_clipboard_leave_one_mark() {
        let cases: [&[u8]; 5] = [
            b"a\x1b]0;pwned title\x07b",
            b"a\x1b]0;pwned title\x1b\\b",
            b"a\x1b]8;;https://evil.example/\x1b\\b",
            b"a\x1b]52;c;ZWNobyBwd25lZA==\x07b",
            b"a\x1b]52;c;ZWNobyBwd25lZA==\x1b\\b",
        ];
        for input in cases {
            assert_eq!(text(input), "a\u{241B}b", "{input:?}");
        }
        // A hyperlink keeps its visible label between the two OSC 8s.
        assert_eq!(
            text(b"\x1b]8;;https://x/\x1b\\label\x1b]8;;\x1b\\"),
            "\u{241B}label\u{241B}"
        );
    }

    #[test]
    fn dcs_sos_pm_apc_are_removed() {
        for intro in [b'P', b'X', b'^', b'_'] {
            let input = [b"a\x1b".as_slice(), &[intro], b"payload\x07more\x1b\\b"].concat();
            assert_eq!(text(&input), "a\u{241B}b", "intro {}", intro as char);
        }
    }

    #[test]
    fn unterminated_strings_swallow_the_rest() {
        assert_eq!(text(b"a\x1b]0;title and everything after"), "a\u{241B}");
        assert_eq!(text(b"a\x1bPq#0;2;0;0;0"), "a\u{241B}");
    }

    #[test]
    fn another_esc_ends_a_string_and_starts_a_sequence() {
        assert_eq!(text(b"\x1b]0;t\x1b[31mred"), "\u{241B}red");
        assert_eq!(sanitize(b"\x1b]0;t\x1b[31mred").runs()[0].range, 3..6);
    }

    #[test]
    fn lone_esc_and_two_byte_sequences_become_marks() {
        assert_eq!(text(b"end\x1b"), "end\u{241B}");
        assert_eq!(text(b"\x1bcreset"), "\u{241B}reset");
        assert_eq!(text(b"\x1b7save\x1b8"), "\u{241B}save\u{241B}");
        assert_eq!(text(b"\x1b(0lqk\x1b(B"), "\u{241B}lqk\u{241B}");
        assert_eq!(text(b"\x1b\x1b[2Jx"), "\u{241B}x");
        assert_eq!(text(b"\x1b\xc3\xa9"), "\u{241B}é");
    }

    #[test]
    fn broken_csi_leaves_a_mark_and_keeps_the_text() {
        assert_eq!(text(b"a\x1b[12"), "a\u{241B}");
        assert_eq!(text(b"a\x1b[1\nb"), "a\u{241B}\u{240A}b");
        assert_eq!(text(b"a\x1b[1\xc3\xa9b"), "a\u{241B}éb");
    }

    #[test]
    fn c0_controls_and_del_become_control_pictures() {
        assert_eq!(text(b"a\x00b\x07c\x0bd\x0ce\x7f"), "a␀b␇c␋d␌e␡");
        assert_eq!(text(b"line1\nline2"), "line1␊line2");
    }

    #[test]
    fn carriage_return_cannot_overwrite_earlier_text() {
        let out = text(b"password=hunter2\rpassword=*******");
        assert_eq!(out, "password=hunter2␍password=*******");
        assert!(out.starts_with("password=hunter2"));
    }

    #[test]
    fn backspace_cannot_erase_earlier_text() {
        assert_eq!(text(b"rm -rf /\x08\x08\x08\x08ls"), "rm -rf /␈␈␈␈ls");
    }

    #[test]
    fn c1_controls_become_marks() {
        // U+009B (CSI) and U+009D (OSC) as UTF-8, and the raw 8-bit CSI.
        assert_eq!(
            text("a\u{9b}2Jb\u{9d}c".as_bytes()),
            "a\u{241B}2Jb\u{241B}c"
        );
        assert_eq!(text(b"a\x9b2Jb"), "a\u{241B}2Jb");
        assert_eq!(
            text("\u{80}\u{9f}\u{a0}".as_bytes()),
            "\u{241B}\u{241B}\u{a0}"
        );
    }

    #[test]
    fn invalid_utf8_becomes_replacement_chars() {
        assert_eq!(
            text(b"a\xffb\xe2\x82c\xf0\x9f\x98"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(text(b"\xc3\xa9\xed\xa0\xbf"), "é\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn bidi_overrides_and_isolates_become_marks() {
        // The "Trojan Source" trick: RLO reverses what a reader sees.
        let input = "access \u{202E}nimda\u{202C} \u{2066}x\u{2069} \u{202A}\u{202B}\u{202D}\u{2067}\u{2068}";
        let out = text(input.as_bytes());
        assert_eq!(
            out,
            "access \u{FFFD}nimda\u{FFFD} \u{FFFD}x\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        // Neighbours of the ranges stay.
        assert_eq!(
            text("\u{2029}\u{202F}\u{2065}\u{206A}".as_bytes()),
            "\u{2029}\u{202F}\u{2065}\u{206A}"
        );
    }

    #[test]
    fn tabs_expand_to_the_next_multiple_of_four() {
        assert_eq!(text(b"\tx"), "    x");
        assert_eq!(text(b"ab\tc"), "ab  c");
        assert_eq!(text(b"abcd\te"), "abcd    e");
        assert_eq!(text(b"a\tb\tc"), "a   b   c");
        // Columns count chars, and marks take one column like any char.
        assert_eq!(text("é\x07\tx".as_bytes()), "é␇  x");
        assert_eq!(text(b"\x1b[31mab\x1b[0m\tc"), "ab  c");
    }

    #[test]
    fn a_mark_added_after_is_sanitized_and_keeps_the_styles() {
        let red = sanitize(b"\x1b[31mred\x1b[0m plain");
        let marked = red.clone().followed_by(" [cut\x1b[2J]");
        assert_eq!(marked.as_str(), "red plain [cut]");
        assert_eq!(marked.runs(), red.runs());
    }

    #[test]
    fn capped_output_says_how_much_was_left() {
        let out = sanitize_capped(b"0123456789abcdef", 10);
        assert_eq!(out.as_str(), "0123456789\u{2026} [+6 bytes]");
        let out = sanitize_capped(b"0123456789", 10);
        assert_eq!(out.as_str(), "0123456789");
        // Escapes that produce no text do not count against the cap.
        let out = sanitize_capped(b"\x1b[31m0123456789\x1b[0m", 10);
        assert_eq!(out.as_str(), "0123456789");
        assert_eq!(out.runs()[0].range, 0..10);
    }

    #[test]
    fn cap_never_splits_a_char() {
        let out = sanitize_capped("aé€".as_bytes(), 2);
        assert_eq!(out.as_str(), "a\u{2026} [+5 bytes]");
        let out = sanitize_capped(b"ab\x07cd", 4);
        assert_eq!(out.as_str(), "ab\u{2026} [+3 bytes]");
        let out = sanitize_capped(b"ab\tc", 3);
        assert_eq!(out.as_str(), "ab\u{2026} [+2 bytes]");
    }

    #[test]
    fn one_megabyte_line() {
        let unit = b"\x1b[32mok\x1b[0m pod=api-7d9f \x1b]0;t\x07\xff\t| ";
        let input = unit.repeat(1024 * 1024 / unit.len() + 1);
        assert!(input.len() > 1024 * 1024);
        let out = sanitize(&input);
        assert_terminal_safe(out.as_str());
        let expected_unit = "ok pod=api-7d9f \u{241B}\u{FFFD}  | ";
        assert!(out.as_str().starts_with(expected_unit));
        assert_eq!(out.runs().len(), input.len() / unit.len());

        let capped = sanitize_capped(&input, 64 * 1024);
        assert!(capped.len() < 64 * 1024 + 32);
        assert!(capped.as_str().ends_with(" bytes]"));
    }

    #[test]
    fn ten_megabytes_of_unfinished_csi() {
        let input = b"\x1b[".repeat(5 * 1024 * 1024);
        let out = sanitize(&input);
        assert_eq!(out.as_str().chars().count(), 5 * 1024 * 1024);
        assert!(out.as_str().chars().all(|c| c == ESCAPE_MARK));

        let capped = sanitize_capped(&input, 30);
        assert_eq!(
            capped.as_str(),
            format!(
                "{}\u{2026} [+{} bytes]",
                "\u{241B}".repeat(10),
                input.len() - 20
            )
        );
    }

    #[test]
    fn huge_sgr_parameter_lists_are_fine() {
        let mut input = b"\x1b[".to_vec();
        input.extend(b"1;".repeat(100_000));
        input.extend(b"99999999999999;31mx");
        let out = sanitize(&input);
        assert_eq!(out.as_str(), "x");
        assert_eq!(out.runs()[0].style.fg, Some(SgrColor::Basic(1)));
        assert!(out.runs()[0].style.bold);
    }

    #[test]
    fn out_of_range_colours_are_ignored() {
        let out = sanitize(b"\x1b[31m\x1b[38;5;300ma\x1b[38;2;1;2mb");
        assert_eq!(out.as_str(), "ab");
        assert_eq!(out.runs().len(), 1);
        assert_eq!(out.runs()[0].style, red());
    }

    #[test]
    fn control_search_matches_a_byte_by_byte_scan() {
        for control in [0x00, 0x09, 0x1B, 0x1F, 0x7F] {
            for at in 0..20 {
                let mut input = vec![b'a'; 20];
                input[at] = control;
                assert_eq!(find_control(&input, 0), at);
            }
        }
        let printable: Vec<u8> = (0x20..0x7F).chain(0x80..=0xFF).collect();
        assert_eq!(find_control(&printable, 0), printable.len());
    }

    /// Bytes that hostile input is made of, so random inputs hit sequences.
    fn hostile_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => any::<u8>(),
            2 => Just(ESC),
            1 => prop::sample::select(b"[]P_X^\\;:0123456789m\x07\t\r\n\x7f\x9b\xc2\xe2\x80\xaa".to_vec()),
        ]
    }

    fn check_invariants(out: &SafeText) -> Result<(), TestCaseError> {
        let text = out.as_str();
        prop_assert!(is_terminal_safe(text), "unsafe output: {:?}", text);
        let mut previous_end = 0;
        for run in out.runs() {
            prop_assert!(previous_end <= run.range.start && run.range.start < run.range.end);
            prop_assert!(run.range.end <= text.len());
            prop_assert!(
                text.is_char_boundary(run.range.start) && text.is_char_boundary(run.range.end)
            );
            previous_end = run.range.end;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_bytes_come_out_terminal_safe(input in prop::collection::vec(hostile_byte(), 0..300)) {
            check_invariants(&sanitize(&input))?;
        }

        #[test]
        fn any_bytes_capped_stay_under_the_cap(
            input in prop::collection::vec(hostile_byte(), 0..300),
            cap in 0usize..64,
        ) {
            let out = sanitize_capped(&input, cap);
            check_invariants(&out)?;
            let full = sanitize(&input);
            if full.len() <= cap {
                prop_assert_eq!(out, full);
            } else {
                let shown = out.as_str().rfind('\u{2026}').unwrap_or(out.len());
                prop_assert!(shown <= cap);
                prop_assert!(full.as_str().starts_with(&out.as_str()[..shown]));
                // The marker counts exactly the input bytes that were not shown.
                let left: usize = out.as_str()[shown..]
                    .trim_start_matches("\u{2026} [+")
                    .trim_end_matches(" bytes]")
                    .parse()
                    .unwrap_or(usize::MAX);
                prop_assert!(left <= input.len());
                let consumed = sanitize(&input[..input.len() - left]);
                prop_assert_eq!(consumed.as_str(), &out.as_str()[..shown]);
            }
        }

        #[test]
        fn control_search_finds_the_first_control(input in prop::collection::vec(any::<u8>(), 0..64), from in 0usize..64) {
            let from = from.min(input.len());
            let expected = input[from..].iter().position(|&b| b < 0x20 || b == DEL).map_or(input.len(), |i| from + i);
            prop_assert_eq!(find_control(&input, from), expected);
        }

        #[test]
        fn str_and_bytes_give_the_same_result(input in any::<String>(), cap in 0usize..64) {
            let input = input.replace('x', "\x1b[31m").replace('y', "\x1b]0;t\x07");
            prop_assert_eq!(sanitize_str_capped(&input, cap), sanitize_capped(input.as_bytes(), cap));
            prop_assert_eq!(sanitize_str(&input), sanitize(input.as_bytes()));
        }

        #[test]
        fn printable_text_passes_through(input in "[ -~\u{a0}-\u{2000}]{0,200}") {
            let out = sanitize_str(&input);
            prop_assert_eq!(out.as_str(), input.as_str());
        }
    }

    #[test]
    fn stored_text_that_is_not_safe_is_sanitized_when_read_back() {
        let stored = r#"{"text":"a\u001b]52;c;ZXZpbA==\u0007b","runs":[]}"#;
        let back: SafeText = serde_json::from_str(stored).unwrap();
        assert!(is_terminal_safe(back.as_str()), "{back:?}");
        assert!(!back.as_str().contains("52;c;"), "{back:?}");
        assert!(back.as_str().contains(ESCAPE_MARK));
    }

    #[test]
    fn stored_runs_out_of_bounds_are_dropped_when_read_back() {
        let stored = r#"{"text":"ok","runs":[{"range":{"start":0,"end":9},"style":{"fg":null,"bg":null,"bold":true,"dim":false,"italic":false,"underline":false,"reverse":false}}]}"#;
        let back: SafeText = serde_json::from_str(stored).unwrap();
        assert_eq!(back.as_str(), "ok");
        assert!(back.runs().is_empty());
    }

    #[test]
    fn safe_text_round_trips_with_its_styles() {
        let text = sanitize(b"\x1b[31mred\x1b[0m plain");
        assert!(!text.runs().is_empty());
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(serde_json::from_str::<SafeText>(&json).unwrap(), text);
    }
}
