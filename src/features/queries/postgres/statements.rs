//! The top statements from pg_stat_statements in the connected database,
//! with the column names of whichever extension version is installed
//! (`mean_time` up to 1.7 / PG12, `mean_exec_time` from 1.8 / PG13).

use super::connection::PgConnection;
use super::error::{PgError, PgErrorKind, StatementsMissing};
use super::sql::{TAG, quote_ident};

/// What the list is sorted by; `next` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum StatementsOrder {
    #[default]
    MeanTime,
    TotalTime,
    Calls,
    Rows,
}

impl StatementsOrder {
    pub fn next(self) -> StatementsOrder {
        match self {
            StatementsOrder::MeanTime => StatementsOrder::TotalTime,
            StatementsOrder::TotalTime => StatementsOrder::Calls,
            StatementsOrder::Calls => StatementsOrder::Rows,
            StatementsOrder::Rows => StatementsOrder::MeanTime,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatementsOrder::MeanTime => "mean time",
            StatementsOrder::TotalTime => "total time",
            StatementsOrder::Calls => "calls",
            StatementsOrder::Rows => "rows",
        }
    }

    /// The output column of `statements_sql` this order sorts on.
    fn column(self) -> &'static str {
        match self {
            StatementsOrder::MeanTime => "mean_ms",
            StatementsOrder::TotalTime => "total_ms",
            StatementsOrder::Calls => "calls",
            StatementsOrder::Rows => "rows",
        }
    }
}

/// One normalised statement. Times are in milliseconds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Statement {
    pub queryid: Option<i64>,
    pub calls: i64,
    pub mean_ms: f64,
    pub max_ms: f64,
    pub total_ms: f64,
    /// This statement's share of the total time of all statements in the
    /// database, 0 to 100.
    pub percent_of_total: f64,
    pub rows: i64,
    /// Normalised text (`$1` for constants); `<insufficient privilege>`
    /// for other roles' statements without pg_read_all_stats.
    pub query: String,
}

/// Which names the timing columns have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeColumns {
    /// `mean_exec_time`, `max_exec_time`, `total_exec_time` (1.8+, PG13+).
    Exec,
    /// `mean_time`, `max_time`, `total_time` (up to 1.7, PG12).
    Legacy,
}

impl TimeColumns {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            TimeColumns::Exec => ("mean_exec_time", "max_exec_time", "total_exec_time"),
            TimeColumns::Legacy => ("mean_time", "max_time", "total_time"),
        }
    }
}

/// Where the installed view is and which columns it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementsView {
    pub schema: String,
    pub columns: TimeColumns,
}

/// The view's schema and whether it has the PG13+ columns; no row when
/// the extension is not created in this database. Columns are looked up
/// rather than guessed from the server version because an extension that
/// was never `ALTER EXTENSION ... UPDATE`d keeps its old columns.
const DETECT_SQL: &str = "/* opsdeck */ SELECT n.nspname::text AS schema,
  EXISTS (SELECT 1 FROM pg_attribute a
          WHERE a.attrelid = c.oid AND a.attname = 'mean_exec_time' AND NOT a.attisdropped) AS exec_columns
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'pg_stat_statements'
WHERE e.extname = 'pg_stat_statements'";

/// The query for the top `$1` statements of the current database by
/// `order`, leaving out opsdeck's own (they start with the tag).
pub fn statements_sql(view: &StatementsView, order: StatementsOrder) -> String {
    let (mean, max, total) = view.columns.names();
    let schema = quote_ident(&view.schema);
    let sort = order.column();
    format!(
        "{TAG} SELECT s.queryid, s.calls, s.{mean} AS mean_ms, s.{max} AS max_ms, s.{total} AS total_ms,
  coalesce(100.0 * s.{total} / nullif(sum(s.{total}) OVER (), 0), 0)::float8 AS percent,
  s.rows, s.query
FROM {schema}.pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND s.query NOT LIKE '{TAG}%'
ORDER BY {sort} DESC NULLS LAST, s.queryid
LIMIT $1"
    )
}

/// Whether the server said the library is not preloaded (it raises
/// SQLSTATE 55000 "pg_stat_statements must be loaded via
/// shared_preload_libraries").
fn is_not_loaded(error: &PgError) -> bool {
    match &error.kind {
        PgErrorKind::Server { sqlstate, message } => {
            sqlstate == "55000" && message.contains("shared_preload_libraries")
        }
        _ => false,
    }
}

