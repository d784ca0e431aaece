//! The layers of `src/` point one way: `core` ← `shared` ← `features/<name>`
//! ← the shell (everything else). This test reads every `crate::…` path in `src/`
//! and fails, naming the file and line, when a lower layer names a higher
//! one, when a feature names another feature, or when an import closes a
//! cycle between top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One `crate::a::b…` path found in a file.
#[derive(Debug, Clone)]
struct Import {
    file: PathBuf,
    line: usize,
    /// The path's segments after `crate`, e.g. `["core", "sanitize", "SafeText"]`.
    path: Vec<String>,
}

/// Where a file or a path sits in the layering.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layer {
    Core,
    Shared,
    Feature(String),
    Shell(String),
}

impl Layer {
    fn of(segments: &[String]) -> Option<Layer> {
        match segments.first().map(String::as_str) {
            None => None,
            Some("core") => Some(Layer::Core),
            Some("shared") => Some(Layer::Shared),
            Some("features") => segments.get(1).map(|f| Layer::Feature(f.clone())),
            Some(top) => Some(Layer::Shell(top.to_string())),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Layer::Core => 0,
            Layer::Shared => 1,
            Layer::Feature(_) => 2,
            Layer::Shell(_) => 3,
        }
    }
}

/// The module path of a file under `src/`: `src/model/heatmap/grid.rs` →
/// `["model", "heatmap", "grid"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("the file is under src/");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Every `crate::` path in one file's code (comments are skipped), with
/// `use crate::{a::x, b::{y, z}}` groups expanded to their first segments.
fn imports_in(file: &Path, text: &str) -> Vec<Import> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let code = match raw.find("//") {
            Some(i) => &raw[..i],
            None => raw,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            // `$crate::` in macros and `opsdeck_crate::` are not ours.
            let before = rest[..i].chars().last();
            let tail = &rest[i + "crate::".len()..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            if let Some(group) = tail.strip_prefix('{') {
                // The group may span lines: take the rest of the file from here.
                let at = text.lines().take(n).map(|l| l.len() + 1).sum::<usize>()
                    + (raw.len() - group.len());
                for (offset, first) in group_heads(&text[at.min(text.len())..]) {
                    let line = n + 1 + text[at..at + offset].matches('\n').count();
                    out.push(Import {
                        file: file.to_path_buf(),
                        line,
                        path: vec![first],
                    });
                }
                continue;
            }
            let path: Vec<String> = tail
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .collect();
            if !path.is_empty() {
                out.push(Import {
                    file: file.to_path_buf(),
                    line: n + 1,
                    path,
                });
            }
        }
    }
    out
}

/// The first segment of each item in a `{…}` use group (the text starts just
/// after the `{`), with its byte offset.
fn group_heads(text: &str) -> Vec<(usize, String)> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut expect_head = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expect_head = true,
            c if expect_head && (c.is_alphanumeric() || c == '_') => {
                let mut word = c.to_string();
                while let Some((_, d)) = chars.peek() {
                    if d.is_alphanumeric() || *d == '_' {
                        word.push(*d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                heads.push((i, word));
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What is wrong with the imports of a set of files, one line per problem.
fn problems(src: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), Import> = BTreeMap::new();
    for (file, text) in files {
        let module = module_of(src, file);
        let Some(from) = Layer::of(&module) else {
            continue; // lib.rs and main.rs sit above everything.
        };
        for import in imports_in(file, text) {
            let Some(to) = Layer::of(&import.path) else {
                continue;
            };
            let at = format!("{}:{}", import.file.display(), import.line);
            let named = format!("crate::{}", import.path.join("::"));
            if to.rank() > from.rank() {
                problems.push(format!(
                    "{at}: {from:?} names {named}, a higher layer ({to:?})"
                ));
            }
            if let (Layer::Feature(a), Layer::Feature(b)) = (&from, &to)
                && a != b
            {
                problems.push(format!(
                    "{at}: feature {a} names feature {b} ({named}); go through core"
                ));
            }
            if let (Layer::Shell(a), Layer::Shell(b)) = (&from, &to)
                && a != b
            {
                edges
                    .entry((a.clone(), b.clone()))
                    .or_insert_with(|| import.clone());
            }
        }
    }
    for edge in edges_on_cycles(&edges.keys().cloned().collect()) {
        let import = &edges[&edge];
        problems.push(format!(
            "{}:{}: {} → {} closes a cycle between top-level modules (crate::{})",
            import.file.display(),
            import.line,
            edge.0,
            edge.1,
            import.path.join("::")
        ));
    }
    problems
}

/// The edges that lie on some cycle: a → b where b reaches a.
fn edges_on_cycles(edges: &BTreeSet<(String, String)>) -> BTreeSet<(String, String)> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(
                    edges
                        .iter()
                        .filter(|(a, _)| *a == n)
                        .map(|(_, b)| b.clone()),
                );
            }
        }
        false
    };
    edges
        .iter()
        .filter(|(a, b)| reaches(b, a))
        .cloned()
        .collect()
}

fn read_src() -> (PathBuf, Vec<(PathBuf, String)>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let files = files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("source files are UTF-8");
            (f, text)
        })
        .collect();
    (src, files)
}

#[test]
fn layers_point_one_way() {
    let (src, files) = read_src();
    assert!(files.len() > 100, "read only {} files", files.len());
    let problems = problems(&src, &files);
    assert!(problems.is_empty(), "layering:\n{}", problems.join("\n"));
}

#[test]
fn a_bad_import_is_named_with_its_file_and_line() {
    let (src, mut files) = read_src();
    let sanitize = src.join("core/sanitize.rs");
    let entry = files
        .iter_mut()
        .find(|(f, _)| *f == sanitize)
        .expect("core/sanitize.rs exists");
    entry
        .1
        .push_str("\nuse crate::{\n    core::glob,\n    app::App,\n};\n");
    let lines = entry.1.lines().count();
    let problems = problems(&src, &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains(&format!("core/sanitize.rs:{}", lines - 1))
            && problems[0].contains("crate::app"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_feature_naming_another_feature_fails() {
    let src = Path::new("/x/src");
    let files = vec![(
        src.join("features/lag/model.rs"),
        "use crate::core::source::SourceId;\nfn f() { crate::features::pods::x(); }\n".to_string(),
    )];
    let problems = problems(src, &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("/x/src/features/lag/model.rs:2: feature lag names feature pods")
    );
}

#[test]
fn a_cycle_between_top_level_modules_fails() {
    let src = Path::new("/x/src");
    let files = vec![
        (src.join("app/mod.rs"), "use crate::ui::draw;\n".to_string()),
        (
            src.join("ui/mod.rs"),
            "fn f(a: &crate::app::App) {}\n".to_string(),
        ),
    ];
    let problems = problems(src, &files);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("/x/src/app/mod.rs:1: app → ui closes a cycle"));
    assert!(problems[1].starts_with("/x/src/ui/mod.rs:1: ui → app closes a cycle"));
}

#[test]
fn shared_code_may_not_name_a_feature() {
    let src = Path::new("/x/src");
    let files = vec![(
        src.join("shared/kube/connect.rs"),
        "use crate::core::redact::redact;\nuse crate::features::lag::model::Consumers;\n"
            .to_string(),
    )];
    let problems = problems(src, &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0]
            .starts_with("/x/src/shared/kube/connect.rs:2: Shared names crate::features::lag")
    );
}
