use std::collections::BTreeMap;

use super::*;
use crate::features::breakers::data::{BreakerState, Rate};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/prometheus/exposition-spring-resilience4j.txt"
));

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn only_sample(line: &str) -> Sample {
    let mut exposition = parse(line).unwrap();
    assert!(
        exposition.bad_lines.is_empty(),
        "{:?}",
        exposition.bad_lines
    );
    assert_eq!(exposition.samples.len(), 1);
    exposition.samples.remove(0)
}

fn line_error(line: &str) -> String {
    parse(line).unwrap_err().first_bad_line.reason
}

#[test]
fn fixture_parses_every_sample_with_trailing_commas() {
    let exposition = parse(FIXTURE).unwrap();
    assert!(
        exposition.bad_lines.is_empty(),
        "{:?}",
        exposition.bad_lines
    );
    assert_eq!(exposition.samples.len(), 25);

    let first = &exposition.samples[0];
    assert_eq!(first.name, "resilience4j_circuitbreaker_state");
    assert_eq!(
        first.labels,
        labels(&[("name", "paymentService"), ("state", "closed")])
    );
    assert_eq!(first.value, 0.0);
    assert_eq!(first.timestamp_ms, None);

    let inf_bucket = exposition
        .samples
        .iter()
        .find(|s| s.label("le") == Some("+Inf"))
        .unwrap();
    assert_eq!(inf_bucket.name, "http_server_requests_seconds_bucket");
    assert_eq!(inf_bucket.value, 1204.0);
    assert_eq!(inf_bucket.label("uri"), Some("/api/v1/orders"));
}

#[test]
fn fixture_gives_payment_service_breaker_figures() {
    let exposition = parse(FIXTURE).unwrap();
    let breakers = resilience4j_breakers(&exposition.samples);
    assert_eq!(breakers.len(), 1);
    let key = BreakerKey {
        application: None,
        name: "paymentService".into(),
    };
    let payment = &breakers[&key];
    assert_eq!(payment.state, Some(BreakerState::Open));
    assert_eq!(payment.failure_rate, Some(Rate::Percent(62.5)));
    assert_eq!(payment.slow_call_rate, Some(Rate::Percent(12.5)));
    assert_eq!(payment.calls.get("successful"), Some(&1204.0));
    assert_eq!(payment.calls.get("failed"), Some(&211.0));
    assert_eq!(payment.buffered_calls.get("failed"), Some(&5.0));
    assert_eq!(payment.buffered_calls.get("successful"), Some(&3.0));
    assert_eq!(payment.buffered_total(), 8.0);
    assert!(payment.slow_calls.is_empty());
    assert_eq!(payment.not_permitted_calls, Some(17.0));
}

