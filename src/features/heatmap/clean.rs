//! Service, alert and warning texts come from Prometheus: made safe to show
//! where a poll enters the app, each cut to a length a cell can hold.

use super::model::PromUpdate;
use crate::core::clean::Sanitize;

/// Longest service name, alert text or warning kept from Prometheus.
const MAX_TEXT_BYTES: usize = 1024;

fn safe(text: &mut String) {
    *text = crate::core::sanitize::sanitize_str_capped(text, MAX_TEXT_BYTES).into_text();
}

impl Sanitize for PromUpdate {
    fn sanitize(&mut self) {
        match self {
            PromUpdate::Range {
                series, warnings, ..
            } => {
                series.iter_mut().for_each(|s| safe(&mut s.name));
                warnings.iter_mut().for_each(safe);
            }
            PromUpdate::Buckets { series, .. } => {
                series.iter_mut().for_each(|s| safe(&mut s.service));
            }
            PromUpdate::Alerts { alerts, .. } => {
                for a in alerts {
                    safe(&mut a.name);
                    safe(&mut a.service);
                    safe(&mut a.summary);
                }
            }
            PromUpdate::Polled { error, .. } => error.iter_mut().for_each(safe),
        }
    }
}
