//! Indexes nobody has scanned since statistics were last reset: write cost
//! and disk for nothing. Unique, primary-key and constraint indexes are
//! left out because they enforce something even when never scanned.

use super::connection::PgConnection;
use super::error::PgError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnusedIndex {
    pub schema: String,
    pub table: String,
    pub index: String,
    pub bytes: i64,
}

/// Largest first, at most `$1`.
const UNUSED_SQL: &str =
    "/* opsdeck */ SELECT s.schemaname::text AS schemaname, s.relname::text AS relname,
  s.indexrelname::text AS indexrelname, pg_relation_size(s.indexrelid)::int8 AS bytes
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
ORDER BY bytes DESC, 1, 2, 3
LIMIT $1";

impl PgConnection {
    /// The `limit` largest never-scanned indexes of the connected
    /// database.
    pub async fn unused_indexes(&mut self, limit: usize) -> Result<Vec<UnusedIndex>, PgError> {
        const ACTION: &str = "unused indexes";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(ACTION, UNUSED_SQL, &[&limit]).await?;
        rows.iter()
            .map(|row| {
                Ok(UnusedIndex {
                    schema: self.get(ACTION, row, "schemaname")?,
                    table: self.get(ACTION, row, "relname")?,
                    index: self.get(ACTION, row, "indexrelname")?,
                    bytes: self.get(ACTION, row, "bytes")?,
                })
            })
            .collect()
    }
}
