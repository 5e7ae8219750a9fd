//! The import-order test: no module imports one later in
//! [`crate::MODULE_ORDER`] (the data flow, written once in `lib.rs`).
//!
//! It reads every `crate::…` path (`use crate::x::…`, `crate::x::f(…)`,
//! `use crate::{x, y}`) in `src/**/*.rs` outside test code (files declared
//! `#[cfg(test)] mod name;`, `tests.rs`, `*_tests.rs`, and every item under
//! `#[cfg(test)]`), and names file, line and both modules of each import
//! that runs back up the order. Hand-written: a Rust parser crate (syn)
//! would add a build for what a few string rules do on this code base,
//! whose `crate::` paths are all written plainly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges that still run up the order, each owned by work in progress on
/// another branch, with a comment saying whose. This list may only shrink:
/// an entry whose edge is gone fails the test too, so it is removed when
/// its edge is. Empty: the spec redesign removed the last ones.
const ALLOWED_UP: &[(&str, &str)] = &[];

/// One import that runs up the order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct UpEdge {
    file: String,
    line: usize,
    from: String,
    to: String,
}

#[test]
fn no_module_imports_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank = ranks();
    let aliases = lib_reexports(&src);
    let mut up = Vec::new();
    let mut unknown = Vec::new();
    for file in sources(&src) {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let from = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, target) in crate_paths(&without_test_code(&text)) {
            let to = aliases.get(&target).cloned().unwrap_or(target);
            if to == from {
                continue;
            }
            match (rank.get(from.as_str()), rank.get(to.as_str())) {
                (Some(a), Some(b)) if b > a => up.push(UpEdge {
                    file: format!("src/{rel}"),
                    line,
                    from: from.clone(),
                    to,
                }),
                (Some(_), Some(_)) => {}
                _ => unknown.push(format!("src/{rel}:{line}: `{from}` → `{to}`")),
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from MODULE_ORDER in lib.rs:\n{}",
        unknown.join("\n")
    );
    let allowed: BTreeSet<(&str, &str)> = ALLOWED_UP.iter().copied().collect();
    let used: BTreeSet<(&str, &str)> = up
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .filter(|e| allowed.contains(e))
        .collect();
    let wrong: Vec<String> = up
        .iter()
        .filter(|e| !allowed.contains(&(e.from.as_str(), e.to.as_str())))
        .map(|e| {
            format!(
                "{}:{}: `{}` imports `{}`, which comes later in MODULE_ORDER",
                e.file, e.line, e.from, e.to
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "imports running back up the data flow (move the shared item down, or pass it in as an argument):\n{}",
        wrong.join("\n")
    );
    let stale: Vec<_> = allowed.difference(&used).collect();
    assert!(
        stale.is_empty(),
        "ALLOWED_UP lists edges that no longer exist: remove {stale:?}"
    );
}

#[test]
fn the_order_names_every_module_once() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: BTreeSet<String> = without_test_code(&lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim().trim_start_matches("pub ");
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.to_string())
        })
        .collect();
    let ordered: BTreeSet<String> = crate::MODULE_ORDER.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        ordered.len(),
        crate::MODULE_ORDER.len(),
        "a module is listed twice"
    );
    assert_eq!(
        declared, ordered,
        "lib.rs's modules and MODULE_ORDER differ"
    );
}

#[test]
fn the_reader_finds_paths_and_skips_tests() {
    let text = "use crate::a::X;\nuse crate::{b, c::{D, E}};\nfn f() { crate::d::g(); }\n\
                #[cfg(test)]\nmod tests {\n    use crate::z;\n    fn h() { if x { crate::y::f() } }\n}\n\
                // crate::comment is not an import\nlet s = \"crate::inside\";\n";
    let found: Vec<(usize, String)> = crate_paths(&without_test_code(text));
    let names: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(found[3].0, 3);
}

fn ranks() -> BTreeMap<&'static str, usize> {
    crate::MODULE_ORDER
        .iter()
        .enumerate()
        .map(|(i, m)| (*m, i))
        .collect()
}

/// Names `lib.rs` re-exports (`crate::Error`, `crate::build_spec`), to the
/// module that defines them.
fn lib_reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut names = BTreeMap::new();
    // Only the crate root's own `pub use module::…` lines (not those
    // inside `pub mod stages`, which start `crate::`).
    for l in lib.lines() {
        let Some(rest) = l.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches("self::");
        for name in items.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !name.is_empty() && name != "as" {
                names.insert(name.to_string(), module.to_string());
            }
        }
    }
    names
}

/// Every `.rs` file under `dir` that is not test code.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    let mut test_files = BTreeSet::new();
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".rs") || name == "tests.rs" || name.ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let parent = path.parent().unwrap();
            let own = match name.as_str() {
                "mod.rs" | "lib.rs" | "main.rs" => parent.to_path_buf(),
                _ => parent.join(name.trim_end_matches(".rs")),
            };
            for m in test_modules(&text) {
                test_files.insert(own.join(format!("{m}.rs")));
                test_files.insert(own.join(m).join("mod.rs"));
            }
            out.push(path);
        }
    }
    out.retain(|p| !test_files.contains(p));
    out.sort();
    out
}

/// The modules a file declares under `#[cfg(test)]` (`mod proptests;`).
fn test_modules(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0] == "#[cfg(test)]")
        .filter_map(|w| {
            let m = w[1]
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            Some(m.strip_prefix("mod ")?.strip_suffix(';')?.to_string())
        })
        .collect()
}

/// `text` with every item under `#[cfg(test)]` blanked (lines kept, so
/// line numbers stay right) and comments and string literals removed.
fn without_test_code(text: &str) -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    let mut depth = 0i64;
    let mut opened = false;
    for line in text.lines() {
        let code = code_of(line);
        if !skipping && line.trim() == "#[cfg(test)]" {
            skipping = true;
            depth = 0;
            opened = false;
            out.push(String::new());
            continue;
        }
        if skipping {
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            opened |= code.contains('{');
            let attribute = code.trim_start().starts_with("#[");
            if !attribute && depth <= 0 && (opened || code.trim_end().ends_with(';')) {
                skipping = false;
            }
            out.push(String::new());
            continue;
        }
        out.push(code);
    }
    out.join("\n")
}

/// One line without its `//` comment and the contents of its string
/// literals (a path inside a message is not an import).
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => {
                in_string = !in_string;
                out.push(c);
            }
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if in_string => {}
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::NAME` (and each name of `crate::{a, b::c}`), with its
/// 1-based line.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = code.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let mut rest = *line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // The group may span lines: read to its closing brace.
                let joined = std::iter::once(group)
                    .chain(lines[i + 1..].iter().copied())
                    .collect::<Vec<_>>()
                    .join(" ");
                for name in top_level_names(&joined) {
                    found.push((i + 1, name));
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((i + 1, name));
            }
        }
    }
    found
}

/// The first name of each path in a `{…}` group (`b, c::{D, E}}` → b, c).
fn top_level_names(group: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut start = true;
    let mut word = String::new();
    for c in group.chars() {
        if depth == 0 && start && (c.is_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            names.push(std::mem::take(&mut word));
            start = false;
        }
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            _ => {}
        }
    }
    if !word.is_empty() {
        names.push(word);
    }
    names.retain(|n| n != "self");
    names
}
