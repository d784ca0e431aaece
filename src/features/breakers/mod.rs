//! Breakers: resilience4j circuit breakers from actuators (direct or
//! through the pod proxy) and Prometheus; the guarded CLOSE / FORCE_OPEN /
//! DISABLE.

pub mod actions;
pub mod clean;
pub mod data;
pub mod draw;
pub mod exposition;
pub mod feature;
pub mod model;
pub mod peaks;
pub mod settings;
pub mod source;
pub mod summary;
pub mod view;
