//! `[breakers]`: where circuit breakers are read from.
//!
//! ```toml
//! [breakers]
//! interval_secs = 5
//! prometheus = true                    # resilience4j_* series from [prometheus] url
//! bearer_token_env = "ACTUATOR_TOKEN"  # for the URLs below
//! [breakers.actuators]
//! order-service = "http://order-service:8080/actuator"
//! # which environment it is in (else it counts as protected):
//! payments = { url = "http://payments:8080/actuator", context = "prod-eu", namespace = "payments" }
//! [breakers.discovery]                 # every matching pod, through the pod proxy
//! selector = "app.kubernetes.io/part-of=shop"
//! port = 8080
//! path = "/actuator"
//! ```

use super::{INLINE_SECRET, Reader};
use crate::features::breakers::settings::{Actuator, BreakerDiscovery, BreakerSettings};
use toml_edit::Table;

/// `[breakers]`. Off unless an actuator, discovery or `prometheus` is set.
impl Reader<'_> {
    pub(super) fn breakers(&mut self, b: &Table, out: &mut BreakerSettings) {
        const PRE: &str = "breakers.";
        let keys = [
            "interval_secs",
            "prometheus",
            "bearer_token_env",
            "actuators",
            "discovery",
        ];
        for (key, _) in b.iter() {
            if key == "bearer_token" {
                self.report(b, PRE, key, INLINE_SECRET);
            } else if !keys.contains(&key) {
                let msg = format!("unknown key; expected one of {}", keys.join(", "));
                self.report(b, PRE, key, &msg);
            }
        }
        self.int(b, PRE, "interval_secs", 1..=3_600, &mut out.interval_secs);
        self.bool(b, PRE, "prometheus", &mut out.prometheus);
        let mut env = String::new();
        self.string(b, PRE, "bearer_token_env", &mut env);
        out.bearer_token_env = (!env.is_empty()).then_some(env);
        if let Some(a) = self.subtable(b, PRE, "actuators") {
            let prefix = format!("{PRE}actuators.");
            for (name, _) in a.iter() {
                if let Some(actuator) = self.actuator(&a, &prefix, name) {
                    out.actuators.insert(name.to_string(), actuator);
                }
            }
        }
        if let Some(d) = self.subtable(b, PRE, "discovery") {
            let prefix = format!("{PRE}discovery.");
            self.check_keys(&d, &prefix, &["selector", "port", "path", "namespace"]);
            let mut selector = String::new();
            self.string(&d, &prefix, "selector", &mut selector);
            let mut port = 8080;
            self.int(&d, &prefix, "port", 1..=65_535, &mut port);
            let mut path = "/actuator".to_string();
            self.string(&d, &prefix, "path", &mut path);
            let mut namespace = String::new();
            self.string(&d, &prefix, "namespace", &mut namespace);
            if selector.is_empty() {
                self.report(b, PRE, "discovery", "needs selector = \"key=value\"");
            } else {
                out.discovery = Some(BreakerDiscovery {
                    selector,
                    port: u16::try_from(port).unwrap_or(8080),
                    path: format!("/{}", path.trim_matches('/')),
                    namespace: (!namespace.is_empty()).then_some(namespace),
                });
            }
        }
    }
}

impl Reader<'_> {
    /// One actuator: a URL, or `{ url, context, namespace }`.
    fn actuator(&mut self, a: &Table, prefix: &str, name: &str) -> Option<Actuator> {
        let mut actuator = Actuator::default();
        let item = a.get(name)?;
        if let Some(url) = item.as_str() {
            actuator.url = url.to_string();
        } else if let Some(t) = item
            .as_table()
            .cloned()
            .or_else(|| item.as_inline_table().map(|t| t.clone().into_table()))
        {
            let inner = format!("{prefix}{name}.");
            self.check_keys(&t, &inner, &["url", "context", "namespace"]);
            self.string(&t, &inner, "url", &mut actuator.url);
            let (mut context, mut namespace) = (String::new(), String::new());
            self.string(&t, &inner, "context", &mut context);
            self.string(&t, &inner, "namespace", &mut namespace);
            actuator.context = (!context.is_empty()).then_some(context);
            actuator.namespace = (!namespace.is_empty()).then_some(namespace);
        }
        actuator.url = self.http_url(a, prefix, name, &actuator.url)?;
        Some(actuator)
    }
}
