//! Per-revision p95 and error ratio from Prometheus: two instant queries
//! grouped by the service label and the version label
//! (`pod_template_hash`: Prometheus' name for the pods' pod-template-hash
//! label), polled on the Prometheus interval.

use crate::core::outbox::{Outbox, Report};
use crate::features::pods::model::{KubeUpdate, RevisionMetrics};
use crate::features::pods::settings::RolloutSettings;
use crate::shared::prometheus::reply::Series;
use crate::shared::prometheus::{PromClient, PromSettings};
use std::collections::BTreeMap;
use std::time::Duration;

/// How far back the rates look.
const RANGE: &str = "5m";

const BUCKETS: &str =
    r#"{__name__=~"http_server_requests_seconds_bucket|http_request_duration_seconds_bucket"}"#;
const COUNTS: &str =
    r#"{__name__=~"http_server_requests_seconds_count|http_request_duration_seconds_count"}"#;
const ERRORS: &str = r#"{__name__=~"http_server_requests_seconds_count|http_request_duration_seconds_count",status=~"5.."}"#;

/// The default p95 query: `{service}` and `{label}` are filled in.
const P95: &str =
    "histogram_quantile(0.95, sum by (le, {service}, {label}) (rate(BUCKETS[{range}])))";
/// The default error ratio query.
const ERROR_RATIO: &str = "sum by ({service}, {label}) (rate(ERRORS[{range}])) / sum by ({service}, {label}) (rate(COUNTS[{range}]))";

fn fill(template: &str, service: &str, label: &str) -> String {
    template
        .replace("BUCKETS", BUCKETS)
        .replace("ERRORS", ERRORS)
        .replace("COUNTS", COUNTS)
        .replace("{service}", service)
        .replace("{label}", label)
        .replace("{range}", RANGE)
}

/// The two queries, the user's templates first.
pub fn queries(settings: &RolloutSettings, service_label: &str) -> (String, String) {
    let label = &settings.version_label;
    (
        fill(
            settings.p95_query.as_deref().unwrap_or(P95),
            service_label,
            label,
        ),
        fill(
            settings.error_ratio_query.as_deref().unwrap_or(ERROR_RATIO),
            service_label,
            label,
        ),
    )
}

/// One figure per (service, version) from a query's series; `Err` when
/// there are series but none carries the version label.
fn by_revision(
    series: &[Series],
    service_label: &str,
    version_label: &str,
) -> Result<BTreeMap<(String, String), f64>, String> {
    let mut out = BTreeMap::new();
    for s in series {
        let (Some(service), Some(version)) = (s.label(service_label), s.label(version_label))
        else {
            continue;
        };
        if let Some((_, v)) = s.points.last().filter(|(_, v)| v.is_finite()) {
            out.insert((service.to_string(), version.to_string()), *v);
        }
    }
    if out.is_empty() && !series.is_empty() {
        return Err(format!(
            "no per-revision series: add `pod-template-hash` (as `{version_label}`) to the query's `by`"
        ));
    }
    Ok(out)
}

/// Joins the two queries' answers into one row per revision.
pub fn merge(
    p95: &[Series],
    errors: &[Series],
    service_label: &str,
    version_label: &str,
) -> Result<Vec<RevisionMetrics>, String> {
    let p95 = by_revision(p95, service_label, version_label)?;
    let errors = by_revision(errors, service_label, version_label)?;
    let mut keys: Vec<&(String, String)> = p95.keys().chain(errors.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .map(|k| RevisionMetrics {
            service: k.0.clone(),
            version: k.1.clone(),
            p95_secs: p95.get(k).copied(),
            error_ratio: errors.get(k).copied(),
        })
        .collect())
}

/// Polls until `tx` closes.
pub async fn run(prom: PromSettings, settings: RolloutSettings, tx: Outbox<KubeUpdate>) {
    let client = match PromClient::new(&prom) {
        Ok(c) => c,
        Err(e) => {
            let _ = tx
                .send(Report::Data(KubeUpdate::RevisionMetrics(Err(e))))
                .await;
            return;
        }
    };
    let (p95_query, error_query) = queries(&settings, &prom.service_label);
    let every = Duration::from_secs(u64::from(prom.interval_secs.max(1)));
    loop {
        let answer = match (
            client.query(&p95_query, None).await,
            client.query(&error_query, None).await,
        ) {
            (Ok(p), Ok(e)) => merge(
                &p.data,
                &e.data,
                &prom.service_label,
                &settings.version_label,
            ),
            (Err(e), _) | (_, Err(e)) => Err(format!("per-revision figures: {e}")),
        };
        if tx
            .send(Report::Data(KubeUpdate::RevisionMetrics(answer)))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], v: f64) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: vec![(1.0, v)],
            unparseable: 0,
            histogram_samples: 0,
        }
    }

    #[test]
    fn the_default_queries_group_by_service_and_revision() {
        let (p95, errors) = queries(&RolloutSettings::default(), "service");
        assert!(
            p95.starts_with(
                "histogram_quantile(0.95, sum by (le, service, pod_template_hash) (rate({__name__=~"
            ),
            "{p95}"
        );
        assert!(p95.ends_with("[5m])))"), "{p95}");
        assert!(errors.contains("status=~\"5..\""), "{errors}");
        let custom = RolloutSettings {
            p95_query: Some("my_p95{job=\"x\"} by ({label})".into()),
            version_label: "version".into(),
            ..RolloutSettings::default()
        };
        assert_eq!(
            queries(&custom, "service").0,
            "my_p95{job=\"x\"} by (version)"
        );
    }

    #[test]
    fn series_become_one_row_per_revision_and_missing_labels_say_what_to_add() {
        let p95 = [
            series(
                &[
                    ("service", "payment-service"),
                    ("pod_template_hash", "7d9f8c6b5"),
                ],
                2.8,
            ),
            series(
                &[
                    ("service", "payment-service"),
                    ("pod_template_hash", "5f6b7c8d9"),
                ],
                0.18,
            ),
        ];
        let errors = [series(
            &[
                ("service", "payment-service"),
                ("pod_template_hash", "7d9f8c6b5"),
            ],
            0.094,
        )];
        let rows = merge(&p95, &errors, "service", "pod_template_hash").unwrap();
        assert_eq!(
            rows,
            [
                RevisionMetrics {
                    service: "payment-service".into(),
                    version: "5f6b7c8d9".into(),
                    p95_secs: Some(0.18),
                    error_ratio: None
                },
                RevisionMetrics {
                    service: "payment-service".into(),
                    version: "7d9f8c6b5".into(),
                    p95_secs: Some(2.8),
                    error_ratio: Some(0.094)
                },
            ]
        );
        let unlabelled = [series(&[("service", "payment-service")], 0.3)];
        assert_eq!(
            merge(&unlabelled, &[], "service", "pod_template_hash").unwrap_err(),
            "no per-revision series: add `pod-template-hash` (as `pod_template_hash`) to the query's `by`"
        );
        assert_eq!(
            merge(&[], &[], "service", "pod_template_hash"),
            Ok(vec![]),
            "no traffic"
        );
    }
}
