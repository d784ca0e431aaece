//! What each command does to the app.

use super::dialog::Stage;
use super::input::{InputKind, LineInput};
use super::tab::Tab;
use super::{App, Effect, Overlay};
use crate::core::command::{COMMANDS, Command};
use crate::core::source::Severity;
use crate::features::pods::model::Workloads;

impl App {
    /// Runs a command from a key or the command line, if it applies to the
    /// current tab: one that does not says so rather than act on another.
    pub fn run(&mut self, cmd: Command) -> Vec<Effect> {
        if !self.tab.runs(&cmd) {
            let text = format!(
                ":{} does not apply to the {} tab",
                cmd.name(),
                self.tab.title()
            );
            self.say(Severity::Info, text);
            return Vec::new();
        }
        self.dispatch(cmd)
    }

    /// The arms below may assume the command applies to `self.tab`.
    fn dispatch(&mut self, cmd: Command) -> Vec<Effect> {
        match cmd {
            Command::Quit => return self.leave("q"),
            Command::Help => {
                self.overlay = match self.overlay {
                    Overlay::Help { .. } => Overlay::None,
                    _ => Overlay::Help { scroll: 0 },
                }
            }
            Command::CommandLine => self.open_input(InputKind::Command, ""),
            Command::Filter => self.open_filter(),
            Command::Close if matches!(self.overlay, Overlay::Action(_)) => {
                return self.cancel_action();
            }
            Command::Close => self.close(),
            Command::Tab(arg) => match Tab::find(&arg) {
                Some(tab) => self.switch_tab(tab),
                None => self.say(Severity::Warn, format!("no tab {arg:?}")),
            },
            Command::TabNext => self.switch_tab(self.tab.next()),
            Command::TabPrev => self.switch_tab(self.tab.prev()),
            Command::Theme(name) => self.switch_theme(&name),
            Command::Up => self.move_by(-1),
            Command::Down => self.move_by(1),
            Command::PageUp => self.move_by(-(self.page_rows() as isize)),
            Command::PageDown => self.move_by(self.page_rows() as isize),
            Command::Top => self.move_by(isize::MIN / 2),
            Command::Bottom => self.move_by(isize::MAX / 2),
            Command::Note(text) if text.trim().is_empty() => {
                self.open_input(InputKind::Note, "");
            }
            Command::Note(text) => return self.add_note(&text),
            Command::Room(name) => return self.room_command(&name),
            Command::Who => self.who(),
            Command::Export(what) => return self.export(&what),
            Command::ToggleOrder => self.model.timeline.toggle_order(),
            Command::LevelMore => self.step_level(true),
            Command::LevelLess => self.step_level(false),
            Command::Submit if matches!(self.overlay, Overlay::Action(_)) => {
                return self.press_focused();
            }
            Command::Cancel if matches!(self.overlay, Overlay::Action(_)) => {
                return self.cancel_action();
            }
            Command::Submit => return self.submit(),
            Command::Cancel => self.cancel_input(),
            Command::Act { request, typed } => match self.with_selection(request) {
                Ok(request) => return self.request_action(request, typed),
                Err(e) => self.say(Severity::Warn, e),
            },
            Command::View(which) => self.choose_view(&which),
            Command::SortNext | Command::SortReverse => {
                let order = self.model.queries.view.order;
                let reverse = cmd == Command::SortReverse;
                if let Some(text) = self.feature_mut(self.tab).sort(reverse) {
                    self.say(Severity::Info, text);
                }
                if self.model.queries.view.order != order {
                    return vec![Effect::QueriesOrder(self.model.queries.view.order)];
                }
            }
            Command::Detail => self.feature_mut(self.tab).toggle_detail(),
            Command::Service(name) => return self.service_command(&name),
            Command::ServiceSelected => return self.scope_selected(),
            Command::Goto => return self.goto_entry(),
            Command::Jump(to) => return self.jump_to_service(&to),
            Command::TargetNext | Command::TargetPrev => {
                self.step_queries_target(cmd == Command::TargetNext)
            }
            Command::ViewNext | Command::ViewPrev => {
                self.step_queries_view(cmd == Command::ViewNext)
            }
            Command::Group => self.model.breakers.toggle_groups(),
            Command::ResetPrompt | Command::ScalePrompt => self.prompt(&cmd),
            Command::ToggleWarnings => self.model.pods.toggle_warnings(),
            Command::Logs(target) => return self.follow_logs(&target),
            Command::LogLevel(which) => {
                if let Err(e) = self.model.logs.set_level_named(&which) {
                    self.say(Severity::Warn, e);
                }
            }
            Command::Wrap => self.model.logs.wrap = !self.model.logs.wrap,
            Command::LogsSelected => return self.open_logs_for_selection(),
            Command::ScrollLeft | Command::ScrollRight => {
                let right = cmd == Command::ScrollRight;
                self.feature_mut(self.tab).scroll_sideways(right);
            }
            Command::Metric => self.model.heatmap.view.next_metric(),
            Command::WindowNext | Command::WindowPrev => {
                return self.step_window(cmd == Command::WindowNext);
            }
            Command::Timestamps => self.model.logs.show_time = !self.model.logs.show_time,
            Command::Find => self.open_find(),
            Command::FindNext | Command::FindPrev | Command::NextError => {
                let rows = usize::from(super::layout::log_rows(self.size));
                let logs = &mut self.model.logs;
                let moved = match cmd {
                    Command::NextError => logs.next_error(rows),
                    _ => logs.find_next(cmd == Command::FindNext, rows),
                };
                if let Err(e) = moved {
                    self.say(Severity::Info, e);
                }
            }
            Command::Pivot => {
                let text = self.model.logs.toggle_pivot();
                self.say(Severity::Info, text);
            }
            Command::Copy | Command::CopyView => {
                match self.model.logs.clipboard(cmd == Command::CopyView) {
                    Ok(Some(text)) => {
                        let said = format!("copied {} bytes (OSC 52)", text.len());
                        self.say(Severity::Info, said);
                        return vec![Effect::Clipboard(text)];
                    }
                    Ok(None) => {}
                    Err(e) => self.say(Severity::Warn, e),
                }
            }
            Command::SaveLogs => return self.save_logs(),
            Command::Context(name) => return self.switch_scope(Some(name), None),
            Command::Namespace(name) => return self.switch_scope(None, Some(name)),
            Command::Confirm => return self.confirm_action(true),
            Command::FocusNext => {
                if let Overlay::Action(d) = &mut self.overlay {
                    d.focus_confirm = !d.focus_confirm;
                }
            }
            Command::Complete => self.complete(),
            Command::HistoryPrev | Command::HistoryNext => {
                let older = cmd == Command::HistoryPrev;
                if let Overlay::Input(line) = &mut self.overlay
                    && line.kind == InputKind::Command
                {
                    line.history(&self.history, older);
                }
            }
            Command::ReplayPause => return self.replay_pause(),
            Command::ReplaySlower => return self.replay_speed(false),
            Command::ReplayFaster => return self.replay_speed(true),
            Command::ReplayNextEntry => return self.replay_jump(true),
            Command::ReplayPrevEntry => return self.replay_jump(false),
            Command::ReplayFollow => return self.replay_follow(),
            Command::Seek(arg) => return self.seek(&arg),
            Command::Record(arg) => return self.record(&arg),
            Command::Noop => {}
        }
        Vec::new()
    }

