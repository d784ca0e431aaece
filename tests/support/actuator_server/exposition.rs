//! `GET /actuator/prometheus`: the meters resilience4j's Micrometer binding
//! registers per breaker, in the text format (0.0.4) Micrometer writes:
//! tags sorted by key, a comma after the last label, Java number text.

use std::fmt::Write;

use super::java_text;
use super::machine::{Breaker, State};
use super::meters::Timer;
use super::registry::Registry;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One sample: its label pairs (other than `application` and `name`, which
/// every breaker sample has) and value.
type Sample = (Vec<(&'static str, String)>, f64);

pub fn scrape(registry: &Registry) -> String {
    let mut out = String::new();
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_state",
        "gauge",
        "The states of the circuit breaker",
        &|b| {
            State::ALL
                .iter()
                .map(|&state| {
                    let label = state.name().to_ascii_lowercase();
                    let value = if b.state() == state { 1.0 } else { 0.0 };
                    (vec![("state", label)], value)
                })
                .collect()
        },
    );
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_failure_rate",
        "gauge",
        "The failure rate of the circuit breaker",
        &|b| vec![(vec![], f64::from(b.metrics().failure_rate()))],
    );
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_slow_call_rate",
        "gauge",
        "The slow call of the circuit breaker",
        &|b| vec![(vec![], f64::from(b.metrics().slow_call_rate()))],
    );
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_buffered_calls",
        "gauge",
        "The number of buffered calls stored in the ring buffer",
        &|b| {
            let m = b.metrics();
            by_kind(f64::from(m.failed()), f64::from(m.successful()))
        },
    );
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_slow_calls",
        "gauge",
        "The number of slow successful which were slower than a certain threshold",
        &|b| {
            let m = b.metrics();
            by_kind(f64::from(m.slow_failed()), f64::from(m.slow_successful()))
        },
    );
    family(
        &mut out,
        registry,
        "resilience4j_circuitbreaker_not_permitted_calls_total",
        "counter",
        "Total number of not permitted calls",
        &|b| {
            let count = b.meters().not_permitted as f64;
            vec![(vec![("kind", "not_permitted".to_owned())], count)]
        },
    );
    timers(&mut out, registry);
    uptime(&mut out, registry);
    out
}

fn by_kind(failed: f64, successful: f64) -> Vec<Sample> {
    vec![
        (vec![("kind", "failed".to_owned())], failed),
        (vec![("kind", "successful".to_owned())], successful),
    ]
}

fn family(
    out: &mut String,
    registry: &Registry,
    name: &str,
    kind: &str,
    help: &str,
    samples: &dyn Fn(&Breaker) -> Vec<Sample>,
) {
    header(out, name, kind, help);
    for (breaker_name, breaker) in &registry.breakers {
        for (labels, value) in samples(breaker) {
            line(out, name, registry, breaker_name, &labels, value);
        }
    }
}

/// The calls timer: a summary whose HELP is that of its first meter.
fn timers(out: &mut String, registry: &Registry) {
    let name = "resilience4j_circuitbreaker_calls_seconds";
    header(out, name, "summary", "Total number of successful calls");
    for (breaker_name, breaker) in &registry.breakers {
        let meters = breaker.meters();
        let kinds: [(&str, &Timer); 3] = [
            ("successful", &meters.successful),
            ("failed", &meters.failed),
            ("ignored", &meters.ignored),
        ];
        for (kind, timer) in kinds {
            let labels = [("kind", kind.to_owned())];
            let count = format!("{name}_count");
            let sum = format!("{name}_sum");
            line(
                out,
                &count,
                registry,
                breaker_name,
                &labels,
                timer.count as f64,
            );
            let seconds = timer.total.as_secs_f64();
            line(out, &sum, registry, breaker_name, &labels, seconds);
        }
    }
}

/// A meter outside resilience4j, as every Spring scrape has many.
fn uptime(out: &mut String, registry: &Registry) {
    let name = "process_uptime_seconds";
    header(out, name, "gauge", "The uptime of the Java virtual machine");
    let mut labels = String::new();
    if let Some(application) = &registry.application {
        label(&mut labels, "application", application);
    }
    let value = java_text::double(registry.now.as_secs_f64());
    writeln!(out, "{name}{{{labels}}} {value}").expect("writing to a String");
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    writeln!(out, "# HELP {name} {help}").expect("writing to a String");
    writeln!(out, "# TYPE {name} {kind}").expect("writing to a String");
}

/// `name{application="..",kind="..",name="..",state="..",} value`: tags
/// sorted by key, as Micrometer sorts them.
fn line(
    out: &mut String,
    metric: &str,
    registry: &Registry,
    breaker: &str,
    extra: &[(&'static str, String)],
    value: f64,
) {
    let mut pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.push(("name", breaker));
    if let Some(application) = &registry.application {
        pairs.push(("application", application));
    }
    pairs.sort_unstable();
    let mut labels = String::new();
    for (key, text) in pairs {
        label(&mut labels, key, text);
    }
    writeln!(out, "{metric}{{{labels}}} {}", number(value)).expect("writing to a String");
}

fn label(labels: &mut String, key: &str, value: &str) {
    let escaped = value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n");
    write!(labels, "{key}=\"{escaped}\",").expect("writing to a String");
}

/// The Prometheus client writes infinities as `+Inf`/`-Inf`, else Java's
/// `Double.toString`.
fn number(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        java_text::double(value)
    }
}
