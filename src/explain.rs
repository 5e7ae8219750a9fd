//! `boardpack explain MANIFEST NAME`: a figure's (or table's) lineage, read
//! from the manifest alone — its query, the parameters and views it read,
//! the inputs behind them with their hashes, the checks that ran on those
//! inputs and the disclosure control applied. Nothing is rebuilt, so it
//! works on an archived paper's manifest.

use std::collections::BTreeSet;

use crate::error::{did_you_mean, Error, ErrorKind, Result};
use crate::manifest::{Input, Lineage, Manifest};
use crate::spec::Spec;

/// What `sql` reads, following views and tables to the sources under them.
/// A query that cannot be parsed reads nothing here: the build has already
/// refused it before any manifest is written.
pub(crate) fn lineage(spec: &Spec, sql: &str) -> Lineage {
    let raw = spec;
    let (mut views, mut tables, mut sources) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut params = false;
    let mut todo: Vec<String> = reads(sql);
    // The relation graph is acyclic (the build orders it), but a visited set
    // keeps the walk finite whatever the spec says.
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(v) = raw.views.get(&name) {
            todo.extend(reads(v.sql.get_ref()));
            views.insert(name);
        } else if let Some(t) = raw.tables.get(&name) {
            todo.extend(reads(t.sql.get_ref()));
            tables.insert(name);
        } else if raw.sources.contains_key(&name) {
            sources.insert(name);
        } else if name == "params" {
            params = true;
        }
    }
    Lineage {
        views: views.into_iter().collect(),
        tables: tables.into_iter().collect(),
        sources: sources.into_iter().collect(),
        params,
    }
}

fn reads(sql: &str) -> Vec<String> {
    crate::compute::sql::relations(sql)
        .map(|r| r.into_iter().collect())
        .unwrap_or_default()
}

/// The lineage of figure or table `name` in `manifest`, for people.
pub fn explain(manifest: &Manifest, name: &str) -> Result<String> {
    if let Some(f) = manifest.figures.get(name) {
        let mut out = format!("figure `{name}`");
        if let Some(d) = &f.description {
            out += &format!(": {d}");
        }
        out += "\n";
        let format = f.format.as_deref().and_then(crate::format::parse_format);
        out += &format!(
            "  printed as: {}{}\n",
            crate::diff::display_as(&f.value, format),
            f.format
                .as_ref()
                .map(|x| format!(" (format `{x}`)"))
                .unwrap_or_default()
        );
        out += &format!("  value: {}\n", f.value);
        if let Some(p) = &f.previous {
            let period = manifest.previous_period.as_ref().map(|p| p.period.as_str());
            out += &format!(
                "  previous ({}): {p}\n",
                period.unwrap_or("previous period")
            );
        }
        out += &query_lines(&f.sql);
        out += &lineage_lines(manifest, &f.reads, ("figure", name));
        return Ok(out);
    }
    if let Some(t) = manifest.tables.get(name) {
        let mut out = format!("table `{name}`\n");
        out += &format!(
            "  published: {} rows × {} columns ({}), blake3 {}\n",
            t.rows,
            t.columns.len(),
            t.columns.join(", "),
            t.blake3
        );
        out += &lineage_lines(manifest, &t.reads, ("table", name));
        return Ok(out);
    }
    Err(not_found(manifest, name))
}

