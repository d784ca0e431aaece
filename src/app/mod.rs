//! The pure core of the console: `App::update(event) -> Vec<Effect>`.
//! Keys, source updates and clock ticks go in; effects come out for the
//! runtime to carry out. No terminal, no tokio, no I/O here.

pub mod dialog;
mod filter;
mod follow;
mod goto;
pub mod input;
pub mod layout;
mod leave;
pub mod logs;
pub mod pods;
pub mod queries;
mod redraw;
pub mod replay;
mod room;
pub use room::member_rows;
pub mod run_command;
pub mod schedule;
mod services;
pub mod tab;
mod undo;

use crate::config::Loaded;
use crate::config::keymap::{Keymap, Lookup};
use crate::config::keys::KeyPress;
use crate::config::problem::Problem;
use crate::config::settings::Settings;
use crate::config::theme::ThemeSet;
use crate::core::action::ActionPlan;
use crate::core::command::Command;
use crate::core::executor::{Check, Outcome};
use crate::core::replay::{ReplayControl, ReplayMark, Restart};
use crate::core::source::Severity;
use crate::core::timeline::TimelineEntry;
use crate::model::Model;
use crate::remediation::audit::AuditEvent;
use crate::remediation::guard::Decision;
use crate::shared::color::ColorSupport;
use crate::shared::feature::Page;
use crate::shared::theme::Theme;
use crate::update::Update;
use chrono::{DateTime, Utc};
use dialog::ActionDialog;
use input::{InputKind, LineInput};
use std::collections::HashMap;
use std::path::PathBuf;
use tab::Tab;

/// Something that happened, for the app to react to.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyPress),
    /// A left click at a terminal cell.
    Click {
        column: u16,
        row: u16,
    },
    Scroll {
        down: bool,
    },
    Update(Update),
    /// The 1 Hz clock.
    Tick(DateTime<Utc>),
    Resize {
        width: u16,
        height: u16,
    },
    /// A file the app asked to write was written (or not); `path` is the
    /// name it got, numbered if the one asked for was taken.
    Written {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// The permission check and dry run of dialog `id` came back (and,
    /// in a war room, whether another console is on its target).
    Prechecked {
        id: u64,
        permission: Check,
        dry_run: Check,
        room: Option<crate::core::room::LockAnswer>,
    },
    /// The war room answered the lock of dialog `id`.
    RoomLocked {
        id: u64,
        answer: crate::core::room::LockAnswer,
    },
    /// A recording started (`Ok(path)`), stopped (`Ok` with `None`), or
    /// could not start.
    Recording(Result<Option<PathBuf>, String>),
    /// An executed plan ended; its audit line is already on disk.
    ActionDone {
        id: u64,
        plan: Box<ActionPlan>,
        outcome: Outcome,
    },
    /// SIGTERM or SIGHUP: leave as `q` does.
    Signal(&'static str),
}

/// Something the runtime must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Write a new file (an export, saved logs); the outcome comes back as
    /// `Event::Written`. Never over an existing file: a taken name gets a
    /// number (`shared::private_file::create_unique`).
    WriteFile {
        path: PathBuf,
        contents: String,
    },
    /// Ask the executor for its permission check and dry run, and the
    /// war room (when in one) whether another console is on these keys.
    Precheck {
        id: u64,
        plan: ActionPlan,
        room: Option<crate::core::room::LockKeys>,
    },
    /// Take the war room's lock for dialog `id` (answer: `Event::RoomLocked`).
    RoomLock {
        id: u64,
        keys: crate::core::room::LockKeys,
        holder: crate::core::room::Holder,
        ttl: std::time::Duration,
    },
    /// Give the lock back; start the room's cooldown (`ZERO`: none).
    RoomRelease {
        keys: crate::core::room::LockKeys,
        holder: crate::core::room::Holder,
        cooldown: std::time::Duration,
    },
    /// Join, leave, publish, say where this console is.
    Room(crate::core::room::RoomRequest),
    /// Carry out a confirmed plan: audit, execute with a timeout, audit again.
    Execute {
        id: u64,
        plan: ActionPlan,
        decisions: Vec<Decision>,
    },
    /// Stream exactly these containers' logs (live Kubernetes only).
    FollowLogs(crate::features::logs::source::FollowLogs),
    /// Ask the Prometheus source for another window or column count.
    PromView {
        window: crate::shared::prometheus::Window,
        columns: usize,
    },
    /// Start recording to this file, or (`None`) stop.
    Record(Option<crate::core::replay::RecordTo>),
    /// Ask the replay's player to pause, change speed or seek.
    Replay(ReplayControl),
    /// Put text on the clipboard of the user's terminal (OSC 52).
    Clipboard(String),
    /// Ask the Postgres pollers for their top statements in this order.
    QueriesOrder(crate::features::queries::postgres::StatementsOrder),
    /// Switch the Kubernetes source to another context and/or namespace.
    SetScope {
        context: Option<String>,
        namespace: Option<String>,
    },
    /// Write an audit line for an attempt that did not execute.
    Audit {
        plan: ActionPlan,
        decisions: Vec<Decision>,
        event: AuditEvent,
        detail: Option<String>,
    },
}

