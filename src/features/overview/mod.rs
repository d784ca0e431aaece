//! The Overview: every service, worst first, across all sources; one
//! identity per service (`link`), its row of cells (`board`), the
//! probable-cause line (`cause`), and the tab (`feature`, `draw`).

pub mod board;
pub mod cause;
pub mod draw;
pub mod feature;
pub mod link;
pub mod settings;
pub mod view;
