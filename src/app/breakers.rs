//! What the Breakers tab does with commands: filter, grouping, and turning
//! the selection into a breaker plan.

use super::App;
use crate::core::action::ActionPlan;
use crate::core::action::UpdateState;
use crate::features::breakers::actions::plan;
use crate::features::breakers::model::{BreakerRow, VisibleRow};

impl App {
    /// `breaker close|force_open|disable [all]` on the selected row; a
    /// grouped row means every instance.
    pub(super) fn breaker_plan(&self, update: &str, all: bool) -> Result<ActionPlan, String> {
        let update = match update {
            "close" => UpdateState::Close,
            "force_open" => UpdateState::ForceOpen,
            "disable" => UpdateState::Disable,
            other => {
                return Err(format!(
                    "no breaker change {other:?}: close, force_open or disable"
                ));
            }
        };
        if self.tab != super::tab::Tab::Breakers {
            return Err("select a breaker on the Breakers tab first".into());
        }
        let b = &self.model.breakers.data;
        let rows: Vec<&BreakerRow> = match self.model.breakers.view.selected() {
            None => return Err("no breaker selected".into()),
            Some(VisibleRow::Group(g)) => b.instances(&g.service, &g.breaker),
            Some(VisibleRow::One(key)) if all => b.instances(&key.service, &key.breaker),
            Some(VisibleRow::One(key)) => b.get(key).into_iter().collect(),
        };
        if rows.is_empty() {
            return Err("this breaker is only seen through Prometheus: configure its actuator ([breakers] in config.toml) to change it".into());
        }
        let context = self.model.context.as_deref().unwrap_or("default");
        plan::breaker_update(&rows, update, context)
    }
}
