//! One folder per feature, each with the same parts (see ARCHITECTURE.md).
//! A feature may use `core`, never the shell or another feature.

pub mod breakers;
pub mod console;
pub mod heatmap;
pub mod lag;
pub mod logs;
pub mod overview;
pub mod pods;
pub mod queries;
pub mod timeline;
