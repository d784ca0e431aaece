//! Commands a user can bind to a key or type on the `:` command line.
//!
//! Both paths go through `Command::parse`, so a keymap can only name what is
//! listed in `COMMANDS`; internal events are not commands.

use std::fmt;

/// Something the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    CommandLine,
    Filter,
    Close,
    Tab(String),
    TabNext,
    TabPrev,
    Theme(String),
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Note,
    Export,
    ToggleOrder,
    LevelMore,
    LevelLess,
    Submit,
    Cancel,
    Complete,
    HistoryPrev,
    HistoryNext,
    /// Does nothing: binding a key to it unbinds the key.
    Noop,
    /// A remediation, always through the plan and the guard chain.
    /// `typed` is set by a keymap entry that demands the typed name.
    Act {
        request: ActionRequest,
        typed: bool,
    },
    /// Confirm a low-risk plan (`y`).
    Confirm,
    /// Move the dialog focus between Cancel and Confirm.
    FocusNext,
    /// Pods tab: show pods, deployments or events.
    View(String),
    SortNext,
    SortReverse,
    /// Pods tab: show or hide the selected row's detail.
    Detail,
    /// Events view: Warnings only, or all events.
    ToggleWarnings,
    /// Opens `:scale deploy/<selected> ` for the count.
    ScalePrompt,
    /// Follow the logs of `deploy/x`, `pod/x`, `-l key=value` or `all`.
    Logs(String),
    /// Heatmap: a longer or shorter window (15m, 1h, 6h).
    WindowNext,
    WindowPrev,
    /// Logs: show or hide each line's time.
    Timestamps,
    /// Heatmap: the next metric (p95, p99, error ratio, availability, rate).
    Metric,
    /// Follow the logs of the Pods tab's selected pod or deployment.
    LogsSelected,
    /// Logs: level filter `e`, `w`, `i` or `a`.
    LogLevel(String),
    Wrap,
    ScrollLeft,
    ScrollRight,
    /// Logs: search (n / N jump between matches).
    Find,
    FindNext,
    FindPrev,
    NextError,
    /// Logs: show only the selected line's request (its correlation id), or stop.
    Pivot,
    /// Copy the selected line (OSC 52: works over ssh and in tmux).
    Copy,
    /// Copy every visible line.
    CopyView,
    /// Save the visible lines to a file.
    SaveLogs,
    /// Switch the Kubernetes context (restarts the watchers).
    Context(String),
    /// Switch the namespace (`all` for every namespace).
    Namespace(String),
    /// Breakers: one row per service and breaker, or one per instance.
    Group,
    /// Lag: opens `:reset earliest` for the selected group.
    ResetPrompt,
    /// Queries: the next or previous database target.
    TargetNext,
    TargetPrev,
    /// Queries: the next or previous view of the target.
    ViewNext,
    ViewPrev,
}

/// Which remediation the user asked for, with its arguments as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRequest {
    Scale {
        deployment: String,
        replicas: String,
    },
    Restart {
        deployment: String,
    },
    Delete {
        pod: String,
    },
    /// The inverse of the selected (or else the latest) undoable action.
    Undo,
    /// `close`, `force_open` or `disable` the selected breaker; `all`: on
    /// every instance of its service.
    Breaker {
        update: String,
        all: bool,
    },
    /// Reset the selected consumer group's offsets (`earliest`, `latest`,
    /// `shift N`, a time), on `topic` or its only topic.
    Reset {
        to: String,
        topic: Option<String>,
    },
    /// `pg_cancel_backend` (or `pg_terminate_backend`) of the selected
    /// backend; `root`: of the root of its blocking chain.
    PgSignal {
        terminate: bool,
        root: bool,
    },
    /// MongoDB `killOp` of the selected op.
    KillOp,
}

/// Documentation of one command: its name, argument and what it does.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub arg: Option<&'static str>,
    pub desc: &'static str,
    /// Whether the shipped `keymaps.toml` binds it.
    pub bound_by_default: bool,
}

