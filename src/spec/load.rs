//! Reading a spec: TOML text → the sections as written ([`Parsed`]) →
//! the validated [`Spec`], every problem collected and reported at once,
//! in the order they appear in the file.
//!
//! Loading is two steps because the registry the files are read through
//! is made from what the spec declares (its root, data folders and image
//! limit): [`Parsed::new`] reads the TOML, the build makes the registry
//! from the [`Parsed`], and [`Parsed::validate`] checks the spec with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::params::RawParamDecl;
use super::{
    formats, validate, BatchSection, ChartDecl, ContentSection, DataDirDecl, DisclosureSection,
    EnvVar, FigureDecl, Limits, ReportSection, SourceDecl, Spec, SpecFile, SqlCheckDecl,
    StyleSection, TableDecl, ViewDecl,
};
use crate::error::{display_path, Error, ErrorKind, Result};
use crate::paths::{normalize, DataDir, Files};

/// The TOML document, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    /// Who the paper is for, what it is called and where it goes.
    report: ReportSection,
    /// The content files (Markdown + MiniJinja).
    content: ContentSection,
    /// Declared parameters with defaults (overridable with `--set`).
    #[serde(default)]
    params: BTreeMap<String, Spanned<RawParamDecl>>,
    /// Data sources by table name.
    #[serde(default)]
    sources: BTreeMap<String, SourceDecl>,
    /// Intermediate queries other queries can select from (never shown).
    #[serde(default)]
    views: BTreeMap<String, ViewDecl>,
    /// Scalar figures by name.
    #[serde(default)]
    figures: BTreeMap<String, FigureDecl>,
    /// Tables by name.
    #[serde(default)]
    tables: BTreeMap<String, TableDecl>,
    /// Charts over computed tables, by name (`{{ chart("name") }}`).
    #[serde(default)]
    charts: BTreeMap<String, Spanned<ChartDecl>>,
    /// Statistical disclosure control for published tables.
    #[serde(default)]
    disclosure: Option<Spanned<DisclosureSection>>,
    /// Resource limits (`[limits]`); the defaults suit any real report.
    #[serde(default)]
    limits: Limits,
    /// Custom data checks in Polars SQL (`[[checks]]`), run after the tables.
    #[serde(default)]
    checks: Vec<Spanned<SqlCheckDecl>>,
    /// The house style shared by every output (`[style]`).
    #[serde(default)]
    style: StyleSection,
    /// One paper per value of a parameter (`[batch]`), built by
    /// `boardpack build --for-each`.
    #[serde(default)]
    batch: Option<Spanned<BatchSection>>,
}

/// A spec read from its TOML, not yet validated: enough to make the
/// registry its files are read through.
#[derive(Debug)]
pub(crate) struct Parsed {
    path: PathBuf,
    text: String,
    dir: PathBuf,
    root: PathBuf,
    raw: RawSpec,
    data_dirs: Vec<DataDir>,
    /// Problems found so far (the data folders'), reported with the rest.
    errors: Vec<Error>,
}

impl Parsed {
    /// Reads spec `text` as the file at `path`: a TOML error (or an unknown
    /// key) stops here; everything else is checked by [`Parsed::validate`].
    pub(crate) fn new(path: &Path, text: String) -> Result<Parsed> {
        let raw: RawSpec = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = match &raw.report.root {
            Some(r) => normalize(&dir.join(r.get_ref())),
            None => normalize(&dir),
        };
        let (data_dirs, errors) = data_dirs(path, &text, &dir, &raw.report.data_dirs);
        Ok(Parsed {
            path: path.to_path_buf(),
            text,
            dir,
            root,
            raw,
            data_dirs,
            errors,
        })
    }

    /// The spec file as the user named it.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The spec's text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The project root; nothing outside it is read.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The declared data folders that could be resolved.
    pub(crate) fn data_dirs(&self) -> &[DataDir] {
        &self.data_dirs
    }

    /// `[limits]` (an out-of-range key keeps its default here).
    pub(crate) fn limits(&self) -> &Limits {
        &self.raw.limits
    }

    /// Validates the spec, reading the files it names (fonts, the logo)
    /// through `files`; every problem is reported at once.
    pub(crate) fn validate(self, files: &dyn Files) -> Result<Spec> {
        let (mut spec, mut errors) = self.into_spec();
        formats::resolve(&mut spec, &mut errors);
        validate::all(&spec, files, &mut errors);
        // Reported in the order they appear in the file.
        errors.sort_by_key(Error::line_col);
        Error::collect(errors)?;
        Ok(spec)
    }

