//! The join of the Logs and the Pods tabs, which no feature may make on
//! its own: which pods a `:logs` scope follows, following `L` from the
//! Pods tab, the stream requests that follow; and the Logs commands that
//! open the command line or write files. The buffer's own commands are in
//! `features/logs/commands.rs`.

use super::input::{InputKind, LineInput};
use super::tab::Tab;
use super::{App, Effect, Overlay};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::features::logs::commands::parse_logs_args;
use crate::features::logs::model::{LogScope, LogsUpdate};
use crate::features::logs::record::note;
use crate::features::logs::source::{FollowLogs, LogTarget};
use crate::features::pods::view::PodFilter;
use std::collections::BTreeSet;

impl App {
    /// `:logs deploy/x`, `pod/x`, `-l k=v` or `all`, with `-c CONTAINER`,
    /// `--previous`, `--since 5m`, `--tail N`; `L` on the Pods tab.
    pub(super) fn follow_logs(&mut self, args: &str) -> Vec<Effect> {
        let (target, options) = match parse_logs_args(args) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.say(Severity::Warn, e);
                return Vec::new();
            }
        };
        self.tab = Tab::Logs;
        self.log_options = options;
        if target == "all" {
            self.model.logs.set_scope(None);
            self.say(
                Severity::Info,
                "following every pod (live clusters: name a deployment or selector)",
            );
            return self.follow_effect();
        }
        let pods = self.scope_pods(&target);
        if pods.is_empty() {
            self.say(
                Severity::Warn,
                format!("no pod matches {target:?} (yet): following it as pods appear"),
            );
        }
        self.model.logs.set_scope(Some(LogScope {
            label: target,
            pods,
        }));
        self.follow_effect()
    }

    /// Which containers the live source should stream for the scope.
    fn follow_effect(&self) -> Vec<Effect> {
        let Some(scope) = &self.model.logs.scope else {
            return vec![Effect::FollowLogs(FollowLogs {
                targets: Vec::new(),
                options: self.log_options.1.clone(),
            })];
        };
        let (container, options) = &self.log_options;
        let targets = self
            .model
            .pods
            .data
            .pods
            .values()
            .filter(|p| scope.pods.contains(&p.name))
            .flat_map(|p| {
                p.containers
                    .iter()
                    .filter(|c| container.as_ref().is_none_or(|want| &c.name == want))
                    .map(|c| LogTarget {
                        namespace: p.namespace.clone(),
                        pod: p.name.clone(),
                        container: c.name.clone(),
                    })
            })
            .collect();
        vec![Effect::FollowLogs(FollowLogs {
            targets,
            options: options.clone(),
        })]
    }

    /// The pods a scope selects now, from the workloads the model knows.
    fn scope_pods(&self, target: &str) -> BTreeSet<String> {
        let pods = self.model.pods.data.pods.values();
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
    pub(super) fn rescope_logs(&mut self) -> Vec<Effect> {
        let Some(label) = self.model.logs.scope.as_ref().map(|s| s.label.clone()) else {
            return Vec::new();
        };
        let pods = self.scope_pods(&label);
        let (joined, left) = self.model.logs.rescope(pods);
        if joined.is_empty() && left.is_empty() {
            return Vec::new();
        }
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
        self.model
            .logs
            .apply(crate::core::clean::Clean::new(LogsUpdate::Lines(notes)));
        self.follow_effect()
    }

    /// `L` on the Pods tab: the selected deployment's pods, or the selected pod.
    pub(super) fn open_logs_for_selection(&mut self) -> Vec<Effect> {
        let v = &self.model.pods.view;
        let target = match (v.mode, v.selected_key()) {
            (crate::features::pods::view::PodsMode::Deployments, Some((_, d))) => {
                format!("deploy/{d}")
            }
            (_, Some((_, p))) => format!("pod/{p}"),
            _ => {
                self.say(Severity::Info, "nothing selected");
                return Vec::new();
            }
        };
        self.follow_logs(&target)
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

    pub(super) fn save_logs(&mut self) -> Vec<Effect> {
        let name = format!("logs-{}.log", self.now.format("%Y%m%dT%H%M%SZ"));
        let path = self.export_dir.join(name);
        vec![Effect::WriteFile {
            path,
            contents: self.model.logs.visible_text(),
        }]
    }
}
