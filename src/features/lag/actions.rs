//! Everything that changes a Kafka cluster: planning an offset reset
//! (`plan`, `reset_plan`), committing it (`commit`), and the executor the
//! guard chain runs it through.

pub mod commit;
pub mod executor;
pub mod plan;
pub mod request;
pub mod reset_plan;

pub use commit::{Committed, PlannedReset, ResetSpec, execute, plan, undo};
pub use reset_plan::{PlanRow, ResetPlan, ResetTarget, plan_reset, refusal};