const fn spec(
    name: &'static str,
    arg: Option<&'static str>,
    desc: &'static str,
    bound_by_default: bool,
) -> CommandSpec {
    CommandSpec {
        name,
        arg,
        desc,
        bound_by_default,
    }
}

/// Every command, as `:help`, completion and the keymap check know them.
pub const COMMANDS: &[CommandSpec] = &[
    spec("quit", None, "Quit opsdeck", true),
    spec("help", None, "Show the keys of this screen", true),
    spec("command_line", None, "Open the command line", true),
    spec("filter", None, "Filter the list", true),
    spec("close", None, "Close the overlay or clear the filter", true),
    spec("tab", Some("<number|name>"), "Go to a tab", true),
    spec("tab_next", None, "Next tab", true),
    spec("tab_prev", None, "Previous tab", true),
    spec("theme", Some("<name>"), "Switch the colour theme", false),
    spec("up", None, "Move up", true),
    spec("down", None, "Move down", true),
    spec("top", None, "Go to the first row", true),
    spec("bottom", None, "Go to the last row", true),
    spec("page_up", None, "Page up", true),
    spec("page_down", None, "Page down", true),
    spec("note", None, "Add a note to the timeline", true),
    spec("export", None, "Export the timeline as Markdown", true),
    spec("toggle_order", None, "Newest or oldest first", true),
    spec("level_more", None, "Show more log levels", true),
    spec("level_less", None, "Show fewer log levels", true),
    spec("submit", None, "Accept the input", true),
    spec("cancel", None, "Cancel the input", true),
    spec("complete", None, "Complete the command", true),
    spec("history_prev", None, "Previous command in history", true),
    spec("history_next", None, "Next command in history", true),
    spec("noop", None, "Do nothing (unbinds a key)", false),
    spec(
        "scale",
        Some("deploy/<name> <n|+n|-n>"),
        "Scale a deployment",
        true,
    ),
    spec(
        "restart",
        Some("deploy/<name>"),
        "Rollout-restart a deployment",
        true,
    ),
    spec(
        "delete",
        Some("pod/<name>"),
        "Delete a pod (the selected one)",
        true,
    ),
    spec("undo", None, "Undo the selected action", true),
    spec("confirm", None, "Confirm the action", true),
    spec(
        "logs",
        Some("<deploy/x|pod/x|-l k=v|all>"),
        "Follow logs",
        false,
    ),
    spec(
        "log_level",
        Some("<e|w|i|a>"),
        "Logs: errors, warnings+, info+ or all",
        true,
    ),
    spec("wrap", None, "Logs: wrap long lines", true),
    spec("metric", None, "Heatmap: next metric", true),
    spec("window_next", None, "Heatmap: longer window", true),
    spec("window_prev", None, "Heatmap: shorter window", true),
    spec("timestamps", None, "Logs: show or hide times", true),
    spec(
        "logs_selected",
        None,
        "Follow the logs of the selection",
        true,
    ),
    spec("scroll_left", None, "Logs: scroll left", true),
    spec("scroll_right", None, "Logs: scroll right", true),
    spec("find", None, "Logs: search", true),
    spec("find_next", None, "Logs: next match", true),
    spec("find_prev", None, "Logs: previous match", true),
    spec("next_error", None, "Logs: next error", true),
    spec(
        "pivot",
        None,
        "Logs: follow this request across pods (or stop)",
        true,
    ),
    spec("copy", None, "Copy the selected line", true),
    spec("copy_view", None, "Copy the visible lines", true),
    spec("save_logs", None, "Save the visible lines to a file", true),
    spec(
        "ctx",
        Some("<context>"),
        "Switch the Kubernetes context",
        false,
    ),
    spec("ns", Some("<namespace|all>"), "Switch the namespace", false),
    spec(
        "focus_next",
        None,
        "Switch between Cancel and Confirm",
        true,
    ),
    spec(
        "view",
        Some("<pods|deploy|events|statements|activity|blocking|...>"),
        "What to list (Pods tab, Queries tab)",
        true,
    ),
    spec("sort_next", None, "Sort by the next column", true),
    spec("sort_reverse", None, "Reverse the sort", true),
    spec("detail", None, "Show the selected row in detail", true),
    spec(
        "toggle_warnings",
        None,
        "Events: Warnings only or all",
        true,
    ),
    spec(
        "breaker",
        Some("<close|force_open|disable> [all]"),
        "Change the selected breaker (all: on every pod)",
        true,
    ),
    spec(
        "reset",
        Some("<earliest|latest|shift N|TIME> [topic]"),
        "Lag: reset the selected group's offsets",
        false,
    ),
    spec(
        "reset_prompt",
        None,
        "Lag: reset the selected group's offsets to ...",
        true,
    ),
    spec(
        "group",
        None,
        "Breakers: one row per service, or per pod",
        true,
    ),
    spec(
        "pg_cancel",
        Some("[root]"),
        "Cancel the selected backend's query (root: its chain's root)",
        true,
    ),
    spec(
        "pg_terminate",
        Some("[root]"),
        "Terminate the selected backend (root: its chain's root)",
        true,
    ),
    spec("kill_op", None, "MongoDB: kill the selected op", true),
    spec("target_next", None, "Queries: next database target", true),
    spec(
        "target_prev",
        None,
        "Queries: previous database target",
        true,
    ),
    spec("view_next", None, "Queries: next view of the target", true),
    spec(
        "view_prev",
        None,
        "Queries: previous view of the target",
        true,
    ),
    spec(
        "scale_prompt",
        None,
        "Scale the selected deployment to ...",
        true,
    ),
];

