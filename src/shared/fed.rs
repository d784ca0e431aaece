//! A tab whose data comes from a source of its own: the one way its
//! updates are folded in, so the model applies every feature's data alike.

use crate::core::clean::Clean;
use crate::core::timeline::TimelineEntry;

pub trait Fed {
    /// What its source sends (a variant of the shell's `Update`).
    type Update;

    /// Folds one update in (its backend text already made safe): the
    /// model, the view over it, and the worst it saw for the post-mortem.
    /// Returns the Timeline entries the change makes.
    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry>;
}
