use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/actuator/",
            $name
        ))
        .as_bytes()
    };
}

fn named<'a>(breakers: &'a [BreakerSnapshot], name: &str) -> &'a BreakerSnapshot {
    breakers.iter().find(|b| b.name == name).unwrap()
}

#[test]
fn circuitbreakers_fixture_parses() {
    let breakers = parse_circuit_breakers(fixture!("circuitbreakers.json")).unwrap();
    let names: Vec<&str> = breakers.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        ["inventoryService", "paymentService", "shippingService"]
    );

    let payment = named(&breakers, "paymentService");
    assert_eq!(
        *payment,
        BreakerSnapshot {
            name: "paymentService".into(),
            state: BreakerState::Open,
            failure_rate: Rate::Percent(62.5),
            failure_rate_threshold: 50.0,
            slow_call_rate: Rate::Percent(12.5),
            slow_call_rate_threshold: 100.0,
            buffered_calls: 8,
            failed_calls: 5,
            slow_calls: 1,
            slow_failed_calls: 1,
            not_permitted_calls: 17,
            health_status: None,
        }
    );

    let inventory = named(&breakers, "inventoryService");
    assert_eq!(inventory.failure_rate, Rate::NotEnoughCalls);
    assert_eq!(inventory.slow_call_rate, Rate::NotEnoughCalls);
    assert_eq!(inventory.failure_rate.percent(), None);
    assert_eq!(inventory.buffered_calls, 3);

    let shipping = named(&breakers, "shippingService");
    assert_eq!(shipping.state, BreakerState::HalfOpen);
    assert_eq!(shipping.failure_rate, Rate::Percent(33.333332));
    assert_eq!(shipping.slow_call_rate, Rate::Percent(0.0));
}

#[test]
fn health_fixture_normalises_to_the_same_snapshot() {
    let from_health = parse_health(fixture!("health.json")).unwrap();
    let from_list = parse_circuit_breakers(fixture!("circuitbreakers.json")).unwrap();
    assert_eq!(from_health.len(), 2);

    let payment = named(&from_health, "paymentService");
    assert_eq!(payment.health_status.as_deref(), Some("CIRCUIT_OPEN"));
    let without_status = BreakerSnapshot {
        health_status: None,
        ..payment.clone()
    };
    assert_eq!(&without_status, named(&from_list, "paymentService"));

    let inventory = named(&from_health, "inventoryService");
    assert_eq!(inventory.state, BreakerState::Closed);
    assert_eq!(inventory.failure_rate, Rate::NotEnoughCalls);
    assert_eq!(inventory.health_status.as_deref(), Some("UP"));
}

#[test]
fn health_without_breaker_details_says_why() {
    let err = parse_health(br#"{"status":"UP"}"#).unwrap_err();
    assert_eq!(err, ActuatorError::NoBreakerDetails);
    let body = br#"{"status":"UP","components":{"circuitBreakers":{"status":"UP","details":{"a":{"status":"UP"}}}}}"#;
    assert_eq!(
        parse_health(body).unwrap_err(),
        ActuatorError::NoBreakerDetails
    );
}

#[test]
fn spring_boot_2_0_health_layout_is_read() {
    let body = br#"{"status":"UP","details":{"circuitBreakers":{"status":"UP","details":{
        "a":{"status":"UP","details":{"failureRate":"-1.0%","failureRateThreshold":"50.0%",
        "slowCallRate":"-1.0%","slowCallRateThreshold":"100.0%","bufferedCalls":0,"slowCalls":0,
        "slowFailedCalls":0,"failedCalls":0,"notPermittedCalls":0,"state":"DISABLED"}}}}}}"#;
    let breakers = parse_health(body).unwrap();
    assert_eq!(breakers[0].state, BreakerState::Disabled);
}

fn one_breaker(state: &str, failure_rate: &str) -> Vec<u8> {
    format!(
        r#"{{"circuitBreakers":{{"b":{{"failureRate":"{failure_rate}","slowCallRate":"0.0%",
        "failureRateThreshold":"50.0%","slowCallRateThreshold":"100.0%","bufferedCalls":1,
        "failedCalls":0,"slowCalls":0,"slowFailedCalls":0,"notPermittedCalls":0,"state":"{state}"}}}}}}"#
    )
    .into_bytes()
}

#[test]
fn every_breaker_state_is_read_and_unknown_is_kept() {
    let cases = [
        ("CLOSED", BreakerState::Closed),
        ("OPEN", BreakerState::Open),
        ("HALF_OPEN", BreakerState::HalfOpen),
        ("FORCED_OPEN", BreakerState::ForcedOpen),
        ("DISABLED", BreakerState::Disabled),
        ("METRICS_ONLY", BreakerState::MetricsOnly),
        ("HALF_CLOSED", BreakerState::Unknown("HALF_CLOSED".into())),
    ];
    for (text, state) in cases {
        let breakers = parse_circuit_breakers(&one_breaker(text, "1.0%")).unwrap();
        assert_eq!(breakers[0].state, state, "{text}");
        assert_eq!(breakers[0].state.as_str(), text);
    }
}