impl Command {
    /// Parses `name [arg]` as written after `:` or in a keymap's `run`.
    pub fn parse(input: &str) -> Result<Command, String> {
        let input = input.trim();
        let (name, arg) = match input.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (input, ""),
        };
        let no_arg = |c: Command| {
            if arg.is_empty() {
                Ok(c)
            } else {
                Err(format!("{name} takes no argument"))
            }
        };
        let with_arg = |f: fn(String) -> Command, what: &str| {
            if arg.is_empty() {
                Err(format!("{name} needs {what}"))
            } else {
                Ok(f(arg.to_string()))
            }
        };
        match name {
            "quit" | "q" | "q!" => no_arg(Command::Quit),
            "help" => no_arg(Command::Help),
            "command_line" => no_arg(Command::CommandLine),
            "filter" => no_arg(Command::Filter),
            "close" => no_arg(Command::Close),
            "tab" => with_arg(Command::Tab, "a tab number or name"),
            "tab_next" => no_arg(Command::TabNext),
            "tab_prev" => no_arg(Command::TabPrev),
            "theme" => with_arg(Command::Theme, "a theme name"),
            "up" => no_arg(Command::Up),
            "down" => no_arg(Command::Down),
            "top" => no_arg(Command::Top),
            "bottom" => no_arg(Command::Bottom),
            "page_up" => no_arg(Command::PageUp),
            "page_down" => no_arg(Command::PageDown),
            "note" => no_arg(Command::Note),
            "export" => no_arg(Command::Export),
            "toggle_order" => no_arg(Command::ToggleOrder),
            "level_more" => no_arg(Command::LevelMore),
            "level_less" => no_arg(Command::LevelLess),
            "submit" => no_arg(Command::Submit),
            "cancel" => no_arg(Command::Cancel),
            "complete" => no_arg(Command::Complete),
            "history_prev" => no_arg(Command::HistoryPrev),
            "history_next" => no_arg(Command::HistoryNext),
            "noop" => no_arg(Command::Noop),
            "confirm" => no_arg(Command::Confirm),
            "view" => with_arg(
                Command::View,
                "pods, deploy or events (Queries: statements, activity, blocking, connections, ops, slow, replset)",
            ),
            "pods" => no_arg(Command::View("pods".into())),
            "deploy" | "deployments" => no_arg(Command::View("deploy".into())),
            "events" => no_arg(Command::View("events".into())),
            "sort_next" => no_arg(Command::SortNext),
            "sort_reverse" => no_arg(Command::SortReverse),
            "detail" => no_arg(Command::Detail),
            "toggle_warnings" => no_arg(Command::ToggleWarnings),
            "scale_prompt" => no_arg(Command::ScalePrompt),
            "logs" => Ok(Command::Logs(if arg.is_empty() {
                "all".into()
            } else {
                arg.to_string()
            })),
            "log_level" => with_arg(Command::LogLevel, "e, w, i or a"),
            "wrap" => no_arg(Command::Wrap),
            "metric" => no_arg(Command::Metric),
            "window_next" => no_arg(Command::WindowNext),
            "window_prev" => no_arg(Command::WindowPrev),
            "timestamps" => no_arg(Command::Timestamps),
            "logs_selected" => no_arg(Command::LogsSelected),
            "scroll_left" => no_arg(Command::ScrollLeft),
            "scroll_right" => no_arg(Command::ScrollRight),
            "find" => no_arg(Command::Find),
            "find_next" => no_arg(Command::FindNext),
            "find_prev" => no_arg(Command::FindPrev),
            "next_error" => no_arg(Command::NextError),
            "pivot" => no_arg(Command::Pivot),
            "copy" => no_arg(Command::Copy),
            "copy_view" => no_arg(Command::CopyView),
            "save_logs" => no_arg(Command::SaveLogs),
            "ctx" | "context" => with_arg(Command::Context, "a context name"),
            "ns" | "namespace" => with_arg(Command::Namespace, "a namespace, or all"),
            "focus_next" => no_arg(Command::FocusNext),
            "group" => no_arg(Command::Group),
            "reset_prompt" => no_arg(Command::ResetPrompt),
            "reset" => {
                let words: Vec<&str> = arg.split_whitespace().collect();
                let usage = || "usage: reset <earliest|latest|shift N|TIME> [topic]".to_string();
                let (to, rest) = match words.as_slice() {
                    ["shift", n, rest @ ..] => (format!("shift {n}"), rest),
                    [to, rest @ ..] => (to.to_string(), rest),
                    [] => return Err(usage()),
                };
                let topic = match rest {
                    [] => None,
                    [t] => Some(t.to_string()),
                    _ => return Err(usage()),
                };
                Ok(act(ActionRequest::Reset { to, topic }))
            }
            "target_next" => no_arg(Command::TargetNext),
            "target_prev" => no_arg(Command::TargetPrev),
            "view_next" => no_arg(Command::ViewNext),
            "view_prev" => no_arg(Command::ViewPrev),
            "kill_op" => no_arg(act(ActionRequest::KillOp)),
            "pg_cancel" | "pg_terminate" => {
                let root = match arg {
                    "" => false,
                    "root" => true,
                    _ => return Err(format!("usage: {name} [root]")),
                };
                Ok(act(ActionRequest::PgSignal {
                    terminate: name == "pg_terminate",
                    root,
                }))
            }
            "breaker" => {
                let mut words = arg.split_whitespace();
                let usage = || "usage: breaker <close|force_open|disable> [all]".to_string();
                let update = match words.next() {
                    Some(u @ ("close" | "force_open" | "disable")) => u.to_string(),
                    _ => return Err(usage()),
                };
                let all = match (words.next(), words.next()) {
                    (None, _) => false,
                    (Some("all"), None) => true,
                    _ => return Err(usage()),
                };
                Ok(act(ActionRequest::Breaker { update, all }))
            }
            "undo" => no_arg(Command::Act {
                request: ActionRequest::Undo,
                typed: false,
            }),
            "scale" => {
                let mut words = arg.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some(d), Some(n), None) => Ok(act(ActionRequest::Scale {
                        deployment: strip_kind(d, &["deploy/", "deployment/", "deployments/"]),
                        replicas: n.to_string(),
                    })),
                    // One argument: the count, for the selected deployment.
                    (Some(n), None, None) if looks_like_count(n) => Ok(act(ActionRequest::Scale {
                        deployment: String::new(),
                        replicas: n.to_string(),
                    })),
                    _ => Err("usage: scale deploy/<name> <n|+n|-n>".into()),
                }
            }
            "restart" => optional_word(arg, "restart deploy/<name>").map(|d| {
                act(ActionRequest::Restart {
                    deployment: strip_kind(d, &["deploy/", "deployment/", "deployments/"]),
                })
            }),
            "delete" => optional_word(arg, "delete pod/<name>").map(|p| {
                act(ActionRequest::Delete {
                    pod: strip_kind(p, &["pod/", "pods/", "po/"]),
                })
            }),
            "" => Err("empty command".to_string()),
            other => Err(format!("unknown command {other:?}")),
        }
    }

    /// The documented name of this command.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Help => "help",
            Command::CommandLine => "command_line",
            Command::Filter => "filter",
            Command::Close => "close",
            Command::Tab(_) => "tab",
            Command::TabNext => "tab_next",
            Command::TabPrev => "tab_prev",
            Command::Theme(_) => "theme",
            Command::Up => "up",
            Command::Down => "down",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::PageUp => "page_up",
            Command::PageDown => "page_down",
            Command::Note => "note",
            Command::Export => "export",
            Command::ToggleOrder => "toggle_order",
            Command::LevelMore => "level_more",
            Command::LevelLess => "level_less",
            Command::Submit => "submit",
            Command::Cancel => "cancel",
            Command::Complete => "complete",
            Command::HistoryPrev => "history_prev",
            Command::HistoryNext => "history_next",
            Command::Noop => "noop",
            Command::Confirm => "confirm",
            Command::FocusNext => "focus_next",
            Command::View(_) => "view",
            Command::SortNext => "sort_next",
            Command::SortReverse => "sort_reverse",
            Command::Detail => "detail",
            Command::ToggleWarnings => "toggle_warnings",
            Command::ScalePrompt => "scale_prompt",
            Command::Logs(_) => "logs",
            Command::LogLevel(_) => "log_level",
            Command::Wrap => "wrap",
            Command::Metric => "metric",
            Command::WindowNext => "window_next",
            Command::WindowPrev => "window_prev",
            Command::Timestamps => "timestamps",
            Command::LogsSelected => "logs_selected",
            Command::ScrollLeft => "scroll_left",
            Command::ScrollRight => "scroll_right",
            Command::Find => "find",
            Command::FindNext => "find_next",
            Command::FindPrev => "find_prev",
            Command::NextError => "next_error",
            Command::Pivot => "pivot",
            Command::Copy => "copy",
            Command::CopyView => "copy_view",
            Command::SaveLogs => "save_logs",
            Command::Context(_) => "ctx",
            Command::Namespace(_) => "ns",
            Command::Group => "group",
            Command::ResetPrompt => "reset_prompt",
            Command::TargetNext => "target_next",
            Command::TargetPrev => "target_prev",
            Command::ViewNext => "view_next",
            Command::ViewPrev => "view_prev",
            Command::Act { request, .. } => match request {
                ActionRequest::Scale { .. } => "scale",
                ActionRequest::Restart { .. } => "restart",
                ActionRequest::Delete { .. } => "delete",
                ActionRequest::Undo => "undo",
                ActionRequest::Breaker { .. } => "breaker",
                ActionRequest::Reset { .. } => "reset",
                ActionRequest::PgSignal {
                    terminate: false, ..
                } => "pg_cancel",
                ActionRequest::PgSignal {
                    terminate: true, ..
                } => "pg_terminate",
                ActionRequest::KillOp => "kill_op",
            },
        }
    }

    pub fn spec(&self) -> Option<&'static CommandSpec> {
        COMMANDS.iter().find(|s| s.name == self.name())
    }
}

