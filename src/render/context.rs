//! The template context: the published figures and tables as the objects
//! templates use (each with its previous period's value), and the tables'
//! captions and sizes.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::Environment;

use super::errors::Names;
use super::figure::{FigureObject, PreviousValue};
use super::spec_text::plain;
use super::table::{PlacedTables, TableDisplay, TableObject};
use super::value::MissingUses;
use crate::compute::Previous;
use crate::error::Error;
use crate::params::Params;
use crate::publish::{Period, PublishedPrevious};
use crate::spec::RenderPart;

/// What the template context shares with the render: where missing
/// previous values are recorded, how tables are shown and where `| table`
/// places them.
pub(super) struct Shown<'a> {
    pub(super) uses: &'a MissingUses,
    pub(super) displays: &'a BTreeMap<String, Arc<TableDisplay>>,
    pub(super) placed: &'a PlacedTables,
}

/// The values templates see: `period`, `params`, `figures` and `tables`
/// (this period's, each with its previous value), `warnings` and `report`.
pub(super) fn context(
    spec: RenderPart<'_>,
    params: &Params,
    computed: &Period,
    previous: &PublishedPrevious,
    shown: &Shown,
) -> Value {
    let Shown {
        uses,
        displays,
        placed,
    } = *shown;
    let p = params.template_values();
    let before = previous.computed();
    let figures: BTreeMap<&str, Value> = computed
        .figures
        .iter()
        .map(|(k, v)| {
            let prev = match (previous, before.and_then(|c| c.figures.get(k))) {
                (Previous::NotApplicable, _) => PreviousValue::NotApplicable,
                (Previous::Computed { period, .. }, Some(v)) => {
                    PreviousValue::Value(*period, v.clone())
                }
                (Previous::Computed { period, .. } | Previous::Missing { period, .. }, _) => {
                    PreviousValue::Missing(*period)
                }
            };
            let format = spec.figures.get(k).and_then(|d| d.format.as_ref());
            let fig = FigureObject {
                name: k.clone(),
                value: v.clone(),
                previous: prev,
                uses: uses.clone(),
                format: format.map(|f| *f.get_ref()),
            };
            (k.as_str(), Value::from_object(fig))
        })
        .collect();
    let tables: BTreeMap<&str, Value> = computed
        .tables
        .iter()
        .map(|(k, t)| {
            let prev = match (previous, before.and_then(|c| c.tables.get(k))) {
                (Previous::NotApplicable, _) => None,
                (Previous::Computed { .. }, Some(t)) => Some(Ok(t.clone())),
                (Previous::Computed { period, .. } | Previous::Missing { period, .. }, _) => {
                    Some(Err(*period))
                }
            };
            let obj = TableObject {
                name: k.clone(),
                table: t.clone(),
                previous: prev,
                uses: uses.clone(),
                display: displays.get(k).cloned().unwrap_or_default(),
                placed: placed.clone(),
            };
            (k.as_str(), Value::from_object(obj))
        })
        .collect();
    let r = &spec.report;
    minijinja::context! {
        period => p.get("period").cloned(),
        params => p,
        figures => figures,
        tables => tables,
        warnings => Value::from_serialize(crate::checks::warnings(&computed.checks)),
        report => minijinja::context! { name => r.name, to => r.to, from => r.from },
    }
}

/// Captions and sizes of the spec's tables; captions may use `{{ }}`
/// (over params and figures, rendered as plain text). With every caption
/// that fails to render.
pub(super) fn table_displays(
    spec: RenderPart<'_>,
    env: &Environment,
    params: &Params,
    computed: &Period,
    names: &Names,
) -> (BTreeMap<String, Arc<TableDisplay>>, Vec<Error>) {
    let shown = Shown {
        uses: &MissingUses::default(),
        displays: &BTreeMap::new(),
        placed: &PlacedTables::default(),
    };
    let ctx = context(spec, params, computed, &Previous::NotApplicable, &shown);
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.tables {
        if !computed.tables.contains_key(name) {
            continue;
        }
        let field = format!("tables.{name}.caption");
        let caption = match decl.caption.as_ref().map(|c| {
            plain(
                spec,
                env,
                &ctx,
                names,
                (c.get_ref(), Some(c.span())),
                &field,
            )
        }) {
            Some(Err(e)) => {
                errors.push(e);
                continue;
            }
            Some(Ok(caption)) => Some(caption),
            None => None,
        };
        let display = TableDisplay {
            caption,
            total_label: decl.total_label.clone().unwrap_or_else(|| "Total".into()),
            small: decl.small,
            landscape: decl.landscape,
        };
        out.insert(name.clone(), Arc::new(display));
    }
    (out, errors)
}
