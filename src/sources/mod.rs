//! The backends opsdeck reads from. Each one owns its client, its
//! intervals and its retries, and sends plain `Update`s to the app loop.

pub mod kube;
