//! `[queries]`: the database targets of the Queries tab. Secrets are
//! named (an environment variable or a file), never written here.
//!
//! ```toml
//! [queries]
//! interval_secs = 5              # default for every target
//! allow_privileged = false       # signal replication / superuser backends, kill internal ops
//!
//! [queries.postgres.orders-db]
//! dsn = "host=orders-db.internal port=5432 user=opsdeck dbname=orders sslmode=require"
//! password_env = "ORDERS_DB_PASSWORD"   # or password_file = "/run/secrets/orders-db"
//! ca_file = "/etc/ssl/certs/rds-ca.pem" # trusted besides the Mozilla roots
//! activity_threshold_secs = 5
//! connections_warn_pct = 90
//!
//! [queries.mongo.shop]
//! uri = "mongodb://opsdeck@mongo-0:27017,mongo-1:27017/?replicaSet=rs0&tls=true"
//! password_env = "MONGO_PASSWORD"
//! secs_running = 5
//! profile_dbs = ["shop"]
//!
//! [queries.redis.cache]
//! url = "redis://cache:6379/0"
//! password_file = "/run/secrets/redis"
//! patterns = ["ratelimit:*"]
//! hit_rate_warn_pct = 80
//! ```

use super::Reader;
use crate::features::queries::settings::{
    MongoTargetSettings, PgTargetSettings, QueriesSettings, RedisTargetSettings,
};
use crate::shared::secret::Secret;
use std::path::PathBuf;
use toml_edit::Table;

/// Refused inline, like `bearer_token` elsewhere.
const INLINE_PASSWORD: &str =
    "inline passwords are not accepted; use password_env or password_file";

