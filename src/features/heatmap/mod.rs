//! Heatmap: services × time from Prometheus (p95 latency, error ratio,
//! availability, request rate) coloured against SLOs, one service's latency
//! buckets, and the firing alerts.

pub mod clean;
pub mod draw;
pub mod feature;
pub mod model;
pub mod peaks;
pub mod source;
pub mod summary;
pub mod view;
