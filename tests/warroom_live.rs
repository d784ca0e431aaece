//! The war room against the real Redis tests/run-all.sh starts: several
//! consoles (each an `App` with the room's real tasks, its effects carried
//! out as the runtime does) in one room.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::dialog::Stage;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::executor::{Check, Outcome};
use opsdeck::core::room::{LockAnswer, RoomRequest};
use opsdeck::features::pods::model::{Deployment, KubeUpdate};
use opsdeck::transport::UpdateRx;
use opsdeck::update::Update;
use opsdeck::warroom::Room;
use std::net::SocketAddr;
use std::time::Duration;
use support::actions::{command, stage};
use support::forwarder::Forwarder;
use support::live::server_env;
use support::{app, keys, screen};

fn redis_url() -> Option<String> {
    server_env("OPSDECK_TEST_REDIS_URL", "Redis")
}

/// A name no other test (nor an earlier run) uses: rooms and lock keys
/// live in one shared Redis.
fn unique(what: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{what}-{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// One console: an app, the room's tasks, and what reaches the app.
struct Console {
    app: App,
    updates: UpdateRx,
    room: Room,
    /// Effects the room does not take (for the test to look at).
    effects: Vec<Effect>,
}

struct Setup {
    url: String,
    room: String,
    /// The Kubernetes context every console watches: lock keys name it.
    context: String,
}

impl Setup {
    fn new(url: String) -> Setup {
        Setup {
            url,
            room: unique("room"),
            context: unique("ctx"),
        }
    }

    async fn console(&self, user: &str, host: &str) -> Console {
        self.console_with(user, host, |_| {}).await
    }

    async fn console_with(
        &self,
        user: &str,
        host: &str,
        tweak: impl FnOnce(&mut opsdeck::config::settings::Settings),
    ) -> Console {
        let mut c = self.unjoined(user, host, &self.url, tweak);
        c.join(&self.room).await;
        c
    }

    fn unjoined(
        &self,
        user: &str,
        host: &str,
        url: &str,
        tweak: impl FnOnce(&mut opsdeck::config::settings::Settings),
    ) -> Console {
        let mut app = app((120, 30));
        app.options.user = user.into();
        app.options.host = host.into();
        app.settings.warroom.redis_url = Some(url.into());
        app.settings.warroom.timeout_ms = 500;
        app.settings.cooldown_secs = 60;
        tweak(&mut app.settings);
        app.update(Event::Update(Update::Scope {
            context: self.context.as_str().into(),
            namespace: "payments".into(),
        }));
        let deployment = Deployment {
            name: "payment-service".into(),
            namespace: "payments".into(),
            replicas: 3,
            ready: 3,
            ..Default::default()
        };
        app.update(Event::Update(Update::from(KubeUpdate::Deployments(vec![
            deployment,
        ]))));
        let (tx, updates) = opsdeck::transport::channel(1024, 1000);
        let room = opsdeck::warroom::spawn(app.settings.warroom.clone(), app.me(), tx);
        Console {
            app,
            updates,
            room,
            effects: Vec::new(),
        }
    }
}

impl Console {
    async fn join(&mut self, room: &str) {
        let effects = command(&mut self.app, &format!("room {room}"));
        self.carry_out(effects).await;
        let name = room.to_string();
        self.until("joined", |app| {
            app.model
                .room
                .name
                .as_ref()
                .is_some_and(|n| n.as_str() == name)
        })
        .await;
    }

    /// Carries out effects as the runtime does: the room's go to the room
    /// (a lock is asked and its answer given back); the rest are kept.
    async fn carry_out(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for effect in queue {
                match effect {
                    Effect::Room(request) => self.room.request(request),
                    Effect::RoomRelease {
                        keys,
                        holder,
                        cooldown,
                    } => self.room.release(keys, holder, cooldown),
                    Effect::RoomLock {
                        id,
                        keys,
                        holder,
                        ttl,
                    } => {
                        let answer = self.room.take(keys, holder, ttl).await;
                        next.extend(self.app.update(Event::RoomLocked { id, answer }));
                    }
                    Effect::Precheck { id, room, .. } => {
                        let room = match room {
                            Some(keys) => Some(self.room.look(keys).await),
                            None => None,
                        };
                        next.extend(self.app.update(Event::Prechecked {
                            id,
                            permission: Check::Passed("allowed".into()),
                            dry_run: Check::Passed("dry run ok".into()),
                            room,
                        }));
                    }
                    other => self.effects.push(other),
                }
            }
            queue = next;
        }
    }

    /// Applies what the room sent so far.
    async fn pump(&mut self) {
        while let Some(update) = self.updates.try_recv() {
            let effects = self.app.update(Event::Update(update));
            self.carry_out(effects).await;
        }
    }

    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        for _ in 0..400 {
            self.pump().await;
            if done(&self.app) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "{} never saw: {what}\ntimeline: {:#?}\nroom: {:?}",
            self.app.options.user,
            self.texts(),
            self.app.model.room
        );
    }

    async fn run(&mut self, line: &str) {
        let effects = command(&mut self.app, line);
        self.carry_out(effects).await;
    }

    /// Opens `:restart deploy/payment-service` and presses `y`.
    async fn restart(&mut self) {
        self.run("restart deploy/payment-service").await;
        if stage(&self.app) == Stage::Ready {
            let effects = keys(&mut self.app, &["y"]);
            self.carry_out(effects).await;
        }
    }

    /// The plan the last `Execute` carried, and its id.
    fn executed(&mut self) -> Option<(u64, opsdeck::core::action::ActionPlan)> {
        let found = self.effects.iter().rev().find_map(|e| match e {
            Effect::Execute { id, plan, .. } => Some((*id, plan.clone())),
            _ => None,
        });
        self.effects.clear();
        found
    }

    /// Reports the outcome of the executed action, as the runtime would.
    async fn done(&mut self, id: u64, plan: opsdeck::core::action::ActionPlan, outcome: Outcome) {
        let effects = self.app.update(Event::ActionDone {
            id,
            plan: Box::new(plan),
            outcome,
        });
        self.carry_out(effects).await;
        let effects = keys(&mut self.app, &["<Esc>"]);
        self.carry_out(effects).await;
    }

    fn refusal(&self) -> String {
        match &self.app.overlay {
            Overlay::Action(d) => match &d.stage {
                Stage::Refused { reason } => reason.clone(),
                other => format!("not refused: {other:?}"),
            },
            other => format!("no dialog: {other:?}"),
        }
    }

    fn texts(&self) -> Vec<String> {
        self.app
            .model
            .timeline
            .entries()
            .iter()
            .map(|e| format!("{} {}", e.origin, e.text))
            .collect()
    }

    fn has(&self, text: &str) -> bool {
        self.texts().iter().any(|t| t.contains(text))
    }

    fn has_entry(app: &App, text: &str) -> bool {
        app.model
            .timeline
            .entries()
            .iter()
            .any(|e| format!("{} {}", e.origin, e.text).contains(text))
    }
}

