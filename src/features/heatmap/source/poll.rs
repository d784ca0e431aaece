//! One poll: every metric's range query, the latency buckets and the alerts,
//! turned into `Update`s.

use super::queries::{buckets_query, name_keys, query_for, rate_range};
use super::tail::{RangeCache, merge, tail};
use crate::core::outbox::Report;
use crate::core::source::{HealthReport, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use crate::features::heatmap::model::{
    AlertState, BucketSeries, NamedSeries, PromAlert, PromUpdate, newly_firing, service_name,
    severity_of, summaries, timeline_text,
};
use crate::shared::prometheus::PromClient;
use crate::shared::prometheus::PromSettings;
use crate::shared::prometheus::reply::{self as prom_reply, Series};
use crate::shared::prometheus::step_for;
use crate::shared::prometheus::{Columns, Metric};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Columns asked for when the UI has not said how wide it is.
pub const DEFAULT_COLUMNS: usize = 60;

/// The Prometheus poller's state between polls.
#[derive(Debug)]
pub struct Poller {
    client: PromClient,
    settings: PromSettings,
    columns: usize,
    /// Alerts of the previous successful alerts poll, to spot new firing ones.
    previous_alerts: Vec<PromAlert>,
    /// Each metric's series as of the last poll, so the next one fetches
    /// only the new tail of the window.
    cache: std::collections::BTreeMap<Metric, RangeCache>,
}

impl Poller {
    /// A poller for `settings`, asking for about `columns` columns.
    pub fn new(settings: &PromSettings, columns: usize) -> Result<Poller, String> {
        Ok(Poller {
            client: PromClient::new(settings)?,
            settings: settings.clone(),
            columns,
            previous_alerts: Vec::new(),
            cache: std::collections::BTreeMap::new(),
        })
    }

    pub fn interval(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings.interval_secs))
    }

    pub fn client(&self) -> &PromClient {
        &self.client
    }

    /// The time axis a poll at `now` queries.
    pub fn columns_at(&self, now: DateTime<Utc>) -> Columns {
        let window = self.settings.window;
        let step = step_for(window, self.columns).as_secs();
        let count = window.secs().div_ceil(step) as usize;
        Columns::ending_at(now.timestamp() as f64, step as f64, count)
    }

    /// Queries everything once. Data comes first, then Timeline entries for
    /// alerts that started firing, then `Polled` and the health report.
    pub async fn poll(&mut self, now: DateTime<Utc>) -> Vec<Report<PromUpdate>> {
        let columns = self.columns_at(now);
        let range = rate_range(Duration::from_secs_f64(columns.step));
        let label = self.settings.service_label.clone();
        let label = label.as_str();
        let keys = name_keys(label);
        let client = &self.client;
        let fetch = Metric::ALL.map(|m| tail(self.cache.get(&m), &columns));
        let metric_queries = Metric::ALL.into_iter().zip(fetch).map(|(m, fetch)| {
            let expr = query_for(m, &self.settings.queries, label, &range);
            async move { (m, fetch, client.query_range(&expr, &fetch).await) }
        });
        let buckets_expr = buckets_query(label, &range);
        let (metrics, buckets, alerts) = futures::join!(
            futures::future::join_all(metric_queries),
            client.query_range(&buckets_expr, &columns),
            client.alerts(),
        );

        let mut updates = Vec::new();
        let mut errors = Vec::new();
        for (metric, fetched, result) in metrics {
            match result {
                Ok(reply) => {
                    let new = reply.data.iter().map(|s| named(s, &keys)).collect();
                    let merged = merge(self.cache.remove(&metric), columns, &fetched, new);
                    updates.push(Report::Data(PromUpdate::Range {
                        metric,
                        at: now,
                        columns,
                        series: merged.series.clone(),
                        warnings: reply.warnings,
                    }));
                    self.cache.insert(metric, merged);
                }
                Err(e) => {
                    // The next poll fetches the whole window again.
                    self.cache.remove(&metric);
                    errors.push(format!("{}: {e}", metric.key()));
                }
            }
        }
        match buckets {
            Ok(reply) => updates.push(Report::Data(PromUpdate::Buckets {
                at: now,
                columns,
                series: reply.data.iter().filter_map(|s| bucket(s, &keys)).collect(),
            })),
            Err(e) => errors.push(format!("buckets: {e}")),
        }
        match alerts {
            Ok(reply) => {
                let current: Vec<PromAlert> =
                    reply.data.iter().filter_map(|a| alert(a, label)).collect();
                let entries: Vec<Report<PromUpdate>> =
                    newly_firing(&self.previous_alerts, &current)
                        .into_iter()
                        .map(|a| {
                            Report::Timeline(
                                TimelineEntry::new(
                                    now,
                                    a.severity,
                                    Origin::Source(SourceId::Prometheus),
                                    timeline_text(a),
                                )
                                .about(About::Alert {
                                    service: a.service.as_str().into(),
                                    name: a.name.as_str().into(),
                                }),
                            )
                        })
                        .collect();
                updates.push(Report::Alerts(summaries(&current)));
                updates.push(Report::Data(PromUpdate::Alerts {
                    at: now,
                    alerts: current.clone(),
                }));
                updates.extend(entries);
                self.previous_alerts = current;
            }
            Err(e) => errors.push(format!("alerts: {e}")),
        }
        let error = summarize(errors);
        updates.push(Report::Data(PromUpdate::Polled {
            at: now,
            error: error.clone(),
        }));
        updates.push(Report::Health(HealthReport {
            source: SourceId::Prometheus,
            at: now,
            error,
            interval: self.interval(),
        }));
        updates
    }
}

