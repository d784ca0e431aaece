//! The Lag tab on scripted polls: growing, stalled and draining groups,
//! threshold timing on the Timeline, the partition view with "none"
//! offsets, the reset plan and its Empty precondition, hostile names,
//! and the demo's lagging group.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Overlay};
use opsdeck::features::lag::model::LagUpdate;
use opsdeck::features::lag::stats::dlq::topic_size;
use opsdeck::features::lag::stats::{
    GroupDescription, GroupSnapshot, GroupState, Member, PartitionOffsets, TopicPartition,
};
use opsdeck::update::Update;
use support::*;

fn part(topic: &str, p: i32, committed: Option<i64>, high: i64) -> PartitionOffsets {
    PartitionOffsets {
        tp: TopicPartition::new(topic, p),
        committed,
        low: 0,
        high,
        owner: Some(format!("consumer-{p}")),
    }
}

fn group(
    name: &str,
    secs: i64,
    state: GroupState,
    members: u32,
    parts: Vec<PartitionOffsets>,
) -> GroupSnapshot {
    GroupSnapshot {
        group: name.into(),
        at: t0() + chrono::Duration::seconds(secs),
        description: Some(GroupDescription {
            id: name.into(),
            state,
            protocol_type: "consumer".into(),
            protocol: "range".into(),
            members: (0..members)
                .map(|i| Member {
                    member_id: format!("consumer-{i}"),
                    client_id: format!("order-consumer-{i}"),
                    host: format!("/10.1.0.{i}"),
                    assignment: None,
                })
                .collect(),
        }),
        partitions: parts,
        missing_topics: Vec::new(),
    }
}

/// Poll `i` (every 5 s): orders grows, billing drains, audit is stalled with
/// one partition never committed.
fn poll(i: i64) -> Update {
    let secs = i * 5;
    let produced = 10_000 + i * 500;
    let orders = group(
        "orders-svc",
        secs,
        GroupState::Stable,
        2,
        vec![
            part("orders", 0, Some(produced - 600 - i * 200), produced),
            part("orders", 1, Some(produced - 700 - i * 200), produced),
        ],
    );
    let billing = group(
        "billing",
        secs,
        GroupState::Stable,
        3,
        vec![part(
            "invoices",
            0,
            Some(5_000 + i * 300 - (3_000 - i * 100).max(0)),
            5_000 + i * 200,
        )],
    );
    let audit = group(
        "audit-etl",
        secs,
        GroupState::Empty,
        0,
        vec![
            part("orders", 0, Some(9_000), produced),
            part("orders", 1, None, produced),
        ],
    );
    Update::from(LagUpdate {
        cluster: "prod".into(),
        at: t0() + chrono::Duration::seconds(secs),
        groups: vec![orders, billing, audit],
        dlq: vec![topic_size(
            "orders-dlq",
            t0() + chrono::Duration::seconds(secs),
            &[(0, 40 + i * 5)],
        )],
        note: None,
        failures: Vec::new(),
    })
}

fn lagging(size: (u16, u16), polls: i64) -> App {
    let mut a = app(size);
    for i in 0..polls {
        a.update(Event::Update(poll(i)));
    }
    a.update(Event::Tick(t0() + chrono::Duration::seconds(polls * 5)));
    a.tab = Tab::Lag;
    a
}

#[test]
fn groups_table_80x24() {
    let a = lagging((80, 24), 8);
    assert_snapshot!(render(&a).backend());
}

