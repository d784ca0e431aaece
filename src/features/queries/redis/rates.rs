//! Rates over the window between two INFO samples. INFO's counters grow
//! from the server's start; a restart (or CONFIG RESETSTAT) starts them
//! again from zero, and then the later value is the whole change.

use super::info::{Info, InfoSample};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    pub window: Duration,
    pub hits: u64,
    pub misses: u64,
    /// hits / (hits + misses) in the window, 0 to 1; None when nothing was
    /// looked up.
    pub hit_rate: Option<f64>,
    pub evicted_per_sec: Option<f64>,
    pub expired_per_sec: Option<f64>,
    pub ops_per_sec: Option<f64>,
    /// The counters started again within the window.
    pub restarted: bool,
}

/// The rates between `earlier` and `later`; None unless `later` was taken
/// after `earlier`.
pub fn rates(earlier: &InfoSample, later: &InfoSample) -> Option<Rates> {
    let window = later.at.checked_duration_since(earlier.at)?;
    if window.is_zero() {
        return None;
    }
    let (a, b) = (&earlier.info, &later.info);
    let restarted = restarted(a, b);
    let delta = |pick: fn(&Info) -> Option<u64>| {
        let after = pick(b)?;
        if restarted {
            Some(after)
        } else {
            after.checked_sub(pick(a)?)
        }
    };
    let per_sec = |d: Option<u64>| d.map(|d| d as f64 / window.as_secs_f64());
    let hits = delta(|i| i.keyspace_hits);
    let misses = delta(|i| i.keyspace_misses);
    let hit_rate = match (hits, misses) {
        (Some(h), Some(m)) if h + m > 0 => Some(h as f64 / (h + m) as f64),
        _ => None,
    };
    Some(Rates {
        window,
        hits: hits.unwrap_or(0),
        misses: misses.unwrap_or(0),
        hit_rate,
        evicted_per_sec: per_sec(delta(|i| i.evicted_keys)),
        expired_per_sec: per_sec(delta(|i| i.expired_keys)),
        ops_per_sec: per_sec(delta(|i| i.total_commands_processed)),
        restarted,
    })
}

/// A new run id, a smaller uptime, or any counter gone down.
fn restarted(a: &Info, b: &Info) -> bool {
    let new_run = matches!((&a.run_id, &b.run_id), (Some(x), Some(y)) if x != y);
    let went_down =
        |pick: fn(&Info) -> Option<u64>| matches!((pick(a), pick(b)), (Some(x), Some(y)) if y < x);
    new_run
        || went_down(|i| i.uptime_secs)
        || went_down(|i| i.keyspace_hits)
        || went_down(|i| i.keyspace_misses)
        || went_down(|i| i.evicted_keys)
        || went_down(|i| i.expired_keys)
        || went_down(|i| i.total_commands_processed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sample(at: Instant, hits: u64, misses: u64, evicted: u64, commands: u64) -> InfoSample {
        InfoSample {
            at,
            info: Info {
                run_id: Some("run-1".into()),
                uptime_secs: Some(100),
                keyspace_hits: Some(hits),
                keyspace_misses: Some(misses),
                evicted_keys: Some(evicted),
                expired_keys: Some(0),
                total_commands_processed: Some(commands),
                ..Info::default()
            },
        }
    }

    #[test]
    fn hit_rate_and_per_second_rates_over_the_window() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(4);
        let r = rates(
            &sample(t0, 1000, 500, 10, 10_000),
            &sample(t1, 1030, 510, 18, 10_400),
        );
        let r = r.unwrap();
        assert_eq!(r.window, Duration::from_secs(4));
        assert_eq!((r.hits, r.misses), (30, 10));
        assert_eq!(r.hit_rate, Some(0.75));
        assert_eq!(r.evicted_per_sec, Some(2.0));
        assert_eq!(r.expired_per_sec, Some(0.0));
        assert_eq!(r.ops_per_sec, Some(100.0));
        assert!(!r.restarted);
    }

    #[test]
    fn no_lookups_means_no_hit_rate() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let r = rates(&sample(t0, 5, 5, 0, 1), &sample(t1, 5, 5, 0, 2)).unwrap();
        assert_eq!(r.hit_rate, None);
    }

    #[test]
    fn a_counter_that_went_down_is_a_restart_not_a_negative_rate() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(2);
        let r = rates(&sample(t0, 1000, 500, 10, 10_000), &sample(t1, 3, 1, 0, 20)).unwrap();
        assert!(r.restarted);
        assert_eq!((r.hits, r.misses), (3, 1));
        assert_eq!(r.hit_rate, Some(0.75));
        assert_eq!(r.ops_per_sec, Some(10.0));
    }

    #[test]
    fn a_new_run_id_is_a_restart_even_when_counters_grew_past_the_old_ones() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let mut later = sample(t1, 2000, 0, 10, 20_000);
        later.info.run_id = Some("run-2".into());
        let r = rates(&sample(t0, 1000, 500, 10, 10_000), &later).unwrap();
        assert!(r.restarted);
        assert_eq!((r.hits, r.misses), (2000, 0));
        assert_eq!(r.hit_rate, Some(1.0));
    }

    #[test]
    fn samples_out_of_order_or_at_one_instant_give_nothing() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(
            rates(&sample(t1, 0, 0, 0, 0), &sample(t0, 0, 0, 0, 0)),
            None
        );
        assert_eq!(
            rates(&sample(t0, 0, 0, 0, 0), &sample(t0, 0, 0, 0, 0)),
            None
        );
    }

    #[test]
    fn a_missing_counter_gives_none_for_its_rate_only() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let mut later = sample(t1, 10, 10, 0, 5);
        later.info.evicted_keys = None;
        let r = rates(&sample(t0, 0, 0, 0, 0), &later).unwrap();
        assert_eq!(r.evicted_per_sec, None);
        assert_eq!(r.hit_rate, Some(0.5));
    }
}
