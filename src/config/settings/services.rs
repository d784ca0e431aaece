//! `[services."NAME"]`: links of one service that override the defaults.
//!
//! ```toml
//! [services."payment-service"]
//! deployments = ["payment-service", "payment-worker"]
//! selector = { app = "payment" }
//! prometheus = ["payments"]
//! breakers = ["paymentService"]      # breakers protecting calls to it
//! groups = ["payment-events-group"]
//! pg_application = ["payment-service"]
//! mongo_app = ["payments"]
//! ```

use super::{Reader, Table};
use crate::features::overview::settings::ServiceConfig;
use std::collections::BTreeMap;

impl Reader<'_> {
    pub(super) fn services(&mut self, t: &Table, out: &mut Vec<ServiceConfig>) {
        const PRE: &str = "services.";
        // deployment → the service that claimed it first.
        let mut claimed: BTreeMap<String, String> = BTreeMap::new();
        for (name, item) in t.iter() {
            let Some(s) = item.as_table() else {
                self.report(t, PRE, name, "expected a section like [services.\"NAME\"]");
                continue;
            };
            if crate::core::sanitize::safe(name) != name {
                self.report(
                    t,
                    PRE,
                    name,
                    "a service name cannot hold control characters or escape sequences",
                );
                continue;
            }
            let prefix = format!("{PRE}{name}.");
            self.check_keys(
                s,
                &prefix,
                &[
                    "deployments",
                    "selector",
                    "prometheus",
                    "breakers",
                    "groups",
                    "pg_application",
                    "mongo_app",
                ],
            );
            let mut c = ServiceConfig {
                name: name.to_string(),
                ..ServiceConfig::default()
            };
            // A list replaces the default link; a key that is not a list
            // is reported and keeps the default.
            let list = |r: &mut Self, key: &str| {
                let mut v = Vec::new();
                r.strings(s, &prefix, key, &mut v);
                // Backend names are made safe the same way, so they match.
                let v: Vec<String> = v.iter().map(|x| crate::core::sanitize::safe(x)).collect();
                s.get(key)
                    .is_some_and(|i| i.as_array().is_some())
                    .then_some(v)
            };
            c.deployments = list(self, "deployments");
            c.prometheus = list(self, "prometheus");
            c.breakers = list(self, "breakers");
            c.groups = list(self, "groups");
            c.pg_application = list(self, "pg_application");
            c.mongo_app = list(self, "mongo_app");
            if let Some(sel) = self.subtable(s, &prefix, "selector") {
                c.selector = self.string_map(&sel, &format!("{prefix}selector."));
            }
            if let Some(deployments) = &mut c.deployments {
                let mut kept = Vec::new();
                for d in deployments.drain(..) {
                    match claimed.get(&d) {
                        Some(first) => {
                            let msg = format!(
                                "deployment {d:?} is already linked to service {first:?}; the first wins"
                            );
                            self.report(s, &prefix, "deployments", &msg);
                        }
                        None => {
                            claimed.insert(d.clone(), name.to_string());
                            kept.push(d);
                        }
                    }
                }
                *deployments = kept;
            }
            out.push(c);
        }
    }
}
