//! Shipped files parse and match the code; user fixture files load or fail
//! with exactly the report they must produce.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use opsdeck::app::tab::Tab;
use opsdeck::config::keymap::{CONTEXTS, DEFAULT_KEYMAP, Keymap, NON_TAB_CONTEXTS};
use opsdeck::config::problem::{Problem, SourceText};
use opsdeck::config::settings::Settings;
use opsdeck::config::theme::{BUILT_IN, ThemeFile, ThemeSet};
use opsdeck::core::command::{COMMANDS, Command};
use opsdeck::shared::color::ColorSupport;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().unwrap() == "toml")
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

/// Loads a fixture as the kind its name says (`x.config.toml`, `x.keymaps.toml`, `x.theme.toml`).
fn load(path: &Path) -> Vec<Problem> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    if name.ends_with(".config.toml") {
        Settings::load(SourceText::new(Path::new("config.toml"), &text)).1
    } else if name.ends_with(".keymaps.toml") {
        Keymap::load(Some((Path::new("keymaps.toml"), &text))).1
    } else if name.ends_with(".theme.toml") {
        let file = ThemeFile {
            name: "t".into(),
            path: "theme.toml".into(),
            text,
        };
        ThemeSet::new(vec![file])
            .resolve("t", ColorSupport::TrueColor)
            .unwrap()
            .1
    } else {
        panic!("fixture {name} must end in .config.toml, .keymaps.toml or .theme.toml")
    }
}

#[test]
fn valid_user_files_load_without_problems() {
    for path in fixtures("valid") {
        assert_eq!(load(&path), vec![], "{}", path.display());
    }
}

#[test]
fn invalid_user_files_report_file_line_and_key() {
    for path in fixtures("invalid") {
        let expected_path = path.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} needs {}", path.display(), expected_path.display()));
        let got: Vec<String> = load(&path).iter().map(|p| p.to_string()).collect();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(got, expected, "{}", path.display());
    }
}

#[test]
fn the_shipped_keymap_binds_exactly_the_documented_commands() {
    let (keymap, problems) = Keymap::load(None);
    assert!(problems.is_empty(), "{problems:?}");
    let bound: BTreeSet<&str> = CONTEXTS
        .iter()
        .flat_map(|c| keymap.layer(c))
        .map(|b| b.run.name())
        .collect();
    let documented: BTreeSet<&str> = COMMANDS
        .iter()
        .filter(|s| s.bound_by_default)
        .map(|s| s.name)
        .collect();
    assert_eq!(bound, documented);
    assert!(DEFAULT_KEYMAP.contains("[global]"));
}

#[test]
fn the_keymap_knows_which_contexts_are_the_tabs_layers() {
    let tab_layers: Vec<&str> = CONTEXTS
        .iter()
        .copied()
        .filter(|c| !NON_TAB_CONTEXTS.contains(c))
        .collect();
    let tabs: Vec<&str> = Tab::ALL.iter().map(|t| t.context()).collect();
    assert_eq!(tab_layers, tabs);
}

#[test]
fn the_shipped_keymap_binds_each_command_only_where_it_applies() {
    let (keymap, _) = Keymap::load(None);
    for tab in Tab::ALL {
        for b in keymap.layer(tab.context()) {
            assert!(tab.runs(&b.run), "{} in [{}]", b.run, tab.context());
        }
    }
}

#[test]
fn the_shipped_keymap_leaves_tmux_keys_free() {
    let (keymap, _) = Keymap::load(None);
    for key in ["<C-a>", "<C-h>", "<C-j>", "<C-k>", "<C-l>", "<C-b>"] {
        let k = opsdeck::config::keys::KeyPress::parse(key).unwrap();
        for ctx in CONTEXTS {
            assert!(
                !keymap.layer(ctx).iter().any(|b| b.on.contains(&k)),
                "{key} bound in {ctx}"
            );
        }
    }
}

#[test]
fn every_shipped_theme_parses_and_each_file_is_in_themes_dir() {
    let set = ThemeSet::default();
    for (name, text) in BUILT_IN {
        let (_, problems) = set.resolve(name, ColorSupport::TrueColor).unwrap();
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let on_disk =
            std::fs::read_to_string(format!("{}/themes/{name}.toml", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert_eq!(&on_disk, text);
    }
    for required in ["dark", "light", "high-contrast", "mono"] {
        assert!(BUILT_IN.iter().any(|(n, _)| *n == required), "{required}");
    }
}

#[test]
fn every_keymap_entry_runs_a_command_the_command_line_accepts() {
    let (keymap, _) = Keymap::load(None);
    for ctx in CONTEXTS {
        for b in keymap.layer(ctx) {
            assert_eq!(Command::parse(&b.run.to_string()).unwrap(), b.run);
        }
    }
}

#[test]
fn a_missing_config_is_fine_an_unreadable_one_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let missing = opsdeck::config::Locations {
        config_file: dir.path().join("config.toml"),
        config_explicit: false,
        dir: dir.path().to_path_buf(),
    };
    let loaded = opsdeck::config::load(&missing, None, ColorSupport::TrueColor);
    assert_eq!(loaded.problems, vec![]);
    assert_eq!(loaded.settings, Settings::default());

    // A directory where the file should be: reading fails, defaults are used.
    std::fs::create_dir(dir.path().join("keymaps.toml")).unwrap();
    let named = opsdeck::config::Locations {
        config_explicit: true,
        ..missing
    };
    let loaded = opsdeck::config::load(&named, Some("light"), ColorSupport::TrueColor);
    let texts: Vec<String> = loaded.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].contains("config.toml: cannot read"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("keymaps.toml: cannot read"),
        "{}",
        texts[1]
    );
    assert_eq!(loaded.theme.name, "light");
}
