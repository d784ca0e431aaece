//! Queries: slow and blocking Postgres queries, MongoDB operations, Redis
//! health; guarded cancel / terminate / killOp.

pub mod actions;
pub mod draw;
pub mod feature;
pub mod model;
pub mod mongo;
pub mod peaks;
pub mod postgres;
pub mod redis;
pub mod settings;
pub mod source;
pub mod summary;
pub mod view;