#[tokio::test]
async fn a_note_from_one_console_reaches_the_other_attributed() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s.console("bob", "bastion-1").await;
    a.run("note db failover done").await;
    b.until("alice's note", |app| {
        Console::has_entry(app, "note:alice@bastion-2 db failover done")
    })
    .await;
    // The author sees it once, not again from the room.
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.pump().await;
    let mine = a
        .texts()
        .iter()
        .filter(|t| t.contains("db failover done"))
        .count();
    assert_eq!(mine, 1, "{:#?}", a.texts());
    // `n` on the Timeline goes to the room too.
    b.app.tab = opsdeck::app::tab::Tab::Timeline;
    let effects = keys(&mut b.app, &["n"]);
    b.carry_out(effects).await;
    support::typed(&mut b.app, "rolling back");
    let effects = keys(&mut b.app, &["<Enter>"]);
    b.carry_out(effects).await;
    a.until("bob's note", |app| {
        Console::has_entry(app, "note:bob@bastion-1 rolling back")
    })
    .await;
    // A password pasted into a note is cut here and in the room.
    a.run("note psql with password=hunter2 works").await;
    b.until("the redacted note", |app| {
        Console::has_entry(app, "note:alice@bastion-2 psql with password=*** works")
    })
    .await;
    assert!(
        !a.texts().iter().any(|t| t.contains("hunter2")),
        "{:#?}",
        a.texts()
    );
}

#[tokio::test]
async fn presence_lists_everyone_and_joins_and_leaves_reach_the_timeline() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s.console("bob", "bastion-1").await;
    a.until("bob joining", |app| {
        Console::has_entry(app, "bob@bastion-1 joined the room")
    })
    .await;
    b.until("two members", |app| app.model.room.members.len() == 2)
        .await;
    b.run("who").await;
    assert!(matches!(b.app.overlay, Overlay::Who), "{:?}", b.app.overlay);
    let shown = screen(&b.app);
    assert!(shown.contains("alice@bastion-2"), "{shown}");
    assert!(shown.contains("bob@bastion-1"), "{shown}");
    assert!(
        shown.contains(&format!("Room {}: 2 here", s.room)),
        "{shown}"
    );
    assert!(shown.contains(&format!("ROOM {}·2", s.room)), "{shown}");
    b.run("room -").await;
    a.until("bob leaving", |app| {
        Console::has_entry(app, "bob@bastion-1 left the room")
    })
    .await;
    b.until("out of the room", |app| app.model.room.name.is_none())
        .await;
}

