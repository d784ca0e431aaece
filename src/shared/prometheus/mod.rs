//! Prometheus, as the Heatmap and the Breakers read it: the HTTP client,
//! the replies of its API as typed data, the time axis of a range query,
//! the metrics and windows opsdeck asks for, and the `[prometheus]`
//! settings.

mod client;
mod columns;
pub mod metric;
pub mod reply;
mod settings;

pub use client::{MAX_REPLY_BYTES, PromClient, request_timeout};
pub use columns::Columns;
pub use metric::{FRIENDLY_STEPS_SECS, Metric, Unit, Window, step_for};
pub use settings::PromSettings;
