//! Everything that ends a database session or operation: the plans
//! (`plan`), `pg_cancel_backend` / `pg_terminate_backend` with their
//! refusals (`pg_signal`), MongoDB `killOp` (`kill_op`), and the executors
//! the guard chain runs them through.

mod kill_op;
pub mod mongo_executor;
pub mod pg_executor;
pub mod pg_signal;
pub mod plan;
pub mod request;

pub use pg_signal::{BackendSnapshot, Refusal, refusal};
