//! The event loop: terminal input, source updates, the clock and signals in;
//! the app's effects carried out; a frame drawn only when something changed.

mod clock;

use crate::app::schedule::{Frame, RenderSchedule};
use crate::app::{App, Effect, Event};
use crate::config::keys::KeyPress;
use crate::core::source::ScopeChange;
use crate::recording::{Session, tap};
use crate::remediation::run::{self, Services};
use crate::terminal::TerminalGuard;
use chrono::Utc;
use crossterm::event::{
    Event as TermEvent, EventStream, KeyEventKind, MouseButton, MouseEventKind,
};
use futures::StreamExt;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Updates handled before the loop gives the terminal a turn.
const UPDATE_BATCH: usize = 1024;

/// Runs the console until the user quits or a signal arrives.
/// Channels from the UI back to sources (None when no source listens).
#[derive(Debug, Clone, Default)]
pub struct SourceControl {
    pub scope: Option<mpsc::UnboundedSender<ScopeChange>>,
    pub logs: Option<mpsc::UnboundedSender<crate::features::logs::source::FollowLogs>>,
    /// Latest wins: only the newest window and width matter.
    pub prom_view: Option<tokio::sync::watch::Sender<(crate::shared::prometheus::Window, usize)>>,
    /// The statement order the Postgres pollers read in.
    pub queries_order:
        Option<tokio::sync::watch::Sender<crate::features::queries::postgres::StatementsOrder>>,
    /// The replay's player, when showing a recording.
    pub replay: Option<mpsc::UnboundedSender<crate::core::replay::ReplayControl>>,
    /// The war room's tasks, when `[warroom] redis_url` is set.
    pub room: Option<crate::warroom::Room>,
}

pub async fn run(
    mut app: App,
    mut updates: crate::transport::UpdateRx,
    services: Services,
    control: SourceControl,
    mut recording: Session,
) -> color_eyre::Result<()> {
    let (_guard, mut terminal) = TerminalGuard::enter(app.options.mouse)?;
    let size = terminal.size()?;
    app.update(Event::Resize {
        width: size.width,
        height: size.height,
    });
    let mut input = EventStream::new();
    let mut schedule = RenderSchedule::new(app.settings.fps);
    let clock = clock::Clock::start(Duration::from_secs(1))?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Results of work the app asked for (exports, pre-checks, actions).
    let (results_tx, mut results_rx) = mpsc::channel::<Event>(64);
    let started = Instant::now();
    let mut first_table_logged = false;
    let mut ticks: u64 = 0;

    loop {
        let wake = match schedule.poll(Instant::now().into_std()) {
            Frame::Draw => {
                if app.tab == crate::app::tab::Tab::Console {
                    crate::logging::collect();
                }
                terminal.draw(|f| crate::ui::draw(f, &app))?;
                schedule.drawn(Instant::now().into_std());
                let pods = app.model.pods.data.pods.len();
                if !first_table_logged && pods > 0 && app.tab == crate::app::tab::Tab::Pods {
                    // benches/first_table.sh reads this line.
                    tracing::info!(
                        "first pods table: {pods} pods drawn {} ms after start",
                        started.elapsed().as_millis()
                    );
                    first_table_logged = true;
                }
                None
            }
            Frame::At(at) => Some(Instant::from_std(at)),
            Frame::Idle => None,
        };
        let mut effects = Vec::new();
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => {
                    if let Some(ev) = translate(ev) {
                        effects = app.update(ev);
                        schedule.mark_dirty();
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(update) = updates.recv() => {
                app.begin_batch();
                effects.extend(tap::apply(&mut app, update));
                for _ in 0..UPDATE_BATCH {
                    match updates.try_recv() {
                        Some(update) => effects.extend(tap::apply(&mut app, update)),
                        None => break,
                    }
                }
                effects.extend(app.end_batch());
                if app.take_redraw() {
                    schedule.mark_dirty();
                }
            }
            _ = clock.tick() => {
                let now = Utc::now();
                crate::logging::collect();
                ticks += 1;
                if ticks.is_multiple_of(10) {
                    report_log_lag(&app, now);
                }
                // The clock's effects too: the room's heartbeat, and a
                // leave whose wait for running actions has run out.
                effects = app.update(Event::Tick(now));
                schedule.mark_dirty();
            }
            Some(event) = results_rx.recv() => {
                effects = app.update(event);
                schedule.mark_dirty();
            }
            _ = sleep_until(wake) => {}
            _ = sigterm.recv() => {
                tracing::info!("SIGTERM: leaving");
                effects = app.update(Event::Signal("SIGTERM"));
            }
            _ = sighup.recv() => {
                tracing::info!("SIGHUP: terminal gone, leaving");
                effects = app.update(Event::Signal("SIGHUP"));
            }
        }
        tap::record_made(&mut app, recording.recorder.as_ref());
        // Leaving: audit lines (an abandoned action's) are written before
        // the process ends, not left to a task that would die with it.
        let quitting = effects.contains(&Effect::Quit);
        for effect in effects {
            match effect {
                Effect::Quit => {
                    if let Some(room) = &control.room {
                        // Others see this console leave now, not 20 s later.
                        room.bye(Duration::from_secs(2)).await;
                    }
                    return Ok(());
                }
                Effect::Audit {
                    plan,
                    decisions,
                    event,
                    detail,
                } if quitting => {
                    let line = run::audit(&services, &plan, &decisions, event, detail);
                    match tokio::time::timeout(Duration::from_secs(5), line).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::error!("audit line failed: {e}"),
                        Err(_) => tracing::error!("audit line not written in 5s"),
                    }
                }
                Effect::Record(path) => {
                    let result = recording.switch(path, &updates);
                    app.update(Event::Recording(result));
                    schedule.mark_dirty();
                }
                other => carry_out(other, &services, &control, &results_tx),
            }
        }
    }
}