    /// The model: the date and the parameter defaults parsed (problems
    /// collected, with the data folders').
    fn into_spec(mut self) -> (Spec, Vec<Error>) {
        let mut errors = std::mem::take(&mut self.errors);
        let raw_params = std::mem::take(&mut self.raw.params);
        let error_at = |message: String, span, hint: &str| {
            Error::new(ErrorKind::Spec, message)
                .in_file(&self.path)
                .at_span(&self.text, span)
                .with_hint(hint)
        };
        let date = match parse_date(&self.raw.report.date) {
            Some(d) => d,
            None => {
                let e = Error::new(
                    ErrorKind::Spec,
                    "`report.date` must be a date like `2020-11-26`",
                )
                .in_file(&self.path)
                .at_span(&self.text, self.raw.report.date.span());
                errors.push(e);
                jiff::civil::Date::default()
            }
        };
        let mut params = BTreeMap::new();
        for (name, decl) in raw_params {
            let span = decl.span();
            match decl.into_inner().resolve(&name) {
                Ok(d) => {
                    params.insert(name, Spanned::new(span, d));
                }
                Err((message, hint)) => errors.push(error_at(message, span, hint)),
            }
        }
        let r = self.raw;
        let spec = Spec {
            file: SpecFile::new(self.path, self.text, self.dir, self.root),
            date,
            data_dirs: self.data_dirs,
            report: r.report,
            content: r.content,
            params,
            sources: r.sources,
            views: r.views,
            figures: r.figures,
            tables: r.tables,
            charts: r.charts,
            disclosure: r.disclosure,
            limits: r.limits,
            checks: r.checks,
            style: r.style,
            batch: r.batch,
        };
        (spec, errors)
    }
}

/// `report.date` as a date (a string or a TOML date).
fn parse_date(v: &Spanned<toml::Value>) -> Option<jiff::civil::Date> {
    let text = match v.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => String::new(),
    };
    text.parse::<jiff::civil::Date>().ok()
}

/// The declared data folders, resolved: a path relative to the spec's
/// folder `dir`, or an environment variable's value. A variable that is not
/// set, a name that cannot appear in a path, or a folder that does not exist
/// is an error.
fn data_dirs(
    path: &Path,
    text: &str,
    dir: &Path,
    decls: &BTreeMap<String, Spanned<DataDirDecl>>,
) -> (Vec<DataDir>, Vec<Error>) {
    let (mut dirs, mut errors) = (Vec::new(), Vec::new());
    let error = |message: String, span, hint: &str| {
        Error::new(ErrorKind::Spec, message)
            .in_file(path)
            .at_span(text, span)
            .with_hint(hint)
    };
    for (name, decl) in decls {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            errors.push(error(
                format!("data folder name `{name}` may only hold letters, digits, `_` and `-`"),
                decl.span(),
                "sources name it as `@NAME/file.csv`; rename it",
            ));
            continue;
        }
        let folder = match decl.get_ref() {
            DataDirDecl::Path(p) => dir.join(p),
            DataDirDecl::Env(EnvVar { env }) => match std::env::var_os(env) {
                Some(v) if !v.is_empty() => PathBuf::from(v),
                _ => {
                    errors.push(error(
                        format!("data folder `{name}` comes from the environment variable `{env}`, which is not set"),
                        decl.span(),
                        &format!("set `{env}` to the folder's path (e.g. `export {env}=/srv/extracts`) before building"),
                    ));
                    continue;
                }
            },
        };
        if !folder.is_dir() {
            errors.push(error(
                format!(
                    "data folder `{name}` is `{}`, which is not a folder",
                    display_path(&folder)
                ),
                decl.span(),
                "check the path (relative paths start at the spec's folder), or mount the shared drive",
            ));
            continue;
        }
        dirs.push(DataDir::new(name, &folder));
    }
    (dirs, errors)
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim_end_matches('\n').replace('\n', "; ");
    let mut err = Error::new(ErrorKind::Spec, format!("invalid spec: {message}")).in_file(path);
    if let Some(span) = e.span() {
        err = err.at_span(text, span);
    }
    err.with_hint("fix the TOML here: text values need quotes, sections are `[name]`, and only the documented keys are allowed")
}