#[test]
fn groups_table_160x48() {
    let a = lagging((160, 48), 8);
    let s = screen(&a);
    assert!(s.contains("growing"), "{s}");
    assert!(s.contains("stalled"), "{s}");
    assert!(s.contains("orders-dlq"), "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn lag_above_the_threshold_for_five_minutes_is_crit_once() {
    let a = lagging((160, 48), 70);
    let texts: Vec<_> = a
        .model
        .timeline
        .entries()
        .iter()
        .map(|e| (e.severity, e.text.to_string()))
        .collect();
    let orders: Vec<_> = texts
        .iter()
        .filter(|(_, t)| t.starts_with("group orders-svc"))
        .collect();
    assert_eq!(orders.len(), 1, "{texts:?}");
    assert_eq!(orders[0].0, opsdeck::core::source::Severity::Crit);
    assert!(
        orders[0].1.contains("lag above 1000 since 10:00:00 UTC"),
        "{:?}",
        orders[0]
    );
}

#[test]
fn partitions_show_none_for_never_committed_with_its_lag_from_log_start() {
    let mut a = lagging((120, 40), 8);
    keys(&mut a, &["/"]);
    typed(&mut a, "audit");
    keys(&mut a, &["<Enter>", "<Enter>"]);
    let s = screen(&a);
    assert!(s.contains("none"), "{s}");
    assert!(s.contains("(from log start)"), "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn a_reset_lists_every_partition_and_wants_the_typed_name() {
    let mut a = lagging((120, 40), 8);
    keys(&mut a, &["/"]);
    typed(&mut a, "audit");
    keys(&mut a, &["<Enter>", "r", "<Enter>"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(d.wants_typing());
    assert_eq!(
        d.plan.effect,
        "reset audit-etl on orders to earliest: 2 partition(s), skips 0, replays 9000 messages\n  p0: 9000 → 0 (replays 9000)\n  p1: none → 0 (no change)"
    );
    assert!(
        d.plan
            .cli
            .contains("--reset-offsets --to-earliest --execute"),
        "{}",
        d.plan.cli
    );
    assert!(
        d.plan.undo_text.contains("1 partition(s) had none"),
        "{}",
        d.plan.undo_text
    );
    assert_snapshot!(render(&a).backend());
}

#[test]
fn a_reset_of_a_group_with_members_is_refused_by_its_precondition() {
    let mut a = lagging((120, 40), 8);
    keys(&mut a, &["/"]);
    typed(&mut a, "orders-svc");
    keys(&mut a, &["<Enter>", ":"]);
    typed(&mut a, "reset shift 500");
    let effects = keys(&mut a, &["<Enter>"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        matches!(&d.stage, opsdeck::app::dialog::Stage::Refused { reason } if reason.contains("Stable with 2 members: stop its consumers first")),
        "{:?}",
        d.stage
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, opsdeck::app::Effect::Precheck { .. }))
    );
}

#[test]
fn offsets_that_go_backwards_are_a_reset_not_a_negative_rate() {
    let mut a = lagging((160, 48), 4);
    let Update::Lag(u) = poll(4) else {
        panic!("poll makes a Lag update")
    };
    let mut back = u.into_inner();
    for p in &mut back.groups[0].partitions {
        p.committed = Some(0);
    }
    a.update(Event::Update(Update::from(back)));
    let s = screen(&a);
    let row = s.lines().find(|l| l.contains("orders-svc")).unwrap();
    assert!(row.contains("reset"), "{row}");
    // CONSUME/s and DRAIN both say "reset", and no figure is negative.
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert!(cells.windows(2).any(|w| w == ["reset", "reset"]), "{row}");
    let negative = |c: &&str| {
        c.strip_prefix('-')
            .is_some_and(|rest| rest.starts_with(|d: char| d.is_ascii_digit()))
    };
    assert!(!cells.iter().any(negative), "{row}");
}

#[test]
fn hostile_group_names_are_shown_safely() {
    let mut a = app((120, 30));
    let mut g = group(
        "evil\x1b[2J\x1b]52;c;ZXZpbA==\x07",
        0,
        GroupState::Stable,
        1,
        vec![part("t\x1b[31m", 0, Some(1), 5)],
    );
    g.missing_topics = vec!["gone\x1b[5m".into()];
    a.update(Event::Update(Update::from(LagUpdate {
        cluster: "c".into(),
        at: t0(),
        groups: vec![g],
        dlq: vec![],
        note: Some("note\x1b[1m".into()),
        failures: vec![],
    })));
    a.tab = Tab::Lag;
    keys(&mut a, &["<Enter>"]);
    let s = screen(&a);
    // The clipboard payload leaves a mark; CSI sequences go without one.
    support::hostile::assert_sanitized(
        &s,
        &["52;c;", "ZXZpbA==", "[2J", "[31m", "[5m", "[1m"],
        &["│evil\u{241B} ", "topic gone: gone ─", "│t ", " · note "],
    );
}

#[test]
fn the_demo_group_lags_while_payment_is_down() {
    let mut a = app((160, 48));
    play_demo(&mut a, 200);
    a.tab = Tab::Lag;
    let s = screen(&a);
    let row = s
        .lines()
        .find(|l| l.contains("order-processing-group"))
        .unwrap();
    let lag: i64 = row
        .split_whitespace()
        .nth(3)
        .unwrap()
        .trim_end_matches('*')
        .parse()
        .unwrap();
    assert!(lag > 1000, "{row}");
    assert!(s.contains("order-events-dlq"), "{s}");
}

#[test]
fn when_polls_stop_the_last_data_stays_with_its_age() {
    let mut a = lagging((120, 30), 8);
    a.update(Event::Tick(t0() + chrono::Duration::seconds(40 + 90)));
    let s = screen(&a);
    assert!(s.contains("data 95s old"), "last poll at 35 s: {s}");
    assert!(s.contains("orders-svc"), "the last data is kept:\n{s}");
}

/// #20 item 2: the undo of a reset is planned from the latest poll, so it
/// shows what it really skips now; a reset to a time promises no undo.
#[test]
fn undo_of_a_reset_is_planned_from_the_offsets_committed_since() {
    let mut a = lagging((120, 40), 8);
    keys(&mut a, &["/"]);
    typed(&mut a, "audit");
    keys(&mut a, &["<Enter>", "r", "<Enter>"]);
    typed(&mut a, "audit-etl");
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    assert!(effects.is_empty(), "pre-check pending: {effects:?}");
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog")
    };
    let (id, plan) = (d.id, d.plan.clone());
    a.update(Event::Prechecked {
        id,
        permission: opsdeck::core::executor::Check::Passed("ok".into()),
        dry_run: opsdeck::core::executor::Check::Passed("ok".into()),
        room: None,
    });
    let effects = keys(&mut a, &["<Enter>"]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, opsdeck::app::Effect::Execute { .. })),
        "{effects:?}"
    );
    a.update(Event::ActionDone {
        id,
        plan: Box::new(plan),
        outcome: opsdeck::core::executor::Outcome::Ok("committed".into()),
    });
    keys(&mut a, &["<Esc>"]);
    // Since the reset the group consumed p0 up to 2,000.
    let later = group(
        "audit-etl",
        45,
        GroupState::Empty,
        0,
        vec![
            part("orders", 0, Some(2_000), 14_500),
            part("orders", 1, Some(0), 14_500),
        ],
    );
    a.update(Event::Update(Update::from(LagUpdate {
        cluster: "prod".into(),
        at: t0() + chrono::Duration::seconds(45),
        groups: vec![later],
        dlq: Vec::new(),
        note: None,
        failures: Vec::new(),
    })));
    a.tab = Tab::Timeline;
    keys(&mut a, &["g"]);
    while a.model.timeline.selected().and_then(|e| e.action) != Some(id) {
        keys(&mut a, &["j"]);
    }
    keys(&mut a, &["u"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no undo dialog: {:?}", a.status)
    };
    assert!(
        d.plan.effect.contains("p0: 2000 → 9000 (skips 7000)"),
        "{}",
        d.plan.effect
    );
    keys(&mut a, &["<Esc>"]);

    a.tab = Tab::Lag; // still filtered to audit-etl
    keys(&mut a, &[":"]);
    typed(&mut a, "reset 2026-11-21T09:00:00Z");
    keys(&mut a, &["<Enter>"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(d.plan.undo.is_none());
    assert!(
        d.plan.undo_text.starts_with("cannot be undone"),
        "{}",
        d.plan.undo_text
    );
}
