//! Client connections per database and application against
//! `max_connections`, to see a pool leak or a connection storm coming.

use super::connection::PgConnection;
use super::error::PgError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConnectionGroup {
    pub database: Option<String>,
    pub application: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConnectionUsage {
    /// Most connections first.
    pub groups: Vec<ConnectionGroup>,
    pub total: i64,
    pub max_connections: i64,
    /// `total / max_connections`; 0 when the maximum is unknown (0).
    pub ratio: f64,
    /// The ratio is above the target's `connections_ratio`.
    pub warning: bool,
}

/// Totals the groups and compares them with the limit.
pub fn usage(
    groups: Vec<ConnectionGroup>,
    max_connections: i64,
    warn_above: f64,
) -> ConnectionUsage {
    let total = groups.iter().map(|g| g.count).sum();
    let ratio = if max_connections > 0 {
        total as f64 / max_connections as f64
    } else {
        0.0
    };
    ConnectionUsage {
        groups,
        total,
        max_connections,
        ratio,
        warning: ratio > warn_above,
    }
}

/// Only client backends take one of `max_connections`' slots; opsdeck's
/// own session is one of them and is counted.
const GROUPS_SQL: &str = "/* opsdeck */ SELECT datname::text AS datname,
  coalesce(application_name, '') AS application_name, count(*)::int8 AS n
FROM pg_stat_activity
WHERE backend_type = 'client backend'
GROUP BY 1, 2
ORDER BY n DESC, 1, 2";

const MAX_SQL: &str =
    "/* opsdeck */ SELECT current_setting('max_connections')::int8 AS max_connections";

impl PgConnection {
    pub async fn connections(&mut self) -> Result<ConnectionUsage, PgError> {
        const ACTION: &str = "connections";
        let row = self.query_one(ACTION, MAX_SQL, &[]).await?;
        let max: i64 = self.get(ACTION, &row, "max_connections")?;
        let rows = self.query(ACTION, GROUPS_SQL, &[]).await?;
        let groups = rows
            .iter()
            .map(|row| {
                Ok(ConnectionGroup {
                    database: self.get(ACTION, row, "datname")?,
                    application: self.get(ACTION, row, "application_name")?,
                    count: self.get(ACTION, row, "n")?,
                })
            })
            .collect::<Result<Vec<_>, PgError>>()?;
        Ok(usage(
            groups,
            max,
            self.target().thresholds.connections_ratio,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(app: &str, count: i64) -> ConnectionGroup {
        ConnectionGroup {
            database: Some("orders".into()),
            application: app.into(),
            count,
        }
    }

    #[test]
    fn over_ninety_percent_warns() {
        let u = usage(vec![group("api", 80), group("worker", 11)], 100, 0.9);
        assert_eq!(u.total, 91);
        assert!((u.ratio - 0.91).abs() < 1e-12);
        assert!(u.warning);
        let u = usage(vec![group("api", 90)], 100, 0.9);
        assert!(!u.warning, "exactly 90% is not over 90%");
    }

    #[test]
    fn an_unknown_maximum_never_divides_by_zero() {
        let u = usage(vec![group("api", 3)], 0, 0.9);
        assert_eq!(u.ratio, 0.0);
        assert!(!u.warning);
    }
}
