//! Service, instance and breaker names and errors come from actuators and
//! Prometheus: made safe to show where a poll enters the app.

use super::data::BreakerState;
use super::model::{BreakersUpdate, Figures, Observation, RowKey};
use crate::core::clean::Sanitize;

crate::core::clean::sanitize_fields! {
    BreakersUpdate { observations, targets, failures }
    Observation { key, target, figures }
    RowKey { service, instance, breaker }
    Figures { state }
}

impl Sanitize for BreakerState {
    fn sanitize(&mut self) {
        if let BreakerState::Unknown(text) = self {
            text.sanitize();
        }
    }
}
