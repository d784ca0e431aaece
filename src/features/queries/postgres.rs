//! The Postgres source: one reusable session per target (opened with
//! `application_name = 'opsdeck'` and a short `statement_timeout`), and the
//! reads behind the Postgres views as plain structs: top statements,
//! activity with lock waits, connections against `max_connections`,
//! unused indexes; cancel and terminate with their pre-checks; the probe
//! for `opsdeck check`.
//!
//! Sessions are plain TCP unless the target requires TLS (rustls, with the
//! certificate and host name always verified; see `tls`).

pub(crate) mod activity;
mod blocking;
mod connection;
mod connections;
mod error;
mod indexes;
mod probe;
mod sql;
mod statements;
mod target;
mod tls;

pub use activity::{Backend, BackendState, blocking, is_over};
pub use blocking::{BlockTree, blocking_trees};
pub use connection::{APPLICATION_NAME, PgConnection};
pub use connections::{ConnectionGroup, ConnectionUsage, usage};
pub use error::{PgError, PgErrorKind, STATEMENTS_FIX, StatementsMissing};
pub use indexes::UnusedIndex;
pub use probe::{PgProbe, ProbeCheck, StatementsState, probe};
pub use statements::{Statement, StatementsOrder, StatementsView, TimeColumns, statements_sql};
pub use target::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, PgAddress, PgTarget, PgThresholds,
};
