//! Where a source's rows come from on disk: its `path` with template
//! expressions filled in, glob patterns expanded (in path order, every
//! walk problem reported with its place), and the errors for a file or
//! pattern that matches nothing.

use std::path::{Path, PathBuf};

use super::walk;
use crate::context::BuildContext;
use crate::error::{display_path, Error, ErrorKind, Result};
use crate::params::Params;
use crate::spec::{SourceDecl, SourcesPart};

/// The file a source reads for `params`: its `path`, with `{{ period.slug }}`
/// and other template expressions filled in (so next year's extract drops
/// into place), resolved inside the project root.
pub(super) fn source_path(
    spec: SourcesPart<'_>,
    ctx: &BuildContext,
    name: &str,
    decl: &SourceDecl,
    params: &Params,
) -> Result<PathBuf> {
    let written = decl.path.get_ref();
    if !written.contains("{{") && !written.contains("{%") {
        return ctx.resolve(spec.file, &decl.path);
    }
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let values = params.template_values();
    let vars = minijinja::context! { period => values.get("period").cloned(), params => values };
    let rendered = env.render_str(written, vars).map_err(|e| {
        spec.error_at(
            ErrorKind::Spec,
            format!("cannot fill in the path of source `{name}`: {}", e.kind()),
            decl.path.span(),
        )
        .with_hint("a path may use `{{ period.slug }}` (2019-20), `{{ period.short }}` (19/20) or `{{ params.NAME }}`")
    })?;
    ctx.resolve(spec.file, &toml::Spanned::new(decl.path.span(), rendered))
}

/// Whether a source path is a glob (`*`, `?` or `[` in it).
pub(super) fn is_glob(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '['])
}

/// The files a glob matches, sorted by path; none is an error naming the
/// folder looked in.
pub(super) fn glob_matches(
    spec: SourcesPart<'_>,
    ctx: &BuildContext,
    name: &str,
    decl: &SourceDecl,
    pattern: &Path,
) -> Result<Vec<PathBuf>> {
    let limit = ctx.limits.glob_entries;
    let paths =
        walk::expand(pattern, limit).map_err(|e| walk_error(spec, ctx, name, decl, pattern, e))?;
    ctx.inputs.record_pattern(pattern, &paths);
    if paths.is_empty() {
        return Err(no_match(spec, ctx, name, decl, pattern));
    }
    Ok(paths)
}

/// A problem met while walking the folders a glob pattern covers, as an
/// error on the source's `path`.
fn walk_error(
    spec: SourcesPart<'_>,
    ctx: &BuildContext,
    name: &str,
    decl: &SourceDecl,
    pattern: &Path,
    e: walk::WalkError,
) -> Error {
    let bad = |message: String, hint: String| {
        spec.error_at(ErrorKind::Data, message, decl.path.span())
            .with_hint(hint)
    };
    let shown = |p: &Path| ctx.inputs.name_of(p);
    let text = shown(pattern);
    match e {
        walk::WalkError::Pattern(msg) => bad(
            format!("the path of source `{name}` is not a valid pattern: {msg}"),
            "a pattern may use `*` (any text), `?` (one character) and `[abc]`; see the README"
                .to_string(),
        ),
        walk::WalkError::Loop { link, folder } => bad(
            format!(
                "`{}` leads back to `{}`, a folder above it, while matching `{text}`, the path of source `{name}`",
                shown(&link),
                shown(&folder)
            ),
            "the folder link makes a loop, and `**` would read the same files again and again; remove the link or point it elsewhere".to_string(),
        ),
        walk::WalkError::BrokenLink(link) => bad(
            format!(
                "`{}` matches the path of source `{name}` but is a link to a file that does not exist",
                shown(&link)
            ),
            "restore the file the link points to, or remove the link".to_string(),
        ),
        walk::WalkError::TooMany { limit } => bad(
            format!(
                "matching `{text}`, the path of source `{name}`, looked at more than {} files and folders (`limits.glob_entries`)",
                crate::format::format_number(limit as f64, 0)
            ),
            "make the pattern narrower (a folder instead of `**`), or raise `glob_entries` under `[limits]`".to_string(),
        ),
        walk::WalkError::TooDeep(path) => bad(
            format!(
                "`{}` is more than {} folders deep while matching `{text}`, the path of source `{name}`",
                shown(&path),
                walk::MAX_DEPTH
            ),
            "make the pattern narrower (a folder instead of `**`)".to_string(),
        ),
        walk::WalkError::Io { path, error } => bad(
            format!(
                "cannot read `{}` while matching the path of source `{name}`: {error}",
                shown(&path)
            ),
            "check the folder's permissions".to_string(),
        ),
    }
}

/// "No file matches": says the folder looked in, or that it does not exist.
fn no_match(
    spec: SourcesPart<'_>,
    ctx: &BuildContext,
    name: &str,
    decl: &SourceDecl,
    pattern: &Path,
) -> Error {
    let shown = ctx.inputs.name_of(pattern);
    let folder = Path::new(&shown)
        .parent()
        .map(display_path)
        .unwrap_or_default();
    let folder = if folder.is_empty() {
        ".".to_string()
    } else {
        folder
    };
    let exists = pattern
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir() || is_glob(p));
    let hint = if exists {
        format!("looked in `{folder}`; add the files there, or check the pattern")
    } else {
        format!("looked for the folder `{folder}`, which does not exist; check the path")
    };
    spec.error_at(
        ErrorKind::Data,
        format!("no file matches `{shown}`, the path of source `{name}`"),
        decl.path.span(),
    )
    .with_hint(hint)
}

/// "No such file", saying which period lacks data for a period-templated path.
pub(super) fn missing(
    spec: SourcesPart<'_>,
    name: &str,
    decl: &SourceDecl,
    path: &std::path::Path,
    params: &Params,
) -> Error {
    let templated = decl.path.get_ref().contains("{{");
    let (message, hint) = match params.period() {
        Some(fy) if templated => (
            format!(
                "no data for {fy}: data file `{}` of source `{name}` does not exist",
                display_path(path)
            ),
            format!("add the {fy} extract at that path, or choose another period with `--set period=...`"),
        ),
        _ => (
            format!(
                "data file `{}` of source `{name}` does not exist",
                display_path(path)
            ),
            "check `path`; it is relative to the spec's folder".to_string(),
        ),
    };
    spec.error_at(ErrorKind::Data, message, decl.path.span())
        .with_hint(hint)
}