fn not_found(manifest: &Manifest, name: &str) -> Error {
    let names: Vec<&str> = manifest
        .figures
        .keys()
        .chain(manifest.tables.keys())
        .map(String::as_str)
        .collect();
    let hint = match did_you_mean(name, names.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!(
            "the manifest records these figures and tables: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Error::new(
        ErrorKind::Usage,
        format!(
            "`{name}` is not a figure or table of the report `{}`",
            manifest.report
        ),
    )
    .with_hint(hint)
}

fn query_lines(sql: &str) -> String {
    let mut out = String::from("  query:\n");
    for line in sql.lines() {
        out += &format!("    {line}\n");
    }
    out
}

/// Parameters, views, tables, inputs, checks and disclosure of one lineage.
fn lineage_lines(m: &Manifest, l: &Lineage, (kind, name): (&str, &str)) -> String {
    let mut out = String::new();
    let list = |xs: &[String]| match xs {
        [] => "none".to_string(),
        _ => xs
            .iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    if l.params {
        let ps: Vec<String> = m.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        out += &format!("  parameters: {}\n", ps.join("; "));
    } else {
        // Sources are still filtered to the period: say so, not "none".
        let period = m
            .params
            .get("period")
            .map(|p| format!(" (sources are read for the period {p})"));
        out += &format!(
            "  parameters: none selected from `params`{}\n",
            period.unwrap_or_default()
        );
    }
    out += &format!("  views read: {}\n", list(&l.views));
    out += &format!("  tables read: {}\n", list(&l.tables));
    out += &format!("  sources read: {}\n", list(&l.sources));
    let inputs: Vec<&Input> = m
        .inputs
        .iter()
        .filter(|i| feeds(i, l, (kind, name)))
        .collect();
    out += "  inputs:\n";
    if inputs.is_empty() {
        out += "    none\n";
    }
    for i in inputs {
        let rows = i.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
        out += &format!("    {} ({}{rows}) blake3 {}\n", i.path, i.role, i.blake3);
    }
    out += &checks_lines(m, l, name);
    out += &disclosure_lines(m, l, (kind, name));
    out
}

/// Whether input `i` is one the lineage read: a source's file, or a query
/// run inside a database for one of its views, tables or the item itself.
fn feeds(i: &Input, l: &Lineage, (kind, name): (&str, &str)) -> bool {
    let role = i.role.split(" (").next().unwrap_or(&i.role);
    let Some((what, who)) = role.split_once(' ') else {
        return false;
    };
    let who = who.to_string();
    match what {
        "source" => l.sources.contains(&who),
        "query" => match who.split_once(' ') {
            Some(("view", v)) => l.views.iter().any(|x| x == v),
            Some(("table", t)) => l.tables.iter().any(|x| x == t) || (kind == "table" && t == name),
            Some(("figure", f)) => kind == "figure" && f == name,
            _ => false,
        },
        _ => false,
    }
}

fn checks_lines(m: &Manifest, l: &Lineage, name: &str) -> String {
    let targets: BTreeSet<String> = l
        .sources
        .iter()
        .map(|s| format!("source {s}"))
        .chain(l.tables.iter().map(|t| format!("table {t}")))
        .chain([format!("table {name}")])
        .collect();
    let checks: Vec<String> = m
        .checks
        .iter()
        .filter(|c| targets.contains(&c.target))
        .map(|c| {
            let result = if c.failed() {
                format!("{} rows fail", c.failing)
            } else {
                "passed".to_string()
            };
            let level = match c.level {
                crate::spec::CheckLevel::Error => "error",
                crate::spec::CheckLevel::Warning => "warning",
            };
            format!("    {}: {} ({level}): {result}\n", c.target, c.rule)
        })
        .collect();
    match checks.as_slice() {
        [] => "  checks on those inputs: none declared\n".to_string(),
        _ => format!("  checks on those inputs:\n{}", checks.concat()),
    }
}

fn disclosure_lines(m: &Manifest, l: &Lineage, (kind, name): (&str, &str)) -> String {
    let Some(d) = &m.disclosure else {
        return "  suppression: none (the spec has no `[disclosure]`)\n".to_string();
    };
    let own = (kind == "table").then(|| name.to_string());
    let lines: Vec<String> = l
        .tables
        .iter()
        .chain(own.as_ref())
        .filter_map(|t| d.tables.get(t).map(|c| (t, c)))
        .map(|(t, c)| {
            let why = c
                .reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!(
                "    table `{t}`: {}{why}, {} cells suppressed\n",
                c.status, c.suppressed
            )
        })
        .collect();
    let head = format!(
        "  suppression: counts below {} shown as `{}`",
        d.threshold, d.marker
    );
    match lines.as_slice() {
        [] if kind == "figure" => format!("{head}; the figure reads no protected table\n"),
        [] => format!("{head}; not applied to this table\n"),
        _ => format!("{head}\n{}", lines.concat()),
    }
}

/// The "Sources of the figures" appendix for the figures printed in the
/// document (`printed`, in order) and the tables shown (`tables`: name and
/// query, in order): each figure's unrounded value, each table's rows and
/// content hash, the query, what it read and the inputs with their hashes,
/// all as the manifest records them, so the appendix and `boardpack
/// explain` cannot disagree.
pub(crate) fn appendix(
    m: &Manifest,
    printed: &[String],
    tables: &[(String, String)],
    (shown, in_word): (bool, bool),
) -> crate::doc::Sources {
    let figures = printed.iter().filter_map(|name| {
        let f = m.figures.get(name)?;
        Some(crate::doc::SourceEntry {
            figure: name.clone(),
            table: false,
            id: crate::doc::source_id(name),
            value: match &f.value {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            },
            format: f.format.clone(),
            description: f.description.clone(),
            query: f.sql.trim().to_string(),
            reads: read_list(m, &f.reads),
            inputs: inputs(m, &f.reads, ("figure", name)),
        })
    });
    let tables = tables.iter().filter_map(|(name, sql)| {
        let t = m.tables.get(name)?;
        Some(crate::doc::SourceEntry {
            figure: name.clone(),
            table: true,
            id: crate::doc::table_source_id(name),
            value: format!("{} (values BLAKE3 {})", t.rows, t.blake3),
            format: None,
            description: None,
            query: sql.trim().to_string(),
            reads: read_list(m, &t.reads),
            inputs: inputs(m, &t.reads, ("table", name)),
        })
    });
    crate::doc::Sources {
        shown,
        in_word,
        entries: figures.chain(tables).collect(),
    }
}

/// What a lineage read, as the appendix lists it.
fn read_list(m: &Manifest, l: &Lineage) -> Vec<String> {
    let mut reads: Vec<String> = Vec::new();
    reads.extend(l.sources.iter().map(|s| format!("source {s}")));
    reads.extend(l.views.iter().map(|v| format!("view {v}")));
    reads.extend(l.tables.iter().map(|t| format!("table {t}")));
    if l.params {
        let ps: Vec<String> = m.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        reads.push(format!("parameters ({})", ps.join("; ")));
    } else if let Some(p) = m.params.get("period") {
        reads.push(format!("the period {p}"));
    }
    reads
}

/// The inputs a lineage read: path and BLAKE3.
fn inputs(m: &Manifest, l: &Lineage, item: (&str, &str)) -> Vec<(String, String)> {
    m.inputs
        .iter()
        .filter(|i| feeds(i, l, item))
        .map(|i| (i.path.clone(), i.blake3.clone()))
        .collect()
}