#[test]
fn escaped_label_values_are_unescaped() {
    let sample =
        only_sample(r#"m{path="C:\\dir",msg="say \"hi\"\nbye",brace="}{,=",} 1.5 1700000000000"#);
    assert_eq!(sample.label("path"), Some(r"C:\dir"));
    assert_eq!(sample.label("msg"), Some("say \"hi\"\nbye"));
    assert_eq!(sample.label("brace"), Some("}{,="));
    assert_eq!(sample.value, 1.5);
    assert_eq!(sample.timestamp_ms, Some(1_700_000_000_000));
}

#[test]
fn special_values_and_spacing() {
    assert_eq!(only_sample("a +Inf").value, f64::INFINITY);
    assert_eq!(only_sample("a -Inf").value, f64::NEG_INFINITY);
    assert!(only_sample("a NaN").value.is_nan());
    assert_eq!(only_sample("a 1e3").value, 1000.0);
    assert_eq!(only_sample("a -2 -5").timestamp_ms, Some(-5));

    let sample = only_sample("  ns:sub_total { a = \"1\" ,\tb=\"\" }\t7  ");
    assert_eq!(sample.name, "ns:sub_total");
    assert_eq!(sample.labels, labels(&[("a", "1"), ("b", "")]));
    assert_eq!(sample.value, 7.0);
    assert!(only_sample("up{} 1").labels.is_empty());
}

#[test]
fn comments_blank_lines_and_crlf_are_skipped() {
    let text = "# HELP a Some help\r\n# TYPE a counter\r\n\r\n   \na_total 3\r\n#comment without space\n# EOF\n";
    let exposition = parse(text).unwrap();
    assert!(exposition.bad_lines.is_empty());
    assert_eq!(exposition.samples.len(), 1);
    assert_eq!(exposition.samples[0].value, 3.0);
}

#[test]
fn empty_text_is_an_empty_exposition() {
    assert_eq!(parse("").unwrap(), Exposition::default());
    assert_eq!(parse("\n# only comments\n").unwrap(), Exposition::default());
}

#[test]
fn malformed_lines_say_why() {
    assert_eq!(
        line_error(r#"m{a="\t"} 1"#),
        r"invalid escape \t in label a"
    );
    assert_eq!(
        line_error(r#"m{a="open} 1"#),
        "unterminated value of label a"
    );
    assert_eq!(line_error(r#"m{a="1",a="2"} 1"#), "label a appears twice");
    assert_eq!(
        line_error(r#"m{a="1" b="2"} 1"#),
        "expected ',' or '}' after label a"
    );
    assert_eq!(line_error(r#"m{,} 1"#), "expected a label name");
    assert_eq!(
        line_error(r#"m{a=1} 1"#),
        "expected '\"' to open the value of label a"
    );
    assert_eq!(line_error("m"), "expected whitespace before the value");
    assert_eq!(line_error("m1.5"), "expected whitespace before the value");
    assert_eq!(
        line_error(r#"m{a="1"}2"#),
        "expected whitespace before the value"
    );
    assert_eq!(line_error("m 1,5"), r#"value "1,5" is not a number"#);
    assert_eq!(
        line_error("m 1 12.5"),
        r#"timestamp "12.5" is not an integer"#
    );
    assert_eq!(line_error("m 1 2 3"), "unexpected text after the timestamp");
    assert_eq!(line_error("9m 1"), "expected a metric name");
}

#[test]
fn one_bad_line_does_not_hide_the_scrape() {
    let exposition = parse("a 1\nb{x=\"\\q\"} 2\nc 3\n").unwrap();
    assert_eq!(exposition.samples.len(), 2);
    assert_eq!(exposition.bad_lines.len(), 1);
    let bad = &exposition.bad_lines[0];
    assert_eq!(bad.line, 2);
    assert_eq!(
        bad.to_string(),
        r#"line 2: invalid escape \q in label x (b{x="\q"} 2)"#
    );
}

#[test]
fn html_page_is_an_error() {
    let page = "<!DOCTYPE html>\n<html><head><title>401 Unauthorized</title></head>\n</html>\n";
    let err = parse(page).unwrap_err();
    assert_eq!(err.bad_lines, 3);
    assert_eq!(err.first_bad_line.line, 1);
    assert_eq!(err.first_bad_line.preview, "<!DOCTYPE html>");
    assert!(
        err.to_string()
            .starts_with("not a Prometheus text exposition (3 unreadable lines); line 1:")
    );
}

#[test]
fn bad_line_preview_is_printable() {
    let err = parse("\u{1b}[31mred\u{7} x").unwrap_err();
    assert!(!err.first_bad_line.preview.chars().any(char::is_control));
}

const TWO_APPS: &str = r#"
resilience4j_circuitbreaker_state{application="order-service",name="inventory",state="closed",} 1.0
resilience4j_circuitbreaker_state{application="order-service",name="inventory",state="open",} 0.0
resilience4j_circuitbreaker_failure_rate{application="order-service",name="inventory",} -1.0
resilience4j_circuitbreaker_slow_call_rate{application="order-service",name="inventory",} NaN
resilience4j_circuitbreaker_state{application="api-gateway",name="inventory",state="open",} 1.0
resilience4j_circuitbreaker_state{application="api-gateway",name="inventory",state="half_open",} 1.0
resilience4j_circuitbreaker_state{service="billing",name="ledger",state="forced_open",} 1.0
resilience4j_circuitbreaker_state{service="billing",name="ledger2",state="sleeping",} 1.0
resilience4j_circuitbreaker_calls_count{service="billing",name="ledger",kind="ignored",} 4
resilience4j_circuitbreaker_slow_calls{service="billing",name="ledger",kind="failed",} 2
resilience4j_circuitbreaker_buffered_calls{application="x",} 9
resilience4j_retry_calls_total{application="order-service",name="inventory",kind="failed"} 5
"#;

fn key(application: &str, name: &str) -> BreakerKey {
    BreakerKey {
        application: Some(application.into()),
        name: name.into(),
    }
}

#[test]
fn breakers_are_keyed_by_application_or_service() {
    let breakers = resilience4j_breakers(&parse(TWO_APPS).unwrap().samples);
    assert_eq!(breakers.len(), 4);

    let order = &breakers[&key("order-service", "inventory")];
    assert_eq!(order.state, Some(BreakerState::Closed));
    assert_eq!(order.failure_rate, Some(Rate::NotEnoughCalls));
    assert_eq!(order.slow_call_rate, None);
    assert!(order.calls.is_empty());

    // Two states at 1 cannot both be true: no state rather than a guess.
    assert_eq!(breakers[&key("api-gateway", "inventory")].state, None);

    let ledger = &breakers[&key("billing", "ledger")];
    assert_eq!(ledger.state, Some(BreakerState::ForcedOpen));
    assert_eq!(ledger.calls.get("ignored"), Some(&4.0));
    assert_eq!(ledger.slow_calls.get("failed"), Some(&2.0));
    assert_eq!(ledger.not_permitted_calls, None);

    assert_eq!(
        breakers[&key("billing", "ledger2")].state,
        Some(BreakerState::Unknown("sleeping".into()))
    );
}
