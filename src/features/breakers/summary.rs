//! What the Overview needs of the Breakers tab: each (service, breaker)
//! merged over its instances, in its worst state.

use super::model::{Breakers, state_rank};
use crate::core::service::{BreakerSignal, Condition};
use crate::features::breakers::data::BreakerState;
use std::collections::BTreeMap;

pub fn signals(b: &Breakers) -> Vec<BreakerSignal> {
    let mut out: BTreeMap<(String, String), BreakerSignal> = BTreeMap::new();
    let mut worst: BTreeMap<(String, String), u8> = BTreeMap::new();
    for row in b.rows.values().filter(|r| b.shown(r)) {
        let key = (row.key.service.clone(), row.key.breaker.clone());
        let rank = state_rank(&row.figures.state);
        let s = out.entry(key.clone()).or_insert_with(|| BreakerSignal {
            owner: row.key.service.clone(),
            breaker: row.key.breaker.clone(),
            ..BreakerSignal::default()
        });
        s.instances.1 += 1;
        let best = worst.entry(key).or_insert(u8::MAX);
        if rank < *best {
            *best = rank;
            s.state = row.figures.state.as_str().to_string();
            s.instances.0 = 1;
            s.since = Some(row.since);
            s.condition = condition(&row.figures.state);
        } else if rank == *best {
            s.instances.0 += 1;
            s.since = Some(s.since.map_or(row.since, |x| x.min(row.since)));
        }
    }
    out.into_values().collect()
}

fn condition(state: &BreakerState) -> Condition {
    match state {
        BreakerState::Open | BreakerState::ForcedOpen => Condition::Crit,
        BreakerState::HalfOpen | BreakerState::Disabled | BreakerState::Unknown(_) => {
            Condition::Warn
        }
        BreakerState::Closed | BreakerState::MetricsOnly => Condition::Ok,
    }
}
