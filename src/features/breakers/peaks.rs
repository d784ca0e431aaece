//! The worst the breakers showed, for the post-mortem: how long each was
//! open.

use super::data::BreakerState;
use super::model::Breakers;
use crate::core::peak::{Spell, spells};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct BreakerPeaks {
    /// Each breaker (service, breaker) while any instance was open.
    pub open: BTreeMap<(String, String), Vec<Spell>>,
}

impl BreakerPeaks {
    /// After a poll was applied: every row, from every source.
    pub fn note(&mut self, breakers: &Breakers, at: DateTime<Utc>) {
        let open = breakers
            .rows
            .values()
            .filter(|r| {
                matches!(
                    r.figures.state,
                    BreakerState::Open | BreakerState::ForcedOpen
                )
            })
            .map(|r| (r.key.service.clone(), r.key.breaker.clone()));
        spells(&mut self.open, open, at);
    }
}
