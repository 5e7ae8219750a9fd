//! Every check on a spec whose TOML was read, one file per part of the
//! spec. Each check adds its problems to one list instead of stopping at
//! the first, so one run reports everything wrong with the spec.

mod batch;
mod charts;
mod report;
mod sources;
mod style;

use super::Spec;
use crate::error::{Error, ErrorKind};
use crate::paths::Files;

/// Runs every check; the files the spec names are read through `files`.
/// (The parameter defaults are checked as the model is made.)
pub(super) fn all(spec: &Spec, files: &dyn Files, errors: &mut Vec<Error>) {
    let lang = &spec.report.language;
    if lang.get_ref() != "en-GB" {
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!("unsupported language `{}`", lang.get_ref()),
                lang.span(),
            )
            .with_hint("only `en-GB` is supported"),
        );
    }
    sources::check_table_names(spec, errors);
    charts::check_charts(spec, errors);
    sources::check_period_columns(spec, errors);
    sources::check_source_kinds(spec, errors);
    report::check_paths(spec, files, errors);
    report::check_output_names(spec, errors);
    report::check_out_dir(spec, errors);
    style::check_style(spec, files, errors);
    batch::check_batch(spec, errors);
    style::check_word_roles(spec, errors);
    batch::check_limits(spec, errors);
}