#[test]
fn bad_rates_are_errors_not_numbers() {
    for raw in ["abc%", "-5.0%", "150%", ""] {
        let err = parse_circuit_breakers(&one_breaker("CLOSED", raw)).unwrap_err();
        assert_eq!(
            err,
            ActuatorError::BadRate {
                breaker: "b".into(),
                field: "failureRate",
                raw: raw.into()
            }
        );
    }
    let err = parse_circuit_breakers(&one_breaker("CLOSED", "abc%")).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"breaker b: failureRate "abc%" is not a percentage"#
    );
}

#[test]
fn rate_from_percent_models_minus_one() {
    assert_eq!(Rate::from_percent(-1.0), Some(Rate::NotEnoughCalls));
    assert_eq!(Rate::from_percent(0.0), Some(Rate::Percent(0.0)));
    assert_eq!(
        Rate::from_percent(100.0).and_then(Rate::percent),
        Some(100.0)
    );
    assert_eq!(Rate::from_percent(f64::NAN), None);
    assert_eq!(Rate::from_percent(-0.5), None);
}

#[test]
fn missing_field_names_the_breaker() {
    let body = br#"{"circuitBreakers":{"orders":{"state":"OPEN"}}}"#;
    let ActuatorError::UnexpectedShape { reason } = parse_circuit_breakers(body).unwrap_err()
    else {
        panic!("expected UnexpectedShape");
    };
    assert!(
        reason.starts_with("breaker orders: missing field"),
        "{reason}"
    );
}

#[test]
fn names_only_list_is_its_own_error() {
    let body = br#"{"circuitBreakers":["a","b"]}"#;
    assert_eq!(
        parse_circuit_breakers(body).unwrap_err(),
        ActuatorError::NamesOnly {
            names: vec!["a".into(), "b".into()]
        }
    );
}

#[test]
fn empty_breaker_list_is_empty() {
    assert!(
        parse_circuit_breakers(br#"{"circuitBreakers":{}}"#)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn junk_and_html_are_typed_errors() {
    let err =
        parse_circuit_breakers(b"<!DOCTYPE html>\n<html><body>Login</body></html>").unwrap_err();
    let ActuatorError::NotJson { preview, .. } = &err else {
        panic!("expected NotJson, got {err:?}");
    };
    assert_eq!(preview, "<!DOCTYPE html> <html><body>Login</body></html>");
    assert!(err.to_string().contains("body starts: <!DOCTYPE html>"));

    let err = parse_health(b"{\"status\": \"UP\", \"compo").unwrap_err();
    assert!(matches!(err, ActuatorError::NotJson { .. }));

    let err = parse_health(b"[1,2]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected actuator reply: the reply is not a JSON object"
    );

    let err = parse_circuit_breakers(br#"{"breakers":{}}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"unexpected actuator reply: no "circuitBreakers" object"#
    );

    assert!(
        parse_update_state_reply(b"")
            .unwrap_err()
            .to_string()
            .ends_with("empty body")
    );
}

#[test]
fn spring_error_body_is_recognised() {
    let body = br#"{"timestamp":"2026-11-21T10:05:00.000+00:00","status":404,"error":"Not Found","path":"/actuator/circuitbreakers/nope"}"#;
    let err = parse_update_state_reply(body).unwrap_err();
    assert_eq!(
        err,
        ActuatorError::Spring {
            status: 404,
            error: "Not Found".into(),
            message: None,
            path: Some("/actuator/circuitbreakers/nope".into()),
        }
    );
    assert_eq!(err.to_string(), "actuator error 404 Not Found");
}

#[test]
fn update_state_body_matches_fixture() {
    let expected: serde_json::Value =
        serde_json::from_slice(fixture!("update-state-request.json")).unwrap();
    assert_eq!(update_state_body(UpdateState::Close), expected.to_string());
    assert_eq!(
        update_state_body(UpdateState::ForceOpen),
        r#"{"updateState":"FORCE_OPEN"}"#
    );
    assert_eq!(
        update_state_body(UpdateState::Disable),
        r#"{"updateState":"DISABLE"}"#
    );
}

#[test]
fn update_state_path_encodes_the_name() {
    assert_eq!(
        update_state_path("/actuator/", "paymentService"),
        "/actuator/circuitbreakers/paymentService"
    );
    assert_eq!(
        update_state_path("/manage", "a/b?c d.é"),
        "/manage/circuitbreakers/a%2Fb%3Fc%20d.%C3%A9"
    );
    assert_eq!(
        update_state_path("/actuator", ".."),
        "/actuator/circuitbreakers/%2E%2E"
    );
}

#[test]
fn update_state_reply_fixture_confirms_close() {
    let reply = parse_update_state_reply(fixture!("update-state-response.json")).unwrap();
    assert_eq!(reply.breaker, "paymentService");
    assert_eq!(reply.current_state, BreakerState::Closed);
    assert_eq!(
        reply.message,
        "paymentService state has been changed successfully"
    );
    assert!(reply.confirms(UpdateState::Close));
    assert!(!reply.confirms(UpdateState::ForceOpen));
}

#[test]
fn update_state_reply_with_unknown_state_does_not_confirm() {
    let body = br#"{"circuitBreakerName":"x","currentState":"WEIRD","message":""}"#;
    let reply = parse_update_state_reply(body).unwrap();
    assert_eq!(reply.current_state, BreakerState::Unknown("WEIRD".into()));
    assert!(!reply.confirms(UpdateState::Disable));
}
