//! The keymap: layers of bindings per context, defaults embedded from
//! `keymaps.toml`, the user's file prepended, appended or replacing a layer.

use super::keys::KeyPress;
use super::problem::{Problem, SourceText};
use crate::core::command::Command;
use std::collections::BTreeMap;
use std::path::Path;
use toml_edit::{Table, Value};

/// The shipped default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps.toml");

/// Contexts a keymap may bind keys in.
pub const CONTEXTS: &[&str] = &[
    "global",
    "overview",
    "pods",
    "heatmap",
    "logs",
    "breakers",
    "queries",
    "lag",
    "timeline",
    "console",
    "help",
    "input",
    "confirm",
    "confirm_typed",
    "action_running",
    "action_done",
    "replay",
];

/// Contexts that are not a tab's own layer: a binding there may run any
/// command.
pub const NON_TAB_CONTEXTS: &[&str] = &[
    "global",
    "help",
    "input",
    "confirm",
    "confirm_typed",
    "action_running",
    "action_done",
    "replay",
];

/// One key (or key sequence) bound to a command.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub on: Vec<KeyPress>,
    pub run: Command,
    pub desc: String,
}

impl Binding {
    /// The keys as the help overlay and footer print them, e.g. `g g`.
    pub fn keys(&self) -> String {
        self.on
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a key press means given the keys pressed before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Run(Command),
    /// The keys so far start a longer binding: wait for the next key.
    Pending,
    Unbound,
}

/// Every binding, by context, in precedence order.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    layers: BTreeMap<String, Vec<Binding>>,
}

impl Keymap {
    /// Loads the defaults, then the user's file over them. Broken entries are
    /// skipped and reported; the rest always loads.
    pub fn load(user: Option<(&Path, &str)>) -> (Keymap, Vec<Problem>) {
        let mut keymap = Keymap::default();
        let mut problems = Vec::new();
        keymap.merge(
            SourceText::new(Path::new("keymaps.toml (built-in)"), DEFAULT_KEYMAP),
            &mut problems,
        );
        if let Some((path, text)) = user {
            keymap.merge(SourceText::new(path, text), &mut problems);
        }
        (keymap, problems)
    }

    fn merge(&mut self, src: SourceText<'_>, problems: &mut Vec<Problem>) {
        let doc = match src.parse() {
            Ok(doc) => doc,
            Err(p) => return problems.push(p),
        };
        for (ctx, item) in doc.iter() {
            let ctx_span = doc.key(ctx).and_then(|k| k.span());
            if !CONTEXTS.contains(&ctx) {
                problems.push(src.problem(
                    ctx_span,
                    ctx,
                    format!("unknown context; expected one of {}", CONTEXTS.join(", ")),
                ));
                continue;
            }
            let Some(table) = item.as_table() else {
                problems.push(src.problem(ctx_span, ctx, "expected a table like [global]"));
                continue;
            };
            self.merge_layer(src, ctx, table, problems);
        }
    }

    fn merge_layer(
        &mut self,
        src: SourceText<'_>,
        ctx: &str,
        table: &Table,
        problems: &mut Vec<Problem>,
    ) {
        let mut replace = None;
        let mut prepend = Vec::new();
        let mut append = Vec::new();
        for (key, item) in table.iter() {
            let path = format!("{ctx}.{key}");
            let span = table.key(key).and_then(|k| k.span());
            let target = match key {
                "keymap" => replace.insert(Vec::new()),
                "prepend_keymap" => &mut prepend,
                "append_keymap" => &mut append,
                _ => {
                    problems.push(src.problem(
                        span,
                        path,
                        "unknown key; expected keymap, prepend_keymap or append_keymap",
                    ));
                    continue;
                }
            };
            let Some(array) = item.as_array() else {
                problems.push(src.problem(span, path, "expected an array of { on, run, desc }"));
                continue;
            };
            for (i, value) in array.iter().enumerate() {
                match parse_binding(value).and_then(|b| fits_layer(ctx, b)) {
                    Ok(b) => target.push(b),
                    Err(msg) => problems.push(src.problem(
                        value.span(),
                        format!("{path}[{i}]"),
                        format!("{msg} (entry skipped)"),
                    )),
                }
            }
        }
        let layer = self.layers.entry(ctx.to_string()).or_default();
        if let Some(replacement) = replace {
            *layer = replacement;
        }
        prepend.append(layer);
        prepend.extend(append);
        *layer = prepend;
    }

