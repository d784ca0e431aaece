//! The Breakers tab in mixed states: colours, warming up, pods that
//! disagree, failed targets, Prometheus-only rows, grouping, the detail
//! pane and the per-deployment plan; and the demo's breaker story.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Overlay};
use opsdeck::core::action::Endpoint;
use opsdeck::features::breakers::data::{BreakerState, Rate};
use opsdeck::features::breakers::model::{
    BreakerSource, BreakersUpdate, Figures, Observation, RowKey,
};
use opsdeck::update::Update;
use support::*;

fn figures(state: BreakerState, rate: Option<Rate>, not_permitted: u64) -> Figures {
    Figures {
        state,
        failure_rate: rate,
        failure_threshold: Some(50.0),
        slow_rate: Some(Rate::Percent(12.5)),
        slow_threshold: Some(100.0),
        buffered: Some(8),
        failed: Some(5),
        slow: Some(1),
        not_permitted: Some(not_permitted),
    }
}

fn obs(service: &str, pod: &str, breaker: &str, f: Figures) -> Observation {
    Observation {
        key: RowKey {
            service: service.into(),
            instance: pod.into(),
            breaker: breaker.into(),
        },
        target: pod.into(),
        endpoint: Some(Endpoint::PodProxy {
            namespace: "shop".into(),
            pod: pod.into(),
            port: 8080,
            base_path: "/actuator".into(),
        }),
        figures: f,
    }
}

const PODS: [&str; 3] = [
    "order-service-7d9f8c6b5-2xk4p",
    "order-service-7d9f8c6b5-9qwzt",
    "order-service-7d9f8c6b5-h7mnb",
];

fn poll(secs: i64, payment: [BreakerState; 3]) -> Update {
    let at = t0() + chrono::Duration::seconds(secs);
    let mut observations = Vec::new();
    for (pod, state) in PODS.iter().zip(payment) {
        let rate = match state {
            BreakerState::Closed => Rate::Percent(4.0),
            _ => Rate::Percent(62.5),
        };
        observations.push(obs(
            "order-service",
            pod,
            "paymentService",
            figures(state, Some(rate), 17),
        ));
        observations.push(obs(
            "order-service",
            pod,
            "inventoryService",
            figures(BreakerState::Closed, Some(Rate::NotEnoughCalls), 0),
        ));
    }
    observations.push(obs(
        "checkout",
        "checkout-5c4d7-abcde",
        "fraudService",
        figures(BreakerState::ForcedOpen, Some(Rate::Percent(0.0)), 240),
    ));
    observations.push(obs(
        "checkout",
        "checkout-5c4d7-abcde",
        "taxService",
        figures(BreakerState::Disabled, Some(Rate::Percent(33.333332)), 0),
    ));
    Update::from(BreakersUpdate {
        source: BreakerSource::Actuator,
        at,
        observations,
        targets: PODS
            .iter()
            .map(|p| p.to_string())
            .chain(["checkout-5c4d7-abcde".into(), "checkout-5c4d7-zzzzz".into()])
            .collect(),
        failures: vec![(
            "checkout-5c4d7-zzzzz".into(),
            "circuitbreakers endpoint not exposed on checkout-5c4d7-zzzzz: add it to management.endpoints.web.exposure.include".into(),
        )],
        keep_unlisted: false,
    })
}

fn prometheus_only(secs: i64) -> Update {
    let mut o = obs(
        "shipping",
        "10.4.2.17:8080",
        "carrierApi",
        figures(BreakerState::HalfOpen, Some(Rate::Percent(40.0)), 3),
    );
    o.endpoint = None;
    o.figures.failure_threshold = None;
    o.figures.slow_threshold = None;
    Update::from(BreakersUpdate {
        source: BreakerSource::Prometheus,
        at: t0() + chrono::Duration::seconds(secs),
        observations: vec![o],
        targets: vec!["10.4.2.17:8080".into()],
        failures: Vec::new(),
        keep_unlisted: false,
    })
}

fn mixed(size: (u16, u16)) -> App {
    let mut a = app(size);
    a.update(Event::Update(Update::Scope {
        context: "prod-eu".into(),
        namespace: "shop".into(),
    }));
    use BreakerState::*;
    a.update(Event::Update(poll(0, [Closed, Closed, Closed])));
    a.update(Event::Update(prometheus_only(0)));
    a.update(Event::Update(poll(5, [Open, Open, Closed])));
    a.update(Event::Update(poll(35, [Open, HalfOpen, Closed])));
    a.update(Event::Tick(t0() + chrono::Duration::seconds(95)));
    a.tab = Tab::Breakers;
    a
}

#[test]
fn mixed_states_80x24() {
    let a = mixed((80, 24));
    assert_snapshot!(render(&a).backend());
}

