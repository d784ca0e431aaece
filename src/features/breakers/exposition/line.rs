//! One line of the text format:
//! `name [{label="value", ...[,]}] value [timestamp]`, `# comment`, or blank.

use std::collections::BTreeMap;

use super::Sample;

/// A sample, None for a blank or comment line (HELP and TYPE included), or
/// why the line is not readable.
pub(super) fn parse_line(line: &str) -> Result<Option<Sample>, String> {
    let mut cursor = Cursor::new(line);
    cursor.skip_blanks();
    if cursor.is_empty() || cursor.peek() == Some('#') {
        return Ok(None);
    }
    let name = metric_name(&mut cursor)?;
    let mut spaced = cursor.skip_blanks();
    let labels = if cursor.eat('{') {
        let labels = labels(&mut cursor)?;
        spaced = cursor.skip_blanks();
        labels
    } else {
        BTreeMap::new()
    };
    if !spaced {
        return Err("expected whitespace before the value".to_owned());
    }
    let value = value(&mut cursor)?;
    let timestamp_ms = timestamp(&mut cursor)?;
    Ok(Some(Sample {
        name: name.to_owned(),
        labels,
        value,
        timestamp_ms,
    }))
}

/// The unread rest of a line.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a str) -> Self {
        Self { rest: line }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.bump();
        }
        found
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c| !keep(c)).unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    /// Skips spaces and tabs; returns whether there were any.
    fn skip_blanks(&mut self) -> bool {
        !self.take_while(is_blank).is_empty()
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn metric_name<'a>(cursor: &mut Cursor<'a>) -> Result<&'a str, String> {
    let name = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    match name.chars().next() {
        Some(first) if !first.is_ascii_digit() => Ok(name),
        _ => Err("expected a metric name".to_owned()),
    }
}

/// The label set after `{`, up to and including `}`. A comma may follow the
/// last pair: Micrometer always writes one.
fn labels(cursor: &mut Cursor<'_>) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    loop {
        cursor.skip_blanks();
        if cursor.eat('}') {
            return Ok(labels);
        }
        let (name, value) = label_pair(cursor)?;
        if labels.contains_key(name) {
            return Err(format!("label {name} appears twice"));
        }
        labels.insert(name.to_owned(), value);
        cursor.skip_blanks();
        if cursor.eat('}') {
            return Ok(labels);
        }
        if !cursor.eat(',') {
            return Err(format!("expected ',' or '}}' after label {name}"));
        }
    }
}

fn label_pair<'a>(cursor: &mut Cursor<'a>) -> Result<(&'a str, String), String> {
    let name = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("expected a label name".to_owned());
    }
    cursor.skip_blanks();
    if !cursor.eat('=') {
        return Err(format!("expected '=' after label {name}"));
    }
    cursor.skip_blanks();
    if !cursor.eat('"') {
        return Err(format!("expected '\"' to open the value of label {name}"));
    }
    Ok((name, quoted_value(cursor, name)?))
}

/// A label value after its opening quote, unescaping `\\`, `\"` and `\n`.
fn quoted_value(cursor: &mut Cursor<'_>, label: &str) -> Result<String, String> {
    let mut value = String::new();
    loop {
        match cursor.bump() {
            Some('"') => return Ok(value),
            Some('\\') => match cursor.bump() {
                Some('\\') => value.push('\\'),
                Some('"') => value.push('"'),
                Some('n') => value.push('\n'),
                Some(other) => {
                    return Err(format!(
                        "invalid escape \\{} in label {label}",
                        other.escape_debug()
                    ));
                }
                None => return Err(format!("unterminated value of label {label}")),
            },
            Some(c) => value.push(c),
            None => return Err(format!("unterminated value of label {label}")),
        }
    }
}

fn value(cursor: &mut Cursor<'_>) -> Result<f64, String> {
    let text = cursor.take_while(|c| !is_blank(c));
    if text.is_empty() {
        return Err("expected a value".to_owned());
    }
    // Rust reads "NaN", "+Inf" and "-Inf" as the format writes them.
    text.parse()
        .map_err(|_| format!("value {:?} is not a number", short(text)))
}

fn timestamp(cursor: &mut Cursor<'_>) -> Result<Option<i64>, String> {
    cursor.skip_blanks();
    if cursor.is_empty() {
        return Ok(None);
    }
    let text = cursor.take_while(|c| !is_blank(c));
    let timestamp = text
        .parse()
        .map_err(|_| format!("timestamp {:?} is not an integer", short(text)))?;
    cursor.skip_blanks();
    if !cursor.is_empty() {
        return Err("unexpected text after the timestamp".to_owned());
    }
    Ok(Some(timestamp))
}

/// A token cut to a length fit for a message.
fn short(text: &str) -> String {
    text.chars().take(32).collect()
}