/// One error line for the badge: the first failure, and how many others.
/// When the server is down every query fails the same way; one is enough.
fn summarize(errors: Vec<String>) -> Option<String> {
    let first = errors.first()?;
    Some(match errors.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more queries failed)", n - 1),
    })
}

fn named(series: &Series, keys: &[&str]) -> NamedSeries {
    NamedSeries {
        name: service_name(&series.labels, keys),
        points: series.points.clone(),
    }
}

fn bucket(series: &Series, keys: &[&str]) -> Option<BucketSeries> {
    let le = series.label("le")?.parse::<f64>().ok()?;
    let mut labels = series.labels.clone();
    labels.remove("le");
    Some(BucketSeries {
        service: service_name(&labels, keys),
        le,
        points: series.points.clone(),
    })
}

/// An active alert as the model keeps it; inactive and unknown states are
/// dropped.
fn alert(a: &prom_reply::Alert, service_label: &str) -> Option<PromAlert> {
    let state = match a.state {
        prom_reply::AlertState::Firing => AlertState::Firing,
        prom_reply::AlertState::Pending => AlertState::Pending,
        _ => return None,
    };
    let id = a
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(",");
    Some(PromAlert {
        id,
        name: a.name.clone(),
        state,
        severity: severity_of(a.severity()),
        service: a
            .label_any(&[service_label, "service", "job", "app"])
            .unwrap_or_default()
            .to_string(),
        since: a.active_at,
        summary: a
            .summary()
            .or_else(|| a.description())
            .unwrap_or_default()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_line_for_many_failures() {
        assert_eq!(summarize(vec![]), None);
        assert_eq!(
            summarize(vec!["p95: refused".into(), "p99: refused".into()]).as_deref(),
            Some("p95: refused (and 1 more queries failed)")
        );
    }

    #[test]
    fn bucket_series_get_their_bound_and_service() {
        let s = Series {
            labels: [("opsdeck_service", "orders"), ("le", "+Inf")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: vec![(1.0, 2.0)],
            ..Series::default()
        };
        let b = bucket(&s, &name_keys("service")).unwrap();
        assert_eq!((b.service.as_str(), b.le), ("orders", f64::INFINITY));
    }
}
