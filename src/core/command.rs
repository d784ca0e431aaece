//! Commands a user can bind to a key or type on the `:` command line.
//!
//! Each command is declared once, as a row of `COMMANDS`: its name, aliases,
//! argument, help line, the tabs it applies to, whether the shipped keymap
//! binds it, and how it is built and recognised. Parsing, `:` completion,
//! help, the footer, the keymap check and the app's tab check all read that
//! row. Keys and the command line both go through `Command::parse`, so a
//! keymap can only name a declared command; internal events are not commands.

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
    /// A note on the Timeline (and the war room's): the text, or `""` to type it.
    Note(String),
    /// Join a war room (`-`: leave it).
    Room(String),
    /// Who is in the war room.
    Who,
    Export(String),
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
    ReplayPause,
    ReplaySlower,
    ReplayFaster,
    ReplayNextEntry,
    ReplayPrevEntry,
    ReplayFollow,
    Seek(String),
    Record(String),
    /// Scope every tab to one service (`-`: every service again).
    Service(String),
    /// Overview: scope every tab to the selected service.
    ServiceSelected,
    /// Timeline: go to what the selected entry is about.
    Goto,
    /// The selected row's service, on another tab: `pods`, `logs`, `heatmap`.
    Jump(String),
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
    /// Roll a deployment back to `revision` (empty: the one before the
    /// current; from the rollout detail: the selected one).
    Rollback {
        deployment: String,
        revision: String,
    },
    /// Pause (or resume) a deployment's rollout.
    Rollout {
        pause: bool,
        deployment: String,
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

/// Where a command applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tabs {
    /// On every tab: navigation, overlays, switching, actions that name
    /// their target.
    All,
    /// Only on these tabs, by the names `app::tab::Tab::name` gives them
    /// (core cannot name the app's type).
    Only(&'static [&'static str]),
}

impl Tabs {
    pub fn contains(self, tab: &str) -> bool {
        match self {
            Tabs::All => true,
            Tabs::Only(tabs) => tabs.contains(&tab),
        }
    }
}

/// A command's argument: how help shows it and what parsing demands.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// As help and completion show it, e.g. `<number|name>`.
    pub doc: &'static str,
    /// Ends "tab needs …" when the argument is left out; `None`: it may be.
    pub needs: Option<&'static str>,
    /// A valid argument, so tests can run every command.
    pub example: &'static str,
}

/// An argument that must be given; `what` ends "tab needs …".
const fn needs(doc: &'static str, what: &'static str, example: &'static str) -> Arg {
    Arg {
        doc,
        needs: Some(what),
        example,
    }
}

/// An argument that may be left out (the command then has a default).
const fn optional(doc: &'static str, example: &'static str) -> Arg {
    Arg {
        doc,
        needs: None,
        example,
    }
}

/// Another name for a command: `q` for `quit`, or `pods` for `view pods`.
#[derive(Debug, Clone, Copy)]
pub struct Alias {
    pub name: &'static str,
    /// The argument the alias stands for; `None`: the one typed after it.
    pub preset: Option<&'static str>,
}

const fn alias(name: &'static str) -> Alias {
    Alias { name, preset: None }
}

const fn shorthand(name: &'static str, preset: &'static str) -> Alias {
    Alias {
        name,
        preset: Some(preset),
    }
}

/// One command, declared once: what parsing, completion, help, the footer,
/// the keymap check and the app's tab check all read.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub aliases: &'static [Alias],
    pub arg: Option<Arg>,
    /// One line of help.
    pub desc: &'static str,
    pub tabs: Tabs,
    /// Whether the shipped `keymaps.toml` binds it.
    pub bound_by_default: bool,
    /// Only a key runs it: the input line's own keys (`submit`,
    /// `complete`, …) mean nothing typed, so `:` completion leaves them out.
    pub key_only: bool,
    /// The command from its argument (`""` when none was given); `None`:
    /// the argument is wrong, and the usage line says what is right.
    build: fn(&str) -> Option<Command>,
    /// Whether a command is this one: how `Command::name` finds its row.
    is: fn(&Command) -> bool,
}

