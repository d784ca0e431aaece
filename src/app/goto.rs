//! Enter on a Timeline entry: the tab of the object it is about, with
//! that object selected.

use super::tab::Tab;
use super::{App, Effect};
use crate::core::source::Severity;
use crate::core::timeline::About;
use crate::features::pods::view::PodsMode;

impl App {
    pub(super) fn goto_entry(&mut self) -> Vec<Effect> {
        let Some(entry) = self.model.timeline.selected().cloned() else {
            self.say(Severity::Info, "no entry selected");
            return Vec::new();
        };
        let Some(about) = entry.about else {
            let why = if entry.action.is_some() {
                "an action's outcome is this entry: u offers its undo"
            } else {
                "this entry is not about one object"
            };
            self.say(Severity::Info, why);
            return Vec::new();
        };
        if let About::Action { id, .. } = about {
            match self.finished.get(&id) {
                Some(d) => self.overlay = super::Overlay::Action(Box::new(d.clone())),
                None => self.say(
                    Severity::Info,
                    "this console did not run that action: the entry is its outcome",
                ),
            }
            return Vec::new();
        }
        // The same name in another cluster is another object.
        if let (Some(was), Some(now)) = (&entry.context, &self.model.context)
            && was.as_str() != now
        {
            self.say(
                Severity::Warn,
                format!("that entry is about context {was}: :ctx {was} first"),
            );
            return Vec::new();
        }
        // A service scope could hide the row.
        if self.service.is_some() {
            self.leave_service();
        }
        let found = self.go_to(&about);
        self.fit_cursor();
        if !found {
            self.say(
                Severity::Warn,
                format!("{} is not there any more", describe(&about)),
            );
        } else {
            self.say(Severity::Info, describe(&about));
        }
        Vec::new()
    }

    /// Switches to the object's tab and selects it; false when it is gone
    /// (the tab is shown anyway).
    fn go_to(&mut self, about: &About) -> bool {
        let m = &mut self.model;
        match about {
            About::Pod { namespace, name } | About::Deployment { namespace, name } => {
                self.tab = Tab::Pods;
                let v = &mut m.pods.view;
                v.mode = if matches!(about, About::Pod { .. }) {
                    PodsMode::Pods
                } else {
                    PodsMode::Deployments
                };
                v.filter = Default::default();
                v.refresh(&m.pods.data);
                v.select(&(namespace.to_string(), name.to_string()))
            }
            About::Breaker { service, breaker } => {
                self.tab = Tab::Breakers;
                let v = &mut m.breakers.view;
                v.filter.clear();
                v.refresh(&m.breakers.data);
                v.select(service, breaker)
            }
            About::Group { cluster, group } => {
                self.tab = Tab::Lag;
                let v = &mut m.lag.view;
                v.filter.clear();
                v.refresh(&m.lag.data);
                v.select(&(cluster.to_string(), group.to_string()))
            }
            About::Backend { target, pid } => {
                self.tab = Tab::Queries;
                m.queries.view.select_backend(&m.queries.data, target, *pid)
            }
            About::Action { .. } => false,
            About::Alert { service, .. } => {
                self.tab = Tab::Heatmap;
                let v = &mut m.heatmap.view;
                v.drill = false;
                let row = m
                    .heatmap
                    .data
                    .shown(v.metric)
                    .and_then(|g| g.rows.iter().position(|r| r.service == service.as_str()));
                v.row = row.unwrap_or(0);
                row.is_some()
            }
        }
    }
}

fn describe(about: &About) -> String {
    match about {
        About::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        About::Deployment { namespace, name } => format!("deployment {namespace}/{name}"),
        About::Breaker { service, breaker } => format!("breaker {breaker} of {service}"),
        About::Group { cluster, group } => format!("group {group} ({cluster})"),
        About::Backend { target, pid } => format!("{target} pid {pid}"),
        About::Alert { service, name } => format!("alert {name} of {service}"),
        About::Action { id, .. } => format!("action #{id}"),
    }
}
