//! `[batch]` and `[limits]`: a batch varies a declared, non-period param
//! over listed or selected values; each limit is within its safe range.

use crate::error::{suggest, Error, ErrorKind};
use crate::limits::limit_range;
use crate::spec::ParamKind;
use crate::spec::Spec;

pub(super) fn check_batch(spec: &Spec, errors: &mut Vec<Error>) {
    let Some(batch) = &spec.batch else {
        return;
    };
    let b = batch.get_ref();
    let param = b.for_each.get_ref();
    match spec.params.get(param) {
        None => {
            let names: Vec<&str> = spec.params.keys().map(String::as_str).collect();
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`[batch] for_each` names `{param}`, which is not a declared param"),
                    b.for_each.span(),
                )
                .with_hint(suggest(param, &names, "declared params")),
            );
        }
        Some(d) if d.get_ref().kind == ParamKind::FinancialYear => {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`[batch] for_each` cannot vary the period param `{param}`"),
                    b.for_each.span(),
                )
                .with_hint("a batch builds one paper per district, partnership or similar; build each year with `--set`"),
            );
        }
        Some(_) => {}
    }
    match (&b.values, &b.query) {
        (Some(_), Some(q)) => errors.push(
            spec.error_at(
                ErrorKind::Spec,
                "`[batch]` has both `values` and `query`",
                q.span(),
            )
            .with_hint("keep one: list the values, or select them with a query"),
        ),
        (None, None) => errors.push(
            spec.error_at(
                ErrorKind::Spec,
                "`[batch]` says which param varies but not its values",
                batch.span(),
            )
            .with_hint(format!(
                "add `values = [\"…\", \"…\"]` or `query = \"SELECT DISTINCT {param} FROM …\"`"
            )),
        ),
        (Some(v), None) if v.get_ref().is_empty() => errors.push(
            spec.error_at(ErrorKind::Spec, "`[batch] values` is empty", v.span())
                .with_hint("list at least one value"),
        ),
        _ => {}
    }
    if let Some(o) = &b.output {
        if !o.get_ref().contains("slug") && !o.get_ref().contains("value") {
            errors.push(
                spec.error_at(ErrorKind::Spec, "`[batch] output` names every paper alike", o.span())
                    .with_hint("include `{{ slug }}` so each paper gets its own files, e.g. `{{ stem }}-{{ slug }}`"),
            );
        }
    }
}

/// Every `[limits]` key written outside its safe range, at its value.
pub(super) fn check_limits(spec: &Spec, errors: &mut Vec<Error>) {
    let n = |v: u64| crate::format::format_number(v as f64, 0);
    for bad in &spec.limits.out_of_range {
        let r = limit_range(bad.key);
        let why = if bad.value < i64::try_from(r.min).unwrap_or(i64::MAX) {
            r.below
        } else {
            r.above
        };
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!(
                    "`limits.{}` must be from {} to {} {}, not {}",
                    bad.key,
                    n(r.min),
                    n(r.max),
                    r.unit,
                    bad.value
                ),
                bad.span.clone(),
            )
            .with_hint(format!(
                "{why}; set a value in that range, or remove the key for the default ({})",
                n(r.default)
            )),
        );
    }
}
