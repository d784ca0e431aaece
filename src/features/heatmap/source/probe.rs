//! `opsdeck check` for Prometheus: is it there, which version, and does
//! each query return series.

use super::poll::DEFAULT_COLUMNS;
use super::queries::{buckets_query, query_for, rate_range};
use crate::shared::prometheus::Metric;
use crate::shared::prometheus::PromClient;
use crate::shared::prometheus::PromSettings;
use crate::shared::prometheus::step_for;
use std::time::{Duration, Instant};

/// One line of the check table.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeRow {
    /// What was tried: `buildinfo`, a metric key, `buckets`, `alerts`.
    pub what: String,
    pub ok: bool,
    /// The version, a series count, or why it failed.
    pub detail: String,
    pub took: Duration,
}

/// Tries every request the poller makes, one at a time, as instant queries.
/// A query that answers no series is not ok: the Heatmap would be empty.
pub async fn probe(settings: &PromSettings) -> Vec<ProbeRow> {
    let started = Instant::now();
    let client = match PromClient::new(settings) {
        Ok(c) => c,
        Err(e) => return vec![row("client", false, e, started)],
    };
    let mut rows = Vec::new();
    let t = Instant::now();
    rows.push(match client.build_info().await {
        Ok(reply) => row(
            "buildinfo",
            true,
            format!("Prometheus {}", reply.data.version),
            t,
        ),
        Err(e) => row("buildinfo", false, e, t),
    });
    let range = rate_range(step_for(settings.window, DEFAULT_COLUMNS));
    let label = settings.service_label.as_str();
    let mut queries: Vec<(String, String)> = Metric::ALL
        .iter()
        .map(|m| {
            (
                m.key().to_string(),
                query_for(*m, &settings.queries, label, &range),
            )
        })
        .collect();
    queries.push(("buckets".into(), buckets_query(label, &range)));
    for (what, expr) in queries {
        let t = Instant::now();
        rows.push(match client.query(&expr, None).await {
            Ok(reply) if reply.data.is_empty() => {
                row(&what, false, format!("{what} returns no series"), t)
            }
            Ok(reply) => row(&what, true, format!("{} series", reply.data.len()), t),
            Err(e) => row(&what, false, e, t),
        });
    }
    let t = Instant::now();
    rows.push(match client.alerts().await {
        Ok(reply) => row("alerts", true, format!("{} active", reply.data.len()), t),
        Err(e) => row("alerts", false, e, t),
    });
    rows
}

fn row(what: &str, ok: bool, detail: String, since: Instant) -> ProbeRow {
    ProbeRow {
        what: what.to_string(),
        ok,
        detail,
        took: since.elapsed(),
    }
}