/// Where a target's password comes from.
impl Reader<'_> {
    pub(super) fn queries(&mut self, q: &Table, out: &mut QueriesSettings) {
        const PRE: &str = "queries.";
        self.check_keys(
            q,
            PRE,
            &[
                "interval_secs",
                "allow_privileged",
                "postgres",
                "mongo",
                "redis",
            ],
        );
        let mut interval = 5;
        self.int(q, PRE, "interval_secs", 1..=3_600, &mut interval);
        let mut privileged = false;
        self.bool(q, PRE, "allow_privileged", &mut privileged);
        let defaults = (interval, privileged);
        for (name, t) in self.targets(q, "postgres") {
            if let Some(s) = self.postgres(&name, &t, defaults) {
                out.postgres.push(s);
            }
        }
        for (name, t) in self.targets(q, "mongo") {
            if let Some(s) = self.mongo(&name, &t, defaults) {
                out.mongo.push(s);
            }
        }
        for (name, t) in self.targets(q, "redis") {
            if let Some(s) = self.redis(&name, &t, defaults) {
                out.redis.push(s);
            }
        }
    }

    /// The named tables under `[queries.<kind>]`, in file order.
    fn targets(&mut self, q: &Table, kind: &str) -> Vec<(String, Table)> {
        let Some(kinds) = self.subtable(q, "queries.", kind) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, item) in kinds.iter() {
            let table = item
                .as_table()
                .cloned()
                .or_else(|| item.as_inline_table().map(|t| t.clone().into_table()));
            match table {
                Some(t) => out.push((name.to_string(), t)),
                None => self.report(
                    &kinds,
                    &format!("queries.{kind}."),
                    name,
                    &format!("expected a section like [queries.{kind}.{name}]"),
                ),
            }
        }
        out
    }

    /// Keys every target has: checks unknown and inline-secret keys,
    /// reads the password reference, interval and allow_privileged.
    fn target_common(
        &mut self,
        t: &Table,
        prefix: &str,
        known: &[&str],
        (interval, privileged): (u32, bool),
    ) -> (Secret, u32, bool) {
        let mut keys = vec![
            "password_env",
            "password_file",
            "interval_secs",
            "allow_privileged",
        ];
        keys.extend_from_slice(known);
        self.check_keys_refusing_password(t, prefix, &keys);
        let secret = self.password_ref(t, prefix);
        let mut interval = interval;
        self.int(t, prefix, "interval_secs", 1..=3_600, &mut interval);
        let mut privileged = privileged;
        self.bool(t, prefix, "allow_privileged", &mut privileged);
        (secret, interval, privileged)
    }

    /// Reports unknown keys, and an inline `password` as refused rather
    /// than unknown (`password_env` / `password_file` among `keys`).
    pub(super) fn check_keys_refusing_password(&mut self, t: &Table, prefix: &str, keys: &[&str]) {
        for (key, _) in t.iter() {
            if key == "password" {
                self.report(t, prefix, key, INLINE_PASSWORD);
            } else if !keys.contains(&key) {
                let msg = format!("unknown key; expected one of {}", keys.join(", "));
                self.report(t, prefix, key, &msg);
            }
        }
    }

    /// `password_env` or `password_file` (not both), or neither.
    pub(super) fn password_ref(&mut self, t: &Table, prefix: &str) -> Secret {
        let (mut env, mut file) = (String::new(), String::new());
        self.string(t, prefix, "password_env", &mut env);
        self.string(t, prefix, "password_file", &mut file);
        match (env.is_empty(), file.is_empty()) {
            (true, true) => Secret::None,
            (false, true) => Secret::Env(env),
            (true, false) => Secret::File(PathBuf::from(file)),
            (false, false) => {
                self.report(
                    t,
                    prefix,
                    "password_file",
                    "set password_env or password_file, not both",
                );
                Secret::Env(env)
            }
        }
    }

    fn postgres(
        &mut self,
        name: &str,
        t: &Table,
        defaults: (u32, bool),
    ) -> Option<PgTargetSettings> {
        let prefix = format!("queries.postgres.{name}.");
        let known = [
            "dsn",
            "require_tls",
            "ca_file",
            "statement_timeout_ms",
            "activity_threshold_secs",
            "connections_warn_pct",
            "top",
        ];
        let (password, interval_secs, allow_privileged) =
            self.target_common(t, &prefix, &known, defaults);
        let mut s = PgTargetSettings {
            name: name.to_string(),
            dsn: String::new(),
            password,
            require_tls: false,
            ca_file: None,
            interval_secs,
            statement_timeout_ms: 2_000,
            activity_threshold_secs: 5,
            connections_warn_pct: 90,
            top: 50,
            allow_privileged,
        };
        self.string(t, &prefix, "dsn", &mut s.dsn);
        self.bool(t, &prefix, "require_tls", &mut s.require_tls);
        let mut ca = String::new();
        self.string(t, &prefix, "ca_file", &mut ca);
        s.ca_file = (!ca.is_empty()).then(|| PathBuf::from(ca));
        self.int(
            t,
            &prefix,
            "statement_timeout_ms",
            100..=60_000,
            &mut s.statement_timeout_ms,
        );
        self.int(
            t,
            &prefix,
            "activity_threshold_secs",
            1..=86_400,
            &mut s.activity_threshold_secs,
        );
        self.int(
            t,
            &prefix,
            "connections_warn_pct",
            1..=100,
            &mut s.connections_warn_pct,
        );
        self.int(t, &prefix, "top", 1..=1_000, &mut s.top);
        if s.dsn.is_empty() {
            self.report(
                t,
                &prefix,
                "dsn",
                "missing: dsn = \"host=... user=... dbname=...\"",
            );
            return None;
        }
        if dsn_has_password(&s.dsn) {
            self.report(t, &prefix, "dsn", INLINE_PASSWORD);
            return None;
        }
        Some(s)
    }

    fn mongo(
        &mut self,
        name: &str,
        t: &Table,
        defaults: (u32, bool),
    ) -> Option<MongoTargetSettings> {
        let prefix = format!("queries.mongo.{name}.");
        let known = [
            "uri",
            "secs_running",
            "profile_dbs",
            "profile_limit",
            "max_time_ms",
        ];
        let (password, interval_secs, allow_privileged) =
            self.target_common(t, &prefix, &known, defaults);
        let mut s = MongoTargetSettings {
            name: name.to_string(),
            uri: String::new(),
            password,
            interval_secs,
            secs_running: 5,
            profile_dbs: Vec::new(),
            profile_limit: 20,
            max_time_ms: 2_000,
            allow_privileged,
        };
        self.string(t, &prefix, "uri", &mut s.uri);
        self.int(t, &prefix, "secs_running", 0..=86_400, &mut s.secs_running);
        self.strings(t, &prefix, "profile_dbs", &mut s.profile_dbs);
        self.int(t, &prefix, "profile_limit", 1..=1_000, &mut s.profile_limit);
        self.int(t, &prefix, "max_time_ms", 100..=60_000, &mut s.max_time_ms);
        if !(s.uri.starts_with("mongodb://") || s.uri.starts_with("mongodb+srv://")) {
            self.report(
                t,
                &prefix,
                "uri",
                "expected a mongodb:// or mongodb+srv:// URI",
            );
            return None;
        }
        if url_has_password(&s.uri) {
            self.report(t, &prefix, "uri", INLINE_PASSWORD);
            return None;
        }
        Some(s)
    }

    fn redis(
        &mut self,
        name: &str,
        t: &Table,
        defaults: (u32, bool),
    ) -> Option<RedisTargetSettings> {
        let prefix = format!("queries.redis.{name}.");
        let known = [
            "url",
            "ca_file",
            "patterns",
            "scan_cap",
            "slowlog_len",
            "hit_rate_warn_pct",
            "timeout_ms",
        ];
        let (password, interval_secs, _) = self.target_common(t, &prefix, &known, defaults);
        let mut s = RedisTargetSettings {
            name: name.to_string(),
            url: String::new(),
            password,
            ca_file: None,
            interval_secs,
            patterns: vec!["ratelimit:*".into()],
            scan_cap: 10_000,
            slowlog_len: 10,
            hit_rate_warn_pct: 80,
            timeout_ms: 2_000,
        };
        self.string(t, &prefix, "url", &mut s.url);
        self.strings(t, &prefix, "patterns", &mut s.patterns);
        self.int(t, &prefix, "scan_cap", 1..=1_000_000, &mut s.scan_cap);
        self.int(t, &prefix, "slowlog_len", 1..=128, &mut s.slowlog_len);
        self.int(
            t,
            &prefix,
            "hit_rate_warn_pct",
            0..=100,
            &mut s.hit_rate_warn_pct,
        );
        self.int(t, &prefix, "timeout_ms", 100..=60_000, &mut s.timeout_ms);
        let mut ca = String::new();
        self.string(t, &prefix, "ca_file", &mut ca);
        s.ca_file = (!ca.is_empty()).then(|| PathBuf::from(ca));
        if let Some((key, problem)) = redis_url_problem(&s.url, s.ca_file.is_some()) {
            self.report(t, &prefix, key, problem);
            return None;
        }
        Some(s)
    }
}

