//! `config.toml`: every section optional, every unknown key reported.

mod breakers;
mod kafka;
mod queries;
mod rollout;
mod services;
mod warroom;

use crate::features::breakers::settings::BreakerSettings;
use crate::features::lag::settings::KafkaSettings;
use crate::features::queries::settings::QueriesSettings;
use crate::shared::kube::settings::KubeSettings;
use crate::shared::prometheus::PromSettings;

use super::problem::{Problem, SourceText};
use crate::shared::prometheus::{Metric, Window};
use std::path::PathBuf;
use toml_edit::{Item, Table};

/// Settings from `config.toml`, with defaults for anything not given.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Refuse every remediation action.
    pub readonly: bool,
    pub theme: String,
    pub mouse: bool,
    /// Upper bound on frames drawn per second.
    pub fps: u32,
    /// Show the header clock in UTC (default: war rooms span time zones).
    pub clock_utc: bool,
    pub timeline_newest_first: bool,
    /// Where `e` writes timeline exports; `None` means the state directory.
    pub export_dir: Option<PathBuf>,
    /// Contexts or namespaces (glob patterns) that demand the typed target name.
    pub protected: Vec<String>,
    /// The same action on the same target is refused for this long.
    pub cooldown_secs: u32,
    /// How long an action may run before it is reported as timed out.
    pub action_timeout_secs: u32,
    /// Audit log path; `None` means `$XDG_STATE_HOME/opsdeck/audit.jsonl`.
    pub audit_log: Option<PathBuf>,
    /// Kube contexts in which opsdeck is read-only.
    pub readonly_contexts: Vec<String>,
    pub kubernetes: KubeSettings,
    pub prometheus: PromSettings,
    /// Lines the Logs tab keeps before dropping the oldest.
    pub log_buffer_lines: u32,
    /// JSON fields that carry a request's id, first present wins.
    pub correlation_fields: Vec<String>,
    pub breakers: BreakerSettings,
    pub kafka: KafkaSettings,
    pub queries: QueriesSettings,
    /// `[rollout]`: rollback conditions, per-revision PromQL.
    pub rollout: crate::features::pods::settings::RolloutSettings,
    /// `[services."NAME"]`, in file order.
    pub services: Vec<crate::features::overview::settings::ServiceConfig>,
    /// The tab opsdeck starts on, by name or number.
    pub start_tab: String,
    pub warroom: crate::warroom::settings::WarroomSettings,
}

/// Headers that carry credentials: refused inline like `bearer_token`.
const SECRET_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

const INLINE_SECRET: &str = "inline secrets are not accepted; use bearer_token_env";

/// An `http://user:pw@host` URL would send (and show, in every error and
/// plan that names the URL) a password: refused like an inline secret.
const URL_USERINFO: &str = "credentials in the URL are not accepted; use bearer_token_env";

/// The `user[:password]@` part of `scheme://user[:password]@host/...`.
fn url_userinfo(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').map(|(userinfo, _)| userinfo)
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            readonly: false,
            theme: "dark".into(),
            mouse: true,
            fps: 30,
            clock_utc: true,
            timeline_newest_first: true,
            export_dir: None,
            protected: vec!["prod*".into(), "*-prod".into(), "production".into()],
            cooldown_secs: 60,
            action_timeout_secs: 30,
            audit_log: None,
            readonly_contexts: Vec::new(),
            kubernetes: KubeSettings {
                metrics_interval_secs: 15,
                ..KubeSettings::default()
            },
            prometheus: PromSettings::default(),
            log_buffer_lines: 200_000,
            correlation_fields: [
                "correlation_id",
                "request_id",
                "trace_id",
                "trace.id",
                "traceId",
            ]
            .map(String::from)
            .to_vec(),
            breakers: BreakerSettings::default(),
            kafka: KafkaSettings::default(),
            rollout: Default::default(),
            queries: QueriesSettings::default(),
            services: Vec::new(),
            start_tab: "overview".into(),
            warroom: Default::default(),
        }
    }
}

