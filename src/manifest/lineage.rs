//! What a query read: the views, tables and sources under it, found by
//! walking the spec's queries with the SQL sandbox's own parser.

use std::collections::BTreeSet;

use super::Lineage;
use crate::spec::ManifestPart;

/// What `sql` reads, following views and tables to the sources under them.
/// A query that cannot be parsed reads nothing here: the build has already
/// refused it before any manifest is written.
pub(crate) fn lineage(spec: ManifestPart<'_>, sql: &str) -> Lineage {
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
    crate::sql::relations(sql)
        .map(|r| r.into_iter().collect())
        .unwrap_or_default()
}
