//! Breakers from Prometheus' `resilience4j_circuitbreaker_*` series: one
//! row per application, instance and breaker name. Prometheus has no
//! thresholds or window sizes beyond what Micrometer exports.

use crate::features::breakers::data::BreakerState;
use crate::features::breakers::exposition::{BreakerFigures, Sample, resilience4j_breakers};
use crate::features::breakers::model::{Figures, Observation, RowKey};
use crate::shared::prometheus::reply::Series;
use std::collections::BTreeMap;

/// Every resilience4j circuit-breaker series, in one instant query.
pub const QUERY: &str = r#"{__name__=~"resilience4j_circuitbreaker_.+"}"#;

/// Turns the query's series into observations, one per instance and breaker.
pub fn observations(series: &[Series]) -> Vec<Observation> {
    let mut by_instance: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for s in series {
        let (Some(name), Some((_, value))) = (s.label("__name__"), s.points.last()) else {
            continue;
        };
        let instance = s.label("instance").unwrap_or("?").to_string();
        let mut labels = s.labels.clone();
        labels.remove("__name__");
        by_instance.entry(instance).or_default().push(Sample {
            name: name.to_string(),
            labels,
            value: *value,
            timestamp_ms: None,
        });
    }
    let mut out = Vec::new();
    for (instance, samples) in by_instance {
        for (key, f) in resilience4j_breakers(&samples) {
            let service = key.application.clone().unwrap_or_else(|| "?".into());
            out.push(Observation {
                key: RowKey {
                    service,
                    instance: instance.clone(),
                    breaker: key.name.clone(),
                },
                target: instance.clone(),
                endpoint: None,
                figures: figures(&f),
            });
        }
    }
    out
}

fn figures(f: &BreakerFigures) -> Figures {
    let count = |m: &BTreeMap<String, f64>| (!m.is_empty()).then(|| m.values().sum::<f64>() as u64);
    Figures {
        state: f
            .state
            .clone()
            .unwrap_or_else(|| BreakerState::Unknown("?".into())),
        failure_rate: f.failure_rate,
        failure_threshold: None,
        slow_rate: f.slow_call_rate,
        slow_threshold: None,
        buffered: count(&f.buffered_calls),
        failed: f.buffered_calls.get("failed").map(|v| *v as u64),
        slow: count(&f.slow_calls),
        not_permitted: f.not_permitted_calls.map(|v| v as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::breakers::data::Rate;

    /// The Spring exposition fixture as Prometheus would answer the query:
    /// each sample a series with `__name__` and the scrape's `instance`.
    fn series_from_fixture(instance: &str) -> Vec<Series> {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/prometheus/exposition-spring-resilience4j.txt"
        ));
        let exposition = crate::features::breakers::exposition::parse(text).unwrap();
        exposition
            .samples
            .into_iter()
            .map(|s| {
                let mut labels = s.labels.clone();
                labels.insert("__name__".into(), s.name.clone());
                labels.insert("instance".into(), instance.into());
                Series {
                    labels,
                    points: vec![(1.0, s.value)],
                    unparseable: 0,
                    histogram_samples: 0,
                }
            })
            .collect()
    }

    #[test]
    fn series_become_one_row_per_instance_and_breaker() {
        let mut series = series_from_fixture("10.0.0.1:8080");
        series.extend(series_from_fixture("10.0.0.2:8080"));
        let obs = observations(&series);
        let payment: Vec<_> = obs
            .iter()
            .filter(|o| o.key.breaker == "paymentService")
            .collect();
        assert_eq!(payment.len(), 2);
        let p = payment[0];
        assert_eq!(p.key.instance, "10.0.0.1:8080");
        assert_eq!(p.figures.state, BreakerState::Open);
        assert_eq!(p.figures.failure_rate, Some(Rate::Percent(62.5)));
        assert_eq!(
            p.figures.failure_threshold, None,
            "Prometheus has no thresholds"
        );
        assert!(p.endpoint.is_none(), "no write path through Prometheus");
        assert_eq!(obs.len(), 2);
    }
}
