//! Dead-letter topics: which topics are ones, how many messages they hold,
//! and how fast dead letters arrive.

use chrono::{DateTime, Utc};

/// Topic-name patterns where `*` matches any run of characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DlqPatterns(pub Vec<String>);

impl Default for DlqPatterns {
    fn default() -> Self {
        DlqPatterns(vec!["*-dlq".into(), "*.DLT".into()])
    }
}

impl DlqPatterns {
    pub fn matches(&self, topic: &str) -> bool {
        self.0.iter().any(|p| glob(p, topic))
    }
}

/// `*`-only glob, case-sensitive (Kafka topic names are).
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = parts.collect();
    let Some((last, inner)) = middle.split_last() else {
        // No `*` at all: the prefix must be the whole text.
        return rest.is_empty();
    };
    for piece in inner {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// One measurement of a topic's size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopicSize {
    pub topic: String,
    pub at: DateTime<Utc>,
    /// Messages held: Σ (high − low).
    pub size: i64,
    /// Σ high: every message ever written, to count arrivals even while
    /// retention trims the log start.
    pub written: i64,
}

/// Sizes a topic from its partitions' `(low, high)` watermarks.
pub fn topic_size(topic: &str, at: DateTime<Utc>, watermarks: &[(i64, i64)]) -> TopicSize {
    TopicSize {
        topic: topic.to_string(),
        at,
        size: watermarks
            .iter()
            .map(|(low, high)| (high - low).max(0))
            .sum(),
        written: watermarks.iter().map(|(_, high)| *high).sum(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Growth {
    PerMinute(f64),
    /// The topic's log end went backwards (recreated) in the span.
    Reset,
    Unknown,
}

/// Dead letters arriving per minute across `sizes` (oldest first, one topic).
pub fn growth_per_minute(sizes: &[TopicSize]) -> Growth {
    if sizes.windows(2).any(|w| w[1].written < w[0].written) {
        return Growth::Reset;
    }
    let (Some(first), Some(last)) = (sizes.first(), sizes.last()) else {
        return Growth::Unknown;
    };
    let millis = (last.at - first.at).num_milliseconds();
    if millis <= 0 {
        return Growth::Unknown;
    }
    Growth::PerMinute((last.written - first.written) as f64 * 60_000.0 / millis as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::at;

    #[test]
    fn default_patterns() {
        let p = DlqPatterns::default();
        assert!(p.matches("orders-dlq"));
        assert!(p.matches("payments.DLT"));
        assert!(!p.matches("orders"));
        assert!(!p.matches("orders-DLQ"));
        assert!(!p.matches("dlq-orders"));
    }

    #[test]
    fn glob_forms() {
        assert!(glob("dlq.*", "dlq.orders"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "a-x-c-y-b"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn size_sums_partitions() {
        let s = topic_size("x-dlq", at(0), &[(0, 10), (5, 7), (3, 3)]);
        assert_eq!(s.size, 12);
        assert_eq!(s.written, 20);
    }

    #[test]
    fn growth_counts_arrivals_per_minute_even_while_trimmed() {
        let a = topic_size("x-dlq", at(0), &[(0, 10)]);
        let b = topic_size("x-dlq", at(30), &[(8, 15)]);
        let c = topic_size("x-dlq", at(120), &[(14, 30)]);
        assert_eq!(
            growth_per_minute(&[a.clone(), b, c]),
            Growth::PerMinute(10.0)
        );
        assert_eq!(growth_per_minute(std::slice::from_ref(&a)), Growth::Unknown);
        let recreated = topic_size("x-dlq", at(60), &[(0, 2)]);
        assert_eq!(growth_per_minute(&[a, recreated]), Growth::Reset);
    }
}
