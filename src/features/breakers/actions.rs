//! Everything that changes a breaker: the plan (one actuator call per
//! instance) and the executor that POSTs the state change.

pub mod executor;
pub mod plan;
pub mod request;
