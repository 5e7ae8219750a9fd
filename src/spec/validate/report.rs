//! `[report]` and `[content]`: paths stay inside the project, output
//! names are plain file names and distinct, the output folder is inside.

use std::path::{Component, Path};

use crate::error::{Error, ErrorKind};
use crate::paths::{normalize, Files};
use crate::spec::outputs::not_a_file_name;
use crate::spec::Spec;

/// Every path the spec names stays inside the project root (a source
/// path with `{{ }}` is checked when it is filled in).
pub(super) fn check_paths(spec: &Spec, files: &dyn Files, errors: &mut Vec<Error>) {
    let r = &spec.report;
    let c = &spec.content;
    let sources = spec
        .sources
        .values()
        .filter(|s| !s.is_database())
        .map(|s| &s.path)
        .filter(|p| !p.get_ref().contains("{{") && !p.get_ref().contains("{%"));
    let paths = [&r.layout, &c.body, &c.summary]
        .into_iter()
        .chain(&r.fonts)
        .chain(sources);
    errors.extend(paths.filter_map(|p| spec.resolve(files, p).err()));
}

/// `report.name` and `[report.outputs]` are plain file names: an output
/// must never land outside the output folder or on an input.
pub(super) fn check_output_names(spec: &Spec, errors: &mut Vec<Error>) {
    for (key, value) in spec.output_spans() {
        let example = match key {
            "report.name" => "needs-assessment",
            "report.outputs.docx" => "summary.docx",
            "report.outputs.html" => "paper.html",
            _ => "paper.pdf",
        };
        if let Some(why) = not_a_file_name(value.get_ref()) {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`{key}` must be a plain file name, but `{}` {why}", value.get_ref()),
                    value.span(),
                )
                .with_hint(format!("write a name such as `{example}`; outputs always go into the output folder (`out_dir` in `[report]`, or `--out`)")),
            );
        }
    }
    check_distinct_outputs(spec, errors);
}

/// `report.out_dir` stays inside the project: a spec is untrusted, and
/// may no more write outside its project than read there. The person
/// running the build may choose any folder with `--out`.
pub(super) fn check_out_dir(spec: &Spec, errors: &mut Vec<Error>) {
    let Some(out) = &spec.report.out_dir else {
        return;
    };
    let path = Path::new(out.get_ref());
    let inside = !path.is_absolute()
        && normalize(&spec.file.dir().join(path))
            .strip_prefix(spec.file.root())
            .is_ok_and(|rel| !matches!(rel.components().next(), Some(Component::ParentDir)));
    if !inside {
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!("`report.out_dir` must be a folder inside the project, but `{}` is outside it", out.get_ref()),
                out.span(),
            )
            .with_hint("a spec writes only inside its project, as it reads only there: name a folder such as `out`, or choose any folder when you build with `--out DIR`"),
        );
    }
}

/// Two outputs (or an output and a manifest) may not share a file name:
/// one would silently replace the other.
fn check_distinct_outputs(spec: &Spec, errors: &mut Vec<Error>) {
    let names = spec.output_names();
    let spans = spec.output_spans();
    let mut seen: Vec<&str> = vec![&names.manifest, &names.private_manifest];
    for (format, name) in &names.outputs {
        if seen.contains(&name.as_str()) {
            let span = spans
                .iter()
                .find(|(k, _)| *k == format.spec_key())
                .map_or(0..0, |(_, v)| v.span());
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!(
                        "`{}` names `{name}`, a file another output of this report already writes",
                        format.spec_key()
                    ),
                    span,
                )
                .with_hint(format!(
                    "give each output its own name, e.g. `{}`",
                    format.default_name(&spec.report.name)
                )),
            );
        }
        seen.push(name);
    }
}