#[tokio::test]
async fn a_plan_on_a_target_another_console_holds_is_refused_with_its_name() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s.console("bob", "bastion-1").await;
    a.restart().await;
    let (id, plan) = a.executed().expect("alice's restart runs");
    // Bob plans the same while it runs: the room says who is on it.
    b.run("restart deploy/payment-service").await;
    let reason = b.refusal();
    assert!(
        reason.starts_with("war room: in progress by alice@bastion-2 since "),
        "{reason}"
    );
    assert!(b.executed().is_none());
    // The outcome reaches every console, with who confirmed it.
    a.done(id, plan, Outcome::Ok("restarted".into())).await;
    b.until("alice's action", |app| {
        Console::has_entry(app, "alice@bastion-2 ran ")
            && Console::has_entry(app, "(confirmed with y): ok")
    })
    .await;
}

#[tokio::test]
async fn of_two_consoles_confirming_at_once_only_the_first_to_lock_runs() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s.console("bob", "bastion-1").await;
    // Both plans look and find the target free.
    a.run("restart deploy/payment-service").await;
    b.run("restart deploy/payment-service").await;
    assert_eq!(stage(&a.app), Stage::Ready);
    assert_eq!(stage(&b.app), Stage::Ready);
    // Alice confirms first and takes the lock; Bob's confirm finds it taken.
    let effects = keys(&mut a.app, &["y"]);
    a.carry_out(effects).await;
    assert!(a.executed().is_some(), "{}", a.refusal());
    let effects = keys(&mut b.app, &["y"]);
    b.carry_out(effects).await;
    assert!(b.executed().is_none());
    let reason = b.refusal();
    assert!(
        reason.starts_with("war room: in progress by alice@bastion-2"),
        "{reason}"
    );
}

#[tokio::test]
async fn the_cooldown_is_shared_between_consoles() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s
        .console_with("bob", "bastion-1", |st| st.cooldown_secs = 1)
        .await;
    a.app.settings.cooldown_secs = 2;
    a.restart().await;
    let (id, plan) = a.executed().unwrap();
    a.done(id, plan, Outcome::Ok("restarted".into())).await;
    b.run("restart deploy/payment-service").await;
    let reason = b.refusal();
    assert!(
        reason.starts_with("war room: ran by alice@bastion-2 at ")
            && reason.contains("cooldown: wait"),
        "{reason}"
    );
    keys(&mut b.app, &["<Esc>"]);
    // Alice's cooldown (2 s) over, Bob may.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    b.restart().await;
    assert!(b.executed().is_some(), "{}", b.refusal());
}

#[tokio::test]
async fn a_lock_whose_owner_died_expires() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s
        .console_with("alice", "bastion-2", |st| st.action_timeout_secs = 1)
        .await;
    let mut b = s.console("bob", "bastion-1").await;
    a.restart().await;
    let (_, plan) = a.executed().unwrap();
    let keys_of = plan.lock_keys();
    // Alice's console dies mid-action: nothing gives the lock back.
    drop(a);
    assert!(matches!(
        b.room.look(keys_of.clone()).await,
        LockAnswer::Held(Some(_))
    ));
    // Her timeout (1 s) plus the margin: the lock is gone by itself.
    let mut free = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if b.room.look(keys_of.clone()).await == LockAnswer::Free {
            free = true;
            break;
        }
    }
    assert!(free, "the dead console's lock never expired");
    b.restart().await;
    assert!(b.executed().is_some(), "{}", b.refusal());
}

#[tokio::test]
async fn a_late_joiner_sees_the_rooms_history() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url);
    let mut a = s.console("alice", "bastion-2").await;
    a.run("note first symptom at 10:02").await;
    a.restart().await;
    let (id, plan) = a.executed().unwrap();
    a.done(id, plan, Outcome::Ok("restarted".into())).await;
    a.run("note latency back under SLO").await;
    let mut c = s.console("carol", "bastion-3").await;
    c.until("the room's history", |app| {
        Console::has_entry(app, "note:alice@bastion-2 first symptom at 10:02")
            && Console::has_entry(app, "alice@bastion-2 ran ")
            && Console::has_entry(app, "note:alice@bastion-2 latency back under SLO")
    })
    .await;
    // The export has the whole room.
    let md = c.app.model.timeline.to_markdown(c.app.now);
    assert!(md.contains("latency back under SLO"), "{md}");
}