/// An overlay over the active tab.
#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    Input(LineInput),
    Action(Box<ActionDialog>),
    /// `:who`: the war room's members.
    Who,
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub severity: Severity,
    pub text: String,
}

/// Options that do not come from files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub readonly: bool,
    /// Showing a recording: the clock is the recording's, nothing acts.
    pub replay: bool,
    pub mouse: bool,
    pub user: String,
    /// This machine's name, for the war room (`user@host`).
    pub host: String,
    /// Tells this console from another of the same user on the same host.
    pub session: String,
}

/// The whole console state: model, view, keymap, theme.
#[derive(Debug)]
pub struct App {
    pub model: Model,
    pub tab: Tab,
    pub overlay: Overlay,
    pub keymap: Keymap,
    pub themes: ThemeSet,
    pub theme: Theme,
    pub color_support: ColorSupport,
    pub settings: Settings,
    pub options: Options,
    pub problems: Vec<Problem>,
    pub status: Option<Status>,
    pub pending_keys: Vec<KeyPress>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub history: Vec<String>,
    pub export_dir: PathBuf,
    /// Why the audit log cannot be written; every action is refused then.
    pub audit_error: Option<String>,
    /// When each action last ran on each target (`ActionPlan::cooldown_key`).
    pub cooldowns: HashMap<String, DateTime<Utc>>,
    pub next_action_id: u64,
    /// The inverse of each reversible action that ran, by the action's id.
    pub undo_plans: HashMap<u64, ActionPlan>,
    /// The Heatmap window asked of a live Prometheus source (`None`: no
    /// live source, e.g. the demo, whose window is fixed).
    pub prom_window: Option<crate::shared::prometheus::Window>,
    /// Time columns asked of the live Prometheus source (fits the width).
    pub prom_columns: usize,
    /// Container choice and stream options of the followed logs.
    pub log_options: (Option<String>, crate::features::logs::source::LogOptions),
    /// Where a replay is, once its player has said.
    pub replay: Option<ReplayMark>,
    /// A replay shows the recorded tab and service (`Model::screen`)
    /// until the user moves away.
    pub following: bool,
    /// How many times `b` was pressed: a key that pressed it moved the
    /// screen by following, not away.
    follow_asked: u64,
    /// The models a replay's player asked to keep, to seek back to.
    pub checkpoints: crate::model::checkpoints::Checkpoints,
    /// Between `begin_batch` and `end_batch`.
    batching: bool,
    /// Updates applied since the derived state was last worked out.
    unsettled: bool,
    /// Among them, Kubernetes data.
    unsettled_kube: bool,
    /// Whether those can change the screen (`take_redraw`).
    unseen: redraw::Unseen,
    /// Bytes recorded so far, while recording (the header shows them).
    pub recorded_bytes: Option<u64>,
    /// Timeline entries the console made itself since the runtime last
    /// took them (for the recording).
    pub made: Vec<TimelineEntry>,
    /// The service every tab is scoped to (`:service`, Enter on the
    /// Overview); `None`: every service.
    pub service: Option<crate::core::service::ServiceScope>,
    /// Dialogs of executed actions, by id, with their outcome.
    pub finished: std::collections::BTreeMap<u64, ActionDialog>,
    /// When the user last pressed a key (the room's idle time).
    pub last_input: DateTime<Utc>,
    /// When this console last told the room where it is.
    presence_at: Option<DateTime<Utc>>,
    /// Set when the user (or a signal) asked to leave while actions ran:
    /// how long opsdeck waits for their outcomes.
    leaving: Option<DateTime<Utc>>,
}

