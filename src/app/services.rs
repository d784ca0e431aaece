//! The service scope: Enter on the Overview or `:service NAME` shows only
//! that service's rows on every tab; Esc or `:service -` leaves it.

use super::tab::Tab;
use super::{App, Effect};
use crate::core::service::ServiceScope;
use crate::core::source::Severity;

impl App {
    /// Enter on the Overview: scope to the selected service and show its pods.
    pub(super) fn scope_selected(&mut self) -> Vec<Effect> {
        let Some(name) = self.model.overview.selected().map(str::to_string) else {
            self.say(Severity::Info, "no service selected");
            return Vec::new();
        };
        let effects = self.scope_to(&name);
        if self.service.is_some() {
            self.tab = Tab::Pods;
        }
        effects
    }

    /// `:service NAME`, `:service -`.
    pub(super) fn service_command(&mut self, arg: &str) -> Vec<Effect> {
        match arg.trim() {
            "-" => {
                if !self.leave_service() {
                    self.say(Severity::Info, "not scoped to a service");
                }
                Vec::new()
            }
            name => self.scope_to(name),
        }
    }

    fn scope_to(&mut self, name: &str) -> Vec<Effect> {
        let Some(scope) = self.model.overview.scope(name) else {
            self.say(
                Severity::Warn,
                format!("no service {name:?}: :service then Tab lists them"),
            );
            return Vec::new();
        };
        let deployment = scope.links.deployments.first().cloned();
        self.apply_service(Some(scope));
        // Its logs, followed from its (first) deployment, without leaving
        // the tab the user is on.
        let tab = self.tab;
        let effects = match deployment {
            Some(d) => {
                let label = format!("deploy/{d}");
                let following = self
                    .model
                    .logs
                    .scope
                    .as_ref()
                    .is_some_and(|s| s.label == label);
                if following {
                    Vec::new()
                } else {
                    self.follow_logs(&label)
                }
            }
            None => Vec::new(),
        };
        self.tab = tab;
        self.say(
            Severity::Info,
            format!("service {name}: every tab shows its rows; Esc leaves"),
        );
        effects
    }

    /// Leaves the service scope; false when there was none.
    pub(super) fn leave_service(&mut self) -> bool {
        if self.service.is_none() {
            return false;
        }
        self.apply_service(None);
        self.say(Severity::Info, "every service again");
        true
    }

    pub(super) fn apply_service(&mut self, scope: Option<ServiceScope>) {
        for tab in Tab::ALL {
            self.feature_mut(tab).set_service(scope.as_ref());
        }
        self.service = scope;
        self.fit_cursor();
    }

    /// After the Overview was rebuilt: the service may link to more (a new
    /// deployment, a breaker seen for the first time) or less.
    pub(super) fn refresh_service(&mut self) {
        let Some(current) = &self.service else {
            return;
        };
        let fresh = self.model.overview.scope(&current.name);
        match fresh {
            Some(s) if s != *current => {
                for tab in Tab::ALL {
                    self.feature_mut(tab).set_service(Some(&s));
                }
                self.service = Some(s);
            }
            _ => {}
        }
    }
}

impl App {
    /// From a row of a tab to the same service on another: scopes every
    /// tab to the row's service, then shows `to` (`pods`, `logs` or
    /// `heatmap`). From a heatmap cell, its logs start at the cell.
    pub(super) fn jump_to_service(&mut self, to: &str) -> Vec<Effect> {
        let target = match to.trim() {
            "pods" => Tab::Pods,
            "logs" => Tab::Logs,
            "heatmap" => Tab::Heatmap,
            other => {
                self.say(
                    Severity::Warn,
                    format!("jump {other:?}: pods, logs or heatmap"),
                );
                return Vec::new();
            }
        };
        let Some(row) = self.feature(self.tab).row_ref() else {
            self.say(Severity::Info, "no row selected to jump from");
            return Vec::new();
        };
        let Some(service) = self.model.overview.service_of(&row) else {
            self.say(
                Severity::Warn,
                format!(
                    "{row} links to no service: `opsdeck check` shows the map, [services] fixes it"
                ),
            );
            return Vec::new();
        };
        let mut effects = self.scope_to(&service);
        let since = match &row {
            crate::core::service::RowRef::Prometheus {
                since: Some(at), ..
            } => Some(*at),
            _ => None,
        };
        let deployment = self
            .service
            .as_ref()
            .and_then(|s| s.links.deployments.first().cloned());
        if let (Tab::Logs, Some(at), Some(d)) = (target, since, deployment) {
            let secs = (self.now - at).num_seconds().max(60);
            effects.extend(self.follow_logs(&format!("deploy/{d} --since {secs}s")));
            self.say(
                Severity::Info,
                format!("service {service}: logs since {}", at.format("%H:%M:%S")),
            );
        }
        self.tab = target;
        self.fit_cursor();
        effects
    }
}
