//! Which feature each tab shows: the one place the shell maps tabs to
//! features, so everything else routes through `Feature`.

use super::App;
use super::tab::Tab;
use crate::shared::feature::Feature;

impl App {
    pub fn feature(&self, tab: Tab) -> &dyn Feature {
        let m = &self.model;
        match tab {
            Tab::Overview => &m.overview,
            Tab::Pods => &m.pods,
            Tab::Heatmap => &m.heatmap,
            Tab::Logs => &m.logs,
            Tab::Breakers => &m.breakers,
            Tab::Queries => &m.queries,
            Tab::Lag => &m.lag,
            Tab::Timeline => &m.timeline,
            Tab::Console => &m.console,
        }
    }

    pub fn feature_mut(&mut self, tab: Tab) -> &mut dyn Feature {
        let m = &mut self.model;
        match tab {
            Tab::Overview => &mut m.overview,
            Tab::Pods => &mut m.pods,
            Tab::Heatmap => &mut m.heatmap,
            Tab::Logs => &mut m.logs,
            Tab::Breakers => &mut m.breakers,
            Tab::Queries => &mut m.queries,
            Tab::Lag => &mut m.lag,
            Tab::Timeline => &mut m.timeline,
            Tab::Console => &mut m.console,
        }
    }
}
