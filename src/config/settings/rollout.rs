//! `[rollout]`: the rollback conditions and the per-revision PromQL (see
//! `features/pods/settings.rs` for the keys), and `[rollout.services."NAME"]`
//! thresholds for one deployment.

use super::{Reader, Table};
use crate::features::pods::settings::{RolloutSettings, Thresholds};

const THRESHOLDS: [&str; 3] = ["error_ratio", "p95_secs", "memory_share"];

impl Reader<'_> {
    pub(super) fn rollout(&mut self, t: &Table, out: &mut RolloutSettings) {
        const PRE: &str = "rollout.";
        let mut known = THRESHOLDS.to_vec();
        known.extend([
            "version_label",
            "p95_query",
            "error_ratio_query",
            "services",
        ]);
        self.check_keys(t, PRE, &known);
        self.thresholds(t, PRE, &mut out.thresholds);
        self.string(t, PRE, "version_label", &mut out.version_label);
        for (key, slot) in [
            ("p95_query", &mut out.p95_query),
            ("error_ratio_query", &mut out.error_ratio_query),
        ] {
            let mut q = String::new();
            self.string(t, PRE, key, &mut q);
            if !q.is_empty() {
                *slot = Some(q);
            }
        }
        let Some(services) = self.subtable(t, PRE, "services") else {
            return;
        };
        for (name, item) in services.iter() {
            let prefix = format!("{PRE}services.{name}.");
            let Some(s) = item
                .as_table()
                .cloned()
                .or_else(|| item.as_inline_table().map(|i| i.clone().into_table()))
            else {
                self.report(
                    &services,
                    "rollout.services.",
                    name,
                    "expected a section like [rollout.services.\"NAME\"]",
                );
                continue;
            };
            self.check_keys(&s, &prefix, &THRESHOLDS);
            let mut own = out.thresholds;
            self.thresholds(&s, &prefix, &mut own);
            out.services.insert(name.to_string(), own);
        }
    }

    fn thresholds(&mut self, t: &Table, prefix: &str, out: &mut Thresholds) {
        for (key, slot, max) in [
            ("error_ratio", &mut out.error_ratio, 1.0),
            ("p95_secs", &mut out.p95_secs, 3_600.0),
            ("memory_share", &mut out.memory_share, 1.0),
        ] {
            let Some(item) = t.get(key) else { continue };
            let value = item
                .as_float()
                .or_else(|| item.as_integer().map(|i| i as f64))
                .filter(|v| (0.0..=max).contains(v));
            match value {
                Some(v) => *slot = v,
                None => self.report(
                    t,
                    prefix,
                    key,
                    &format!("expected a number from 0 to {max}"),
                ),
            }
        }
    }
}