impl CommandSpec {
    /// A command bound by default that takes no argument and applies
    /// everywhere; the methods below change that.
    const fn new(
        name: &'static str,
        desc: &'static str,
        build: fn(&str) -> Option<Command>,
        is: fn(&Command) -> bool,
    ) -> CommandSpec {
        CommandSpec {
            name,
            aliases: &[],
            arg: None,
            desc,
            tabs: Tabs::All,
            bound_by_default: true,
            key_only: false,
            build,
            is,
        }
    }

    const fn arg(self, arg: Arg) -> CommandSpec {
        CommandSpec {
            arg: Some(arg),
            ..self
        }
    }

    const fn on(self, tabs: &'static [&'static str]) -> CommandSpec {
        CommandSpec {
            tabs: Tabs::Only(tabs),
            ..self
        }
    }

    const fn aliases(self, aliases: &'static [Alias]) -> CommandSpec {
        CommandSpec { aliases, ..self }
    }

    /// The shipped keymap leaves it to the user's.
    const fn unbound(self) -> CommandSpec {
        CommandSpec {
            bound_by_default: false,
            ..self
        }
    }

    const fn key_only(self) -> CommandSpec {
        CommandSpec {
            key_only: true,
            ..self
        }
    }

    /// The row named or aliased `word`, with the argument an alias presets.
    pub fn find(word: &str) -> Option<(&'static CommandSpec, Option<&'static str>)> {
        COMMANDS.iter().find_map(|s| {
            if s.name == word {
                return Some((s, None));
            }
            s.aliases
                .iter()
                .find(|a| a.name == word)
                .map(|a| (s, a.preset))
        })
    }

    /// The command `word arg` (`word`: the name or alias as typed, for errors).
    fn build(&self, word: &str, arg: &str) -> Result<Command, String> {
        match self.arg {
            None if !arg.is_empty() => Err(format!("{word} takes no argument")),
            Some(Arg {
                needs: Some(what), ..
            }) if arg.is_empty() => Err(format!("{word} needs {what}")),
            _ => (self.build)(arg).ok_or_else(|| self.usage()),
        }
    }

    fn usage(&self) -> String {
        match self.arg {
            Some(arg) => format!("usage: {} {}", self.name, arg.doc),
            None => format!("usage: {}", self.name),
        }
    }

    /// The name with its example argument: a line `Command::parse` accepts.
    pub fn example(&self) -> String {
        match self.arg {
            Some(arg) => format!("{} {}", self.name, arg.example),
            None => self.name.to_string(),
        }
    }
}

/// A command without data, built and recognised by its variant.
macro_rules! unit {
    ($name:literal, $desc:literal, $variant:path) => {
        CommandSpec::new($name, $desc, |_| Some($variant), |c| matches!(c, $variant))
    };
}

/// A command that keeps its argument as typed.
macro_rules! text {
    ($name:literal, $desc:literal, $variant:path) => {
        CommandSpec::new(
            $name,
            $desc,
            |a| Some($variant(a.to_string())),
            |c| matches!(c, $variant(_)),
        )
    };
}

/// A remediation, built by `$build` and recognised by its request.
macro_rules! action {
    ($name:literal, $desc:literal, $build:expr, $request:pat) => {
        CommandSpec::new($name, $desc, $build, |c| {
            matches!(
                c,
                Command::Act {
                    request: $request,
                    ..
                }
            )
        })
    };
}

