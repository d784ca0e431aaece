//! `opsdeck check` for the database targets: connect, server version,
//! what opsdeck may read and whether it may cancel, terminate or kill.

use super::{mongo, postgres, redis};
use crate::core::probe::ProbeRow;
use crate::features::queries::settings::QueriesSettings;
use std::time::Instant;

/// Rows for every target, Postgres, then MongoDB, then Redis.
pub async fn probe(settings: &QueriesSettings) -> Vec<ProbeRow> {
    let mut rows = Vec::new();
    for s in &settings.postgres {
        let started = Instant::now();
        let answer = match s.password.resolve().await {
            Ok(password) => {
                crate::features::queries::postgres::probe(&postgres::target(s, password))
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e),
        };
        match answer {
            Ok(p) => rows.extend(p.checks().into_iter().map(|c| ProbeRow {
                check: format!("{}: {}", s.name, c.check),
                ok: c.ok,
                detail: c.detail,
                took: started.elapsed(),
            })),
            Err(e) => rows.push(failed(&s.name, e, started)),
        }
    }
    for s in &settings.mongo {
        let started = Instant::now();
        let answer = match s.password.resolve().await {
            Ok(password) => crate::features::queries::mongo::probe(&mongo::target(s, password))
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match answer {
            Ok(p) => {
                let took = started.elapsed();
                let who = p
                    .privileges
                    .user
                    .clone()
                    .unwrap_or_else(|| "no login (auth off)".into());
                rows.push(ProbeRow {
                    check: format!("{}: server", s.name),
                    ok: true,
                    detail: format!("MongoDB {} as {who}", p.version),
                    took,
                });
                for (action, access, without) in [
                    (
                        "inprog",
                        p.privileges.inprog,
                        "only your own ops show in currentOp",
                    ),
                    (
                        "killop",
                        p.privileges.killop,
                        "cannot kill other users' ops",
                    ),
                ] {
                    use crate::features::queries::mongo::Access;
                    rows.push(ProbeRow {
                        check: format!("{}: {action}", s.name),
                        ok: access != Access::Missing,
                        detail: match access {
                            Access::Granted => format!("the {action} action is granted"),
                            Access::Missing => {
                                format!("no {action} action on the cluster: {without}")
                            }
                            Access::Unknown => "auth is off: nothing to check".to_string(),
                        },
                        took,
                    });
                }
            }
            Err(e) => rows.push(failed(&s.name, e, started)),
        }
    }
    for s in &settings.redis {
        let started = Instant::now();
        let answer = match s.password.resolve().await {
            Ok(password) => crate::features::queries::redis::probe(&redis::target(s, password))
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match answer {
            Ok(p) => rows.extend(p.checks().into_iter().map(|c| ProbeRow {
                check: format!("{}: {}", s.name, c.check),
                ok: c.ok,
                detail: c.detail,
                took: started.elapsed(),
            })),
            Err(e) => rows.push(failed(&s.name, e, started)),
        }
    }
    rows
}

fn failed(name: &str, error: String, started: Instant) -> ProbeRow {
    ProbeRow {
        check: format!("{name}: connect"),
        ok: false,
        detail: error,
        took: started.elapsed(),
    }
}