impl App {
    pub fn new(loaded: Loaded, options: Options, now: DateTime<Utc>) -> App {
        let model = fresh_model(&loaded.settings);
        let export_dir = loaded
            .settings
            .export_dir
            .clone()
            .unwrap_or_else(crate::config::paths::state_dir);
        let mut app = App {
            model,
            tab: Tab::Overview,
            overlay: Overlay::None,
            keymap: loaded.keymap,
            themes: loaded.themes,
            theme: loaded.theme,
            color_support: loaded.color_support,
            settings: loaded.settings,
            options,
            problems: loaded.problems,
            status: None,
            pending_keys: Vec::new(),
            now,
            size: (80, 24),
            history: Vec::new(),
            export_dir,
            audit_error: None,
            cooldowns: HashMap::new(),
            undo_plans: HashMap::new(),
            next_action_id: 0,
            log_options: Default::default(),
            prom_window: None,
            prom_columns: 0,
            replay: None,
            following: true,
            follow_asked: 0,
            checkpoints: Default::default(),
            batching: false,
            unsettled: false,
            unsettled_kube: false,
            unseen: Default::default(),
            recorded_bytes: None,
            made: Vec::new(),
            service: None,
            finished: Default::default(),
            last_input: now,
            presence_at: None,
            leaving: None,
        };
        if app.options.session.is_empty() {
            app.options.session = new_session();
        }
        app.options.readonly |= app.settings.readonly;
        let start = Tab::find(&app.settings.start_tab);
        app.tab = start.unwrap_or(Tab::Overview);
        if let Some(first) = app.problems.first() {
            let more = app.problems.len() - 1;
            let suffix = if more > 0 {
                format!(" (+{more} more: see Console)")
            } else {
                String::new()
            };
            app.status = Some(Status {
                severity: Severity::Warn,
                text: format!("{first}{suffix}"),
            });
        }
        if start.is_none() {
            let text = format!(
                "[ui] start_tab: no tab {:?}; started on the Overview",
                app.settings.start_tab
            );
            tracing::warn!("{text}");
            app.say(Severity::Warn, text);
        }
        app
    }