/// Every command, in the order `:` completion offers them.
pub const COMMANDS: &[CommandSpec] = &[
    unit!("quit", "Quit opsdeck", Command::Quit).aliases(&[alias("q"), alias("q!")]),
    unit!("help", "Show the keys of this screen", Command::Help),
    unit!("command_line", "Open the command line", Command::CommandLine).key_only(),
    unit!("filter", "Filter the list", Command::Filter),
    unit!("close", "Close the overlay or clear the filter", Command::Close),
    text!("tab", "Go to a tab", Command::Tab).arg(needs(
        "<number|name>",
        "a tab number or name",
        "2",
    )),
    unit!("tab_next", "Next tab", Command::TabNext),
    unit!("tab_prev", "Previous tab", Command::TabPrev),
    text!("theme", "Switch the colour theme", Command::Theme)
        .arg(needs("<name>", "a theme name", "light"))
        .unbound(),
    unit!("up", "Move up", Command::Up),
    unit!("down", "Move down", Command::Down),
    unit!("top", "Go to the first row", Command::Top),
    unit!("bottom", "Go to the last row", Command::Bottom),
    unit!("page_up", "Page up", Command::PageUp),
    unit!("page_down", "Page down", Command::PageDown),
    text!("note", "Add a note to the timeline (and the war room)", Command::Note)
        .arg(optional("[TEXT]", "db failover done")),
    text!("room", "Join a war room, or leave it", Command::Room)
        .arg(needs("<name|->", "a room name, or - to leave", "inc-2041"))
        .unbound(),
    unit!("who", "Who is in the war room", Command::Who).unbound(),
    unit!("replay_pause", "Replay: pause or play", Command::ReplayPause),
    unit!("replay_slower", "Replay: half the speed", Command::ReplaySlower),
    unit!("replay_faster", "Replay: twice the speed", Command::ReplayFaster),
    unit!("replay_next_entry", "Replay: to the next Timeline entry", Command::ReplayNextEntry),
    unit!("replay_prev_entry", "Replay: to the previous Timeline entry", Command::ReplayPrevEntry),
    unit!("replay_follow", "Replay: follow the responder's tab and service again", Command::ReplayFollow),
    text!("seek", "Replay: jump to a recorded time", Command::Seek)
        .arg(needs("<10:04:30|+5m|-2m>", "a time of day or +/- minutes", "+5m"))
        .unbound(),
    text!("record", "Record the incident to a file, or stop", Command::Record)
        .arg(needs("<start [FILE]|stop>", "start [FILE] or stop", "stop"))
        .unbound(),
    text!(
        "export",
        "Export the timeline, or a post-mortem draft, as Markdown",
        Command::Export
    )
    .arg(optional("[postmortem]", "postmortem")),
    text!("service", "Show only one service's rows on every tab", Command::Service)
        .arg(needs("<name|->", "a service name, or - for every service", "payment-service"))
        .unbound(),
    unit!(
        "service_selected",
        "Show only the selected service's rows on every tab",
        Command::ServiceSelected
    )
    .on(&["overview"]),
    unit!("goto", "Go to what the selected entry is about", Command::Goto).on(&["timeline"]),
    text!("jump", "The selected row's service on another tab", Command::Jump)
        .arg(needs("<pods|logs|heatmap>", "pods, logs or heatmap", "pods"))
        .on(&["pods", "heatmap", "breakers", "queries", "lag"]),
    unit!("toggle_order", "Newest or oldest first", Command::ToggleOrder).on(&["timeline"]),
    unit!("level_more", "Show more log levels", Command::LevelMore).on(&["console"]),
    unit!("level_less", "Show fewer log levels", Command::LevelLess).on(&["console"]),
    unit!("submit", "Accept the input", Command::Submit).key_only(),
    unit!("cancel", "Cancel the input", Command::Cancel).key_only(),
    unit!("complete", "Complete the command", Command::Complete).key_only(),
    unit!("history_prev", "Previous command in history", Command::HistoryPrev).key_only(),
    unit!("history_next", "Next command in history", Command::HistoryNext).key_only(),
    unit!("noop", "Do nothing (unbinds a key)", Command::Noop)
        .key_only()
        .unbound(),
    action!(
        "scale",
        "Scale a deployment",
        parse_scale,
        ActionRequest::Scale { .. }
    )
    .arg(optional("deploy/<name> <n|+n|-n>", "deploy/x 3")),
    action!(
        "restart",
        "Rollout-restart a deployment",
        parse_restart,
        ActionRequest::Restart { .. }
    )
    .arg(optional("deploy/<name>", "deploy/x")),
    action!(
        "rollback",
        "Roll a deployment back to a revision (the previous one by default)",
        parse_rollback,
        ActionRequest::Rollback { .. }
    )
    .arg(optional("deploy/<name> [revision]", "deploy/x 13")),
    action!(
        "rollout",
        "Pause or resume a deployment's rollout",
        parse_rollout,
        ActionRequest::Rollout { .. }
    )
    .arg(needs(
        "<pause|resume> [deploy/<name>]",
        "pause or resume, then a deployment",
        "pause deploy/x",
    ))
    .unbound(),
    action!(
        "delete",
        "Delete a pod (the selected one)",
        parse_delete,
        ActionRequest::Delete { .. }
    )
    .arg(optional("pod/<name>", "pod/x")),
    action!(
        "undo",
        "Undo the selected action",
        |_| Some(act(ActionRequest::Undo)),
        ActionRequest::Undo
    ),
    unit!("confirm", "Confirm the action", Command::Confirm),
    CommandSpec::new(
        "logs",
        "Follow logs",
        |a| Some(Command::Logs(if a.is_empty() { "all" } else { a }.to_string())),
        |c| matches!(c, Command::Logs(_)),
    )
    .arg(optional("<deploy/x|pod/x|-l k=v|all>", "deploy/x"))
    .unbound(),
    text!(
        "log_level",
        "Logs: errors, warnings+, info+ or all",
        Command::LogLevel
    )
    .arg(needs("<e|w|i|a>", "e, w, i or a", "e"))
    .on(&["logs"]),
    unit!("wrap", "Logs: wrap long lines", Command::Wrap).on(&["logs"]),
    unit!("metric", "Heatmap: next metric", Command::Metric).on(&["heatmap"]),
    unit!("window_next", "Heatmap: longer window", Command::WindowNext).on(&["heatmap"]),
    unit!("window_prev", "Heatmap: shorter window", Command::WindowPrev).on(&["heatmap"]),
    unit!("timestamps", "Logs: show or hide times", Command::Timestamps).on(&["logs"]),
    unit!(
        "logs_selected",
        "Follow the logs of the selection",
        Command::LogsSelected
    )
    .on(&["pods"]),
    unit!("scroll_left", "Logs: scroll left", Command::ScrollLeft).on(&["heatmap", "logs"]),
    unit!("scroll_right", "Logs: scroll right", Command::ScrollRight).on(&["heatmap", "logs"]),
    unit!("find", "Logs: search", Command::Find).on(&["logs"]),
    unit!("find_next", "Logs: next match", Command::FindNext).on(&["logs"]),
    unit!("find_prev", "Logs: previous match", Command::FindPrev).on(&["logs"]),
    unit!("next_error", "Logs: next error", Command::NextError).on(&["logs"]),
    unit!(
        "pivot",
        "Logs: follow this request across pods (or stop)",
        Command::Pivot
    )
    .on(&["logs"]),
    unit!("copy", "Copy the selected line", Command::Copy).on(&["logs"]),
    unit!("copy_view", "Copy the visible lines", Command::CopyView).on(&["logs"]),
    unit!("save_logs", "Save the visible lines to a file", Command::SaveLogs).on(&["logs"]),
    text!("ctx", "Switch the Kubernetes context", Command::Context)
        .arg(needs("<context>", "a context name", "staging"))
        .aliases(&[alias("context")])
        .unbound(),
    text!("ns", "Switch the namespace", Command::Namespace)
        .arg(needs("<namespace|all>", "a namespace, or all", "all"))
        .aliases(&[alias("namespace")])
        .unbound(),
    unit!(
        "focus_next",
        "Switch between Cancel and Confirm",
        Command::FocusNext
    ),
    // Everywhere, as `:pods` is in k9s: it goes to the Pods tab's list
    // (on the Queries tab it picks a view of the target).
    text!("view", "What to list (Pods tab, Queries tab)", Command::View)
        .arg(needs(
            "<pods|deploy|events|statements|activity|blocking|...>",
            "pods, deploy or events (Queries: statements, activity, blocking, connections, ops, slow, replset)",
            "deploy",
        ))
        .aliases(&[
            shorthand("pods", "pods"),
            shorthand("deploy", "deploy"),
            shorthand("deployments", "deploy"),
            shorthand("events", "events"),
        ]),
    unit!("sort_next", "Sort by the next column", Command::SortNext).on(&["pods", "queries"]),
    unit!("sort_reverse", "Reverse the sort", Command::SortReverse).on(&["pods", "queries"]),
    unit!("detail", "Show the selected row in detail", Command::Detail).on(&[
        "pods", "heatmap", "breakers", "queries", "lag",
    ]),
    unit!(
        "toggle_warnings",
        "Events: Warnings only or all",
        Command::ToggleWarnings
    )
    .on(&["pods"]),
    action!(
        "breaker",
        "Change the selected breaker (all: on every pod)",
        parse_breaker,
        ActionRequest::Breaker { .. }
    )
    .arg(optional("<close|force_open|disable> [all]", "force_open all"))
    .on(&["breakers"]),
    action!(
        "reset",
        "Lag: reset the selected group's offsets",
        parse_reset,
        ActionRequest::Reset { .. }
    )
    .arg(optional(
        "<earliest|latest|shift N|TIME> [topic]",
        "shift -5 order-events",
    ))
    .on(&["lag"])
    .unbound(),
    unit!(
        "reset_prompt",
        "Lag: reset the selected group's offsets to ...",
        Command::ResetPrompt
    )
    .on(&["lag"]),
    unit!(
        "group",
        "Breakers: one row per service, or per pod",
        Command::Group
    )
    .on(&["breakers"]),
    action!(
        "pg_cancel",
        "Cancel the selected backend's query (root: its chain's root)",
        |a| pg_signal(false, a),
        ActionRequest::PgSignal {
            terminate: false,
            ..
        }
    )
    .arg(optional("[root]", "root"))
    .on(&["queries"]),
    action!(
        "pg_terminate",
        "Terminate the selected backend (root: its chain's root)",
        |a| pg_signal(true, a),
        ActionRequest::PgSignal {
            terminate: true,
            ..
        }
    )
    .arg(optional("[root]", "root"))
    .on(&["queries"]),
    action!(
        "kill_op",
        "MongoDB: kill the selected op",
        |_| Some(act(ActionRequest::KillOp)),
        ActionRequest::KillOp
    )
    .on(&["queries"]),
    unit!("target_next", "Queries: next database target", Command::TargetNext).on(&["queries"]),
    unit!(
        "target_prev",
        "Queries: previous database target",
        Command::TargetPrev
    )
    .on(&["queries"]),
    unit!("view_next", "Queries: next view of the target", Command::ViewNext).on(&["queries"]),
    unit!(
        "view_prev",
        "Queries: previous view of the target",
        Command::ViewPrev
    )
    .on(&["queries"]),
    unit!(
        "scale_prompt",
        "Scale the selected deployment to ...",
        Command::ScalePrompt
    )
    .on(&["pods", "lag"]),
];