fn act(request: ActionRequest) -> Command {
    Command::Act {
        request,
        typed: false,
    }
}

fn strip_kind(word: &str, prefixes: &[&str]) -> String {
    prefixes
        .iter()
        .find_map(|p| word.strip_prefix(p))
        .unwrap_or(word)
        .to_string()
}

fn looks_like_count(word: &str) -> bool {
    let digits = word.trim_start_matches(['+', '-']);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// No word means "the selected row".
fn optional_word<'a>(arg: &'a str, usage: &str) -> Result<&'a str, String> {
    let mut words = arg.split_whitespace();
    match (words.next(), words.next()) {
        (Some(w), None) => Ok(w),
        (None, _) => Ok(""),
        _ => Err(format!("usage: {usage}")),
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Tab(a)
            | Command::Theme(a)
            | Command::View(a)
            | Command::Context(a)
            | Command::Namespace(a)
            | Command::Logs(a)
            | Command::LogLevel(a) => {
                write!(f, "{} {a}", self.name())
            }
            Command::Act { request, .. } => match request {
                ActionRequest::Scale {
                    deployment,
                    replicas,
                } => write!(f, "scale deploy/{deployment} {replicas}"),
                ActionRequest::Restart { deployment } => write!(f, "restart deploy/{deployment}"),
                ActionRequest::Delete { pod } => write!(f, "delete pod/{pod}"),
                ActionRequest::Undo => f.write_str("undo"),
                ActionRequest::Reset { to, topic } => match topic {
                    Some(t) => write!(f, "reset {to} {t}"),
                    None => write!(f, "reset {to}"),
                },
                ActionRequest::Breaker { update, all } => {
                    write!(f, "breaker {update}{}", if *all { " all" } else { "" })
                }
                ActionRequest::PgSignal { root, .. } => {
                    write!(f, "{}{}", self.name(), if *root { " root" } else { "" })
                }
                ActionRequest::KillOp => f.write_str("kill_op"),
            },
            _ => f.write_str(self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_command_parses() {
        for spec in COMMANDS {
            let text = match spec.arg {
                Some(_) if spec.name == "scale" => "scale deploy/x 3".to_string(),
                Some(_) if spec.name == "breaker" => "breaker force_open all".to_string(),
                Some(_) if spec.name == "reset" => "reset shift -5 order-events".to_string(),
                Some(_) if spec.name.starts_with("pg_") => format!("{} root", spec.name),
                Some(_) => format!("{} x", spec.name),
                None => spec.name.to_string(),
            };
            let cmd = Command::parse(&text).unwrap();
            assert_eq!(cmd.name(), spec.name);
            assert_eq!(Command::parse(&cmd.to_string()).unwrap(), cmd);
        }
    }

    #[test]
    fn action_commands_take_kubectl_style_targets() {
        assert_eq!(
            Command::parse("scale deploy/order-consumer +2").unwrap(),
            act(ActionRequest::Scale {
                deployment: "order-consumer".into(),
                replicas: "+2".into()
            })
        );
        assert_eq!(
            Command::parse("restart payment-service").unwrap(),
            act(ActionRequest::Restart {
                deployment: "payment-service".into()
            })
        );
        assert_eq!(
            Command::parse("delete pod/x").unwrap().to_string(),
            "delete pod/x"
        );
        assert_eq!(
            Command::parse("scale deploy/x").unwrap_err(),
            "usage: scale deploy/<name> <n|+n|-n>"
        );
    }

    #[test]
    fn bad_commands_say_why() {
        assert_eq!(
            Command::parse("quitt").unwrap_err(),
            "unknown command \"quitt\""
        );
        assert_eq!(
            Command::parse("tab").unwrap_err(),
            "tab needs a tab number or name"
        );
        assert_eq!(
            Command::parse("quit now").unwrap_err(),
            "quit takes no argument"
        );
    }
}
