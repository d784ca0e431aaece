//! Whether applied updates can change what is on screen. On a big cluster
//! most watched changes are to pods scrolled out of view: those draw no
//! frame (issue 21). Anything else is assumed to show.

use super::tab::Tab;
use super::{App, Overlay};
use crate::core::service::ServiceScope;
use crate::features::pods::model::{KubeUpdate, changed_keys};
use crate::features::pods::view::PodsMode;
use crate::update::Update;
use std::collections::BTreeSet;

type Key = (String, String);

/// What of the pods is on screen, as far as a change to one pod can alter it.
#[derive(Debug, Clone, PartialEq)]
struct Glance {
    /// The title's count and the filtered count.
    pods: usize,
    rows: usize,
    /// A superset of the rows on screen: the page around the cursor.
    window: Vec<Key>,
    service: Option<ServiceScope>,
}

/// Changes applied since the last frame that may be off screen.
#[derive(Debug, Clone, Default)]
pub(super) struct Unseen {
    before: Option<Glance>,
    changed: BTreeSet<Key>,
    /// Something applied that may show.
    pub(super) shows: bool,
}

impl App {
    fn glance(&self) -> Glance {
        let v = &self.model.pods.view;
        let page = self.page_rows();
        let from = v.cursor.top.min(v.cursor.selected).saturating_sub(page);
        Glance {
            pods: self.model.pods.data.pods.len(),
            rows: v.len(),
            window: v.rows().iter().skip(from).take(3 * page).cloned().collect(),
            service: self.service.clone(),
        }
    }

    /// Before `update` is applied: notes whether it may show.
    pub(super) fn note_unseen(&mut self, update: &Update) {
        let pods_on_screen = self.tab == Tab::Pods
            && self.model.pods.view.mode == PodsMode::Pods
            && !matches!(self.overlay, Overlay::Action(_));
        let Update::Kube(k) = update else {
            self.unseen.shows = true;
            return;
        };
        let KubeUpdate::PodsChanged { upserted, deleted } = &**k else {
            self.unseen.shows = true;
            return;
        };
        if !pods_on_screen {
            // Another tab draws nothing of single pods (the Overview reads
            // per-deployment signals, which show).
            self.unseen.shows |= self.tab == Tab::Overview;
            return;
        }
        if self.unseen.before.is_none() {
            self.unseen.before = Some(self.glance());
        }
        self.unseen.changed.extend(changed_keys(upserted, deleted));
    }

    /// After the updates were applied and settled: whether a frame is due.
    pub(super) fn settle_unseen(&mut self) {
        let Some(before) = self.unseen.before.take() else {
            return;
        };
        let changed = std::mem::take(&mut self.unseen.changed);
        let after = self.glance();
        let touches = |g: &Glance| g.window.iter().any(|k| changed.contains(k));
        self.unseen.shows |= before != after || touches(&before) || touches(&after);
    }

    /// Whether what was applied since the last call can change the screen.
    pub fn take_redraw(&mut self) -> bool {
        std::mem::take(&mut self.unseen.shows)
    }
}