impl Command {
    /// Parses `name [arg]` as written after `:` or in a keymap's `run`.
    pub fn parse(input: &str) -> Result<Command, String> {
        let input = input.trim();
        let (word, arg) = match input.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (input, ""),
        };
        if word.is_empty() {
            return Err("empty command".to_string());
        }
        let (spec, preset) =
            CommandSpec::find(word).ok_or_else(|| format!("unknown command {word:?}"))?;
        match preset {
            Some(_) if !arg.is_empty() => Err(format!("{word} takes no argument")),
            Some(preset) => spec.build(word, preset),
            None => spec.build(word, arg),
        }
    }

    /// The row that declares this command (`None` only for a variant that
    /// was added without one, which nothing can then parse).
    pub fn spec(&self) -> Option<&'static CommandSpec> {
        COMMANDS.iter().find(|s| (s.is)(self))
    }

    /// The documented name of this command.
    pub fn name(&self) -> &'static str {
        self.spec().map_or("unknown", |s| s.name)
    }

    /// Where this command applies.
    pub fn tabs(&self) -> Tabs {
        self.spec().map_or(Tabs::All, |s| s.tabs)
    }

    /// The argument as `parse` reads it back, if there is one to write.
    fn arg_text(&self) -> Option<String> {
        match self {
            Command::Tab(a)
            | Command::Seek(a)
            | Command::Service(a)
            | Command::Jump(a)
            | Command::Export(a)
            | Command::Note(a)
            | Command::Room(a)
            | Command::Record(a)
            | Command::Theme(a)
            | Command::View(a)
            | Command::Context(a)
            | Command::Namespace(a)
            | Command::Logs(a)
            | Command::LogLevel(a) => Some(a.clone()),
            Command::Act { request, .. } => request.arg_text(),
            _ => None,
        }
    }
}

