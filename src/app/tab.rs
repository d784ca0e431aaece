//! The tabs of the console, in tab-bar order.

use crate::core::command::Command;

/// A screen of the console. Numbered from 1 in the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Overview,
    Pods,
    Heatmap,
    Logs,
    Breakers,
    Queries,
    Lag,
    Timeline,
    Console,
}

impl Tab {
    pub const ALL: [Tab; 9] = [
        Tab::Overview,
        Tab::Pods,
        Tab::Heatmap,
        Tab::Logs,
        Tab::Breakers,
        Tab::Queries,
        Tab::Lag,
        Tab::Timeline,
        Tab::Console,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Pods => "pods",
            Tab::Heatmap => "heatmap",
            Tab::Logs => "logs",
            Tab::Breakers => "breakers",
            Tab::Queries => "queries",
            Tab::Lag => "lag",
            Tab::Timeline => "timeline",
            Tab::Console => "console",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Pods => "Pods",
            Tab::Heatmap => "Heatmap",
            Tab::Logs => "Logs",
            Tab::Breakers => "Breakers",
            Tab::Queries => "Queries",
            Tab::Lag => "Lag",
            Tab::Timeline => "Timeline",
            Tab::Console => "Console",
        }
    }

    /// Whether `cmd` applies on this tab: `COMMANDS` names its tabs as
    /// `name` spells them.
    pub fn runs(self, cmd: &Command) -> bool {
        cmd.tabs().contains(self.name())
    }

    /// The keymap layer of this tab.
    pub fn context(self) -> &'static str {
        self.name()
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab bar's short title, for a bar that must fit 80 columns.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Overview => "Over",
            Tab::Pods => "Pods",
            Tab::Heatmap => "Heat",
            Tab::Logs => "Logs",
            Tab::Breakers => "Brkrs",
            Tab::Queries => "Query",
            Tab::Lag => "Lag",
            Tab::Timeline => "Time",
            Tab::Console => "Cons",
        }
    }

    /// By its number in the tab bar (the Overview is 0, so the other
    /// tabs keep the numbers they always had) or by name (prefixes
    /// accepted when unambiguous).
    pub fn find(arg: &str) -> Option<Tab> {
        if let Ok(n) = arg.parse::<usize>() {
            return Tab::ALL.get(n).copied();
        }
        let arg = arg.to_ascii_lowercase();
        let mut hits = Tab::ALL.iter().filter(|t| t.name().starts_with(&arg));
        match (hits.next(), hits.next()) {
            (Some(t), None) => Some(*t),
            _ => Tab::ALL.iter().find(|t| t.name() == arg).copied(),
        }
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::command::{COMMANDS, Tabs};

    #[test]
    fn every_tab_a_command_names_exists() {
        for spec in COMMANDS {
            if let Tabs::Only(names) = spec.tabs {
                for name in names {
                    assert!(
                        Tab::ALL.iter().any(|t| t.name() == *name),
                        "{}: no tab {name:?}",
                        spec.name
                    );
                }
            }
        }
    }
}
