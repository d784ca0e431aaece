//! The Prometheus source behind the Heatmap tab: polls `query_range` for
//! every metric over the configured window, the latency buckets and
//! `/api/v1/alerts` at the configured interval, and sends the results, its
//! health, and Timeline entries for alerts that start firing.
//!
//! A failed poll sends the error (sanitized, with Prometheus' own text when
//! it gave one) and nothing else: the model keeps the last good grids.

mod poll;
mod probe;
pub mod queries;
pub mod tail;

pub use poll::{DEFAULT_COLUMNS, Poller};
pub use probe::{ProbeRow, probe};

use crate::core::outbox::{Outbox, Report};
use crate::core::source::{HealthReport, SourceId};
use crate::features::heatmap::model::PromUpdate;
use crate::shared::prometheus::PromSettings;
use chrono::Utc;
use tokio::task::JoinHandle;

/// Starts polling; the task ends when the receiver is dropped. A setting
/// that makes polling impossible (no URL, token variable unset) is
/// reported once as the source's health error.
pub fn spawn(settings: PromSettings, tx: Outbox<PromUpdate>) -> JoinHandle<()> {
    spawn_with_columns(settings, DEFAULT_COLUMNS, tx)
}

/// As `spawn`, with as many time columns as the Heatmap has room for.
pub fn spawn_with_columns(
    settings: PromSettings,
    columns: usize,
    tx: Outbox<PromUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let interval = std::time::Duration::from_secs(u64::from(settings.interval_secs));
        let mut poller = match Poller::new(&settings, columns) {
            Ok(p) => p,
            Err(error) => {
                let report = HealthReport {
                    source: SourceId::Prometheus,
                    at: Utc::now(),
                    error: Some(error),
                    interval,
                };
                let _ = tx.send(Report::Health(report)).await;
                return;
            }
        };
        let mut ticker = tokio::time::interval(interval);
        // After a slow poll, wait a whole interval rather than bursting.
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            for update in poller.poll(Utc::now()).await {
                if tx.send(update).await.is_err() {
                    return;
                }
            }
        }
    })
}
