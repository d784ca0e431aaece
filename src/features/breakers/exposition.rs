//! The Prometheus text exposition format (0.0.4) as Spring Boot's
//! Micrometer writes it at `/actuator/prometheus`, and the resilience4j
//! circuit-breaker figures in it.
//!
//! Written here rather than taken from a crate. Of the crates tried on the
//! fixture: prom_text_format_parser rejects Micrometer's trailing comma,
//! prometheus-parse splits label sets on commas inside quoted values and
//! keeps escapes, and openmetrics-parser (LGPL) rejects the whole scrape
//! over one histogram series without buckets.

mod line;
mod resilience4j;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use crate::shared::body_preview::one_line;

pub use resilience4j::{BreakerFigures, BreakerKey, resilience4j_breakers};

/// How much of a bad line an error quotes.
const LINE_PREVIEW_CHARS: usize = 80;

/// One sample line: `name{labels} value [timestamp]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    /// Label values unescaped (`\"` is `"`, `\n` a line feed).
    pub labels: BTreeMap<String, String>,
    /// May be NaN or ±Inf, as the format allows.
    pub value: f64,
    /// Milliseconds since the Unix epoch, when the line carries one.
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
}

/// A line that was skipped, so the UI can count and show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
    /// The line's start, printable.
    pub preview: String,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} ({})", self.line, self.reason, self.preview)
    }
}

/// A parsed scrape: samples in text order, and the lines that were skipped.
/// HELP and TYPE comments are not kept: nothing opsdeck shows needs them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exposition {
    pub samples: Vec<Sample>,
    pub bad_lines: Vec<BadLine>,
}

/// The text is not an exposition at all: no line was a sample and at least
/// one was unreadable, as with an HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpositionError {
    pub first_bad_line: BadLine,
    pub bad_lines: usize,
}

impl fmt::Display for ExpositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a Prometheus text exposition ({} unreadable lines); {}",
            self.bad_lines, self.first_bad_line
        )
    }
}

impl std::error::Error for ExpositionError {}

/// Parses a text exposition. Unreadable lines are skipped and listed, so
/// one odd line does not hide a whole scrape; a text where nothing is
/// readable is an error. Empty text is an empty exposition.
pub fn parse(text: &str) -> Result<Exposition, ExpositionError> {
    let mut exposition = Exposition::default();
    for (index, text_line) in text.lines().enumerate() {
        match line::parse_line(text_line) {
            Ok(Some(sample)) => exposition.samples.push(sample),
            Ok(None) => {}
            Err(reason) => exposition.bad_lines.push(BadLine {
                line: index + 1,
                reason,
                preview: one_line(text_line, LINE_PREVIEW_CHARS),
            }),
        }
    }
    match exposition.bad_lines.first() {
        Some(first) if exposition.samples.is_empty() => Err(ExpositionError {
            first_bad_line: first.clone(),
            bad_lines: exposition.bad_lines.len(),
        }),
        _ => Ok(exposition),
    }
}
