//! What the Pods tab does with commands: views, sorting, detail, and
//! resolving "the selected row" for actions.

use super::App;
use crate::core::command::ActionRequest;
use crate::core::source::Severity;
use crate::features::pods::rollout::history::history;
use crate::features::pods::view::PodsMode;

impl App {
    /// `:view NAME` on the current tab; the Pods views' names work from
    /// any tab and switch to it.
    pub(super) fn choose_view(&mut self, which: &str) {
        let result = match self.feature_mut(self.tab).choose_view(which) {
            Err(_) if PodsMode::parse(which).is_some() => {
                self.tab = super::tab::Tab::Pods;
                crate::shared::feature::Feature::choose_view(&mut self.model.pods, which)
            }
            other => other,
        };
        if let Err(e) = result {
            self.say(Severity::Warn, e);
        }
    }

    /// Fills in the target of an action given without one from the selection.
    pub(super) fn with_selection(&self, request: ActionRequest) -> Result<ActionRequest, String> {
        let v = &self.model.pods.view;
        let selected = v.selected_key();
        let selected_deployment = || -> Result<String, String> {
            let (ns, name) = selected.ok_or("nothing selected")?;
            match v.mode {
                PodsMode::Deployments => Ok(name.clone()),
                _ => self
                    .model
                    .pods
                    .data
                    .pod(ns, name)
                    .and_then(|p| p.deployment.clone())
                    .ok_or_else(|| format!("pod {name} has no owning deployment")),
            }
        };
        Ok(match request {
            ActionRequest::Restart { deployment } if deployment.is_empty() => {
                ActionRequest::Restart {
                    deployment: selected_deployment()?,
                }
            }
            ActionRequest::Scale {
                deployment,
                replicas,
            } if deployment.is_empty() => ActionRequest::Scale {
                deployment: selected_deployment()?,
                replicas,
            },
            ActionRequest::Rollback {
                deployment,
                revision,
            } if deployment.is_empty() => ActionRequest::Rollback {
                deployment: selected_deployment()?,
                revision: match revision.is_empty() {
                    true => self.selected_revision().unwrap_or_default(),
                    false => revision,
                },
            },
            ActionRequest::Rollout { pause, deployment } if deployment.is_empty() => {
                ActionRequest::Rollout {
                    pause,
                    deployment: selected_deployment()?,
                }
            }
            ActionRequest::Delete { pod } if pod.is_empty() => match (v.mode, selected) {
                (PodsMode::Pods, Some((_, name))) => ActionRequest::Delete { pod: name.clone() },
                _ => return Err("select a pod in the pods view to delete it".into()),
            },
            other => other,
        })
    }

    /// The revision picked in the open rollout detail, unless it is the
    /// one running (then a rollback goes to the previous one).
    fn selected_revision(&self) -> Option<String> {
        let v = &self.model.pods.view;
        if !(v.detail && v.mode == PodsMode::Deployments && v.revision > 0) {
            return None;
        }
        let (ns, name) = v.selected_key()?;
        let revisions = history(&self.model.pods.data, ns, name);
        revisions
            .get(v.revision)?
            .replica_set
            .revision
            .map(|r| r.to_string())
    }

    /// `:ctx` / `:ns`: only a live Kubernetes source can switch scope.
    pub(super) fn switch_scope(
        &mut self,
        context: Option<String>,
        namespace: Option<String>,
    ) -> Vec<super::Effect> {
        if self.model.contexts.is_empty() {
            self.say(
                Severity::Info,
                "no live Kubernetes source: the demo has one context and namespace",
            );
            return Vec::new();
        }
        if let Some(c) = &context
            && !self.model.contexts.contains(c)
        {
            self.say(
                Severity::Warn,
                format!("no context {c:?} in the kubeconfig"),
            );
            return Vec::new();
        }
        self.tab = super::tab::Tab::Pods;
        let what = context.clone().or(namespace.clone()).unwrap_or_default();
        self.say(Severity::Info, format!("switching to {what}…"));
        vec![super::Effect::SetScope { context, namespace }]
    }

    /// `[` / `]` on the Heatmap: 15m, 1h, 6h.
    pub(super) fn step_window(&mut self, longer: bool) -> Vec<super::Effect> {
        use crate::shared::prometheus::Window;
        let Some(current) = self.prom_window else {
            self.say(
                Severity::Info,
                "this source's window is fixed (the demo shows 15m)",
            );
            return Vec::new();
        };
        let i = Window::ALL.iter().position(|w| *w == current).unwrap_or(1);
        let next = if longer {
            (i + 1).min(Window::ALL.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        let window = Window::ALL[next];
        self.prom_window = Some(window);
        self.say(Severity::Info, format!("heatmap window {}", window.label()));
        self.prom_view(true)
    }

    /// Asks a live Prometheus source for the window and as many columns as
    /// the Heatmap has room for, when either changed (or `force`).
    pub(super) fn prom_view(&mut self, force: bool) -> Vec<super::Effect> {
        let Some(window) = self.prom_window else {
            return Vec::new();
        };
        let columns = crate::features::heatmap::view::columns_for(self.size.0);
        if columns == self.prom_columns && !force {
            return Vec::new();
        }
        self.prom_columns = columns;
        vec![super::Effect::PromView { window, columns }]
    }
}