    /// Enter in the action dialog: press the focused button, or close a finished dialog.
    fn press_focused(&mut self) -> Vec<Effect> {
        let Overlay::Action(d) = &self.overlay else {
            return Vec::new();
        };
        match (&d.stage, d.focus_confirm) {
            (Stage::Checking | Stage::Ready, true) => self.confirm_action(false),
            (Stage::Running { .. }, _) => Vec::new(),
            _ => self.cancel_action(),
        }
    }

    /// `r`, `s`: the command line, prefilled by the tab from its selection.
    fn prompt(&mut self, cmd: &Command) {
        match self.feature(self.tab).prefill(cmd, &self.plan_context()) {
            Ok(text) => self.open_input(InputKind::Command, &text),
            Err(e) => self.say(Severity::Warn, e),
        }
    }

    fn open_input(&mut self, kind: InputKind, text: &str) {
        self.overlay = Overlay::Input(LineInput::new(kind, text));
    }

    fn open_filter(&mut self) {
        match self.feature(self.tab).filter() {
            Ok(previous) => self.open_input(
                InputKind::Filter {
                    previous: previous.clone(),
                },
                &previous,
            ),
            Err(why) => self.say(Severity::Info, why),
        }
    }

    /// Esc: the overlay, else the innermost thing open on the tab, else
    /// the status line.
    fn close(&mut self) {
        if !matches!(self.overlay, Overlay::None) {
            self.overlay = Overlay::None;
        } else if !self.feature_mut(self.tab).close() {
            self.status = None;
            // Nothing else was open: Esc leaves the service scope.
            self.leave_service();
        }
    }