impl Settings {
    /// Reads a config file over the defaults; broken entries are skipped and reported.
    pub fn load(src: SourceText<'_>) -> (Settings, Vec<Problem>) {
        let mut settings = Settings::default();
        let mut r = Reader {
            src,
            problems: Vec::new(),
        };
        let doc = match src.parse() {
            Ok(d) => d,
            Err(p) => return (settings, vec![p]),
        };
        let root = doc.as_table();
        r.check_keys(
            root,
            "",
            &[
                "readonly",
                "ui",
                "timeline",
                "actions",
                "contexts",
                "kubernetes",
                "prometheus",
                "logs",
                "breakers",
                "kafka",
                "queries",
                "rollout",
                "services",
                "warroom",
            ],
        );
        r.bool(root, "", "readonly", &mut settings.readonly);
        if let Some(ui) = r.section(root, "ui") {
            r.check_keys(ui, "ui.", &["theme", "mouse", "fps", "clock", "start_tab"]);
            r.string(ui, "ui.", "start_tab", &mut settings.start_tab);
            r.string(ui, "ui.", "theme", &mut settings.theme);
            r.bool(ui, "ui.", "mouse", &mut settings.mouse);
            r.int(ui, "ui.", "fps", 1..=120, &mut settings.fps);
            let mut clock = if settings.clock_utc { "utc" } else { "local" }.to_string();
            r.string(ui, "ui.", "clock", &mut clock);
            match clock.as_str() {
                "utc" => settings.clock_utc = true,
                "local" => settings.clock_utc = false,
                _ => r.report(ui, "ui.", "clock", "expected \"utc\" or \"local\""),
            }
        }
        if let Some(t) = r.section(root, "timeline") {
            r.check_keys(t, "timeline.", &["newest_first", "export_dir"]);
            r.bool(
                t,
                "timeline.",
                "newest_first",
                &mut settings.timeline_newest_first,
            );
            let mut dir = String::new();
            r.string(t, "timeline.", "export_dir", &mut dir);
            if !dir.is_empty() {
                settings.export_dir = Some(PathBuf::from(dir));
            }
        }
        if let Some(a) = r.section(root, "actions") {
            r.check_keys(
                a,
                "actions.",
                &["protected", "cooldown_secs", "timeout_secs", "audit_log"],
            );
            r.strings(a, "actions.", "protected", &mut settings.protected);
            r.int(
                a,
                "actions.",
                "cooldown_secs",
                0..=86_400,
                &mut settings.cooldown_secs,
            );
            r.int(
                a,
                "actions.",
                "timeout_secs",
                1..=3_600,
                &mut settings.action_timeout_secs,
            );
            let mut path = String::new();
            r.string(a, "actions.", "audit_log", &mut path);
            if !path.is_empty() {
                settings.audit_log = Some(PathBuf::from(path));
            }
        }
        if let Some(k) = r.section(root, "kubernetes") {
            let keys = [
                "enabled",
                "kubeconfig",
                "context",
                "namespace",
                "all_namespaces",
                "metrics_interval_secs",
            ];
            r.check_keys(k, "kubernetes.", &keys);
            let ks = &mut settings.kubernetes;
            if k.contains_key("enabled") {
                let mut enabled = true;
                r.bool(k, "kubernetes.", "enabled", &mut enabled);
                ks.enabled = Some(enabled);
            }
            let mut text = String::new();
            r.string(k, "kubernetes.", "kubeconfig", &mut text);
            ks.kubeconfig = (!text.is_empty()).then(|| PathBuf::from(&text));
            for (key, out) in [
                ("context", &mut ks.context),
                ("namespace", &mut ks.namespace),
            ] {
                let mut v = String::new();
                r.string(k, "kubernetes.", key, &mut v);
                *out = (!v.is_empty()).then_some(v);
            }
            r.bool(k, "kubernetes.", "all_namespaces", &mut ks.all_namespaces);
            r.int(
                k,
                "kubernetes.",
                "metrics_interval_secs",
                1..=3_600,
                &mut ks.metrics_interval_secs,
            );
        }
        if let Some(p) = r.section(root, "prometheus") {
            r.prometheus(p, &mut settings.prometheus);
        }
        if let Some(l) = r.section(root, "logs") {
            r.check_keys(l, "logs.", &["buffer_lines", "correlation_fields"]);
            r.int(
                l,
                "logs.",
                "buffer_lines",
                1_000..=5_000_000,
                &mut settings.log_buffer_lines,
            );
            r.strings(
                l,
                "logs.",
                "correlation_fields",
                &mut settings.correlation_fields,
            );
        }
        if let Some(k) = r.section(root, "kafka") {
            r.kafka(k, &mut settings.kafka);
        }
        if let Some(b) = r.section(root, "breakers") {
            r.breakers(b, &mut settings.breakers);
        }
        if let Some(q) = r.section(root, "queries") {
            r.queries(q, &mut settings.queries);
        }
        if let Some(t) = r.section(root, "rollout") {
            r.rollout(t, &mut settings.rollout);
        }
        if let Some(s) = r.section(root, "services") {
            r.services(s, &mut settings.services);
        }
        if let Some(w) = r.section(root, "warroom") {
            r.warroom(w, &mut settings.warroom);
        }
        if let Some(contexts) = r.section(root, "contexts") {
            for (name, item) in contexts.iter() {
                let prefix = format!("contexts.{name}.");
                let Some(ctx) = item.as_table() else {
                    r.report(
                        contexts,
                        "contexts.",
                        name,
                        "expected a section like [contexts.\"name\"]",
                    );
                    continue;
                };
                r.check_keys(ctx, &prefix, &["readonly"]);
                let mut readonly = false;
                r.bool(ctx, &prefix, "readonly", &mut readonly);
                if readonly {
                    settings.readonly_contexts.push(name.to_string());
                }
            }
        }
        let mut problems = r.problems;
        problems.sort_by_key(|p| p.line);
        (settings, problems)
    }
}

