//! What `opsdeck check` prints for each source it probes.

use std::time::Duration;

/// One line of the `check` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRow {
    pub check: String,
    pub ok: bool,
    pub detail: String,
    pub took: Duration,
}
