//! The tabs of the console, in tab-bar order, and the feature each shows:
//! the one place the shell maps tabs to features, so everything else
//! routes through `Feature`.

use super::App;
use crate::core::command::Command;
use crate::shared::feature::Feature;

/// `Tab`, its names, and the feature each shows, from the one list of
/// tabs in `features::with_tabs!`.
macro_rules! tabs {
    ($($variant:ident($field:ident: $ty:ty, $short:literal)),+ $(,)?) => {
        /// A screen of the console. Numbered from 0 in the tab bar.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tab {
            $($variant,)+
        }

        impl Tab {
            pub const ALL: [Tab; [$(stringify!($variant)),+].len()] = [$(Tab::$variant,)+];

            /// What `:tab`, the keymap layer and `COMMANDS` call it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Tab::$variant => stringify!($field),)+
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(Tab::$variant => stringify!($variant),)+
                }
            }

            /// The tab bar's short title, for a bar that must fit 80 columns.
            pub fn short_title(self) -> &'static str {
                match self {
                    $(Tab::$variant => $short,)+
                }
            }
        }

        impl App {
            pub fn feature(&self, tab: Tab) -> &dyn Feature {
                match tab {
                    $(Tab::$variant => &self.model.$field,)+
                }
            }

            pub fn feature_mut(&mut self, tab: Tab) -> &mut dyn Feature {
                match tab {
                    $(Tab::$variant => &mut self.model.$field,)+
                }
            }
        }
    };
}
crate::features::with_tabs!(tabs);

impl Tab {
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

    /// The names are what users type (`:tab lag`, keymaps.toml's layers)
    /// and the list makes them from `Model` fields: a field renamed must
    /// not rename a tab unnoticed.
    #[test]
    fn the_tabs_keep_the_names_users_type_in_tab_bar_order() {
        let names: Vec<&str> = Tab::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(
            names,
            [
                "overview", "pods", "heatmap", "logs", "breakers", "queries", "lag", "timeline",
                "console"
            ]
        );
        for t in Tab::ALL {
            assert!(t.title().eq_ignore_ascii_case(t.name()), "{t:?}");
            assert!(t.short_title().chars().count() <= 5, "{t:?}");
            assert_eq!(Tab::find(t.name()), Some(t));
        }
    }

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