#[tokio::test]
async fn malformed_and_oversized_messages_are_dropped_and_counted() {
    let Some(url) = redis_url() else { return };
    let s = Setup::new(url.clone());
    let mut b = s.console("bob", "bastion-1").await;
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("opsdeck:room:{}:stream", s.room);
    let xadd = |fields: Vec<(&str, Vec<u8>)>| {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&stream).arg("*");
        for (k, v) in fields {
            cmd.arg(k).arg(v);
        }
        cmd
    };
    let big = format!(
        "{{\"kind\":\"note\",\"from\":{{\"user\":{{\"text\":\"eve\",\"runs\":[]}},\"host\":{{\"text\":\"h\",\"runs\":[]}},\"session\":{{\"text\":\"s\",\"runs\":[]}}}},\"text\":{{\"text\":\"{}\",\"runs\":[]}}}}",
        "x".repeat(9_000)
    );
    let hostile = "{\"kind\":\"note\",\"from\":{\"user\":{\"text\":\"eve\\u001b]0;owned\\u0007\",\"runs\":[]},\"host\":{\"text\":\"h\",\"runs\":[]},\"session\":{\"text\":\"s\",\"runs\":[]}},\"text\":{\"text\":\"\\u001b[2Jclear\",\"runs\":[]}}";
    for fields in [
        vec![("m", b"not json".to_vec())],
        vec![("m", big.into_bytes())],
        vec![("other", b"{}".to_vec())],
        vec![(
            "m",
            br#"{"kind":"execute","from":{"user":{"text":"e","runs":[]},"host":{"text":"h","runs":[]},"session":{"text":"s","runs":[]}}}"#.to_vec(),
        )],
        vec![("m", hostile.as_bytes().to_vec())],
    ] {
        let _: String = xadd(fields).query_async(&mut conn).await.unwrap();
    }
    b.until("four dropped and the hostile note shown safely", |app| {
        app.model.room.dropped == 4 && Console::has_entry(app, "clear")
    })
    .await;
    let note = b.texts().into_iter().find(|t| t.contains("clear")).unwrap();
    assert!(!note.contains('\x1b'), "{note:?}");
    assert!(note.starts_with("note:eve"), "{note:?}");
    // Nothing a message says is run: no action was planned or executed.
    assert!(!matches!(b.app.overlay, Overlay::Action(_)));
    assert!(b.executed().is_none());
}

/// The Redis at `url` through a forwarder that can cut it off, and the
/// URL to reach it that way.
async fn behind_a_forwarder(url: &str) -> (Forwarder, String) {
    let target: SocketAddr = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = Forwarder::start(target).await;
    let via = format!("redis://{}/0", proxy.addr());
    (proxy, via)
}

