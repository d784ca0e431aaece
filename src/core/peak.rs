//! The worst a feature saw during the session, in words the post-mortem
//! reads: the latest state alone would say the incident never happened
//! once it is over. Each feature keeps its own (its `peaks.rs`), as it
//! folds its updates in.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// A value and when it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub value: f64,
    pub at: DateTime<Utc>,
}

/// How long something was in a bad state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spell {
    pub first: DateTime<Utc>,
    /// Until the poll that last saw it, or that saw it end.
    pub last: DateTime<Utc>,
    /// Still in it at the latest poll.
    pub ongoing: bool,
}

/// Keeps `value` for `key` when it is the highest so far (a NaN or an
/// infinity is no figure and is left out).
pub fn raise<K: Ord>(map: &mut BTreeMap<K, Peak>, key: K, value: f64, at: DateTime<Utc>) {
    if !value.is_finite() {
        return;
    }
    match map.get_mut(&key) {
        Some(p) if p.value >= value => {}
        Some(p) => *p = Peak { value, at },
        None => {
            map.insert(key, Peak { value, at });
        }
    }
}

/// Extends the open spell of each key in `bad`, or starts one; ends the
/// spells of keys no longer bad.
pub fn spells<K: Ord + Clone>(
    map: &mut BTreeMap<K, Vec<Spell>>,
    bad: impl IntoIterator<Item = K>,
    at: DateTime<Utc>,
) {
    let bad: BTreeSet<K> = bad.into_iter().collect();
    for (key, list) in map.iter_mut() {
        if let Some(s) = list.last_mut().filter(|s| s.ongoing)
            && !bad.contains(key)
        {
            s.ongoing = false;
            s.last = at;
        }
    }
    for key in bad {
        let list = map.entry(key).or_default();
        match list.last_mut() {
            Some(s) if s.ongoing => s.last = at,
            _ => list.push(Spell {
                first: at,
                last: at,
                ongoing: true,
            }),
        }
    }
}

/// Whether any key is in a bad spell at the latest poll.
pub fn any_ongoing<K>(map: &BTreeMap<K, Vec<Spell>>) -> bool {
    map.values()
        .any(|list| list.last().is_some_and(|s| s.ongoing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_peak_is_the_highest_finite_value_and_when_it_came() {
        let mut m = BTreeMap::new();
        for (value, t) in [
            (2.0, 1),
            (5.0, 2),
            (f64::NAN, 3),
            (f64::INFINITY, 4),
            (3.0, 5),
        ] {
            raise(&mut m, "k", value, at(t));
        }
        assert_eq!(
            m["k"],
            Peak {
                value: 5.0,
                at: at(2)
            }
        );
    }

    #[test]
    fn a_spell_runs_from_the_first_bad_poll_to_the_one_that_saw_it_end() {
        let mut m = BTreeMap::new();
        spells(&mut m, ["a"], at(10));
        spells(&mut m, ["a"], at(20));
        assert!(any_ongoing(&m));
        spells(&mut m, [], at(30));
        spells(&mut m, ["a"], at(40));
        let want = vec![
            Spell {
                first: at(10),
                last: at(30),
                ongoing: false,
            },
            Spell {
                first: at(40),
                last: at(40),
                ongoing: true,
            },
        ];
        assert_eq!(m["a"], want);
        spells(&mut m, [], at(50));
        assert!(!any_ongoing(&m));
    }
}