impl SourceControl {
    /// Sends talk-back to its source synchronously, so it arrives in the
    /// order the app asked for it (a detached send per effect could
    /// overtake the one before). Other effects are ignored here.
    pub fn deliver(&self, effect: Effect) {
        match effect {
            Effect::PromView { window, columns } => {
                if let Some(tx) = &self.prom_view {
                    tx.send_replace((window, columns));
                }
            }
            Effect::FollowLogs(request) => {
                if let Some(logs) = &self.logs {
                    let _ = logs.send(request);
                }
            }
            Effect::QueriesOrder(order) => {
                if let Some(tx) = &self.queries_order {
                    tx.send_replace(order);
                }
            }
            Effect::SetScope { context, namespace } => {
                if let Some(scope) = &self.scope {
                    let _ = scope.send(ScopeChange { context, namespace });
                }
            }
            Effect::Replay(control) => {
                if let Some(player) = &self.replay {
                    let _ = player.send(control);
                }
            }
            Effect::Room(request) => {
                if let Some(room) = &self.room {
                    room.request(request);
                }
            }
            _ => {}
        }
    }
}

/// Starts the work an effect asks for; its result comes back as an `Event`.
fn carry_out(
    effect: Effect,
    services: &Services,
    control: &SourceControl,
    results: &mpsc::Sender<Event>,
) {
    let (services, tx) = (services.clone(), results.clone());
    match effect {
        Effect::Quit | Effect::Record(_) => {}
        Effect::PromView { .. }
        | Effect::FollowLogs(_)
        | Effect::QueriesOrder(_)
        | Effect::Replay(_)
        | Effect::Room(_)
        | Effect::SetScope { .. } => control.deliver(effect),
        Effect::RoomLock {
            id,
            keys,
            holder,
            ttl,
        } => {
            let room = control.room.clone();
            tokio::spawn(async move {
                let answer = match room {
                    Some(room) => room.take(keys, holder, ttl).await,
                    None => crate::core::room::LockAnswer::Unavailable("no war room".into()),
                };
                let _ = tx.send(Event::RoomLocked { id, answer }).await;
            });
        }
        Effect::RoomRelease {
            keys,
            holder,
            cooldown,
        } => {
            if let Some(room) = &control.room {
                room.release(keys, holder, cooldown);
            }
        }
        Effect::Clipboard(text) => {
            if let Err(e) = crate::terminal::copy_to_clipboard(&text) {
                tracing::warn!("copy to the clipboard failed: {e}");
            }
        }
        Effect::WriteFile { path, contents } => {
            tokio::spawn(async move {
                let (path, result) = match write_file(path.clone(), contents).await {
                    Ok(written) => (written, Ok(())),
                    Err(e) => (path, Err(e)),
                };
                let _ = tx.send(Event::Written { path, result }).await;
            });
        }
        Effect::Precheck { id, plan, room } => {
            let look = room.zip(control.room.clone());
            tokio::spawn(async move {
                let room = async {
                    match look {
                        Some((keys, room)) => Some(room.look(keys).await),
                        None => None,
                    }
                };
                let ((permission, dry_run), room) =
                    tokio::join!(run::precheck(&services, &plan), room);
                let _ = tx
                    .send(Event::Prechecked {
                        id,
                        permission,
                        dry_run,
                        room,
                    })
                    .await;
            });
        }
        Effect::Execute {
            id,
            plan,
            decisions,
        } => {
            tokio::spawn(async move {
                let outcome = run::execute(&services, &plan, &decisions).await;
                let _ = tx
                    .send(Event::ActionDone {
                        id,
                        plan: Box::new(plan),
                        outcome,
                    })
                    .await;
            });
        }
        Effect::Audit {
            plan,
            decisions,
            event,
            detail,
        } => {
            tokio::spawn(async move {
                if let Err(e) = run::audit(&services, &plan, &decisions, event, detail).await {
                    tracing::error!("audit line failed: {e}");
                }
            });
        }
    }
}