impl ActionRequest {
    fn arg_text(&self) -> Option<String> {
        match self {
            ActionRequest::Scale {
                deployment,
                replicas,
            } => Some(format!("deploy/{deployment} {replicas}")),
            ActionRequest::Restart { deployment } => Some(format!("deploy/{deployment}")),
            ActionRequest::Delete { pod } => Some(format!("pod/{pod}")),
            ActionRequest::Rollback {
                deployment,
                revision,
            } => Some(format!("deploy/{deployment} {revision}").trim().to_string()),
            ActionRequest::Rollout { pause, deployment } => Some(format!(
                "{} deploy/{deployment}",
                if *pause { "pause" } else { "resume" }
            )),
            ActionRequest::Reset { to, topic } => Some(match topic {
                Some(t) => format!("{to} {t}"),
                None => to.clone(),
            }),
            ActionRequest::Breaker { update, all } => {
                Some(format!("{update}{}", if *all { " all" } else { "" }))
            }
            ActionRequest::PgSignal { root: true, .. } => Some("root".to_string()),
            ActionRequest::PgSignal { root: false, .. }
            | ActionRequest::Undo
            | ActionRequest::KillOp => None,
        }
    }
}

fn act(request: ActionRequest) -> Command {
    Command::Act {
        request,
        typed: false,
    }
}

