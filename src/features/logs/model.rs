//! The Logs tab's buffer: a bounded ring of parsed lines from many pods,
//! with level, regex and correlation filters, search, and follow/pause.

use crate::core::clean::Clean;
use crate::core::cursor::ListCursor;
use crate::core::sanitize::SafeText;
use crate::features::logs::line::Level;
use crate::features::logs::rows::Rows;
use crate::features::logs::store::{LineRef, LineStore, Stream};
use chrono::{DateTime, Utc};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Lines kept before the oldest are dropped (counted and shown).
pub const DEFAULT_CAPACITY: usize = 200_000;

/// One log record of one container, possibly with continuation lines, as
/// a source sends it; the buffer keeps it packed ([`LineStore`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub pod: Arc<str>,
    pub container: Arc<str>,
    pub time: Option<DateTime<Utc>>,
    pub level: Level,
    pub message: SafeText,
    /// Other structured fields, `key=value`.
    pub fields: Box<str>,
    pub correlation: Option<Box<str>>,
    /// Lines that continue this record (a stack trace).
    pub extra: Vec<SafeText>,
    /// True for a line that continues the previous record of its stream.
    pub continuation: bool,
    /// A note from opsdeck about the stream (pod joined, stream ended, error).
    pub note: bool,
}

/// What a log source sends.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LogsUpdate {
    Lines(Vec<LogLine>),
    /// How far behind real time a stream is, in seconds.
    Behind {
        pod: String,
        secs: u64,
    },
    /// Lines the transport dropped because the app fell behind.
    Dropped(u64),
}

/// Which levels to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelFilter {
    All,
    InfoAndUp,
    WarnAndUp,
    ErrorOnly,
}

impl LevelFilter {
    fn admits(self, level: Level) -> bool {
        let rank = |l: Level| match l {
            Level::Trace => 0,
            Level::Debug => 1,
            Level::Info | Level::Unknown => 2,
            Level::Warn => 3,
            Level::Error | Level::Fatal => 4,
        };
        let min = match self {
            LevelFilter::All => 0,
            LevelFilter::InfoAndUp => 2,
            LevelFilter::WarnAndUp => 3,
            LevelFilter::ErrorOnly => 4,
        };
        rank(level) >= min
    }

    pub fn label(self) -> &'static str {
        match self {
            LevelFilter::All => "all",
            LevelFilter::InfoAndUp => "info+",
            LevelFilter::WarnAndUp => "warn+",
            LevelFilter::ErrorOnly => "errors",
        }
    }
}

/// The log buffer and how it is viewed.
#[derive(Debug, Clone)]
pub struct Logs {
    /// Shared in blocks, so a copy of the buffer (a replay's checkpoint)
    /// costs a pointer a block.
    lines: LineStore,
    capacity: usize,
    pub dropped: u64,
    pub level: LevelFilter,
    filter: Option<Regex>,
    pub correlation: Option<String>,
    /// Sequence numbers of the lines that pass the filters, ascending.
    matching: Rows,
    /// Follow the newest line; when false the view stays put.
    pub follow: bool,
    /// Lines that arrived (and matched) since following stopped.
    pub new_while_paused: u64,
    pub cursor: ListCursor,
    pub wrap: bool,
    /// Show each line's time.
    pub show_time: bool,
    pub hscroll: usize,
    pub search: Option<Regex>,
    /// Streams that are behind real time, by pod.
    pub behind: BTreeMap<String, u64>,
    /// Which pods are followed (`None`: every pod that logs).
    pub scope: Option<LogScope>,
    /// Pod and container names, one copy for every line of a stream.
    names: Names,
}

/// Interned streams, by pod. Bounded: past `NAMES_KEPT` streams (pods
/// come and go) the table starts over; lines keep the copies they share.
#[derive(Clone, Default)]
struct Names {
    by_pod: std::collections::HashMap<Arc<str>, Vec<Arc<Stream>>>,
    count: usize,
}

// A cache, not state: two buffers holding the same lines are equal
// whatever order their sets hash in.
impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Names")
    }
}

const NAMES_KEPT: usize = 10_000;

