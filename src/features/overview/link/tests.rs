use super::*;
use crate::core::service::{
    AlertSignal, BreakerSignal, Condition, GroupSignal, PodsSignal, SessionSignal, SloSignal,
};

fn pods(deployment: &str) -> PodsSignal {
    PodsSignal {
        namespace: "production".into(),
        deployment: deployment.into(),
        ..PodsSignal::default()
    }
}

fn demo_signals() -> Signals {
    Signals {
        pods: [
            "api-gateway",
            "order-service",
            "payment-service",
            "order-consumer",
        ]
        .map(pods)
        .to_vec(),
        slo: ["order-service", "payment-service", "checkout"]
            .map(|s| SloSignal {
                service: s.into(),
                ..SloSignal::default()
            })
            .to_vec(),
        breakers: vec![
            BreakerSignal {
                owner: "order-service".into(),
                breaker: "paymentService".into(),
                ..BreakerSignal::default()
            },
            BreakerSignal {
                owner: "order-service".into(),
                breaker: "shippingService".into(),
                ..BreakerSignal::default()
            },
        ],
        groups: vec![
            GroupSignal {
                group: "order-processing-group".into(),
                consumer: Some("order-consumer".into()),
                ..GroupSignal::default()
            },
            GroupSignal {
                group: "analytics-etl".into(),
                ..GroupSignal::default()
            },
            GroupSignal {
                group: "gateway-audit".into(),
                clients: vec!["api-gateway-7f9c-x2x".into()],
                ..GroupSignal::default()
            },
        ],
        sessions: vec![
            SessionSignal {
                target: "orders-db".into(),
                application: "payment-service".into(),
                ..SessionSignal::default()
            },
            SessionSignal {
                target: "orders-db".into(),
                application: "psql".into(),
                ..SessionSignal::default()
            },
        ],
        alerts: vec![AlertSignal {
            service: "payment-service".into(),
            name: "PaymentErrors".into(),
            condition: Condition::Crit,
            since: chrono::Utc::now(),
        }],
        infra: Vec::new(),
    }
}

#[test]
fn defaults_link_every_source_by_the_deployment_name() {
    let m = ServiceMap::derive(&[], &demo_signals());
    let pay = m.find("payment-service").unwrap();
    assert_eq!(pay.links.deployments, ["payment-service"]);
    assert_eq!(pay.links.prometheus, ["payment-service"]);
    assert_eq!(pay.links.protecting, ["paymentService"]);
    assert_eq!(pay.links.pg_application, ["payment-service"]);
    assert!(!pay.configured);
    let consumer = m.find("order-consumer").unwrap();
    assert_eq!(consumer.links.groups, ["order-processing-group"]);
    // No map entry: its members' client ids are api-gateway's pods.
    assert_eq!(
        m.find("api-gateway").unwrap().links.groups,
        ["gateway-audit"]
    );
    // Prometheus alone makes a service too (no Kubernetes needed).
    assert_eq!(m.find("checkout").unwrap().links.prometheus, ["checkout"]);
    assert_eq!(
        m.unlinked,
        ["group analytics-etl", "pg application psql (orders-db)"]
    );
    // No shipping-service exists: the breaker protects nothing known.
    assert_eq!(m.callee_of("shippingService"), None);
}

#[test]
fn the_breaker_heuristic_finds_the_callee_by_its_name() {
    assert_eq!(
        callee_names("paymentService"),
        ["payment-service", "paymentService"]
    );
    assert_eq!(callee_names("payment"), ["payment", "payment-service"]);
    assert_eq!(callee_names("inventory_service")[0], "inventory-service");
}

#[test]
fn config_overrides_each_link() {
    let configs = vec![ServiceConfig {
        name: "payments".into(),
        deployments: Some(vec!["payment-service".into()]),
        prometheus: Some(vec!["payment-service".into()]),
        breakers: Some(vec!["payService".into()]),
        groups: Some(vec!["analytics-etl".into()]),
        pg_application: Some(vec!["psql".into()]),
        ..ServiceConfig::default()
    }];
    let mut signals = demo_signals();
    signals.breakers.push(BreakerSignal {
        owner: "api-gateway".into(),
        breaker: "payService".into(),
        ..BreakerSignal::default()
    });
    let m = ServiceMap::derive(&configs, &signals);
    let p = m.find("payments").unwrap();
    assert!(p.configured);
    assert_eq!(p.links.deployments, ["payment-service"]);
    assert_eq!(p.links.prometheus, ["payment-service"]);
    assert_eq!(p.links.groups, ["analytics-etl"]);
    assert_eq!(p.links.pg_application, ["psql"]);
    // The explicit list replaces the guess from `paymentService`.
    assert_eq!(p.links.protecting, ["payService"]);
    assert!(m.find("payment-service").is_none(), "{:?}", m.services);
    // Its sessions under the old name link to nothing now.
    assert!(
        m.unlinked
            .contains(&"pg application payment-service (orders-db)".to_string()),
        "{:?}",
        m.unlinked
    );
}

#[test]
fn a_selector_claims_deployments_by_their_labels() {
    let configs = vec![ServiceConfig {
        name: "shop".into(),
        selector: [("app".to_string(), "shop".to_string())].into(),
        ..ServiceConfig::default()
    }];
    let mut signals = demo_signals();
    let mut web = pods("shop-web");
    web.labels.insert("app".into(), "shop".into());
    signals.pods.push(web);
    let m = ServiceMap::derive(&configs, &signals);
    assert_eq!(m.find("shop").unwrap().links.deployments, ["shop-web"]);
    assert_eq!(m.of_deployment("shop-web"), m.by_name.get("shop").copied());
}

#[test]
fn a_configured_service_that_links_to_nothing_stays_and_says_so() {
    let configs = vec![ServiceConfig {
        name: "ghost".into(),
        ..ServiceConfig::default()
    }];
    let m = ServiceMap::derive(&configs, &demo_signals());
    let g = m.find("ghost").unwrap();
    assert!(g.configured);
    assert_eq!(g.links, ServiceLinks::default());
    assert!(m.describe().contains("ghost"));
    assert!(m.describe().contains("no data (links to nothing)"));
}

#[test]
fn two_services_claiming_one_deployment_the_first_wins() {
    let configs = vec![
        ServiceConfig {
            name: "first".into(),
            deployments: Some(vec!["order-service".into()]),
            ..ServiceConfig::default()
        },
        ServiceConfig {
            name: "second".into(),
            deployments: Some(vec!["order-service".into()]),
            ..ServiceConfig::default()
        },
    ];
    let m = ServiceMap::derive(&configs, &demo_signals());
    assert_eq!(
        m.find("first").unwrap().links.deployments,
        ["order-service"]
    );
    assert!(m.find("second").unwrap().links.deployments.is_empty());
}

#[test]
fn the_scope_names_everything_of_one_service() {
    let m = ServiceMap::derive(&[], &demo_signals());
    let s = m.scope("payment-service").unwrap();
    assert!(s.has_deployment("payment-service"));
    assert!(!s.has_deployment("order-service"));
    assert!(s.has_breaker("order-service", "paymentService"));
    assert!(!s.has_breaker("order-service", "shippingService"));
    assert!(s.has_application("payment-service"));
    assert!(m.scope("nope").is_none());
}