/// What is wrong with a Redis URL (and a CA file beside it), by key.
pub(super) fn redis_url_problem(url: &str, ca_file: bool) -> Option<(&'static str, &'static str)> {
    let tls = url.starts_with("rediss://");
    if !tls && !url.starts_with("redis://") {
        return Some(("url", "expected a redis:// URL, or rediss:// for TLS"));
    }
    // The driver's `#insecure` turns certificate checks off.
    if url.contains("#insecure") {
        return Some((
            "url",
            "#insecure is refused: TLS always verifies the server; set ca_file for a private CA",
        ));
    }
    // A password in the URL is the worse mistake: named first.
    if url_has_password(url) {
        return Some(("url", INLINE_PASSWORD));
    }
    if ca_file && !tls {
        return Some(("ca_file", "a CA file needs a rediss:// URL"));
    }
    None
}

/// `scheme://user:secret@host`: a password in the URL.
fn url_has_password(url: &str) -> bool {
    super::url_userinfo(url).is_some_and(|userinfo| userinfo.contains(':'))
}

/// A `password=` pair in a libpq DSN, or a password in a `postgres://` URL.
fn dsn_has_password(dsn: &str) -> bool {
    if dsn.contains("://") {
        return url_has_password(dsn) || dsn.contains("password=");
    }
    dsn.split_whitespace().any(|pair| {
        pair.trim_start()
            .to_ascii_lowercase()
            .starts_with("password")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_addresses_are_found() {
        assert!(url_has_password("redis://:s3cr3t@cache:6379/0"));
        assert!(url_has_password("mongodb://ops:pw@a:1,b:2/?tls=true"));
        assert!(!url_has_password("mongodb://ops@a:1/?authSource=admin"));
        assert!(!url_has_password("redis://cache:6379/0"));
        assert!(dsn_has_password("host=db user=x password=pw"));
        assert!(dsn_has_password("host=db password = pw"));
        assert!(dsn_has_password("postgres://x:pw@db/orders"));
        assert!(dsn_has_password("postgres://x@db/orders?password=pw"));
        assert!(!dsn_has_password("host=db user=x dbname=orders"));
    }
}
