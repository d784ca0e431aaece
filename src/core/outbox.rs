//! How a source hands what it learns to the app loop without naming the
//! loop's types: a bounded channel of `Report`s of the source's own data.
//! The shell forwards each report into the app's update stream.

use super::source::{AlertSummary, HealthReport};
use super::timeline::TimelineEntry;
use tokio::sync::mpsc;

/// One message of a source: its data, its health, a Timeline entry, or
/// the firing alerts (latest wins).
#[derive(Debug, Clone, PartialEq)]
pub enum Report<T> {
    Data(T),
    Health(HealthReport),
    Timeline(TimelineEntry),
    Alerts(Vec<AlertSummary>),
}

/// Where a source sends its reports; closed when the app is gone.
pub type Outbox<T> = mpsc::Sender<Report<T>>;