    /// Reacts to one event. Returns what the runtime must do.
    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        let effects = self.react(event);
        // The event may have brought the Overview on screen.
        self.fold_board_if_shown();
        effects
    }

    /// The Overview's board is folded only while the Overview is shown:
    /// behind another tab, a batch costs what it changed, not every service.
    fn fold_board_if_shown(&mut self) {
        if self.tab == Tab::Overview && self.model.overview.stale {
            self.model.fold_board();
            let page = self.page();
            self.feature_mut(Tab::Overview).fit(page);
        }
    }

    fn react(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Key(key) => {
                let before = self.follow_point();
                let effects = self.on_key(key);
                self.stop_following_if_moved(before);
                effects
            }
            Event::Click { column, row } => {
                let before = self.follow_point();
                if let Some(tab) = crate::app::layout::tab_at(self, column, row) {
                    self.tab = tab;
                }
                self.stop_following_if_moved(before);
                Vec::new()
            }
            Event::Scroll { down } => {
                let cmd = if down { Command::Down } else { Command::Up };
                self.run(cmd)
            }
            Event::Update(Update::Replay(mark)) => {
                // The recording's clock moved: the header shows it.
                self.unseen.shows = true;
                self.on_replay_mark(mark);
                Vec::new()
            }
            Event::Update(update) => {
                let kube = matches!(update, Update::Kube(_));
                self.tell_room_link(&update);
                self.note_unseen(&update);
                self.model.apply(update);
                if self.batching {
                    self.unsettled = true;
                    self.unsettled_kube |= kube;
                    return Vec::new();
                }
                self.settle(kube)
            }
            // A replay's clock is the recording's (`Update::Replay`).
            Event::Tick(now) => {
                if !self.options.replay {
                    self.now = now;
                }
                if self.model.services.aged(self.now) {
                    self.model.refresh_signals(self.now);
                    self.fold_board_if_shown();
                    self.fit_cursor();
                }
                let mut effects = self.presence_tick();
                effects.extend(self.leave_if_done());
                effects
            }
            Event::Resize { width, height } => {
                self.size = (width, height);
                self.fit_cursor();
                self.prom_view(false)
            }
            Event::Written { path, result } => {
                // The footer names what was written, by the name it was given.
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let what = match name.as_deref() {
                    Some(n) if n.starts_with("postmortem-") => "post-mortem draft written",
                    Some(n) if n.starts_with("timeline-") => "timeline exported",
                    Some(n) if n.starts_with("logs-") => "logs saved",
                    _ => "saved",
                };
                match result {
                    Ok(()) => {
                        tracing::info!(path = %path.display(), "{what}");
                        self.say(Severity::Info, format!("{what} to {}", path.display()));
                    }
                    Err(e) => {
                        tracing::error!(path = %path.display(), error = %e, "writing failed");
                        self.say(
                            Severity::Crit,
                            format!("writing {} failed: {e}", path.display()),
                        );
                    }
                }
                Vec::new()
            }
            Event::Prechecked {
                id,
                permission,
                dry_run,
                room,
            } => self.on_prechecked(id, permission, dry_run, room),
            Event::RoomLocked { id, answer } => self.on_room_locked(id, answer),
            Event::Recording(result) => {
                self.on_recording(result);
                Vec::new()
            }
            Event::ActionDone { id, plan, outcome } => {
                let mut effects = self.on_action_done(id, *plan, outcome);
                effects.extend(self.leave_if_done());
                effects
            }
            Event::Signal(name) => self.leave(name),
        }
    }

    /// Keymap contexts consulted for the next key, most specific first.
    pub fn contexts(&self) -> Vec<&'static str> {
        match &self.overlay {
            Overlay::Input(_) => vec!["input"],
            Overlay::Help { .. } | Overlay::Who => vec!["help", "global"],
            Overlay::Action(d) if d.running() => vec!["action_running"],
            Overlay::Action(d) if d.finished() => vec!["action_done"],
            Overlay::Action(d) if d.wants_typing() => vec!["confirm_typed"],
            Overlay::Action(_) => vec!["confirm"],
            // After the tab's own layer, so a tab keeps its keys (] on Queries).
            Overlay::None if self.options.replay => vec![self.tab.context(), "replay", "global"],
            Overlay::None => vec![self.tab.context(), "global"],
        }
    }

    fn on_key(&mut self, key: KeyPress) -> Vec<Effect> {
        self.last_input = self.now;
        let contexts = self.contexts();
        self.pending_keys.push(key);
        match self.keymap.lookup(&contexts, &self.pending_keys) {
            Lookup::Run(cmd) => {
                self.pending_keys.clear();
                self.run(cmd)
            }
            Lookup::Pending => Vec::new(),
            Lookup::Unbound => {
                let had_prefix = self.pending_keys.len() > 1;
                self.pending_keys.clear();
                if had_prefix {
                    // The sequence broke off: the last key may start something new.
                    return self.on_key(key);
                }
                let edited = match &mut self.overlay {
                    Overlay::Input(line) => line.edit(key),
                    Overlay::Action(d) if d.wants_typing() => {
                        type_into(&mut d.typed, key);
                        false
                    }
                    _ => false,
                };
                if edited {
                    self.on_input_changed();
                }
                Vec::new()
            }
        }
    }

    /// Adds an entry the console made itself (not a source's) to the
    /// Timeline, and keeps it for the recording.
    pub fn add_to_timeline(&mut self, entry: TimelineEntry) {
        let mut entry = entry;
        if entry.context.is_none() {
            entry.context = self.model.context.as_deref().map(Into::into);
        }
        self.made.push(entry.clone());
        self.model.timeline.push(entry);
    }

    /// Updates are coming in a batch (the runtime applies up to a
    /// thousand before it draws; a replay's seek sends thousands): what
    /// is derived from the whole model (the Overview, the service scope,
    /// the cursor) is worked out once, at `end_batch`, not after each.
    pub fn begin_batch(&mut self) {
        self.batching = true;
    }

    pub fn end_batch(&mut self) -> Vec<Effect> {
        self.batching = false;
        if !self.unsettled {
            return Vec::new();
        }
        let kube = std::mem::take(&mut self.unsettled_kube);
        self.settle(kube)
    }

    /// What is derived from the model, brought up to date; after
    /// Kubernetes data, the followed logs and an open rollback's plan too.
    fn settle(&mut self, kube: bool) -> Vec<Effect> {
        self.unsettled = false;
        self.model.refresh_signals(self.now);
        self.fold_board_if_shown();
        self.refresh_service();
        // The responder's service may be known only now.
        self.follow_responder();
        let effects = if kube {
            let mut e = self.rescope_logs();
            e.extend(self.replan_if_changed());
            e
        } else {
            Vec::new()
        };
        self.fit_cursor();
        self.settle_unseen();
        effects
    }

    fn on_replay_mark(&mut self, mark: ReplayMark) {
        if self.unsettled && mark.checkpoint.is_some() {
            // A checkpoint keeps the model as the live run had it. (No
            // effect can come of it: a replay follows no logs, plans nothing.)
            let kube = std::mem::take(&mut self.unsettled_kube);
            let _ = self.settle(kube);
        }
        match mark.restart {
            Some(Restart::Start) => self.model = fresh_model(&self.settings),
            Some(Restart::Checkpoint(frame)) => {
                self.model = match self.checkpoints.restore(frame) {
                    Some(model) => model,
                    // The player names only checkpoints it asked to keep.
                    None => {
                        let text = format!("replay: checkpoint {frame} was not kept");
                        self.say(Severity::Warn, text);
                        fresh_model(&self.settings)
                    }
                }
            }
            None => {}
        }
        if mark.restart.is_some() {
            // The views came with the model: scope them as the app is now.
            let scope = self.service.clone();
            for tab in Tab::ALL {
                self.feature_mut(tab).set_service(scope.as_ref());
            }
            self.fit_cursor();
        }
        if let Some(screen) = &mark.screen {
            self.model.screen = Some(screen.clone());
        }
        if mark.restart.is_some() || mark.screen.is_some() {
            self.follow_responder();
        }
        if let Some(frame) = mark.checkpoint {
            self.checkpoints.keep(frame, &self.model);
        }
        if let Some(ended) = &mark.ended
            && self.replay.as_ref().is_none_or(|m| m.ended.is_none())
        {
            self.say(Severity::Info, ended.clone());
        }
        self.now = mark.at;
        self.replay = Some(mark);
    }

    pub fn say(&mut self, severity: Severity, text: impl Into<String>) {
        self.status = Some(Status {
            severity,
            text: text.into(),
        });
    }

    /// Rows of the active list that fit on screen.
    pub fn page_rows(&self) -> usize {
        usize::from(crate::app::layout::list_rows(self.size))
    }

    /// Rows that fit on screen, for tables and for text panes.
    pub fn page(&self) -> Page {
        Page {
            table_rows: self.page_rows(),
            text_rows: usize::from(crate::app::layout::log_rows(self.size)),
        }
    }

    fn fit_cursor(&mut self) {
        let page = self.page();
        for tab in Tab::ALL {
            self.feature_mut(tab).fit(page);
        }
    }

    fn on_input_changed(&mut self) {
        if let Overlay::Input(line) = &self.overlay
            && matches!(line.kind, InputKind::Filter { .. })
        {
            let text = line.value().to_string();
            // A half-typed Logs pattern may not compile yet: the last good
            // one stays, and Enter says why.
            let _ = self.set_filter(&text);
            self.fit_cursor();
        }
    }

    pub fn set_console_level(&mut self, level: tui_logger::LevelFilter) {
        self.model.console.set_level(level);
    }
}

/// The model as a fresh start has it, sized and ordered by the settings.
fn fresh_model(settings: &Settings) -> Model {
    let mut model = Model::default();
    model.logs =
        crate::features::logs::model::Logs::with_capacity(settings.log_buffer_lines as usize);
    model.timeline.newest_first = settings.timeline_newest_first;
    model.lag.settings = settings.kafka.clone();
    model.pods.settings = settings.rollout.clone();
    model.queries.settings = settings.queries.clone();
    model.overview.settings = settings.services.clone();
    model
}

/// Edits a plain text field: printable characters and Backspace.
fn type_into(text: &mut String, key: KeyPress) {
    use crossterm::event::{KeyCode, KeyModifiers};
    match key.code {
        KeyCode::Char(c)
            if !key
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            text.push(c)
        }
        KeyCode::Backspace => {
            text.pop();
        }
        _ => {}
    }
}

/// A session id no other console of this process (tests run several)
/// or of another process is likely to have.
fn new_session() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}-{}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