#[tokio::test]
async fn redis_gone_mid_room_leaves_both_consoles_working_and_they_resync() {
    let Some(url) = redis_url() else { return };
    let (mut proxy, via) = behind_a_forwarder(&url).await;
    let s = Setup::new(via);
    let mut a = s.console("alice", "bastion-2").await;
    let mut b = s.console("bob", "bastion-1").await;
    proxy.shut().await;
    // Local work goes on: a note is on Alice's Timeline at once.
    a.run("note redis for the room is gone").await;
    assert!(a.has("redis for the room is gone"));
    a.until("the room badge down", |app| app.model.room.is_down())
        .await;
    let header = screen(&a.app);
    assert!(
        header.contains(&format!("ROOM {} DOWN", s.room)),
        "{header}"
    );
    // An action runs through the local chain, and says the lock was not taken.
    a.restart().await;
    let (id, plan) = a.executed().expect("the local chain still runs actions");
    let said = match &a.app.overlay {
        Overlay::Action(d) => d
            .decisions
            .iter()
            .map(|d| d.detail.clone())
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    assert!(said.contains("the room lock could not be taken"), "{said}");
    a.done(id, plan, Outcome::Ok("restarted".into())).await;
    b.run("note bob here too").await;
    b.until("bob's badge down", |app| app.model.room.is_down())
        .await;
    // Redis is back: both read what they missed.
    proxy.open().await;
    b.until("alice's note from the outage", |app| {
        Console::has_entry(app, "note:alice@bastion-2 redis for the room is gone")
            && Console::has_entry(app, "alice@bastion-2 ran ")
    })
    .await;
    a.until("bob's note from the outage", |app| {
        Console::has_entry(app, "note:bob@bastion-1 bob here too")
    })
    .await;
    assert!(!a.app.model.room.is_down());
}

#[tokio::test]
async fn require_lock_refuses_an_action_while_the_room_is_down() {
    let Some(url) = redis_url() else { return };
    let (mut proxy, via) = behind_a_forwarder(&url).await;
    let s = Setup::new(via);
    let mut a = s
        .console_with("alice", "bastion-2", |st| st.warroom.require_lock = true)
        .await;
    proxy.shut().await;
    a.restart().await;
    assert!(a.executed().is_none());
    let reason = a.refusal();
    assert!(
        reason.contains("the room lock could not be taken") && reason.contains("require_lock"),
        "{reason}"
    );
}

#[tokio::test]
async fn joining_needs_a_configured_redis_and_a_valid_name() {
    let mut plain = app((120, 30));
    let effects = command(&mut plain, "room inc-2041");
    assert!(effects.is_empty(), "{effects:?}");
    let said = plain.status.as_ref().unwrap().text.clone();
    assert!(said.contains("[warroom] redis_url"), "{said}");
    plain.settings.warroom.redis_url = Some("redis://127.0.0.1:1/0".into());
    let effects = command(&mut plain, "room inc 2041");
    assert!(effects.is_empty(), "{effects:?}");
    let effects = command(&mut plain, "room inc-2041");
    assert!(
        effects.contains(&Effect::Room(RoomRequest::Join("inc-2041".into()))),
        "{effects:?}"
    );
}

#[tokio::test]
async fn check_says_whether_the_rooms_redis_answers() {
    let Some(url) = redis_url() else { return };
    let xdg = tempfile::tempdir().unwrap();
    let config = format!("[warroom]\nredis_url = \"{url}\"\n");
    support::tmux::write_config(xdg.path(), "config.toml", &config);
    let out = support::tmux::opsdeck_check(xdg.path(), None).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(row_of(&text, "connect").starts_with("ok "), "{text}");
    let locks = row_of(&text, "locks (EVAL)");
    assert!(
        locks.starts_with("ok ") && locks.contains("scripts run"),
        "{text}"
    );
    let closed = support::closed_port::ClosedPort::new();
    let config = format!("[warroom]\nredis_url = \"redis://{}/0\"\n", closed.addr());
    support::tmux::write_config(xdg.path(), "config.toml", &config);
    let out = support::tmux::opsdeck_check(xdg.path(), None).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    let connect = row_of(&text, "connect");
    assert!(connect.starts_with("FAIL"), "{text}");
    assert!(connect.contains("refused"), "{text}");
}

/// The row of `check` in `opsdeck check`'s War room section, trimmed.
fn row_of(text: &str, check: &str) -> String {
    text.lines()
        .skip_while(|l| *l != "War room:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .find(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no War room {check} row:\n{text}"))
        .to_string()
}

#[tokio::test]
async fn a_room_over_tls_verifies_the_server_and_carries_notes() {
    let (Ok(url), Ok(ca)) = (
        std::env::var("OPSDECK_TEST_REDIS_TLS_URL"),
        std::env::var("OPSDECK_TEST_REDIS_CA"),
    ) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "OPSDECK_TEST_REDIS_TLS_URL and _CA must be set under CI (run tests/run-all.sh)"
            );
        }
        support::live::skipped(
            "OPSDECK_TEST_REDIS_TLS_URL is unset; tests/run-all.sh starts Redis with TLS",
        );
        return;
    };
    let s = Setup::new(url.clone());
    let with_ca = |st: &mut opsdeck::config::settings::Settings| {
        st.warroom.ca_file = Some(ca.clone().into());
    };
    let mut a = s.console_with("alice", "bastion-2", with_ca).await;
    let mut b = s.console_with("bob", "bastion-1", with_ca).await;
    a.run("note over tls").await;
    b.until("the note over TLS", |app| {
        Console::has_entry(app, "note:alice@bastion-2 over tls")
    })
    .await;
    // Without the CA the server's certificate is not trusted: the room
    // says so, and never counts as joined-and-answering.
    let mut c = s.unjoined("carol", "bastion-3", &url, |_| {});
    let effects = command(&mut c.app, &format!("room {}", s.room));
    c.carry_out(effects).await;
    c.until("the TLS refusal", |app| app.model.room.is_down())
        .await;
    let Some(opsdeck::core::room::RoomLink::Down(why)) = &c.app.model.room.link else {
        unreachable!()
    };
    assert!(why.as_str().to_lowercase().contains("certificate"), "{why}");
}
