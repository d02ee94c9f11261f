//! The house plan, checked: `domain` is pure (no I/O crate, no clock, nothing of ours outside it),
//! `http` reaches the store only through `service` (files not moved yet are listed and may only
//! leave the list), and no module imports another that imports it back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments, so that doc comments naming a crate do not count.
fn code_of(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `src/http/receivables/mod.rs` -> `["http", "receivables"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_domain_is_pure() {
    let mut files = Vec::new();
    rust_files(&src().join("domain"), &mut files);
    let forbidden = [
        "sea_orm",
        "actix",
        "sqlx",
        "tokio",
        "reqwest",
        "crate::store",
        "crate::http",
        "crate::service",
        "crate::state",
        "crate::app",
        "crate::clock",
        "crate::config",
        "Utc::now",
        "Local::now",
        "std::fs",
        "std::net",
    ];
    let mut found = Vec::new();
    for f in &files {
        let code = code_of(f);
        for word in forbidden {
            if code.contains(word) {
                found.push(format!("{} uses {word}", f.display()));
            }
        }
    }
    assert!(found.is_empty(), "the domain must stay pure:\n{}", found.join("\n"));
}

/// Whether `code` names the store or its entities: a path through `crate::store`, a grouped
/// import of it (`use crate::{store, ...}`), or SeaORM itself.
fn reaches_the_store(code: &str) -> bool {
    if code.contains("crate::store") || code.contains("store::entity") || code.contains("sea_orm") {
        return true;
    }
    let mut rest = code;
    while let Some(i) = rest.find("crate::{") {
        let group = &rest[i..];
        let end = group.find('}').unwrap_or(group.len());
        if group[..end]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == "store")
        {
            return true;
        }
        rest = &group[end..];
    }
    false
}

#[test]
fn http_reaches_the_store_only_through_services() {
    let mut files = Vec::new();
    rust_files(&src().join("http"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| reaches_the_store(&code_of(f)))
        .map(|f| f.strip_prefix(src().join("http")).unwrap().display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "handlers that reach the store: {offenders:?}; call a service function instead"
    );
}

#[test]
fn services_and_the_store_know_nothing_of_http() {
    let mut files = Vec::new();
    rust_files(&src().join("service"), &mut files);
    rust_files(&src().join("store"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            let code = code_of(f);
            code.contains("crate::http") || code.contains("HttpRequest") || code.contains("HttpResponse")
        })
        .map(|f| f.strip_prefix(src()).unwrap().display().to_string())
        .collect();
    assert!(offenders.is_empty(), "these reach the wire: {offenders:?}");
}

#[test]
fn the_store_check_sees_grouped_imports() {
    assert!(reaches_the_store("use crate::{service, store::payments};"));
    assert!(reaches_the_store("use crate::store::claims;"));
    assert!(!reaches_the_store("use crate::{service::claims, state::AppState};"));
}

/// The modules a file imports (`crate::a::b`, `super::c`), as the longest module path that is a
/// file of ours.
fn imports(src: &Path, file: &Path, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let me = module_of(src, file);
    let code = code_of(file);
    let mut out = BTreeSet::new();
    let mut paths: Vec<Vec<String>> = Vec::new();
    // `super` is the parent module (of `a/b.rs` and of `a/b/mod.rs` alike: `a`).
    let parent = me[..me.len().saturating_sub(1)].to_vec();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let groups: Vec<String> = if rest.starts_with('{') {
                let end = rest.find('}').unwrap_or(rest.len());
                rest[1..end].split(',').map(|s| s.trim().to_string()).collect()
            } else {
                vec![
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                        .collect(),
                ]
            };
            for g in groups {
                let mut p = base.clone();
                p.extend(g.split("::").filter(|s| !s.is_empty()).map(str::to_string));
                paths.push(p);
            }
        }
    }
    for p in paths {
        let mut p = p;
        while !p.is_empty() && !modules.contains(&p) {
            p.pop();
        }
        if !p.is_empty() && p != me {
            out.insert(p);
        }
    }
    out
}

fn nested(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in &files {
        let me = module_of(&src, f);
        // A module and the modules it holds are one room: a parent declares its children.
        let to: BTreeSet<_> = imports(&src, f, &modules)
            .into_iter()
            .filter(|t| !nested(&me, t))
            .collect();
        graph.entry(me).or_default().extend(to);
    }
    // Every cycle shows as a module that reaches itself.
    let mut cycles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if next == start {
                    cycles.push(path.iter().map(|p| p.join("::")).collect::<Vec<_>>().join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}
