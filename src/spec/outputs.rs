//! What a build writes: the output formats, the declared outputs' file
//! names and the manifests'.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::Spec;
use crate::error::{display_path, Error, ErrorKind, Result};
use crate::paths::Files;

/// One output format a build can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutputFormat {
    /// The PDF board paper (Typst).
    Pdf,
    /// The editable Word executive summary.
    Docx,
    /// The whole paper as one accessible HTML page.
    Html,
}

impl OutputFormat {
    /// Every format, in the order a build renders and lists them.
    pub const ALL: [OutputFormat; 3] = [OutputFormat::Pdf, OutputFormat::Docx, OutputFormat::Html];

    /// The key in `[report.outputs]` (and the usual file extension).
    pub fn key(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "pdf",
            OutputFormat::Docx => "docx",
            OutputFormat::Html => "html",
        }
    }

    /// The key's full name in the spec, e.g. `report.outputs.pdf`.
    pub fn spec_key(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "report.outputs.pdf",
            OutputFormat::Docx => "report.outputs.docx",
            OutputFormat::Html => "report.outputs.html",
        }
    }

    /// The file name used when the spec names none, from `report.name`.
    pub fn default_name(self, report: &str) -> String {
        match self {
            OutputFormat::Pdf => format!("{report}.pdf"),
            OutputFormat::Docx => format!("{report}-summary.docx"),
            OutputFormat::Html => format!("{report}.html"),
        }
    }

    /// What the file is, for people (link texts, messages).
    pub fn describe(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "the board paper (PDF)",
            OutputFormat::Docx => "the executive summary (Word)",
            OutputFormat::Html => "the board paper (web page)",
        }
    }
}

/// The file names a build writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputNames {
    /// The declared outputs (format, file name), in
    /// [`OutputFormat::ALL`] order.
    pub outputs: Vec<(OutputFormat, String)>,
    /// The provenance manifest (public: no suppressed value).
    pub manifest: String,
    /// The analyst's full manifest, written when the spec has
    /// `[disclosure]`.
    pub private_manifest: String,
}

impl Spec {
    /// The declared outputs' file names (default: PDF and DOCX) and the
    /// manifests'.
    pub fn output_names(&self) -> OutputNames {
        let r = &self.report;
        let listed: Vec<(OutputFormat, String)> = OutputFormat::ALL
            .into_iter()
            .filter_map(|f| r.outputs.get(f).map(|n| (f, n.clone())))
            .collect();
        let outputs = if listed.is_empty() {
            [OutputFormat::Pdf, OutputFormat::Docx]
                .into_iter()
                .map(|f| (f, f.default_name(&r.name)))
                .collect()
        } else {
            listed
        };
        OutputNames {
            outputs,
            manifest: format!("{}.manifest.json", r.name),
            private_manifest: format!("{}.manifest.private.json", r.name),
        }
    }

    /// `report.name` and the output names as written, with their places.
    pub(super) fn output_spans(&self) -> Vec<(&'static str, Spanned<String>)> {
        #[derive(Deserialize)]
        struct Doc {
            report: Report,
        }
        #[derive(Deserialize)]
        struct Report {
            name: Spanned<String>,
            #[serde(default)]
            outputs: Option<Out>,
        }
        #[derive(Deserialize)]
        struct Out {
            pdf: Option<Spanned<String>>,
            docx: Option<Spanned<String>>,
            html: Option<Spanned<String>>,
        }
        let Ok(doc) = toml::from_str::<Doc>(self.file.text()) else {
            return Vec::new();
        };
        let mut out = vec![("report.name", doc.report.name)];
        if let Some(o) = doc.report.outputs {
            out.extend(o.pdf.map(|p| ("report.outputs.pdf", p)));
            out.extend(o.docx.map(|d| ("report.outputs.docx", d)));
            out.extend(o.html.map(|h| ("report.outputs.html", h)));
        }
        out
    }

    /// Refuses output names that would overwrite a file the build read
    /// (e.g. `--out` pointing at the templates folder); `read` is the
    /// build's registry.
    pub(crate) fn check_outputs_against_inputs(
        &self,
        out_dir: &Path,
        read: &dyn Files,
    ) -> Result<()> {
        let names = self.output_names();
        let mut written: Vec<(&str, &String)> = names
            .outputs
            .iter()
            .map(|(f, name)| (f.spec_key(), name))
            .collect();
        written.push(("report.name", &names.manifest));
        let spans = self.output_spans();
        let mut errors = Vec::new();
        for (key, name) in written {
            if !read.has_read(&out_dir.join(name)) {
                continue;
            }
            let key = match spans.iter().any(|(k, _)| *k == key) {
                true => key,
                false => "report.name",
            };
            let span = spans
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0..0, |(_, v)| v.span());
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!("output `{name}` would overwrite `{}`, an input of this build", display_path(&out_dir.join(name))),
                    span,
                )
                .with_hint("choose another output name, or another output folder (`out_dir` in `[report]`, or `--out`)"),
            );
        }
        Error::collect(errors)
    }
}

/// Why `name` is not a plain file name, if it is not.
pub(super) fn not_a_file_name(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is empty")
    } else if name.contains('/') || name.contains('\\') {
        Some("contains a path separator")
    } else if name == "." || name == ".." {
        Some("is a folder")
    } else if name.contains(':') || name.chars().any(char::is_control) {
        Some("contains `:` or a control character")
    } else {
        None
    }
}
