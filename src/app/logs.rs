//! What the Logs tab does with commands: scope, levels, search, pivot,
//! copy and save.

use super::input::{InputKind, LineInput};
use super::tab::Tab;
use super::{App, Effect, Overlay};
use crate::model::logs::{LevelFilter, LogScope, LogsUpdate, plain};
use crate::model::pods_view::PodFilter;
use crate::sources::log_line::Level;
use crate::sources::logs::note;
use crate::update::{Origin, Severity, TimelineEntry};
use std::collections::BTreeSet;

/// Copies larger than this are refused: terminals cap OSC 52 payloads.
const MAX_COPY_BYTES: usize = 100_000;

impl App {
    /// `:logs deploy/x`, `pod/x`, `-l k=v` or `all`; `L` on the Pods tab.
    pub(super) fn follow_logs(&mut self, target: &str) {
        let target = target.trim();
        self.tab = Tab::Logs;
        if target == "all" {
            self.model.logs.set_scope(None);
            return self.say(Severity::Info, "following every pod");
        }
        let pods = self.scope_pods(target);
        if pods.is_empty() {
            self.say(
                Severity::Warn,
                format!("no pod matches {target:?} (yet): following it as pods appear"),
            );
        }
        self.model.logs.set_scope(Some(LogScope {
            label: target.to_string(),
            pods,
        }));
    }

    /// The pods a scope selects now, from the workloads the model knows.
    fn scope_pods(&self, target: &str) -> BTreeSet<String> {
        let pods = self.model.workloads.pods.values();
        if let Some(d) = target
            .strip_prefix("deploy/")
            .or_else(|| target.strip_prefix("deployment/"))
        {
            pods.filter(|p| p.deployment.as_deref() == Some(d))
                .map(|p| p.name.clone())
                .collect()
        } else if let Some(name) = target.strip_prefix("pod/") {
            pods.filter(|p| p.name == name)
                .map(|p| p.name.clone())
                .collect()
        } else {
            let filter = PodFilter::parse(target);
            pods.filter(|p| filter.matches(p))
                .map(|p| p.name.clone())
                .collect()
        }
    }

    /// After a Kubernetes update: pods that joined or left the followed set.
    pub(super) fn rescope_logs(&mut self) {
        let Some(label) = self.model.logs.scope.as_ref().map(|s| s.label.clone()) else {
            return;
        };
        let pods = self.scope_pods(&label);
        let (joined, left) = self.model.logs.rescope(pods);
        let mut notes = Vec::new();
        for (pods, verb) in [(joined, "joined"), (left, "left")] {
            for pod in pods {
                let text = format!("logs {label}: pod {pod} {verb}");
                notes.push(note(&pod, "", self.now, &text));
                self.model.timeline.push(TimelineEntry::new(
                    self.now,
                    Severity::Info,
                    Origin::Opsdeck,
                    text,
                ));
            }
        }
        if !notes.is_empty() {
            self.model.logs.apply(LogsUpdate::Lines(notes));
        }
    }

    /// `L` on the Pods tab: the selected deployment's pods, or the selected pod.
    pub(super) fn open_logs_for_selection(&mut self) {
        let v = &self.model.pods_view;
        let target = match (v.mode, v.selected_key()) {
            (crate::model::pods_view::PodsMode::Deployments, Some((_, d))) => format!("deploy/{d}"),
            (_, Some((_, p))) => format!("pod/{p}"),
            _ => return self.say(Severity::Info, "nothing selected"),
        };
        self.follow_logs(&target);
    }

    pub(super) fn set_log_level(&mut self, which: &str) {
        let level = match which {
            "e" | "error" | "errors" => LevelFilter::ErrorOnly,
            "w" | "warn" => LevelFilter::WarnAndUp,
            "i" | "info" => LevelFilter::InfoAndUp,
            "a" | "all" => LevelFilter::All,
            other => return self.say(Severity::Warn, format!("no level {other:?}: e, w, i or a")),
        };
        self.model.logs.set_level(level);
    }

    pub(super) fn open_find(&mut self) {
        let current = self
            .model
            .logs
            .search
            .as_ref()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default();
        self.overlay = Overlay::Input(LineInput::new(InputKind::Find, &current));
    }

    /// Jumps to the next line that matches `pred`, pausing the follow.
    pub(super) fn jump(
        &mut self,
        forward: bool,
        what: &str,
        pred: impl Fn(&crate::model::logs::LogLine) -> bool,
    ) {
        let logs = &self.model.logs;
        match logs.find_row(forward, pred) {
            Some(row) => {
                self.model.logs.pause();
                self.model.logs.cursor.selected = row;
                let rows = self.page_rows();
                self.model.logs.cursor.scroll_into_view(rows);
            }
            None => self.say(Severity::Info, format!("no {what}")),
        }
    }

    pub(super) fn find_next(&mut self, forward: bool) {
        let Some(re) = self.model.logs.search.clone() else {
            return self.say(Severity::Info, "no search: press f");
        };
        self.jump(forward, "match", move |l| {
            re.is_match(l.message.as_str()) || l.extra.iter().any(|e| re.is_match(e.as_str()))
        });
    }

    pub(super) fn next_error(&mut self) {
        self.jump(true, "error", |l| {
            matches!(l.level, Level::Error | Level::Fatal)
        });
    }

    pub(super) fn pivot(&mut self) {
        if self.model.logs.correlation.is_some() {
            self.model.logs.pivot(None);
            return self.say(Severity::Info, "showing every request again");
        }
        match self
            .model
            .logs
            .selected()
            .and_then(|l| l.correlation.clone())
        {
            Some(id) => {
                self.say(
                    Severity::Info,
                    format!("following request {id} across pods (c again to stop)"),
                );
                self.model.logs.pivot(Some(id));
            }
            None => self.say(
                Severity::Info,
                "this line carries no correlation, request or trace id",
            ),
        }
    }

    pub(super) fn copy(&mut self, everything: bool) -> Vec<Effect> {
        let text = if everything {
            self.model.logs.visible_text()
        } else {
            match self.model.logs.selected() {
                Some(l) => plain(l),
                None => return Vec::new(),
            }
        };
        if text.len() > MAX_COPY_BYTES {
            self.say(
                Severity::Warn,
                format!(
                    "{} bytes is too much for the clipboard: s saves to a file",
                    text.len()
                ),
            );
            return Vec::new();
        }
        self.say(
            Severity::Info,
            format!("copied {} bytes (OSC 52)", text.len()),
        );
        vec![Effect::Clipboard(text)]
    }

    pub(super) fn save_logs(&mut self) -> Vec<Effect> {
        let name = format!("logs-{}.log", self.now.format("%Y%m%dT%H%M%SZ"));
        let path = self.export_dir.join(name);
        vec![Effect::WriteFile {
            path,
            contents: self.model.logs.visible_text(),
        }]
    }
}
