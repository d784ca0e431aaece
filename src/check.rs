//! `opsdeck check`: validate the user's files and report what is wrong.

use crate::config::{Loaded, Locations};
use crate::core::probe::ProbeRow;
use crate::core::sanitize::safe;
use std::fmt::Write;

/// Probe results of one source, and whether a failure there counts as wrong
/// (it does not for a source nobody configured).
pub struct SourceProbes {
    pub source: &'static str,
    pub rows: Vec<ProbeRow>,
    pub required: bool,
}

/// The report `check` prints, and whether everything was fine. Made
/// [`printable`] as a whole: it holds backend text (versions, status
/// messages, breaker names) and file names.
pub fn report(loc: &Locations, loaded: &Loaded, probes: &[SourceProbes]) -> (String, bool) {
    let (text, ok) = compose(loc, loaded, probes);
    (printable(&text), ok)
}

/// Text for the terminal, line by line through the sanitizer: escape
/// sequences, controls and bidi overrides become visible marks; the line
/// breaks stay.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(body) => {
                out.push_str(&safe(body));
                out.push('\n');
            }
            None => out.push_str(&safe(line)),
        }
    }
    out
}

fn compose(loc: &Locations, loaded: &Loaded, probes: &[SourceProbes]) -> (String, bool) {
    let mut out = String::new();
    let _ = writeln!(out, "opsdeck check");
    let file_state = |p: &std::path::Path| {
        if p.exists() {
            "found"
        } else {
            "not found (defaults)"
        }
    };
    let keymap = loc.dir.join("keymaps.toml");
    let themes = loc.dir.join("themes");
    let _ = writeln!(
        out,
        "  config   {}  {}",
        loc.config_file.display(),
        file_state(&loc.config_file)
    );
    let _ = writeln!(
        out,
        "  keymap   {}  {}",
        keymap.display(),
        file_state(&keymap)
    );
    let _ = writeln!(
        out,
        "  themes   {}  {}",
        themes.display(),
        file_state(&themes)
    );
    let _ = writeln!(
        out,
        "  theme    {} (available: {})",
        loaded.theme.name,
        loaded.themes.names().join(", ")
    );
    let mut ok = true;
    for p in probes {
        let _ = writeln!(out, "\n{}:", p.source);
        for r in &p.rows {
            let mark = match (r.ok, p.required) {
                (true, _) => "ok  ",
                (false, true) => "FAIL",
                (false, false) => "skip",
            };
            let _ = writeln!(
                out,
                "  {mark} {:<36} {:>6} ms  {}",
                r.check,
                r.took.as_millis(),
                r.detail
            );
            ok &= r.ok || !p.required;
        }
    }
    if loaded.problems.is_empty() {
        let _ = writeln!(out, "\nno problems in the config, keymap and themes");
        return (out, ok);
    }
    let _ = writeln!(out, "\n{} problem(s):", loaded.problems.len());
    let rows: Vec<[String; 4]> = loaded
        .problems
        .iter()
        .map(|p| {
            [
                p.file.display().to_string(),
                p.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into()),
                if p.key.is_empty() {
                    "-".into()
                } else {
                    p.key.clone()
                },
                p.message.clone(),
            ]
        })
        .collect();
    let header = ["FILE", "LINE", "KEY", "PROBLEM"].map(String::from);
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in [&header].into_iter().chain(rows.iter()) {
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    (out, false)
}
