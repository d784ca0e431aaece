//! The backends opsdeck reads from. Each one owns its client, its intervals
//! and its retries, and sends plain `Update`s to the app loop; parsing of
//! replies lives here as pure functions tested on real reply samples.

pub mod kube;
pub mod log_line;
pub mod logs;
