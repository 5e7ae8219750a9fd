//! What the backends are given: the outputs' file names (a batch paper's
//! through `[batch] output`), the timestamp, the report fonts, and the PDF
//! and Word backends' options from the house style.

use super::{BuildOptions, OutputNames};
use crate::backend::typst::TypstOptions;
use crate::context::BuildContext;
use crate::error::{Error, ErrorKind, Result};
use crate::spec::Spec;
use crate::{backend, chart, manifest};

/// The outputs' file names: the spec's, or a batch member's.
pub(super) fn output_names(spec: &Spec, options: &BuildOptions) -> Result<OutputNames> {
    match &options.batch {
        Some(member) => batch_names(&spec.output_names(), spec, member),
        None => Ok(spec.output_names()),
    }
}

/// The names of one paper of a batch: each file's stem (the name up to
/// its first `.`) through `[batch] output` (default
/// `{{ stem }}-{{ slug }}`), the rest kept: `needs-assessment.pdf` →
/// `needs-assessment-fenland.pdf`.
pub(super) fn batch_names(
    names: &OutputNames,
    spec: &Spec,
    member: &manifest::BatchRecord,
) -> Result<OutputNames> {
    let batch = spec.batch.as_ref().map(|b| b.get_ref());
    let pattern = batch
        .and_then(|b| b.output.as_ref())
        .map_or("{{ stem }}-{{ slug }}", |o| o.get_ref().as_str());
    let span = batch
        .and_then(|b| b.output.as_ref())
        .map_or(0..0, |o| o.span());
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let rename = |name: &str| -> Result<String> {
        let (stem, rest) = name.split_at(name.find('.').unwrap_or(name.len()));
        let ctx = minijinja::context! { stem, slug => &member.slug, value => &member.value };
        let new = env.render_str(pattern, ctx).map_err(|e| {
            spec.error_at(
                ErrorKind::Spec,
                format!("cannot fill in `[batch] output`: {}", e.kind()),
                span.clone(),
            )
            .with_hint("the pattern may use `{{ stem }}`, `{{ slug }}` and `{{ value }}`")
        })?;
        if new.is_empty() || new.contains(['/', '\\']) || new.starts_with('.') {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("`[batch] output` makes `{new}{rest}` for `{}`, which is not a plain file name", member.value), span.clone())
                .with_hint("use `{{ slug }}` (letters, digits and dashes) rather than `{{ value }}` in file names"));
        }
        Ok(format!("{new}{rest}"))
    };
    let mut outputs = Vec::new();
    for (format, name) in &names.outputs {
        outputs.push((*format, rename(name)?));
    }
    Ok(OutputNames {
        outputs,
        manifest: rename(&names.manifest)?,
        private_manifest: rename(&names.private_manifest)?,
    })
}

/// The outputs' timestamp: `SOURCE_DATE_EPOCH` if given, else the report
/// date at midnight UTC.
pub(super) fn timestamp(spec: &Spec, epoch: Option<i64>) -> Result<jiff::Timestamp> {
    match epoch {
        Some(secs) => jiff::Timestamp::from_second(secs).map_err(|e| {
            Error::new(
                ErrorKind::Usage,
                format!("`SOURCE_DATE_EPOCH` is out of range: {e}"),
            )
            .with_hint("set it to seconds since 1970-01-01, or unset it")
        }),
        None => spec
            .date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| Error::new(ErrorKind::Spec, format!("report date is out of range: {e}"))),
    }
}

/// The Word backend's options: the Word side of the house style and the
/// reference document, read through the input registry.
pub(super) fn docx_options(
    spec: &Spec,
    ctx: &BuildContext,
    style: &crate::style::Style,
    (timestamp, chart_fonts): (jiff::Timestamp, &chart::Fonts),
) -> Result<backend::docx::DocxOptions> {
    let reference = match &spec.style.reference_docx {
        Some(path) => Some(backend::docx::Reference {
            path: manifest::relative(spec.file.root(), &ctx.resolve(&spec.file, path)?).into(),
            bytes: ctx.read(&spec.file, path, "reference docx")?.bytes.clone(),
        }),
        None => None,
    };
    let m = style.margins;
    Ok(backend::docx::DocxOptions {
        timestamp,
        style: backend::docx::WordStyle {
            body_font: Some(style.word_font("body_font")),
            heading_font: Some(style.word_font("heading_font")),
            accent: Some(
                crate::style::hex(style.accent)
                    .trim_start_matches('#')
                    .to_string(),
            ),
            margins_mm: Some([m.top, m.bottom, m.left, m.right]),
            header: style.header.clone(),
            footer: style.footer.clone(),
            marking: style.marking.clone(),
            roles: style
                .word
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect(),
            captions_as_pdf: style.word_captions_as_pdf,
        },
        reference,
        chart_fonts: chart_fonts.clone(),
    })
}

/// The font files `report.fonts` names.
pub(super) fn report_fonts(spec: &Spec, ctx: &BuildContext) -> Result<Vec<Vec<u8>>> {
    let mut fonts = Vec::new();
    for f in &spec.report.fonts {
        fonts.push(ctx.read(&spec.file, f, "font")?.bytes.to_vec());
    }
    Ok(fonts)
}

/// The PDF backend's options: the layout, fonts and house style.
pub(super) fn typst_options<'a>(
    spec: &'a Spec,
    ctx: &BuildContext,
    (timestamp, style): (jiff::Timestamp, &crate::style::Style),
    fonts: Vec<Vec<u8>>,
) -> Result<TypstOptions<'a>> {
    let r = &spec.report;
    let layout = ctx.resolve(&spec.file, &r.layout)?;
    Ok(TypstOptions {
        root: spec.file.root(),
        inputs: ctx.inputs.clone(),
        layout,
        main_dir: spec.file.dir(),
        fonts,
        ident: &r.name,
        date: spec.date,
        timestamp,
        attachments: Vec::new(),
        time_limit: std::time::Duration::from_secs(spec.limits.layout_seconds),
        style: style.clone(),
    })
}
