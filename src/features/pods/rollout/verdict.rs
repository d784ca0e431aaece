//! New versus old: one line saying whether the rollback conditions hold
//! for the running revision, against the one before it. Advice only:
//! nothing acts on it.

use crate::features::pods::settings::Thresholds;

/// What is known of one revision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    pub revision: Option<u64>,
    /// `payment-service:2.14.0`.
    pub images: String,
    pub error_ratio: Option<f64>,
    pub p95_secs: Option<f64>,
    /// The pod closest to its memory limit: used over limit.
    pub memory_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Some condition holds: which, against the revision before.
    Advised(String),
    /// Every known figure is within its threshold.
    Within(String),
    /// Nothing to judge by.
    Unknown(String),
}

/// `9.4%`, `12%`.
pub fn pct(v: f64) -> String {
    let p = v * 100.0;
    if p < 10.0 && p.fract() != 0.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// `420ms`, `2.8s`.
pub fn secs(v: f64) -> String {
    if v < 1.0 {
        format!("{:.0}ms", v * 1000.0)
    } else {
        format!("{v:.1}s")
    }
}

fn revision(f: &Figures) -> String {
    f.revision.map_or_else(|| "?".into(), |r| r.to_string())
}

/// One condition: its name, the figure it reads, the limit, how it is written.
type Check = (
    &'static str,
    fn(&Figures) -> Option<f64>,
    f64,
    fn(f64) -> String,
);

/// The verdict on `new`, with `old` (the revision before) for contrast.
pub fn verdict(new: &Figures, old: Option<&Figures>, t: &Thresholds) -> Verdict {
    let checks: [Check; 3] = [
        ("error ratio", |f| f.error_ratio, t.error_ratio, pct),
        ("p95", |f| f.p95_secs, t.p95_secs, secs),
        ("memory", |f| f.memory_share, t.memory_share, pct),
    ];
    if checks.iter().all(|(_, pick, _, _)| pick(new).is_none()) {
        return Verdict::Unknown(format!(
            "no verdict: nothing measured for revision {}",
            revision(new)
        ));
    }
    // The first breach names both revisions; the others only their figures.
    let breaches: Vec<String> = checks
        .iter()
        .filter_map(|(what, pick, limit, show)| {
            let value = pick(new).filter(|v| v > limit)?;
            Some((
                what,
                show(value),
                show(*limit),
                old.and_then(|o| pick(o).map(show)),
            ))
        })
        .enumerate()
        .map(|(i, (what, value, limit, before))| match (i, before) {
            (0, Some(b)) => format!(
                "{what} {value} > {limit} on revision {} ({}) vs {b} on revision {}",
                revision(new),
                new.images,
                old.map_or_else(|| "?".into(), revision)
            ),
            (0, None) => format!(
                "{what} {value} > {limit} on revision {} ({})",
                revision(new),
                new.images
            ),
            (_, Some(b)) => format!("{what} {value} > {limit} (vs {b})"),
            (_, None) => format!("{what} {value} > {limit}"),
        })
        .collect();
    if breaches.is_empty() {
        return Verdict::Within(format!(
            "no rollback advised: revision {} is within error ratio {}, p95 {}, memory {}",
            revision(new),
            pct(t.error_ratio),
            secs(t.p95_secs),
            pct(t.memory_share)
        ));
    }
    Verdict::Advised(format!("rollback advised: {}", breaches.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> Figures {
        Figures {
            revision: Some(14),
            images: "payment-service:2.14.0".into(),
            error_ratio: Some(0.094),
            p95_secs: Some(0.42),
            memory_share: Some(0.5),
        }
    }

    fn old() -> Figures {
        Figures {
            revision: Some(13),
            images: "payment-service:2.13.4".into(),
            error_ratio: Some(0.001),
            p95_secs: Some(0.18),
            memory_share: Some(0.4),
        }
    }

    #[test]
    fn an_error_ratio_over_the_threshold_advises_a_rollback_against_the_old_revision() {
        assert_eq!(
            verdict(&new(), Some(&old()), &Thresholds::default()),
            Verdict::Advised(
                "rollback advised: error ratio 9.4% > 5% on revision 14 (payment-service:2.14.0) vs 0.1% on revision 13"
                    .into()
            )
        );
    }

    #[test]
    fn each_condition_counts_and_thresholds_are_per_service() {
        let slow = Figures {
            error_ratio: Some(0.01),
            p95_secs: Some(2.8),
            memory_share: Some(0.88),
            ..new()
        };
        let Verdict::Advised(text) = verdict(&slow, None, &Thresholds::default()) else {
            panic!("slow and near its limit")
        };
        assert_eq!(
            text,
            "rollback advised: p95 2.8s > 2.0s on revision 14 (payment-service:2.14.0); memory 88% > 80%"
        );
        let strict = Thresholds {
            error_ratio: 0.005,
            ..Thresholds::default()
        };
        let fine = Figures {
            error_ratio: Some(0.01),
            ..old()
        };
        assert!(matches!(
            verdict(&fine, None, &Thresholds::default()),
            Verdict::Within(_)
        ));
        assert!(matches!(verdict(&fine, None, &strict), Verdict::Advised(_)));
    }

    #[test]
    fn nothing_measured_is_no_verdict() {
        let blank = Figures {
            revision: Some(14),
            ..Figures::default()
        };
        assert_eq!(
            verdict(&blank, Some(&old()), &Thresholds::default()),
            Verdict::Unknown("no verdict: nothing measured for revision 14".into())
        );
    }
}