impl PgConnection {
    /// Where pg_stat_statements is and its column names, or the
    /// missing-extension error with the fix.
    pub async fn statements_view(&mut self) -> Result<StatementsView, PgError> {
        const ACTION: &str = "statements";
        let rows = self.query(ACTION, DETECT_SQL, &[]).await?;
        let Some(row) = rows.first() else {
            return Err(self.error(
                ACTION,
                PgErrorKind::StatementsMissing(StatementsMissing::NotCreated),
            ));
        };
        let exec: bool = self.get(ACTION, row, "exec_columns")?;
        Ok(StatementsView {
            schema: self.get(ACTION, row, "schema")?,
            columns: if exec {
                TimeColumns::Exec
            } else {
                TimeColumns::Legacy
            },
        })
    }

    /// The top `limit` statements of the connected database by `order`.
    pub async fn statements(
        &mut self,
        order: StatementsOrder,
        limit: usize,
    ) -> Result<Vec<Statement>, PgError> {
        const ACTION: &str = "statements";
        let view = self.statements_view().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match self
            .query(ACTION, &statements_sql(&view, order), &[&limit])
            .await
        {
            Ok(rows) => rows,
            Err(e) if is_not_loaded(&e) => {
                return Err(self.error(
                    ACTION,
                    PgErrorKind::StatementsMissing(StatementsMissing::NotLoaded),
                ));
            }
            Err(e) => return Err(e),
        };
        rows.iter()
            .map(|row| {
                Ok(Statement {
                    queryid: self.get(ACTION, row, "queryid")?,
                    calls: self.get(ACTION, row, "calls")?,
                    mean_ms: self.get(ACTION, row, "mean_ms")?,
                    max_ms: self.get(ACTION, row, "max_ms")?,
                    total_ms: self.get(ACTION, row, "total_ms")?,
                    percent_of_total: self.get(ACTION, row, "percent")?,
                    rows: self.get(ACTION, row, "rows")?,
                    query: self
                        .get::<Option<String>>(ACTION, row, "query")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_cycles_through_every_order() {
        let mut order = StatementsOrder::default();
        let mut seen = vec![order];
        for _ in 0..3 {
            order = order.next();
            seen.push(order);
        }
        assert_eq!(
            seen,
            [
                StatementsOrder::MeanTime,
                StatementsOrder::TotalTime,
                StatementsOrder::Calls,
                StatementsOrder::Rows
            ]
        );
        assert_eq!(order.next(), StatementsOrder::MeanTime);
    }

    #[test]
    fn pg12_and_pg13_columns() {
        let legacy = StatementsView {
            schema: "public".into(),
            columns: TimeColumns::Legacy,
        };
        let sql = statements_sql(&legacy, StatementsOrder::TotalTime);
        assert!(sql.contains("s.mean_time AS mean_ms"), "{sql}");
        assert!(sql.contains("s.max_time AS max_ms"), "{sql}");
        assert!(sql.contains("FROM \"public\".pg_stat_statements"), "{sql}");
        assert!(sql.contains("ORDER BY total_ms DESC"), "{sql}");
        assert!(!sql.contains("exec_time"), "{sql}");

        let exec = StatementsView {
            schema: "we\"ird".into(),
            columns: TimeColumns::Exec,
        };
        let sql = statements_sql(&exec, StatementsOrder::Calls);
        assert!(sql.contains("s.total_exec_time AS total_ms"), "{sql}");
        assert!(
            sql.contains("FROM \"we\"\"ird\".pg_stat_statements"),
            "{sql}"
        );
        assert!(sql.contains("ORDER BY calls DESC"), "{sql}");
    }

    #[test]
    fn only_the_preload_message_means_not_loaded() {
        let server = |sqlstate: &str, message: &str| {
            PgError::new(
                "db",
                "statements",
                PgErrorKind::Server {
                    sqlstate: sqlstate.into(),
                    message: message.into(),
                },
            )
        };
        assert!(is_not_loaded(&server(
            "55000",
            "pg_stat_statements must be loaded via shared_preload_libraries"
        )));
        assert!(!is_not_loaded(&server("55000", "something else")));
        assert!(!is_not_loaded(&server("42501", "permission denied")));
    }
}