fn parse_scale(arg: &str) -> Option<Command> {
    let mut words = arg.split_whitespace();
    let (deployment, replicas) = match (words.next(), words.next(), words.next()) {
        (Some(d), Some(n), None) => (strip_kind(d, DEPLOYMENT), n),
        // One argument: the count, for the selected deployment.
        (Some(n), None, None) if looks_like_count(n) => (String::new(), n),
        _ => return None,
    };
    Some(act(ActionRequest::Scale {
        deployment,
        replicas: replicas.to_string(),
    }))
}

fn parse_restart(arg: &str) -> Option<Command> {
    optional_word(arg).map(|d| {
        act(ActionRequest::Restart {
            deployment: strip_kind(d, DEPLOYMENT),
        })
    })
}

fn parse_rollback(arg: &str) -> Option<Command> {
    let mut words = arg.split_whitespace();
    let (deployment, revision) = match (words.next(), words.next(), words.next()) {
        (None, _, _) => (String::new(), String::new()),
        // One number: that revision of the selected deployment.
        (Some(n), None, None) if n.parse::<u64>().is_ok() => (String::new(), n.to_string()),
        (Some(d), None, None) => (strip_kind(d, DEPLOYMENT), String::new()),
        (Some(d), Some(n), None) if n.parse::<u64>().is_ok() => {
            (strip_kind(d, DEPLOYMENT), n.to_string())
        }
        _ => return None,
    };
    Some(act(ActionRequest::Rollback {
        deployment,
        revision,
    }))
}

fn parse_rollout(arg: &str) -> Option<Command> {
    let mut words = arg.split_whitespace();
    let pause = match words.next() {
        Some("pause") => true,
        Some("resume") => false,
        _ => return None,
    };
    let deployment = match (words.next(), words.next()) {
        (None, _) => String::new(),
        (Some(d), None) => strip_kind(d, DEPLOYMENT),
        _ => return None,
    };
    Some(act(ActionRequest::Rollout { pause, deployment }))
}

fn parse_delete(arg: &str) -> Option<Command> {
    optional_word(arg).map(|p| {
        act(ActionRequest::Delete {
            pod: strip_kind(p, &["pod/", "pods/", "po/"]),
        })
    })
}

fn parse_breaker(arg: &str) -> Option<Command> {
    let mut words = arg.split_whitespace();
    let update = match words.next() {
        Some(u @ ("close" | "force_open" | "disable")) => u.to_string(),
        _ => return None,
    };
    let all = match (words.next(), words.next()) {
        (None, _) => false,
        (Some("all"), None) => true,
        _ => return None,
    };
    Some(act(ActionRequest::Breaker { update, all }))
}

fn parse_reset(arg: &str) -> Option<Command> {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let (to, rest) = match words.as_slice() {
        ["shift", n, rest @ ..] => (format!("shift {n}"), rest),
        [to, rest @ ..] => (to.to_string(), rest),
        [] => return None,
    };
    let topic = match rest {
        [] => None,
        [t] => Some(t.to_string()),
        _ => return None,
    };
    Some(act(ActionRequest::Reset { to, topic }))
}

fn pg_signal(terminate: bool, arg: &str) -> Option<Command> {
    let root = match arg {
        "" => false,
        "root" => true,
        _ => return None,
    };
    Some(act(ActionRequest::PgSignal { terminate, root }))
}

const DEPLOYMENT: &[&str] = &["deploy/", "deployment/", "deployments/"];

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

