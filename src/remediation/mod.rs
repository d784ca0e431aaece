//! Guarded remediation: every action is an `ActionPlan`, shown in full, that
//! must pass the guard chain before an `Executor` carries it out, and leaves
//! a line in the audit log whatever happens.

pub mod audit;
pub mod executor;
pub mod guard;
pub mod run;