impl Names {
    fn share(&mut self, pod: Arc<str>, container: Arc<str>) -> Arc<Stream> {
        if let Some(kept) = self
            .by_pod
            .get(&*pod)
            .and_then(|streams| streams.iter().find(|s| s.container == container))
        {
            return kept.clone();
        }
        if self.count >= NAMES_KEPT {
            self.by_pod.clear();
            self.count = 0;
        }
        let stream = Arc::new(Stream {
            pod: pod.clone(),
            container,
        });
        self.by_pod.entry(pod).or_default().push(stream.clone());
        self.count += 1;
        stream
    }
}

/// The pods the tab follows, as the user asked for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogScope {
    /// What the user typed: `deploy/order-service`, `-l app=payment`, `pod/x`.
    pub label: String,
    pub pods: BTreeSet<String>,
}

impl Default for Logs {
    fn default() -> Self {
        Logs::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Logs {
    pub fn with_capacity(capacity: usize) -> Logs {
        Logs {
            lines: LineStore::default(),
            capacity: capacity.max(1),
            dropped: 0,
            level: LevelFilter::All,
            filter: None,
            correlation: None,
            matching: Rows::with_limit(capacity.max(1)),
            follow: true,
            new_while_paused: 0,
            cursor: ListCursor::default(),
            wrap: false,
            show_time: true,
            hscroll: 0,
            search: None,
            behind: BTreeMap::new(),
            scope: None,
            names: Names::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.matching.len()
    }

    pub fn filter_text(&self) -> Option<&str> {
        self.filter.as_ref().map(Regex::as_str)
    }

    /// The line at visible row `row`.
    pub fn row(&self, row: usize) -> Option<LineRef<'_>> {
        self.lines
            .get(self.matching.get(row, self.lines.first_seq())?)
    }

    pub fn selected(&self) -> Option<LineRef<'_>> {
        self.row(self.cursor.selected)
    }

    pub fn apply(&mut self, update: Clean<LogsUpdate>) {
        match update.into_inner() {
            LogsUpdate::Lines(lines) => {
                // Trimmed line by line, so a big batch never holds more.
                for line in lines {
                    self.push(line);
                    self.trim();
                }
                if self.follow {
                    self.cursor.to_last(self.visible_len());
                }
            }
            LogsUpdate::Dropped(n) => self.dropped += n,
            LogsUpdate::Behind { pod, secs } if secs > 0 => {
                self.behind.insert(pod, secs);
            }
            LogsUpdate::Behind { pod, .. } => {
                self.behind.remove(&pod);
            }
        }
    }

    fn push(&mut self, mut line: LogLine) {
        let stream = self.names.share(line.pod.clone(), line.container.clone());
        if line.continuation {
            // Attach to the latest record of the same stream, looking back a little.
            line.message.shrink_to_fit();
            match self.lines.continue_record(&stream, line.message) {
                Ok(()) => return,
                Err(message) => line.message = message,
            }
        }
        let seq = self.lines.next_seq();
        self.lines.push(line, stream);
        if self.lines.get(seq).is_some_and(|l| self.admits(&l)) {
            self.matching.push(seq);
            if !self.follow {
                self.new_while_paused += 1;
            }
        }
    }

    fn trim(&mut self) {
        let mut removed_rows = 0;
        while self.lines.len() > self.capacity {
            let oldest = self.lines.first_seq();
            self.lines.pop_front();
            self.dropped += 1;
            if self.matching.drop_oldest(oldest) {
                removed_rows += 1;
            }
        }
        // Keep the selection on the same line while older ones go.
        self.cursor.selected = self.cursor.selected.saturating_sub(removed_rows);
        self.cursor.top = self.cursor.top.saturating_sub(removed_rows);
    }

    fn admits(&self, line: &LineRef<'_>) -> bool {
        // Notes (a pod joined or left, a stream ended) say something about
        // the scope itself: shown unless one request is being followed.
        if line.note() {
            return self.correlation.is_none();
        }
        if let Some(scope) = &self.scope
            && !scope.pods.contains(line.pod())
        {
            return false;
        }
        if !self.level.admits(line.level()) {
            return false;
        }
        if let Some(id) = &self.correlation
            && line.correlation() != Some(id.as_str())
            && !line.message().contains(id.as_str())
        {
            return false;
        }
        match &self.filter {
            Some(re) => {
                re.is_match(line.message()) || re.is_match(line.pod()) || re.is_match(line.fields())
            }
            None => true,
        }
    }

    fn recompute(&mut self) {
        let first_seq = self.lines.first_seq();
        let selected_seq = self.matching.get(self.cursor.selected, first_seq);
        self.matching = Rows::collect(
            self.capacity,
            self.lines
                .iter()
                .filter(|(_, line)| self.admits(line))
                .map(|(seq, _)| seq),
        );
        match (self.follow, selected_seq) {
            (true, _) | (false, None) => self.cursor.to_last(self.visible_len()),
            (false, Some(seq)) => {
                self.cursor.selected = self
                    .matching
                    .before(seq, first_seq)
                    .min(self.visible_len().saturating_sub(1));
            }
        }
    }

    /// Sets the regex filter; an invalid pattern is an error and changes nothing.
    pub fn set_filter(&mut self, pattern: &str) -> Result<(), String> {
        self.filter = compile(pattern)?;
        self.recompute();
        Ok(())
    }

    pub fn set_level(&mut self, level: LevelFilter) {
        self.level = level;
        self.recompute();
    }

    /// Follows another set of pods (the buffer keeps every line).
    pub fn set_scope(&mut self, scope: Option<LogScope>) {
        self.scope = scope;
        self.recompute();
    }

    /// Pods joined or left the scope: (joined, left).
    pub fn rescope(&mut self, pods: BTreeSet<String>) -> (Vec<String>, Vec<String>) {
        let Some(scope) = &mut self.scope else {
            return (Vec::new(), Vec::new());
        };
        let joined = pods.difference(&scope.pods).cloned().collect();
        let left = scope.pods.difference(&pods).cloned().collect();
        scope.pods = pods;
        self.recompute();
        (joined, left)
    }

    /// Shows only the lines of one request, across every pod.
    pub fn pivot(&mut self, id: Option<String>) {
        self.correlation = id;
        self.recompute();
    }

    pub fn set_search(&mut self, pattern: &str) -> Result<(), String> {
        self.search = compile(pattern)?;
        Ok(())
    }

    /// Stops following; the view stays on the current line.
    pub fn pause(&mut self) {
        if self.follow {
            self.follow = false;
            self.new_while_paused = 0;
        }
    }

    /// Back to the newest line, following.
    pub fn resume(&mut self) {
        self.follow = true;
        self.new_while_paused = 0;
        self.cursor.to_last(self.visible_len());
    }

    /// The next (or previous) visible row after the selection matching `pred`.
    pub fn find_row(&self, forward: bool, pred: impl Fn(&LineRef<'_>) -> bool) -> Option<usize> {
        let n = self.visible_len();
        let start = self.cursor.selected;
        let rows: Box<dyn Iterator<Item = usize>> = if forward {
            Box::new((start + 1..n).chain(0..start))
        } else {
            Box::new((0..start).rev().chain((start + 1..n).rev()))
        };
        rows.into_iter()
            .find(|&r| self.row(r).is_some_and(|l| pred(&l)))
    }

    /// Whether a line matches the search (message or continuation lines).
    pub fn search_hit(&self, line: &LineRef<'_>) -> bool {
        self.search.as_ref().is_some_and(|re| {
            re.is_match(line.message()) || line.extra().iter().any(|e| re.is_match(e.as_str()))
        })
    }

    /// The visible lines as plain text, for copy and save.
    pub fn visible_text(&self) -> String {
        let mut out = String::new();
        for row in 0..self.visible_len() {
            if let Some(l) = self.row(row) {
                out.push_str(&plain(&l));
                out.push('\n');
            }
        }
        out
    }
}

/// One line as text: time, pod, container, level, message, fields, trace.
pub fn plain(l: &LineRef<'_>) -> String {
    let time = l
        .time()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ ").to_string())
        .unwrap_or_default();
    let mut s = format!(
        "{time}{} {} {} {}",
        l.pod(),
        l.container(),
        l.level().as_str(),
        l.message()
    );
    if !l.fields().is_empty() {
        s.push(' ');
        s.push_str(l.fields());
    }
    for e in l.extra() {
        s.push('\n');
        s.push_str(e.as_str());
    }
    s
}

fn compile(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map(Some)
        .map_err(|e| format!("bad pattern: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sanitize::sanitize_str;

    fn line(pod: &str, level: Level, msg: &str) -> LogLine {
        LogLine {
            pod: pod.into(),
            container: "app".into(),
            time: None,
            level,
            message: sanitize_str(msg),
            fields: "".into(),
            correlation: None,
            extra: Vec::new(),
            continuation: false,
            note: false,
        }
    }

    fn texts(l: &Logs) -> Vec<String> {
        (0..l.visible_len())
            .map(|r| l.row(r).unwrap().message().to_string())
            .collect()
    }

    #[test]
    fn the_buffer_is_bounded_and_counts_what_it_drops() {
        let mut logs = Logs::with_capacity(3);
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(
            (0..5)
                .map(|i| line("a", Level::Info, &format!("m{i}")))
                .collect(),
        )));
        assert_eq!(texts(&logs), ["m2", "m3", "m4"]);
        assert_eq!(logs.dropped, 2);
        assert_eq!(logs.cursor.selected, 2, "following the newest");
    }

    #[test]
    fn stack_traces_stay_with_the_line_that_started_them() {
        let mut logs = Logs::default();
        let mut cont = line(
            "pay",
            Level::Unknown,
            "\tat com.example.Ledger.load(Ledger.java:88)",
        );
        cont.continuation = true;
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(vec![
            line(
                "pay",
                Level::Error,
                "java.lang.OutOfMemoryError: Java heap space",
            ),
            line("api", Level::Info, "GET /orders 200"),
            cont,
        ])));
        assert_eq!(logs.visible_len(), 2);
        assert_eq!(logs.row(0).unwrap().extra().len(), 1);
    }