/// No word means "the selected row"; more than one is wrong.
fn optional_word(arg: &str) -> Option<&str> {
    let mut words = arg.split_whitespace();
    match (words.next(), words.next()) {
        (Some(w), None) => Some(w),
        (None, _) => Some(""),
        _ => None,
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.arg_text() {
            Some(arg) => write!(f, "{} {arg}", self.name()),
            None => f.write_str(self.name()),
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
                Some(_) if spec.name == "rollout" => "rollout pause deploy/x".to_string(),
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
    fn rollback_and_rollout_take_a_deployment_and_a_revision() {
        let rollback = |d: &str, r: &str| {
            Some(act(ActionRequest::Rollback {
                deployment: d.into(),
                revision: r.into(),
            }))
        };
        assert_eq!(Command::parse("rollback").ok(), rollback("", ""));
        assert_eq!(Command::parse("rollback 13").ok(), rollback("", "13"));
        assert_eq!(
            Command::parse("rollback deploy/payment-service").ok(),
            rollback("payment-service", "")
        );
        assert_eq!(
            Command::parse("rollback deploy/payment-service 13").ok(),
            rollback("payment-service", "13")
        );
        assert!(Command::parse("rollback deploy/x thirteen").is_err());
        assert_eq!(
            Command::parse("rollout resume deploy/payment-service").ok(),
            Some(act(ActionRequest::Rollout {
                pause: false,
                deployment: "payment-service".into()
            }))
        );
        assert!(Command::parse("rollout undo deploy/x").is_err());
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

    #[test]
    fn every_declared_command_parses_from_its_name_and_example() {
        for spec in COMMANDS {
            let cmd = Command::parse(&spec.example()).unwrap();
            assert_eq!(cmd.name(), spec.name);
            assert_eq!(cmd.spec().unwrap().name, spec.name);
            assert_eq!(Command::parse(&cmd.to_string()).unwrap(), cmd);
            let bare = Command::parse(spec.name);
            match spec.arg {
                Some(Arg {
                    needs: Some(what), ..
                }) => assert_eq!(bare.unwrap_err(), format!("{} needs {what}", spec.name)),
                // scale and the like say their usage; the rest have a default.
                Some(_) => assert!(bare.map_or(true, |c| c.name() == spec.name)),
                None => assert_eq!(bare.unwrap().name(), spec.name),
            }
        }
    }

    #[test]
    fn each_command_is_recognised_by_its_own_row_only() {
        for spec in COMMANDS {
            let cmd = Command::parse(&spec.example()).unwrap();
            let claims: Vec<&str> = COMMANDS
                .iter()
                .filter(|s| (s.is)(&cmd))
                .map(|s| s.name)
                .collect();
            assert_eq!(claims, [spec.name]);
        }
        let typed = Command::Act {
            request: ActionRequest::Undo,
            typed: true,
        };
        assert_eq!(typed.name(), "undo", "a typed confirmation keeps the name");
    }

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for spec in COMMANDS {
            for name in std::iter::once(spec.name).chain(spec.aliases.iter().map(|a| a.name)) {
                assert!(seen.insert(name), "{name} is declared twice");
            }
        }
    }

    #[test]
    fn aliases_stand_for_their_command_and_preset_argument() {
        assert_eq!(Command::parse("q!").unwrap(), Command::Quit);
        assert_eq!(
            Command::parse("deployments").unwrap(),
            Command::View("deploy".into())
        );
        assert_eq!(
            Command::parse("context staging").unwrap(),
            Command::Context("staging".into())
        );
        assert_eq!(
            Command::parse("pods now").unwrap_err(),
            "pods takes no argument"
        );
        assert_eq!(
            Command::parse("namespace").unwrap_err(),
            "namespace needs a namespace, or all"
        );
        assert_eq!(
            Command::parse("pg_terminate now").unwrap_err(),
            "usage: pg_terminate [root]"
        );
    }

    #[test]
    fn tabs_say_where_a_command_applies() {
        assert!(Command::Detail.tabs().contains("pods"));
        assert!(!Command::Detail.tabs().contains("logs"));
        assert_eq!(Command::Quit.tabs(), Tabs::All);
        assert!(Command::parse("breaker close").unwrap().tabs() == Tabs::Only(&["breakers"]));
    }
}