#[test]
fn mixed_states_160x48() {
    let a = mixed((160, 48));
    let s = screen(&a);
    assert!(s.contains("warming up"), "{s}");
    assert!(
        !s.contains("-1"),
        "a -1.0% rate must never show as a number:\n{s}"
    );
    assert!(s.contains("≠OPEN") && s.contains("≠HALF_OPEN"), "{s}");
    assert!(
        s.contains("carrierApi"),
        "Prometheus-only rows are listed:\n{s}"
    );
    assert!(s.contains("not exposed on checkout-5c4d7-zzzzz"), "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn states_are_coloured_by_the_theme() {
    let a = mixed((160, 48));
    let term = render(&a);
    let buf = term.backend().buffer();
    let find = |text: &str| {
        let s = screen(&a);
        let row = s.lines().position(|l| l.contains(text)).unwrap();
        let col = s
            .lines()
            .nth(row)
            .unwrap()
            .chars()
            .take_while(|_| true)
            .collect::<String>();
        let x = col.find(text).map(|b| col[..b].chars().count()).unwrap();
        buf[(x as u16, row as u16)].style().fg
    };
    assert_eq!(find("FORCED_OPEN"), a.theme.crit.fg);
    assert_eq!(find("DISABLED"), a.theme.warn.fg);
}

#[test]
fn transitions_write_one_timeline_entry_per_change() {
    let a = mixed((160, 48));
    let texts: Vec<_> = a
        .model
        .timeline
        .entries()
        .iter()
        .map(|e| e.text.to_string())
        .collect();
    assert_eq!(
        texts,
        [
            "order-service paymentService CLOSED → OPEN, failure rate 62.5% > 50% on 2/3 (order-service-7d9f8c6b5-2xk4p, order-service-7d9f8c6b5-9qwzt)",
            "order-service paymentService OPEN → HALF_OPEN on 1/3 (order-service-7d9f8c6b5-9qwzt)",
        ]
    );
}

#[test]
fn grouped_per_service_and_detail() {
    let mut a = mixed((120, 40));
    keys(&mut a, &["v"]);
    let s = screen(&a);
    assert!(s.contains("3 pods"), "{s}");
    keys(&mut a, &["<Enter>"]);
    assert_snapshot!(render(&a).backend());
}

#[test]
fn close_on_every_pod_lists_each_one_in_the_plan() {
    let mut a = mixed((120, 40));
    keys(&mut a, &["/"]);
    typed(&mut a, "payment");
    keys(&mut a, &["<Enter>", "C"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert_eq!(
        d.plan.effect,
        "CLOSE paymentService of order-service on 2 instance(s):\n  order-service-7d9f8c6b5-2xk4p: OPEN → CLOSED\n  order-service-7d9f8c6b5-9qwzt: HALF_OPEN → CLOSED"
    );
    assert_snapshot!(render(&a).backend());
}

#[test]
fn force_open_wants_the_typed_name() {
    let mut a = mixed((120, 40));
    keys(&mut a, &["/"]);
    typed(&mut a, "payment");
    keys(&mut a, &["<Enter>", "F"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(d.wants_typing());
    assert_eq!(d.plan.risk, opsdeck::core::action::Risk::High);
    assert!(
        d.plan.effect.contains("CLOSED → FORCED_OPEN"),
        "{}",
        d.plan.effect
    );
}

#[test]
fn a_prometheus_only_breaker_cannot_be_changed() {
    let mut a = mixed((160, 48));
    keys(&mut a, &["/"]);
    typed(&mut a, "carrier");
    keys(&mut a, &["<Enter>", "c"]);
    assert!(matches!(a.overlay, Overlay::None));
    let status = a.status.clone().unwrap().text;
    assert!(status.contains("only seen through Prometheus"), "{status}");
}

#[test]
fn hostile_names_are_shown_safely() {
    let mut a = app((120, 30));
    let mut o = obs(
        "svc\x1b[2J",
        "pod\x1b]52;c;ZXZpbA==\x07",
        "evil\x1b[31mName",
        figures(BreakerState::Unknown("WEIRD\x1b[5m".into()), None, 0),
    );
    o.target = "pod".into();
    a.update(Event::Update(Update::from(BreakersUpdate {
        source: BreakerSource::Actuator,
        at: t0(),
        observations: vec![o],
        targets: vec!["pod".into()],
        failures: vec![],
        keep_unlisted: false,
    })));
    a.tab = Tab::Breakers;
    let s = screen(&a);
    // The clipboard payload leaves a mark; CSI sequences go without one.
    support::hostile::assert_sanitized(
        &s,
        &["52;c;", "[2J", "[31m", "[5m"],
        &["│svc ", " pod\u{241B} ", " evilName ", " WEIRD "],
    );
}

#[test]
fn the_demo_breaker_opens_while_payment_is_down() {
    let mut a = app((160, 48));
    play_demo(&mut a, 150);
    a.tab = Tab::Breakers;
    let s = screen(&a);
    assert!(s.contains("paymentService") && s.contains("OPEN"), "{s}");
    assert!(
        a.model.timeline.entries().iter().any(|e| e
            .text
            .starts_with("order-service paymentService CLOSED → OPEN, failure rate")),
        "the transition is on the Timeline"
    );
}
