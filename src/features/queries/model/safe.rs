//! Database replies carry text anyone with a connection wrote: query
//! texts, application names, namespaces, commands. All of it is made safe
//! to draw before it is stored (see `crate::core::sanitize`).

use super::snapshot::{MongoData, PgData, QueriesUpdate, RedisData, Snapshot};
use crate::core::clean::Sanitize;
use crate::core::sanitize::safe;
use crate::core::sanitize::sanitize_str_capped;

/// Longest query or command text kept; the detail view shows all of it.
pub const QUERY_TEXT_BYTES: usize = 16 * 1024;

/// A query text with its line breaks kept (the detail view shows them) and
/// every line made safe; at most `QUERY_TEXT_BYTES`.
pub fn query_text(text: &str) -> String {
    let capped = sanitize_str_capped(text, QUERY_TEXT_BYTES).into_text();
    // The sanitizer shows a line feed as a visible mark; a query's lines
    // are worth keeping, so they are split first and joined after.
    if !text.contains('\n') {
        return capped;
    }
    let mut out = String::with_capacity(text.len().min(QUERY_TEXT_BYTES));
    for line in text.lines() {
        if out.len() >= QUERY_TEXT_BYTES {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let room = QUERY_TEXT_BYTES - out.len();
        out.push_str(&sanitize_str_capped(line.trim_end_matches('\r'), room).into_text());
    }
    out
}

fn opt(text: &mut Option<String>) {
    if let Some(t) = text {
        *t = safe(t);
    }
}

fn one(text: &mut String) {
    *text = safe(text);
}

impl Sanitize for QueriesUpdate {
    fn sanitize(&mut self) {
        sanitize(self)
    }
}

fn sanitize(u: &mut QueriesUpdate) {
    one(&mut u.target);
    match &mut u.data {
        Err(e) => one(e),
        Ok(Snapshot::Postgres(pg)) => postgres(pg),
        Ok(Snapshot::Mongo(m)) => mongo(m),
        Ok(Snapshot::Redis(r)) => redis(r),
    }
}

fn err<T>(r: &mut Result<T, String>) {
    if let Err(e) = r {
        one(e);
    }
}

fn postgres(pg: &mut PgData) {
    err(&mut pg.statements);
    if let Ok(list) = &mut pg.statements {
        for s in list {
            s.query = query_text(&s.query);
        }
    }
    err(&mut pg.activity);
    if let Ok(list) = &mut pg.activity {
        for b in list {
            opt(&mut b.user);
            opt(&mut b.database);
            one(&mut b.application);
            opt(&mut b.wait_event_type);
            opt(&mut b.wait_event);
            one(&mut b.backend_type);
            b.query = query_text(&b.query);
            if let crate::features::queries::postgres::BackendState::Other(t) = &mut b.state {
                one(t);
            }
        }
    }
    err(&mut pg.connections);
    if let Ok(c) = &mut pg.connections {
        for g in &mut c.groups {
            opt(&mut g.database);
            one(&mut g.application);
        }
    }
    err(&mut pg.unused_indexes);
    if let Ok(list) = &mut pg.unused_indexes {
        for i in list {
            one(&mut i.schema);
            one(&mut i.table);
            one(&mut i.index);
        }
    }
}

fn mongo(m: &mut MongoData) {
    err(&mut m.ops);
    if let Ok(ops) = &mut m.ops {
        for op in ops {
            if let crate::features::queries::mongo::OpId::Sharded(s) = &mut op.opid {
                one(s);
            }
            one(&mut op.op);
            one(&mut op.ns);
            opt(&mut op.plan_summary);
            opt(&mut op.app_name);
            opt(&mut op.client);
            opt(&mut op.desc);
            op.command = query_text(&op.command);
        }
    }
    for (db, profile) in &mut m.profiles {
        one(db);
        err(profile);
        if let Ok(p) = profile {
            one(&mut p.db);
            for op in &mut p.ops {
                one(&mut op.op);
                one(&mut op.ns);
                opt(&mut op.plan_summary);
                opt(&mut op.app_name);
            }
        }
    }
    err(&mut m.replica_set);
    if let Ok(crate::features::queries::mongo::ReplicaSet::Members { set, members }) =
        &mut m.replica_set
    {
        one(set);
        for member in members {
            one(&mut member.name);
            one(&mut member.state);
        }
    }
}

fn redis(s: &mut RedisData) {
    opt(&mut s.info.redis_version);
    opt(&mut s.info.run_id);
    for e in &mut s.slowlog {
        for a in &mut e.args {
            *a = query_text(a);
        }
        opt(&mut e.client_addr);
        opt(&mut e.client_name);
    }
    for p in &mut s.patterns {
        one(&mut p.pattern);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines_are_kept_and_controls_are_not() {
        let q = query_text("SELECT *\n  FROM orders\x1b[2J\r\n WHERE id = 1");
        assert_eq!(q.lines().count(), 3, "{q:?}");
        assert!(!q.chars().any(|c| c.is_control() && c != '\n'), "{q:?}");
        let huge = query_text(&format!("SELECT '{}'", "x".repeat(100_000)));
        assert!(huge.len() < QUERY_TEXT_BYTES + 64, "{}", huge.len());
        let many = query_text(&"SELECT 1\n".repeat(10_000));
        assert!(many.len() <= QUERY_TEXT_BYTES + 64, "{}", many.len());
    }
}