    #[test]
    fn level_regex_and_correlation_filters() {
        let mut logs = Logs::default();
        let mut a = line("order", Level::Error, "payment failed");
        a.correlation = Some("c0rr-1".into());
        let mut b = line("payment", Level::Info, "charge started");
        b.correlation = Some("c0rr-1".into());
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(vec![
            a,
            b,
            line("api", Level::Warn, "slow request"),
            line("api", Level::Debug, "tick"),
        ])));
        logs.set_level(LevelFilter::WarnAndUp);
        assert_eq!(texts(&logs), ["payment failed", "slow request"]);
        logs.set_level(LevelFilter::All);
        logs.set_filter("^(charge|tick)").unwrap();
        assert_eq!(texts(&logs), ["charge started", "tick"]);
        assert!(logs.set_filter("(").is_err());
        assert_eq!(
            logs.filter_text(),
            Some("^(charge|tick)"),
            "a bad pattern changes nothing"
        );
        logs.set_filter("").unwrap();
        logs.pivot(Some("c0rr-1".into()));
        assert_eq!(texts(&logs), ["payment failed", "charge started"]);
    }

    #[test]
    fn pausing_keeps_the_view_and_counts_new_lines() {
        let mut logs = Logs::default();
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(vec![
            line("a", Level::Info, "1"),
            line("a", Level::Info, "2"),
        ])));
        logs.pause();
        logs.cursor.selected = 0;
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(vec![
            line("a", Level::Info, "3"),
            line("a", Level::Info, "4"),
        ])));
        assert_eq!(logs.cursor.selected, 0);
        assert_eq!(logs.new_while_paused, 2);
        logs.resume();
        assert_eq!(logs.cursor.selected, 3);
        assert_eq!(logs.new_while_paused, 0);
    }

    #[test]
    fn search_jumps_between_matches_and_wraps() {
        let mut logs = Logs::default();
        logs.apply(crate::core::clean::Clean::new(LogsUpdate::Lines(
            ["ok", "timeout a", "ok", "timeout b"]
                .iter()
                .map(|m| line("a", Level::Info, m))
                .collect(),
        )));
        logs.pause();
        logs.cursor.selected = 0;
        logs.set_search("timeout").unwrap();
        let next = logs.find_row(true, |l| logs.search_hit(l)).unwrap();
        assert_eq!(next, 1);
        logs.cursor.selected = 3;
        assert_eq!(
            logs.find_row(true, |l| logs.search_hit(l)),
            Some(1),
            "wraps around"
        );
        assert_eq!(logs.find_row(false, |l| l.level() == Level::Error), None);
    }
}