/// How far the newest log line is behind real time (benches/firehose.sh).
fn report_log_lag(app: &App, now: chrono::DateTime<Utc>) {
    let logs = &app.model.logs;
    let newest = (0..logs.visible_len())
        .rev()
        .take(1)
        .filter_map(|r| logs.row(r)?.time())
        .next();
    if let Some(newest) = newest {
        tracing::debug!(
            "logs: {} lines buffered, {} dropped, newest {} ms behind",
            logs.len(),
            logs.dropped,
            (now - newest).num_milliseconds()
        );
    }
}

async fn sleep_until(wake: Option<Instant>) {
    match wake {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Writes a new private file at `path`, or at a numbered name next to it if
/// that is taken (never over a file or through a symlink); returns the name
/// it got. On the blocking pool: a slow disk must not stop the app loop.
async fn write_file(
    path: std::path::PathBuf,
    contents: String,
) -> Result<std::path::PathBuf, String> {
    let work = move || -> std::io::Result<std::path::PathBuf> {
        use std::io::Write;
        if let Some(dir) = path.parent() {
            crate::shared::private_file::create_dirs(dir)?;
        }
        let (mut file, written) = crate::shared::private_file::create_unique(&path)?;
        file.write_all(contents.as_bytes())?;
        Ok(written)
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(written) => written.map_err(|e| e.to_string()),
        Err(e) => Err(format!("the write did not finish: {e}")),
    }
}

/// Terminal events the app cares about.
fn translate(ev: TermEvent) -> Option<Event> {
    match ev {
        TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
            Some(Event::Key(KeyPress::from_event(&k)))
        }
        TermEvent::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Event::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Event::Scroll { down: true }),
            MouseEventKind::ScrollUp => Some(Event::Scroll { down: false }),
            _ => None,
        },
        TermEvent::Resize(width, height) => Some(Event::Resize { width, height }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::prometheus::Window;

    #[test]
    fn talk_back_arrives_in_the_order_the_app_asked() {
        let (scope_tx, mut scopes) = mpsc::unbounded_channel();
        let (view_tx, views) = tokio::sync::watch::channel((Window::default(), 0));
        let control = SourceControl {
            scope: Some(scope_tx),
            prom_view: Some(view_tx),
            ..SourceControl::default()
        };
        for ns in ["payments", "orders", "all"] {
            control.deliver(Effect::SetScope {
                context: None,
                namespace: Some(ns.into()),
            });
        }
        for columns in [120, 80, 150] {
            control.deliver(Effect::PromView {
                window: Window::default(),
                columns,
            });
        }
        let got: Vec<_> = std::iter::from_fn(|| scopes.try_recv().ok())
            .map(|c| c.namespace.unwrap_or_default())
            .collect();
        assert_eq!(got, ["payments", "orders", "all"]);
        // Two quick resizes: the source is left on the last one.
        assert_eq!(views.borrow().1, 150);
    }

    #[tokio::test]
    async fn a_second_export_in_the_same_second_gets_a_new_name() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exports/timeline-20260101T000000Z.md");
        let first = write_file(path.clone(), "one".into()).await.unwrap();
        let second = write_file(path.clone(), "two".into()).await.unwrap();
        assert_eq!(first, path);
        assert_eq!(
            second,
            dir.path().join("exports/timeline-20260101T000000Z-2.md")
        );
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "two");
        for p in [&first, &second] {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    #[tokio::test]
    async fn an_export_never_writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let path = dir.path().join("logs-20260101T000000Z.log");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let written = write_file(path.clone(), "lines".into()).await.unwrap();
        assert_ne!(written, path);
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "lines");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
    }
}
