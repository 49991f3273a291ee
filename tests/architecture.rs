//! The architecture rules of ARCHITECTURE.md, read from the source so they stay true:
//!
//! 1. Every arrow between top-level modules points down the floors
//!    `cli -> experiment -> evaluate -> agents -> {learn, baselines} -> policy -> env ->
//!    {scenario, forecast} -> sim -> {io, nn}`: a module uses only modules on lower floors, none on
//!    its own floor (so `learn` never uses `agents`, nor `baselines`, and nothing uses `cli`).
//! 2. Inside each module folder, the files and sub-folders (the `mod.rs` face aside) use each
//!    other without a cycle.
//! 3. `anyhow` is used only in `src/cli/` and `src/main.rs`.
//!
//! An import is any `crate::a::b` path or `super::` path (resolved against the file's module) in
//! code, comments aside; `use` lists in braces count each item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, bottom first; modules on one floor may not use each other.
const FLOORS: &[&[&str]] = &[
    &["io", "nn"],
    &["sim"],
    &["scenario", "forecast"],
    &["env"],
    &["policy"],
    &["learn", "baselines"],
    &["agents"],
    &["evaluate"],
    &["experiment"],
    &["cli"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/` (`learn/dqn/trainer.rs` -> [learn, dqn, trainer];
/// `learn/dqn/mod.rs` -> [learn, dqn]).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The text of a file with comments removed (line comments, doc comments; block comments are
/// not used in this code base).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with("//") {
                return "";
            }
            // A trailing comment: `//` after code, outside a string (an even number of quotes).
            let mut quotes = 0;
            let bytes = line.as_bytes();
            for i in 0..bytes.len() {
                match bytes[i] {
                    b'"' if i == 0 || bytes[i - 1] != b'\\' => quotes += 1,
                    b'/' if quotes % 2 == 0 && bytes.get(i + 1) == Some(&b'/') => {
                        return &line[..i];
                    }
                    _ => {}
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The items of a brace group starting at `s[0] == '{'`: each top-level comma-separated entry's
/// leading path (`a::b`, `c`, `self`), and the rest of the string after the group.
fn brace_items(s: &str) -> (Vec<String>, &str) {
    let mut depth = 0;
    let mut items = Vec::new();
    let mut cur = String::new();
    for (i, c) in s.char_indices() {
        match c {
            '{' => {
                depth += 1;
                if depth > 1 {
                    cur.push(c);
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    items.push(std::mem::take(&mut cur));
                    return (
                        items
                            .into_iter()
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect(),
                        &s[i + 1..],
                    );
                }
                cur.push(c);
            }
            ',' if depth == 1 => items.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    (Vec::new(), "")
}

/// Absolute module paths (`[a, b, ...]`) that the code of module `module` refers to.
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(pos) = rest.find(['c', 's']) {
        let before_ok = pos == 0 || !rest[..pos].ends_with(|c: char| is_ident(c) || c == ':');
        let tail = &rest[pos..];
        let (base, after): (Vec<String>, &str) = if before_ok && tail.starts_with("crate::") {
            (Vec::new(), &tail["crate::".len()..])
        } else if before_ok && tail.starts_with("super::") {
            let mut base: Vec<String> = module.to_vec();
            let mut t = tail;
            while let Some(r) = t.strip_prefix("super::") {
                base.pop();
                t = r;
            }
            (base, t)
        } else {
            rest = &rest[pos + 1..];
            continue;
        };
        collect_paths(&base, after, &mut out);
        rest = &rest[pos + 1..];
    }
    out
}

/// Adds `base` + the path (or each path of a brace group) at the start of `s`.
fn collect_paths(base: &[String], s: &str, out: &mut Vec<Vec<String>>) {
    if s.starts_with('{') {
        let (items, _) = brace_items(s);
        for item in items {
            if item == "self" {
                out.push(base.to_vec());
            } else {
                collect_paths(base, &item, out);
            }
        }
        return;
    }
    let mut path = base.to_vec();
    let mut t = s;
    loop {
        let end = t.find(|c: char| !is_ident(c)).unwrap_or(t.len());
        if end == 0 {
            break;
        }
        path.push(t[..end].to_string());
        t = &t[end..];
        match t.strip_prefix("::") {
            Some(r) if r.starts_with('{') => {
                collect_paths(&path, r, out);
                return;
            }
            Some(r) => t = r,
            None => break,
        }
    }
    out.push(path);
}

struct Source {
    /// Module path of each file, with its code.
    files: Vec<(PathBuf, Vec<String>, String)>,
    /// Module paths that are modules (files or folders), for telling modules from items.
    modules: BTreeSet<Vec<String>>,
}

fn read_source() -> Source {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut files = Vec::new();
    let mut modules = BTreeSet::new();
    for p in paths {
        let rel = p.strip_prefix(&src).expect("under src").to_path_buf();
        if rel == Path::new("main.rs") {
            continue;
        }
        let m = module_path(&rel);
        for k in 1..=m.len() {
            modules.insert(m[..k].to_vec());
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("readable"));
        files.push((rel, m, code));
    }
    Source { files, modules }
}

#[test]
fn top_level_arrows_point_down_the_floors() {
    let source = read_source();
    let mut wrong = BTreeSet::new();
    for (rel, m, code) in &source.files {
        let Some(from) = m.first() else { continue };
        let from_floor = floor_of(from)
            .unwrap_or_else(|| panic!("{}: module `{from}` is on no floor", rel.display()));
        for r in references(code, m) {
            let Some(to) = r.first() else { continue };
            if to == from || !source.modules.contains(&vec![to.clone()]) {
                continue;
            }
            let to_floor = floor_of(to).expect("every top-level module has a floor");
            if to_floor >= from_floor {
                wrong.insert(format!("{} uses crate::{to}", rel.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows that do not point down:\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn no_import_cycle_inside_a_module() {
    let source = read_source();
    // (folder, from child) -> children it uses
    let mut edges: BTreeMap<(Vec<String>, String), BTreeSet<String>> = BTreeMap::new();
    for (_, m, code) in &source.files {
        for r in references(code, m) {
            let common = m.iter().zip(&r).take_while(|(a, b)| a == b).count();
            if common == 0 || common >= m.len() || common >= r.len() {
                continue; // top level (the other test), or the folder's own mod.rs
            }
            let folder = m[..common].to_vec();
            let mut target = folder.clone();
            target.push(r[common].clone());
            if source.modules.contains(&target) {
                edges
                    .entry((folder, m[common].clone()))
                    .or_default()
                    .insert(r[common].clone());
            }
        }
    }
    // Depth-first search for a cycle in each folder's graph.
    let folders: BTreeSet<Vec<String>> = edges.keys().map(|(f, _)| f.clone()).collect();
    let mut cycles = Vec::new();
    for folder in folders {
        let graph: BTreeMap<&String, &BTreeSet<String>> = edges
            .iter()
            .filter(|((f, _), _)| *f == folder)
            .map(|((_, c), to)| (c, to))
            .collect();
        fn visit<'a>(
            n: &'a String,
            graph: &BTreeMap<&'a String, &'a BTreeSet<String>>,
            stack: &mut Vec<&'a String>,
            done: &mut BTreeSet<&'a String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = stack.iter().position(|s| *s == n) {
                let mut c: Vec<String> = stack[i..].iter().map(|s| s.to_string()).collect();
                c.push(n.clone());
                return Some(c);
            }
            if !done.insert(n) {
                return None;
            }
            stack.push(n);
            if let Some(next) = graph.get(n) {
                for m in next.iter() {
                    if let Some(c) = visit(m, graph, stack, done) {
                        return Some(c);
                    }
                }
            }
            stack.pop();
            None
        }
        let mut done = BTreeSet::new();
        for n in graph.keys() {
            if let Some(c) = visit(n, &graph, &mut Vec::new(), &mut done) {
                cycles.push(format!("src/{}/: {}", folder.join("/"), c.join(" -> ")));
                break;
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn anyhow_only_at_the_edge() {
    let source = read_source();
    let users: Vec<String> = source
        .files
        .iter()
        .filter(|(_, m, code)| m.first().is_none_or(|t| t != "cli") && code.contains("anyhow"))
        .map(|(rel, _, _)| rel.display().to_string())
        .collect();
    assert!(
        users.is_empty(),
        "anyhow outside src/cli and src/main.rs: {users:?}"
    );
}

/// The checker itself: it finds the kinds of import it is meant to find.
#[test]
fn the_checker_sees_paths_in_every_form() {
    let m: Vec<String> = ["learn", "dqn", "trainer"].map(String::from).to_vec();
    let code = code_of(
        "use super::network::{self, QNetwork};\n\
         use crate::learn::{eval::evaluate_batched, LearnError};\n\
         // use crate::agents::Agent;\n\
         let x = crate::env::Action::Discrete(1); // crate::cli\n\
         use super::super::run::{RunLog, RunMeta};",
    );
    let refs: BTreeSet<String> = references(&code, &m).iter().map(|r| r.join("::")).collect();
    let want: BTreeSet<String> = [
        "learn::dqn::network",
        "learn::dqn::network::QNetwork",
        "learn::eval::evaluate_batched",
        "learn::LearnError",
        "env::Action::Discrete",
        "learn::run::RunLog",
        "learn::run::RunMeta",
    ]
    .map(String::from)
    .into();
    assert_eq!(refs, want);
}
