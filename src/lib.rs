//! opsdeck: a terminal live-ops console for microservice incidents.
//!
//! Sources (and the demo engine) send `update::Update`s over a channel; the
//! single app loop applies them to the `model`, maps keys to commands through
//! the `config::keymap`, and draws with `ui`. See DESIGN.md for the whole picture.

pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod core;
pub mod demo;
pub mod features;
pub mod live;
pub mod logging;
pub mod model;
pub mod postmortem;
pub mod quiet_backend;
pub mod recording;
pub mod remediation;
pub mod runtime;
pub mod shared;
pub mod terminal;
pub mod transport;
pub mod ui;
pub mod update;
pub mod warroom;
