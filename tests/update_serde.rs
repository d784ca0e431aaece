//! Every `Update` the console applies survives a serialize / deserialize
//! round trip unchanged: recordings and the war room will carry them.
//! The updates come from one run of the demo (every source kind, every
//! beat of the incident) plus the variants the demo never sends.

use chrono::{TimeZone, Utc};
use opsdeck::core::sanitize::sanitize;
use opsdeck::core::source::SourceId;
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::features::logs::model::{LogLine, LogsUpdate};
use opsdeck::features::pods::model::KubeUpdate;
use opsdeck::update::Update;
use std::collections::BTreeSet;
use std::time::Duration;

/// The variant's name; a new variant fails to compile here until it is
/// named, and then fails the coverage assert until an update of it is in
/// the sample.
fn variant(u: &Update) -> &'static str {
    match u {
        Update::Health(_) => "Health",
        Update::Timeline(_) => "Timeline",
        Update::Alerts(_) => "Alerts",
        Update::Kube(_) => "Kube",
        Update::Logs(_) => "Logs",
        Update::Contexts(_) => "Contexts",
        Update::Prometheus(_) => "Prometheus",
        Update::Breakers(_) => "Breakers",
        Update::Lag(_) => "Lag",
        Update::Queries(_) => "Queries",
        Update::Scope { .. } => "Scope",
        Update::Replay(_) => "Replay",
        Update::Room(_) => "Room",
    }
}

const ALL_VARIANTS: [&str; 13] = [
    "Health",
    "Timeline",
    "Alerts",
    "Kube",
    "Logs",
    "Contexts",
    "Prometheus",
    "Breakers",
    "Lag",
    "Queries",
    "Scope",
    "Replay",
    "Room",
];

/// Twenty simulated minutes of the demo, in one-second steps.
fn demo_updates() -> Vec<Update> {
    let start = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
    let mut engine = DemoEngine::new(
        DemoOptions {
            seed: 7,
            speed: 10.0,
            looping: false,
            log_rate: 5,
        },
        start,
    );
    (1..=120)
        .flat_map(|s| engine.advance(Duration::from_secs(s)))
        .collect()
}

/// What the demo never sends: kubeconfig contexts, watch deltas, a
/// metrics API that refused, a stream behind real time, a hostile line.
fn extra_updates() -> Vec<Update> {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 10, 30, 0).unwrap();
    vec![
        Update::Contexts(opsdeck::core::clean::Clean::new(vec![
            "prod-eu".into(),
            "staging-eu".into(),
        ])),
        Update::from(KubeUpdate::PodsChanged {
            upserted: Vec::new(),
            deleted: vec![("shop".into(), "api-7d9-x".into())],
        }),
        Update::from(KubeUpdate::DeploymentsChanged {
            upserted: Vec::new(),
            deleted: vec![("shop".into(), "api".into())],
        }),
        Update::from(KubeUpdate::Metrics(Err("metrics.k8s.io: 404".into()))),
        Update::from(LogsUpdate::Behind {
            pod: "api-7d9-x".into(),
            secs: 42,
        }),
        Update::from(LogsUpdate::Lines(vec![LogLine {
            pod: "api-7d9-x".into(),
            container: "api".into(),
            time: Some(at),
            level: opsdeck::features::logs::line::Level::Error,
            message: sanitize(b"\x1b[31mboom\x1b[0m \xe2\x80\xae tail"),
            fields: "k=v".into(),
            correlation: Some("req-1".into()),
            extra: vec![sanitize(b"\tat x.y(Z.java:1)")],
            continuation: false,
            note: false,
        }])),
        Update::from(opsdeck::core::source::HealthReport {
            source: SourceId::Postgres,
            at,
            error: Some("connection refused".into()),
            interval: Duration::from_millis(2500),
        }),
        Update::Replay(opsdeck::core::replay::ReplayMark {
            at,
            speed: 0.25,
            paused: true,
            restart: Some(opsdeck::core::replay::Restart::Checkpoint(3)),
            checkpoint: Some(4),
            screen: Some(opsdeck::core::replay::Screen {
                tab: "heatmap".into(),
                service: Some("payment-service".into()),
            }),
            ended: Some("recording ends at 10:31:07 (file truncated)".into()),
        }),
        room(opsdeck::core::room::RoomUpdate::Message {
            at,
            message: Box::new(opsdeck::core::room::RoomMessage::Action {
                from: opsdeck::core::room::Peer::new("alice", "bastion-2", "41-1"),
                summary: "restart deploy/payment-service".into(),
                context: Some("prod-eu".into()),
                confirmation: "typed \"payments/payment-service\"".into(),
                ok: false,
                outcome: "failed: forbidden".into(),
            }),
        }),
        room(opsdeck::core::room::RoomUpdate::Link(
            opsdeck::core::room::RoomLink::Down("connect: refused".into()),
        )),
    ]
}

fn room(u: opsdeck::core::room::RoomUpdate) -> Update {
    Update::Room(opsdeck::core::clean::Clean::new(u))
}

fn cbor(u: &Update) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(u, &mut bytes).expect("every update serializes");
    bytes
}

#[test]
fn every_update_variant_round_trips() {
    let updates: Vec<Update> = demo_updates().into_iter().chain(extra_updates()).collect();
    let seen: BTreeSet<&str> = updates.iter().map(variant).collect();
    for v in ALL_VARIANTS {
        assert!(seen.contains(v), "no {v} update in the sample");
    }
    for u in &updates {
        let bytes = cbor(u);
        let back: Update = ciborium::from_reader(bytes.as_slice())
            .unwrap_or_else(|e| panic!("{} did not decode: {e}", variant(u)));
        // Debug, not ==: NaN (a missing Prometheus sample) is not equal to
        // itself, but prints the same.
        assert_eq!(format!("{back:?}"), format!("{u:?}"), "{}", variant(u));
        assert_eq!(cbor(&back), bytes, "{} re-encodes differently", variant(u));
    }
}

#[test]
fn a_log_line_keeps_its_colours_and_marks_through_the_round_trip() {
    let Update::Logs(sample) = &extra_updates()[5] else {
        panic!("the sample changed")
    };
    let LogsUpdate::Lines(lines) = &**sample else {
        panic!("the sample changed")
    };
    let u = Update::from(LogsUpdate::Lines(lines.clone()));
    let back: Update = ciborium::from_reader(cbor(&u).as_slice()).unwrap();
    let Update::Logs(back) = back else {
        panic!("not a log update")
    };
    let LogsUpdate::Lines(back) = back.into_inner() else {
        panic!("not log lines")
    };
    assert!(!back[0].message.runs().is_empty(), "the red run was lost");
    assert!(
        back[0]
            .message
            .as_str()
            .contains(opsdeck::core::sanitize::BIDI_MARK)
    );
}
