//! What the Logs tab does with commands: scope, levels, search, pivot,
//! copy and save.

use super::input::{InputKind, LineInput};
use super::tab::Tab;
use super::{App, Effect, Overlay};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::features::logs::line::Level;
use crate::features::logs::model::{LevelFilter, LogScope, LogsUpdate, plain};
use crate::features::logs::record::note;
use crate::features::logs::source::{FollowLogs, LogOptions, LogTarget};
use crate::features::pods::view::PodFilter;
use std::collections::BTreeSet;

/// Copies larger than this are refused: terminals cap OSC 52 payloads.
const MAX_COPY_BYTES: usize = 100_000;

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
        pred: impl Fn(&crate::features::logs::store::LineRef<'_>) -> bool,
    ) {
        let logs = &self.model.logs;
        match logs.find_row(forward, pred) {
            Some(row) => {
                self.model.logs.pause();
                self.model.logs.cursor.selected = row;
                let rows = usize::from(crate::app::layout::log_rows(self.size));
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
            re.is_match(l.message()) || l.extra().iter().any(|e| re.is_match(e.as_str()))
        });
    }

    pub(super) fn next_error(&mut self) {
        self.jump(true, "error", |l| {
            matches!(l.level(), Level::Error | Level::Fatal)
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
            .and_then(|l| l.correlation().map(str::to_owned))
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
                Some(l) => plain(&l),
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

/// `deploy/x -c app --previous --since 5m --tail 100` → target and options.
pub fn parse_logs_args(args: &str) -> Result<(String, (Option<String>, LogOptions)), String> {
    let mut target = None;
    let mut container = None;
    let mut options = LogOptions::default();
    let mut words = args.split_whitespace();
    while let Some(w) = words.next() {
        match w {
            "--previous" | "-p" => options.previous = true,
            "-c" | "--container" => {
                container = Some(words.next().ok_or("-c needs a container name")?.to_string())
            }
            "--since" => {
                options.since_seconds = Some(duration_secs(
                    words.next().ok_or("--since needs 1m, 5m, 15m, 1h...")?,
                )?)
            }
            "--tail" => {
                let n = words.next().ok_or("--tail needs a number")?;
                options.tail_lines = Some(
                    n.parse()
                        .map_err(|_| format!("--tail needs a number, not {n:?}"))?,
                );
            }
            "-l" => {
                let sel = words.next().ok_or("-l needs a selector like app=payment")?;
                target = Some(format!("-l {sel}"));
            }
            other if target.is_none() => target = Some(other.to_string()),
            other => {
                return Err(format!(
                    "unexpected {other:?}: :logs deploy/NAME [-c CONTAINER] [--previous] [--since 5m] [--tail N]"
                ));
            }
        }
    }
    Ok((target.unwrap_or_else(|| "all".into()), (container, options)))
}

fn duration_secs(text: &str) -> Result<i64, String> {
    let bad = || format!("bad duration {text:?}: use 30s, 5m, 1h");
    let (n, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    match unit {
        "s" => Ok(n),
        "m" => Ok(n * 60),
        "h" => Ok(n * 3600),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_arguments_like_stern_and_kubectl() {
        let (target, (container, o)) =
            parse_logs_args("deploy/order-service -c app --since 5m --tail 50").unwrap();
        assert_eq!(
            (target.as_str(), container.as_deref()),
            ("deploy/order-service", Some("app"))
        );
        assert_eq!(
            (o.since_seconds, o.tail_lines, o.previous),
            (Some(300), Some(50), false)
        );
        let (target, (_, o)) = parse_logs_args("-l app=payment --previous").unwrap();
        assert_eq!(target, "-l app=payment");
        assert!(o.previous);
        assert_eq!(parse_logs_args("").unwrap().0, "all");
        assert!(parse_logs_args("deploy/x --since 5 minutes").is_err());
        assert!(parse_logs_args("deploy/x pod/y").is_err());
    }
}