    fn switch_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.overlay = Overlay::None;
    }

    fn switch_theme(&mut self, name: &str) {
        match self.themes.resolve(name, self.color_support) {
            Ok((theme, problems)) => {
                self.theme = theme;
                match problems.first() {
                    Some(p) => self.say(Severity::Warn, p.to_string()),
                    None => self.say(Severity::Info, format!("theme {name}")),
                }
                for p in problems {
                    tracing::warn!("{p}");
                }
            }
            Err(e) => self.say(Severity::Warn, e),
        }
    }

    fn move_by(&mut self, delta: isize) {
        if let Overlay::Help { scroll } = &mut self.overlay {
            let next = i64::from(*scroll) + delta.clamp(-1000, 1000) as i64;
            *scroll = next.clamp(0, i64::from(u16::MAX)) as u16;
            return;
        }
        let page = self.page();
        self.feature_mut(self.tab).move_by(delta, page);
    }

    fn step_level(&mut self, more: bool) {
        let level = self.model.console.step_level(more);
        self.say(Severity::Info, format!("console shows {level} and above"));
    }

    /// `e` / `:export`: the Timeline; `:export postmortem`: a post-mortem
    /// draft from everything this console applied.
    fn export(&mut self, what: &str) -> Vec<Effect> {
        let stamp = self.now.format("%Y%m%dT%H%M%SZ");
        let (name, contents) = match what.trim() {
            "" | "timeline" => (
                format!("timeline-{stamp}.md"),
                self.model.timeline.to_markdown(self.now),
            ),
            "postmortem" | "post-mortem" => {
                let context = self
                    .model
                    .context
                    .clone()
                    .unwrap_or_else(|| "opsdeck".into());
                let source = crate::postmortem::Source {
                    context: &context,
                    from: if self.options.replay {
                        "a replay"
                    } else {
                        "this session"
                    },
                    written_at: self.now,
                };
                (
                    format!("postmortem-{stamp}.md"),
                    crate::postmortem::markdown(&self.model, &source),
                )
            }
            other => {
                self.say(
                    Severity::Warn,
                    format!("export what? {other:?}: timeline or postmortem"),
                );
                return Vec::new();
            }
        };
        let path = self.export_dir.join(name);
        vec![Effect::WriteFile { path, contents }]
    }

    fn submit(&mut self) -> Vec<Effect> {
        let Overlay::Input(line) = std::mem::replace(&mut self.overlay, Overlay::None) else {
            return Vec::new();
        };
        let text = line.value().trim().to_string();
        match line.kind {
            InputKind::Command => {
                if text.is_empty() {
                    return Vec::new();
                }
                self.history.retain(|h| *h != text);
                self.history.push(text.clone());
                // The new command's answer replaces the last one's: an old
                // error must not stand under the dialog this one opens.
                self.status = None;
                match Command::parse(&text) {
                    Ok(cmd) => return self.run(cmd),
                    Err(e) => self.say(Severity::Warn, format!(":{text}: {e}")),
                }
            }
            InputKind::Filter { .. } => {
                if let Err(e) = self.set_filter(&text) {
                    self.say(Severity::Warn, e);
                }
            }
            InputKind::Find => match self.model.logs.set_search(&text) {
                Ok(()) => return self.dispatch(Command::FindNext),
                Err(e) => self.say(Severity::Warn, e),
            },
            InputKind::Note => return self.add_note(&text),
        }
        Vec::new()
    }

    fn cancel_input(&mut self) {
        if let Overlay::Input(line) = std::mem::replace(&mut self.overlay, Overlay::None)
            && let InputKind::Filter { previous } = line.kind
        {
            // The previous text was accepted once; it still is.
            let _ = self.set_filter(&previous);
        }
    }

    fn complete(&mut self) {
        let themes = self.themes.names();
        let targets = &self.model.pods.data;
        let contexts = &self.model.contexts;
        let services = self.model.overview.names();
        if let Overlay::Input(line) = &mut self.overlay
            && line.kind == InputKind::Command
        {
            line.complete(|text| completions(text, &themes, targets, contexts, &services));
        }
    }
}

/// `kind/name`, or `kind/namespace/name` for a name that more than one
/// namespace has (under `-A`), since an action needs exactly one object.
fn qualified<'a>(
    kind: &str,
    keys: impl Iterator<Item = &'a (String, String)> + Clone,
) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, name) in keys.clone() {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    keys.map(|(ns, name)| {
        if seen.get(name.as_str()).copied().unwrap_or(0) > 1 {
            format!("{kind}/{ns}/{name}")
        } else {
            format!("{kind}/{name}")
        }
    })
    .collect()
}

/// Candidates for the last word of a command line.
pub fn completions(
    text: &str,
    themes: &[String],
    targets: &Workloads,
    contexts: &[String],
    services: &[String],
) -> Vec<String> {
    let (head, word) = match text.split_once(' ') {
        Some((h, w)) => (Some(h), w.trim_start()),
        None => (None, text),
    };
    let pool: Vec<String> = match head {
        None => COMMANDS
            .iter()
            .filter(|s| !s.key_only)
            .map(|s| {
                if s.arg.is_some() {
                    format!("{} ", s.name)
                } else {
                    s.name.to_string()
                }
            })
            .collect(),
        Some("tab") => Tab::ALL.iter().map(|t| t.name().to_string()).collect(),
        Some("view") => [
            "pods",
            "deploy",
            "events",
            "statements",
            "activity",
            "blocking",
            "connections",
            "ops",
            "slow",
            "replset",
        ]
        .map(String::from)
        .to_vec(),
        Some("ctx") | Some("context") => contexts.to_vec(),
        Some("ns") | Some("namespace") => {
            let mut ns: Vec<String> = targets.pods.keys().map(|(ns, _)| ns.clone()).collect();
            ns.dedup();
            ns.push("all".into());
            ns
        }
        Some("theme") => themes.to_vec(),
        Some("service") => {
            let mut s = services.to_vec();
            s.push("-".into());
            s
        }
        Some("scale") | Some("restart") if !word.contains(' ') => {
            qualified("deploy", targets.deployments.keys())
        }
        Some("delete") => qualified("pod", targets.pods.keys()),
        Some(_) => Vec::new(),
    };
    pool.into_iter().filter(|c| c.starts_with(word)).collect()
}