    pub fn layer(&self, ctx: &str) -> &[Binding] {
        self.layers.get(ctx).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resolves `keys` in the given contexts, first context first; within a
    /// layer the first binding that equals or extends `keys` wins.
    pub fn lookup(&self, contexts: &[&str], keys: &[KeyPress]) -> Lookup {
        for b in contexts.iter().flat_map(|c| self.layer(c)) {
            if b.on == keys {
                return Lookup::Run(b.run.clone());
            }
            if b.on.len() > keys.len() && b.on.starts_with(keys) {
                return Lookup::Pending;
            }
        }
        Lookup::Unbound
    }

    /// Bindings that a key press can reach in these contexts (not shadowed,
    /// not unbound with `noop`): what help and the footer list.
    pub fn effective<'a>(&'a self, contexts: &[&'a str]) -> Vec<(&'a str, &'a Binding)> {
        let mut seen: Vec<&[KeyPress]> = Vec::new();
        let mut out = Vec::new();
        for ctx in contexts {
            for b in self.layer(ctx) {
                if seen.contains(&b.on.as_slice()) {
                    continue;
                }
                seen.push(&b.on);
                if b.run != Command::Noop {
                    out.push((*ctx, b));
                }
            }
        }
        out
    }

    /// The first key that runs `command` in these contexts, for hints.
    pub fn key_for(&self, contexts: &[&str], command: &Command) -> Option<String> {
        self.effective(contexts)
            .into_iter()
            .find(|(_, b)| &b.run == command)
            .map(|(_, b)| b.keys())
    }
}

/// A tab's layer only fires on that tab: a command that does not apply
/// there could never run.
fn fits_layer(ctx: &str, binding: Binding) -> Result<Binding, String> {
    if NON_TAB_CONTEXTS.contains(&ctx) || binding.run.tabs().contains(ctx) {
        Ok(binding)
    } else {
        Err(format!(
            "{} does not apply to the {ctx} tab",
            binding.run.name()
        ))
    }
}

fn parse_binding(value: &Value) -> Result<Binding, String> {
    let table = value
        .as_inline_table()
        .ok_or("expected { on = ..., run = ..., desc = ... }")?;
    for (key, _) in table.iter() {
        if !matches!(key, "on" | "run" | "desc" | "confirm") {
            return Err(format!(
                "unknown field {key:?}; expected on, run, desc, confirm"
            ));
        }
    }
    let on = match table.get("on") {
        Some(Value::String(s)) => vec![KeyPress::parse(s.value())?],
        Some(Value::Array(keys)) => keys
            .iter()
            .map(|k| {
                k.as_str()
                    .ok_or_else(|| "on: every key must be a string".to_string())
                    .and_then(KeyPress::parse)
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err("on: expected a key or an array of keys".into()),
        None => return Err("missing on".into()),
    };
    if on.is_empty() {
        return Err("on: no key given".into());
    }
    let run = table
        .get("run")
        .ok_or("missing run")?
        .as_str()
        .ok_or("run: expected a string")?;
    let mut run = Command::parse(run)?;
    if let Some(confirm) = table.get("confirm") {
        match (confirm.as_str(), &mut run) {
            (Some("typed"), Command::Act { typed, .. }) => *typed = true,
            (Some("typed"), _) => return Err("confirm applies only to actions".into()),
            (Some("key"), _) => {
                return Err(
                    "confirm = \"key\" would weaken the guard; only \"typed\" is allowed".into(),
                );
            }
            _ => return Err("confirm: expected \"typed\"".into()),
        }
    }
    let desc = match table.get("desc") {
        Some(d) => d.as_str().ok_or("desc: expected a string")?.to_string(),
        None => run.spec().map(|s| s.desc.to_string()).unwrap_or_default(),
    };
    Ok(Binding { on, run, desc })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyPress {
        KeyPress::parse(s).unwrap()
    }

    #[test]
    fn defaults_load_without_problems() {
        let (km, problems) = Keymap::load(None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            km.lookup(&["global"], &[key("q")]),
            Lookup::Run(Command::Quit)
        );
    }

    #[test]
    fn user_entries_prepend_append_and_unbind() {
        let user = r#"
[global]
prepend_keymap = [
  { on = "q", run = "noop" },
  { on = "<C-q>", run = "quit", desc = "Quit now" },
]
append_keymap = [{ on = "Z", run = "help" }]
"#;
        let (km, problems) = Keymap::load(Some((Path::new("user.toml"), user)));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            km.lookup(&["global"], &[key("q")]),
            Lookup::Run(Command::Noop)
        );
        assert_eq!(
            km.lookup(&["global"], &[key("<C-q>")]),
            Lookup::Run(Command::Quit)
        );
        assert_eq!(
            km.lookup(&["global"], &[key("Z")]),
            Lookup::Run(Command::Help)
        );
        let effective = km.effective(&["global"]);
        assert!(
            !effective.iter().any(|(_, b)| b.keys() == "q"),
            "noop hides q"
        );
        assert!(effective.iter().any(|(_, b)| b.desc == "Quit now"));
    }

    #[test]
    fn a_replaced_layer_drops_the_defaults() {
        let user = "[timeline]\nkeymap = [{ on = \"x\", run = \"export\" }]\n";
        let (km, _) = Keymap::load(Some((Path::new("user.toml"), user)));
        assert_eq!(km.layer("timeline").len(), 1);
        assert_eq!(
            km.lookup(&["timeline"], &[key("x")]),
            Lookup::Run(Command::Export(String::new()))
        );
    }

    #[test]
    fn sequences_wait_for_the_next_key() {
        let user = "[global]\nprepend_keymap = [{ on = [\"g\", \"t\"], run = \"tab 1\" }]\n";
        let (km, _) = Keymap::load(Some((Path::new("user.toml"), user)));
        assert_eq!(km.lookup(&["global"], &[key("g")]), Lookup::Pending);
        assert_eq!(
            km.lookup(&["global"], &[key("g"), key("t")]),
            Lookup::Run(Command::Tab("1".into()))
        );
        assert_eq!(
            km.lookup(&["global"], &[key("g"), key("x")]),
            Lookup::Unbound
        );
    }

    #[test]
    fn broken_entries_are_skipped_with_file_line_and_key() {
        let user = r#"[global]
prepend_keymap = [
  { on = "x", run = "quitt" },
  { on = "<Nope>", run = "quit" },
  { on = "y", run = "help" },
]
[bogus]
keymap = []
"#;
        let (km, problems) = Keymap::load(Some((Path::new("keymaps.toml"), user)));
        let texts: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            texts,
            [
                "keymaps.toml:3 global.prepend_keymap[0]: unknown command \"quitt\" (entry skipped)",
                "keymaps.toml:4 global.prepend_keymap[1]: unknown key \"<Nope>\" (entry skipped)",
                "keymaps.toml:7 bogus: unknown context; expected one of global, overview, pods, heatmap, logs, breakers, queries, lag, timeline, console, help, input, confirm, confirm_typed, action_running, action_done, replay",
            ]
        );
        assert_eq!(
            km.lookup(&["global"], &[key("y")]),
            Lookup::Run(Command::Help)
        );
        assert_eq!(
            km.lookup(&["global"], &[key("q")]),
            Lookup::Run(Command::Quit)
        );
    }

    #[test]
    fn a_binding_can_demand_a_stricter_confirmation_never_a_weaker_one() {
        let user = r#"[timeline]
prepend_keymap = [
  { on = "R", run = "restart deploy/payment-service", confirm = "typed" },
  { on = "S", run = "scale deploy/api 2", confirm = "key" },
  { on = "Q", run = "quit", confirm = "typed" },
]
"#;
        let (km, problems) = Keymap::load(Some((Path::new("k.toml"), user)));
        let texts: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            texts,
            [
                "confirm = \"key\" would weaken the guard; only \"typed\" is allowed (entry skipped)",
                "confirm applies only to actions (entry skipped)",
            ]
        );
        match km.lookup(&["timeline"], &[key("R")]) {
            Lookup::Run(Command::Act { typed, .. }) => assert!(typed),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_tab_layer_only_takes_commands_that_apply_to_that_tab() {
        let user = r#"[logs]
prepend_keymap = [
  { on = "D", run = "detail" },
  { on = "W", run = "wrap" },
  { on = "Q", run = "quit" },
]
"#;
        let (km, problems) = Keymap::load(Some((Path::new("k.toml"), user)));
        let texts: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            texts,
            [
                "k.toml:3 logs.prepend_keymap[0]: detail does not apply to the logs tab (entry skipped)"
            ]
        );
        assert_eq!(km.lookup(&["logs"], &[key("D")]), Lookup::Unbound);
        assert_eq!(
            km.lookup(&["logs"], &[key("W")]),
            Lookup::Run(Command::Wrap)
        );
    }

    #[test]
    fn invalid_toml_keeps_the_defaults() {
        let (km, problems) = Keymap::load(Some((Path::new("k.toml"), "[global\n")));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(1));
        assert_eq!(
            km.lookup(&["global"], &[key("q")]),
            Lookup::Run(Command::Quit)
        );
    }
}