/// Typed reads from a TOML table that record a problem instead of failing.
struct Reader<'a> {
    src: SourceText<'a>,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn report(&mut self, table: &Table, prefix: &str, key: &str, message: &str) {
        let span = table.key(key).and_then(|k| k.span());
        let problem = self.src.problem(span, format!("{prefix}{key}"), message);
        self.problems.push(problem);
    }

    fn check_keys(&mut self, table: &Table, prefix: &str, known: &[&str]) {
        for (key, _) in table.iter() {
            if !known.contains(&key) {
                let msg = format!("unknown key; expected one of {}", known.join(", "));
                self.report(table, prefix, key, &msg);
            }
        }
    }

    /// An `http(s)://` URL without credentials, its trailing `/` trimmed.
    fn http_url(&mut self, t: &Table, prefix: &str, key: &str, url: &str) -> Option<String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            self.report(t, prefix, key, "expected an http:// or https:// URL");
            None
        } else if url_userinfo(url).is_some() {
            self.report(t, prefix, key, URL_USERINFO);
            None
        } else {
            Some(url.trim_end_matches('/').to_string())
        }
    }

    fn section<'t>(&mut self, root: &'t Table, name: &str) -> Option<&'t Table> {
        match root.get(name) {
            None => None,
            Some(Item::Table(t)) => Some(t),
            Some(_) => {
                self.report(root, "", name, "expected a section like [name]");
                None
            }
        }
    }

    fn prometheus(&mut self, p: &Table, ps: &mut PromSettings) {
        const PRE: &str = "prometheus.";
        let keys = [
            "url",
            "bearer_token_env",
            "headers",
            "service_label",
            "interval_secs",
            "window",
            "queries",
        ];
        for (key, _) in p.iter() {
            if key == "bearer_token" {
                self.report(p, PRE, key, INLINE_SECRET);
            } else if !keys.contains(&key) {
                let msg = format!("unknown key; expected one of {}", keys.join(", "));
                self.report(p, PRE, key, &msg);
            }
        }
        let mut url = String::new();
        self.string(p, PRE, "url", &mut url);
        if !url.is_empty() {
            ps.url = self.http_url(p, PRE, "url", &url);
        }
        let mut env = String::new();
        self.string(p, PRE, "bearer_token_env", &mut env);
        ps.bearer_token_env = (!env.is_empty()).then_some(env);
        self.string(p, PRE, "service_label", &mut ps.service_label);
        self.int(p, PRE, "interval_secs", 1..=3_600, &mut ps.interval_secs);
        let mut window = ps.window.label().to_string();
        self.string(p, PRE, "window", &mut window);
        match Window::parse(&window) {
            Some(w) => ps.window = w,
            None => self.report(p, PRE, "window", "expected \"15m\", \"1h\" or \"6h\""),
        }
        if let Some(h) = self.subtable(p, PRE, "headers") {
            let h = &h;
            let prefix = format!("{PRE}headers.");
            for (name, value) in h.iter() {
                if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                    self.report(h, &prefix, name, INLINE_SECRET);
                    continue;
                }
                match value.as_str() {
                    Some(v) => {
                        ps.headers.insert(name.to_string(), v.to_string());
                    }
                    None => self.report(h, &prefix, name, "expected a string"),
                }
            }
        }
        if let Some(q) = self.subtable(p, PRE, "queries") {
            let q = &q;
            let prefix = format!("{PRE}queries.");
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
            self.check_keys(q, &prefix, &names);
            for metric in Metric::ALL {
                let mut query = String::new();
                self.string(q, &prefix, metric.key(), &mut query);
                if !query.trim().is_empty() {
                    ps.queries.insert(metric, query);
                }
            }
        }
    }

    /// A table under `key`: a section `[prefix.key]` or an inline `key = { .. }`.
    fn subtable(&mut self, t: &Table, prefix: &str, key: &str) -> Option<Table> {
        let item = t.get(key)?;
        if let Some(sub) = item.as_table() {
            return Some(sub.clone());
        }
        if let Some(inline) = item.as_inline_table() {
            return Some(inline.clone().into_table());
        }
        self.report(t, prefix, key, "expected a table of strings");
        None
    }

    fn bool(&mut self, t: &Table, prefix: &str, key: &str, out: &mut bool) {
        if let Some(item) = t.get(key) {
            match item.as_bool() {
                Some(v) => *out = v,
                None => self.report(t, prefix, key, "expected true or false"),
            }
        }
    }

    fn string(&mut self, t: &Table, prefix: &str, key: &str, out: &mut String) {
        if let Some(item) = t.get(key) {
            match item.as_str() {
                Some(v) => *out = v.to_string(),
                None => self.report(t, prefix, key, "expected a string"),
            }
        }
    }

    fn strings(&mut self, t: &Table, prefix: &str, key: &str, out: &mut Vec<String>) {
        if let Some(item) = t.get(key) {
            let list = item.as_array().and_then(|a| {
                a.iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            });
            match list {
                Some(v) => *out = v,
                None => self.report(t, prefix, key, "expected an array of strings"),
            }
        }
    }

    fn int(
        &mut self,
        t: &Table,
        prefix: &str,
        key: &str,
        range: std::ops::RangeInclusive<u32>,
        out: &mut u32,
    ) {
        if let Some(item) = t.get(key) {
            match item
                .as_integer()
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| range.contains(v))
            {
                Some(v) => *out = v,
                None => {
                    let msg = format!(
                        "expected a whole number from {} to {}",
                        range.start(),
                        range.end()
                    );
                    self.report(t, prefix, key, &msg);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::secret::Secret;
    use std::path::Path;

    fn load(text: &str) -> (Settings, Vec<String>) {
        let (s, p) = Settings::load(SourceText::new(Path::new("config.toml"), text));
        (s, p.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(load(""), (Settings::default(), vec![]));
    }

    #[test]
    fn values_are_read() {
        let (s, p) = load(
            "readonly = true\n[ui]\ntheme = \"light\"\nmouse = false\nfps = 10\nclock = \"local\"\n[timeline]\nnewest_first = false\nexport_dir = \"/tmp/x\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert!(s.readonly && !s.mouse && !s.clock_utc && !s.timeline_newest_first);
        assert_eq!((s.theme.as_str(), s.fps), ("light", 10));
        assert_eq!(s.export_dir, Some(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn actions_and_per_context_readonly() {
        let (s, p) = load(
            "[actions]\nprotected = [\"live-*\"]\ncooldown_secs = 5\ntimeout_secs = 9\naudit_log = \"/a.jsonl\"\n[contexts.\"prod-eu\"]\nreadonly = true\n[contexts.dev]\nreadonly = false\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.protected, ["live-*"]);
        assert_eq!((s.cooldown_secs, s.action_timeout_secs), (5, 9));
        assert_eq!(s.audit_log, Some(PathBuf::from("/a.jsonl")));
        assert_eq!(s.readonly_contexts, ["prod-eu"]);
        let (_, p) = load("[actions]\nprotected = \"prod\"\n");
        assert_eq!(
            p,
            ["config.toml:2 actions.protected: expected an array of strings"]
        );
    }

    #[test]
    fn rollout_section_with_per_service_thresholds() {
        let (s, problems) = load(
            "[rollout]\nerror_ratio = 0.02\np95_secs = 1\nversion_label = \"version\"\nmemory_share = 2.0\n\
             [rollout.services.\"payment-service\"]\np95_secs = 0.5\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("rollout.memory_share"), "{problems:?}");
        let r = &s.rollout;
        assert_eq!(
            (
                r.thresholds.error_ratio,
                r.thresholds.p95_secs,
                r.thresholds.memory_share
            ),
            (0.02, 1.0, 0.8)
        );
        assert_eq!(r.version_label, "version");
        let own = r.thresholds_for("payment-service");
        assert_eq!((own.error_ratio, own.p95_secs), (0.02, 0.5));
        assert_eq!(r.thresholds_for("api-gateway"), r.thresholds);
    }

    #[test]
    fn kubernetes_section() {
        let (s, p) = load(
            "[kubernetes]\ncontext = \"prod-eu\"\nnamespace = \"payments\"\nall_namespaces = true\nkubeconfig = \"/k/config\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let k = s.kubernetes;
        assert_eq!(
            (
                k.context.as_deref(),
                k.namespace.as_deref(),
                k.all_namespaces
            ),
            (Some("prod-eu"), Some("payments"), true)
        );
        assert_eq!(k.kubeconfig, Some(PathBuf::from("/k/config")));
        assert_eq!(k.metrics_interval_secs, 15);
    }

    #[test]
    fn bad_entries_are_reported_with_lines_and_the_rest_loads() {
        let (s, p) =
            load("[ui]\ntheme = 3\nmous = false\nfps = 500\n\n[timeline]\nnewest_first = false\n");
        assert_eq!(
            p,
            [
                "config.toml:2 ui.theme: expected a string",
                "config.toml:3 ui.mous: unknown key; expected one of theme, mouse, fps, clock, start_tab",
                "config.toml:4 ui.fps: expected a whole number from 1 to 120",
            ]
        );
        assert_eq!(s.theme, "dark");
        assert!(!s.timeline_newest_first);
    }

    #[test]
    fn prometheus_section() {
        let (s, p) = load(
            "[prometheus]\nurl = \"http://prom:9090/\"\nbearer_token_env = \"PROM_TOKEN\"\nservice_label = \"app\"\ninterval_secs = 30\nwindow = \"6h\"\nheaders = { X-Scope-OrgID = \"team-a\" }\n[prometheus.queries]\np99 = \"max by ({label}) (x)\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let ps = s.prometheus;
        assert_eq!(ps.url.as_deref(), Some("http://prom:9090"));
        assert_eq!(ps.bearer_token_env.as_deref(), Some("PROM_TOKEN"));
        assert_eq!((ps.service_label.as_str(), ps.interval_secs), ("app", 30));
        assert_eq!(ps.window, Window::H6);
        assert_eq!(ps.headers["X-Scope-OrgID"], "team-a");
        assert_eq!(ps.queries[&Metric::P99], "max by ({label}) (x)");
        let d = Settings::default().prometheus;
        assert_eq!(
            (d.service_label.as_str(), d.interval_secs, d.window),
            ("service", 15, Window::H1)
        );
    }

    #[test]
    fn prometheus_refuses_inline_secrets_and_reports_bad_values() {
        let (s, p) = load(
            "[prometheus]\nurl = \"prom:9090\"\nbearer_token = \"s3cr3t\"\nwindow = \"2h\"\n\n[prometheus.headers]\nAuthorization = \"Bearer s3cr3t\"\nX-Team = 3\n[prometheus.queries]\np50 = \"x\"\n",
        );
        assert_eq!(
            p,
            [
                "config.toml:2 prometheus.url: expected an http:// or https:// URL",
                "config.toml:3 prometheus.bearer_token: inline secrets are not accepted; use bearer_token_env",
                "config.toml:4 prometheus.window: expected \"15m\", \"1h\" or \"6h\"",
                "config.toml:7 prometheus.headers.Authorization: inline secrets are not accepted; use bearer_token_env",
                "config.toml:8 prometheus.headers.X-Team: expected a string",
                "config.toml:10 prometheus.queries.p50: unknown key; expected one of p95, p99, error_ratio, availability, rate",
            ]
        );
        assert!(!p.iter().any(|l| l.contains("s3cr3t")));
        assert_eq!(s.prometheus.url, None);
        assert!(s.prometheus.headers.is_empty());
    }

    #[test]
    fn warroom_section() {
        let (s, problems) = load(
            "[warroom]\nredis_url = \"rediss://r:6380/0\"\npassword_env = \"ROOM_PW\"\nroom = \"inc-2041\"\nrequire_lock = true\nhistory = 500\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let w = &s.warroom;
        assert_eq!(w.redis_url.as_deref(), Some("rediss://r:6380/0"));
        assert_eq!(w.password, Secret::Env("ROOM_PW".into()));
        assert_eq!(w.room.as_deref(), Some("inc-2041"));
        assert!(w.require_lock);
        assert_eq!(w.history, 500);
        assert_eq!(w.timeout_ms, 2_000);
    }

    #[test]
    fn queries_section_names_each_target_and_its_secret_reference() {
        let (s, p) = load(
            "[queries]\ninterval_secs = 10\n[queries.postgres.orders-db]\ndsn = \"host=db user=ops dbname=orders\"\npassword_env = \"PG_PW\"\nconnections_warn_pct = 85\n[queries.mongo.shop]\nuri = \"mongodb://ops@m:27017/\"\npassword_file = \"/run/pw\"\nprofile_dbs = [\"shop\"]\nallow_privileged = true\n[queries.redis.cache]\nurl = \"redis://cache:6379/0\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let q = s.queries;
        assert!(q.enabled());
        let pg = &q.postgres[0];
        assert_eq!((pg.name.as_str(), pg.interval_secs), ("orders-db", 10));
        assert_eq!(pg.password, Secret::Env("PG_PW".into()));
        assert_eq!(
            (pg.connections_warn_pct, pg.activity_threshold_secs),
            (85, 5)
        );
        assert!(!pg.allow_privileged);
        let m = &q.mongo[0];
        assert_eq!(m.password, Secret::File(PathBuf::from("/run/pw")));
        assert_eq!(m.profile_dbs, ["shop"]);
        assert!(m.allow_privileged);
        let r = &q.redis[0];
        assert_eq!(r.patterns, ["ratelimit:*"]);
        assert_eq!(r.password, Secret::None);
        assert!(!Settings::default().queries.enabled());
    }
}
