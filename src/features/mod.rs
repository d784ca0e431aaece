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

/// Every tab, once, in tab-bar order: its `Tab` variant (also its title),
/// the `Model` field that holds it (also its name: `:tab`, the keymap
/// layer, `COMMANDS`' tab lists), its type, and the tab bar's short title
/// for 80 columns. The shell reads this list through a macro of its own
/// (`with_tabs!(its_macro)`): `app/tab.rs` makes `Tab` and maps each to
/// its feature, `model/mod.rs` makes the `Model`'s fields.
macro_rules! with_tabs {
    ($then:ident) => {
        $then! {
            Overview(overview: $crate::features::overview::feature::OverviewTab, "Over"),
            Pods(pods: $crate::features::pods::feature::PodsTab, "Pods"),
            Heatmap(heatmap: $crate::features::heatmap::feature::HeatmapTab, "Heat"),
            Logs(logs: $crate::features::logs::model::Logs, "Logs"),
            Breakers(breakers: $crate::features::breakers::feature::BreakersTab, "Brkrs"),
            Queries(queries: $crate::features::queries::feature::QueriesTab, "Query"),
            Lag(lag: $crate::features::lag::feature::LagTab, "Lag"),
            Timeline(timeline: $crate::features::timeline::model::Timeline, "Time"),
            Console(console: $crate::features::console::feature::ConsoleTab, "Cons"),
        }
    };
}
pub(crate) use with_tabs;
