use super::*;
use crate::features::breakers::data::Rate;
use chrono::TimeZone;

fn at(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
}

fn figures(state: BreakerState, rate: f64) -> Figures {
    Figures {
        state,
        failure_rate: Some(if rate < 0.0 {
            Rate::NotEnoughCalls
        } else {
            Rate::Percent(rate)
        }),
        failure_threshold: Some(50.0),
        slow_rate: Some(Rate::Percent(0.0)),
        slow_threshold: Some(100.0),
        buffered: Some(10),
        failed: Some(0),
        slow: Some(0),
        not_permitted: Some(0),
    }
}

fn obs(pod: &str, state: BreakerState, rate: f64) -> Observation {
    Observation {
        key: RowKey {
            service: "order-service".into(),
            instance: pod.into(),
            breaker: "paymentService".into(),
        },
        target: pod.into(),
        endpoint: Some(Endpoint::url(&format!("http://{pod}/actuator"))),
        figures: figures(state, rate),
    }
}

fn poll(s: i64, observations: Vec<Observation>, targets: &[&str]) -> BreakersUpdate {
    BreakersUpdate {
        source: BreakerSource::Actuator,
        at: at(s),
        observations,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        failures: Vec::new(),
        keep_unlisted: false,
    }
}

#[test]
fn a_transition_becomes_one_timeline_entry_with_the_rate_that_tripped_it() {
    let mut b = Breakers::default();
    let first = b.apply(crate::core::clean::Clean::new(poll(
        0,
        vec![obs("a", BreakerState::Closed, 10.0)],
        &["a"],
    )));
    assert!(
        first.is_empty(),
        "the first sight of a state is not a transition"
    );
    let entries = b.apply(crate::core::clean::Clean::new(poll(
        5,
        vec![obs("a", BreakerState::Open, 62.5)],
        &["a"],
    )));
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].text,
        "order-service paymentService CLOSED → OPEN, failure rate 62.5% > 50% on 1/1 (a)"
    );
    assert_eq!(entries[0].severity, crate::core::source::Severity::Crit);
    let row = b.rows.values().next().unwrap();
    assert_eq!(row.since, at(5));
    assert!(row.since_known);
    assert_eq!(row.transitions.len(), 1);
    assert!(
        b.apply(crate::core::clean::Clean::new(poll(
            10,
            vec![obs("a", BreakerState::Open, 70.0)],
            &["a"]
        )))
        .is_empty()
    );
}

#[test]
fn pods_that_flip_together_make_one_entry_and_pods_that_differ_are_flagged() {
    let mut b = Breakers::default();
    let closed = |p| obs(p, BreakerState::Closed, 1.0);
    b.apply(crate::core::clean::Clean::new(poll(
        0,
        vec![closed("a"), closed("b"), closed("c")],
        &["a", "b", "c"],
    )));
    let open = |p| obs(p, BreakerState::Open, 80.0);
    let entries = b.apply(crate::core::clean::Clean::new(poll(
        5,
        vec![open("a"), open("b"), closed("c")],
        &["a", "b", "c"],
    )));
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].text.ends_with("on 2/3 (a, b)"),
        "{}",
        entries[0].text
    );
    assert!(b.disagrees("order-service", "paymentService"));
    b.apply(crate::core::clean::Clean::new(poll(
        10,
        vec![open("a"), open("b"), open("c")],
        &["a", "b", "c"],
    )));
    assert!(!b.disagrees("order-service", "paymentService"));
}

#[test]
fn a_pod_that_goes_away_drops_out_and_a_failed_one_keeps_its_last_rows() {
    let mut b = Breakers::default();
    let closed = |p| obs(p, BreakerState::Closed, 1.0);
    b.apply(crate::core::clean::Clean::new(poll(
        0,
        vec![closed("a"), closed("b")],
        &["a", "b"],
    )));
    let mut u = poll(5, vec![closed("a")], &["a", "b"]);
    u.failures.push(("b".into(), "b: 403 Forbidden".into()));
    b.apply(crate::core::clean::Clean::new(u));
    assert_eq!(b.rows.len(), 2);
    let kept = b.rows.values().find(|r| r.key.instance == "b").unwrap();
    assert_eq!(kept.error.as_deref(), Some("b: 403 Forbidden"));
    assert_eq!(
        b.failures.get("b").map(String::as_str),
        Some("b: 403 Forbidden")
    );
    b.apply(crate::core::clean::Clean::new(poll(
        10,
        vec![closed("a")],
        &["a"],
    )));
    assert_eq!(b.rows.len(), 1, "pod b is gone");
    assert!(b.failures.is_empty());
}

#[test]
fn prometheus_rows_are_hidden_where_the_actuator_reports_the_same_breaker() {
    let mut b = Breakers::default();
    let mut from_prom = obs("10.0.0.7:8080", BreakerState::Open, 70.0);
    from_prom.endpoint = None;
    let mut other = from_prom.clone();
    other.key.breaker = "stockService".into();
    b.apply(crate::core::clean::Clean::new(BreakersUpdate {
        source: BreakerSource::Prometheus,
        ..poll(0, vec![from_prom.clone(), other], &["10.0.0.7:8080"])
    }));
    b.apply(crate::core::clean::Clean::new(poll(
        0,
        vec![obs("a", BreakerState::Open, 70.0)],
        &["a"],
    )));
    let mut view = BreakersView::default();
    view.refresh(&b);
    let shown: Vec<_> = view
        .rows
        .iter()
        .map(|r| match r {
            VisibleRow::One(k) => format!("{}/{}", k.instance, k.breaker),
            VisibleRow::Group(g) => g.breaker.clone(),
        })
        .collect();
    assert_eq!(shown, ["10.0.0.7:8080/stockService", "a/paymentService"]);
    // A Prometheus transition of a breaker the actuator covers is not written twice.
    let mut closed = from_prom;
    closed.figures.state = BreakerState::Closed;
    let entries = b.apply(crate::core::clean::Clean::new(BreakersUpdate {
        source: BreakerSource::Prometheus,
        ..poll(5, vec![closed], &["10.0.0.7:8080"])
    }));
    assert!(entries.is_empty(), "{entries:?}");
}

#[test]
fn grouped_view_sums_states_and_keeps_open_breakers_first() {
    let mut b = Breakers::default();
    let mut ship = obs("a", BreakerState::Closed, 1.0);
    ship.key.breaker = "shippingService".into();
    b.apply(crate::core::clean::Clean::new(poll(
        0,
        vec![
            ship,
            obs("a", BreakerState::Open, 90.0),
            obs("b", BreakerState::Closed, -1.0),
        ],
        &["a", "b"],
    )));
    let mut view = BreakersView {
        grouped: true,
        ..Default::default()
    };
    view.refresh(&b);
    let VisibleRow::Group(first) = &view.rows[0] else {
        panic!("grouped rows")
    };
    assert_eq!(first.breaker, "paymentService");
    assert_eq!(first.worst, BreakerState::Open);
    assert_eq!(first.instances, 2);
    assert_eq!(first.states.get("OPEN"), Some(&1));
    assert_eq!(view.rows.len(), 2);
}

#[test]
fn rates_print_with_one_decimal_only_when_needed() {
    assert_eq!(pct(50.0), "50%");
    assert_eq!(pct(62.5), "62.5%");
    assert_eq!(pct(33.333332), "33.3%");
}
