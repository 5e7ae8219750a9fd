//! `[style]`: fonts that exist, a readable accent, a logo that is an
//! image, sane margins, known markings and Word roles.

use toml::Spanned;

use crate::colour::{contrast_ratio, WHITE};
use crate::error::{Error, ErrorKind};
use crate::paths::Files;
use crate::spec::style::{
    font_families, image_format, parse_hex, stand_in, Margins, MARGIN_RANGE_MM, MARKINGS,
    MIN_ACCENT_CONTRAST, WORD_CAPTIONS, WORD_ROLES,
};
use crate::spec::Spec;

pub(super) fn check_style(spec: &Spec, files: &dyn Files, errors: &mut Vec<Error>) {
    check_style_fonts(spec, files, errors);
    check_style_look(spec, files, errors);
    if let Some(m) = &spec.style.marking {
        if !MARKINGS.contains(&m.get_ref().as_str()) {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("unknown protective marking `{}`", m.get_ref()),
                    m.span(),
                )
                .with_hint(format!("use one of: {}", MARKINGS.join(", "))),
            );
        }
    }
}

/// `[style.word]` keys name content roles; a typo is an error with
/// "did you mean" (the style names are checked against the Word
/// template when the Word file is written).
pub(super) fn check_word_roles(spec: &Spec, errors: &mut Vec<Error>) {
    let roles = WORD_ROLES;
    for (key, value) in &spec.style.word {
        if roles.contains(&key.as_str()) {
            continue;
        }
        if key == WORD_CAPTIONS {
            if !["own", "as-pdf"].contains(&value.get_ref().as_str()) {
                errors.push(
                    spec.error_at(
                        ErrorKind::Spec,
                        format!("unknown caption numbering `{}` in `[style.word] captions`", value.get_ref()),
                        value.span(),
                    )
                    .with_hint("use `own` (the summary's tables and figures numbered from 1) or `as-pdf` (the numbers of the PDF's appendix)"),
                );
            }
            continue;
        }
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!("unknown Word style role `{key}` in `[style.word]`"),
                value.span(),
            )
            .with_hint(crate::error::suggest(key, roles, "roles")),
        );
    }
}

/// `body_font` and `heading_font` name a bundled family or one of the
/// report's font files (a font file that cannot be read is reported
/// when it is loaded, so the families are then not checked).
fn check_style_fonts(spec: &Spec, files: &dyn Files, errors: &mut Vec<Error>) {
    let st = &spec.style;
    let named: Vec<(&str, &Spanned<String>)> = [
        ("body_font", &st.body_font),
        ("heading_font", &st.heading_font),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    if named.is_empty() {
        return;
    }
    let mut own = Vec::new();
    for f in &spec.report.fonts {
        match spec.read(files, f, "font") {
            Ok(bytes) => own.push(bytes),
            Err(_) => return,
        }
    }
    let families = font_families(&own);
    let names: Vec<&str> = families.iter().map(String::as_str).collect();
    for (key, v) in named {
        // A house font with a bundled stand-in is set in it, with a note.
        let stands_in = stand_in(v.get_ref()).is_some();
        if !stands_in && !families.iter().any(|f| f == v.get_ref()) {
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let hint = match crate::error::did_you_mean(v.get_ref(), names.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? The fonts available are {list}"),
                None => format!("the fonts available are {list}"),
            };
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`style.{key}`: no font family `{}`", v.get_ref()),
                    v.span(),
                )
                .with_hint(format!(
                    "{hint}; a font of your own goes in `fonts = [\"…\"]` under `[report]`"
                )),
            );
        }
    }
}

/// The accent is a readable `#RRGGBB`, the logo an image inside the
/// project, the margins sane.
fn check_style_look(spec: &Spec, files: &dyn Files, errors: &mut Vec<Error>) {
    let st = &spec.style;
    if let Some(a) = &st.accent {
        check_accent(spec, a, errors);
    }
    if let Some(l) = &st.logo {
        check_logo(spec, files, l, errors);
    }
    if let Some(r) = &st.reference_docx {
        if let Err(e) = spec.resolve(files, r) {
            errors.push(e);
        }
    }
    if let Some(m) = &st.margins {
        check_margins(spec, m, errors);
    }
}

/// The accent is `#RRGGBB`, dark enough to read on white.
fn check_accent(spec: &Spec, a: &Spanned<String>, errors: &mut Vec<Error>) {
    match parse_hex(a.get_ref()) {
        None => errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!(
                    "`style.accent` must be a colour like `#1F4E79`, not `{}`",
                    a.get_ref()
                ),
                a.span(),
            )
            .with_hint("write `#` and six hexadecimal digits (red, green, blue)"),
        ),
        Some(c) => {
            let ratio = contrast_ratio(c, WHITE);
            if ratio < MIN_ACCENT_CONTRAST {
                errors.push(
                    spec.error_at(ErrorKind::Spec, format!("`style.accent` `{}` is too light to read on white ({ratio:.1}:1)", a.get_ref()), a.span())
                        .with_hint(format!("the accent colours headings and chart bars, which need a contrast of at least {}:1 (WCAG 2.2); choose a darker shade of the same colour", MIN_ACCENT_CONTRAST)),
                );
            }
        }
    }
}

/// The logo is a PNG, JPEG or SVG image inside the project, of a size the
/// layout may decode.
fn check_logo(spec: &Spec, files: &dyn Files, l: &Spanned<String>, errors: &mut Vec<Error>) {
    match spec.read(files, l, "logo") {
        Err(e) => errors.push(e),
        Ok(file) if image_format(&file).is_none() => errors.push(
            spec.error_at(
                ErrorKind::Spec,
                format!(
                    "`style.logo` `{}` is not a PNG, JPEG or SVG image",
                    l.get_ref()
                ),
                l.span(),
            )
            .with_hint("save the logo as PNG or SVG and point `logo` at that file"),
        ),
        // Before the layout decodes it (see `image_limit`).
        Ok(file) => {
            let limit = spec.limits.image_pixels;
            if let Err(too_big) = crate::image_limit::check(&file, limit) {
                errors.push(
                    spec.error_at(
                        ErrorKind::Spec,
                        format!("`style.logo` `{}` {}", l.get_ref(), too_big.claims()),
                        l.span(),
                    )
                    .with_hint(crate::image_limit::TooManyPixels::hint()),
                );
            }
        }
    }
}

/// Each margin is within [`MARGIN_RANGE_MM`].
fn check_margins(spec: &Spec, m: &Spanned<Margins>, errors: &mut Vec<Error>) {
    let v = m.get_ref();
    let range = MARGIN_RANGE_MM;
    let bad: Vec<String> = [
        ("top", v.top),
        ("bottom", v.bottom),
        ("left", v.left),
        ("right", v.right),
    ]
    .into_iter()
    .filter(|(_, mm)| !range.contains(mm))
    .map(|(k, mm)| format!("`{k} = {mm}`"))
    .collect();
    if !bad.is_empty() {
        errors.push(
            spec.error_at(ErrorKind::Spec, format!("`style.margins`: {} out of range", bad.join(", ")), m.span())
                .with_hint(format!("margins are millimetres, each from {} to {}; e.g. `margins = {{ top = 22, bottom = 25, left = 25, right = 25 }}`", range.start(), range.end())),
        );
    }
}
