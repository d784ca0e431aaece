//! Everything that changes a Kubernetes workload: the plans (scale,
//! rollout restart, delete pod) and the executor that patches, scales and
//! deletes through the API server.

pub mod executor;
pub mod plan;
pub mod rollback;
pub mod rollout;
