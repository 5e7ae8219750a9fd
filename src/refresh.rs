//! `boardpack refresh SPEC`: next year's paper by one command. Moves the
//! spec's `period` to the next financial year and its report date on a year
//! (or to `--date`), rewrites the spec keeping every comment and the layout
//! (toml_edit), and rebuilds. Nothing is written unless the new build
//! succeeds; `--dry-run` writes nothing at all.

use std::path::PathBuf;

use toml_edit::DocumentMut;

use crate::diff::{table, Row};
use crate::error::{display_path, Error, ErrorKind, Result};
use crate::format::format_date;
use crate::params::FinancialYear;
use crate::{build_spec, Build, BuildOptions, Spec};

/// What to refresh and how.
#[derive(Debug, Clone, Default)]
pub struct RefreshOptions {
    /// Build options; `spec` is the spec to move on a year.
    pub build: BuildOptions,
    /// The new report date (default: the old one plus a year).
    pub date: Option<jiff::civil::Date>,
    /// Also make the redline of last year's paper against the new one.
    pub redline: bool,
}

/// A refreshed spec and its build, not yet written.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The spec file.
    pub path: PathBuf,
    /// Its new text.
    pub text: String,
    /// (line number, old line, new line) for every line that changed.
    pub changes: Vec<(usize, String, String)>,
    /// Old and new period.
    pub periods: (FinancialYear, FinancialYear),
    /// Old and new report date.
    pub dates: (jiff::civil::Date, jiff::civil::Date),
    /// The build of the new spec.
    pub build: Build,
    /// With `redline`: its file name (beside the outputs) and the redline.
    pub redline: Option<(String, crate::redline::Redline)>,
}

/// Rewrites the spec in memory and builds it.
pub fn refresh(options: &RefreshOptions) -> Result<Refreshed> {
    let path = &options.build.spec;
    let old = Spec::load(path)?;
    let old_period = crate::params::Params::resolve(old.params_part(), &[])?.period().ok_or_else(|| {
        Error::new(
            ErrorKind::Spec,
            "`refresh` moves the `period` parameter on a year, but this spec has no financial-year `period`",
        )
        .in_file(path)
        .with_hint("declare `[params.period]` with `type = \"financial-year\"` and a `default` such as \"2019/20\"")
    })?;
    let new_period = old_period.next();
    let new_date = match options.date {
        Some(d) => d,
        None => old
            .date
            .checked_add(jiff::Span::new().years(1))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Spec,
                    format!("cannot move the report date on a year: {e}"),
                )
                .in_file(path)
                .with_hint("give the new date with `--date YYYY-MM-DD`")
            })?,
    };
    let text = rewrite(old.file.text(), new_period, new_date).map_err(|message| {
        Error::new(ErrorKind::Spec, message)
            .in_file(path)
            .with_hint(
            "refresh edits `params.period.default` and `report.date`; check they are plain values",
        )
    })?;
    let changes = old
        .file
        .text()
        .lines()
        .zip(text.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i + 1, a.to_string(), b.to_string()))
        .collect();
    let spec = Spec::from_text(path, text.clone())?;
    let build = build_spec(spec, &options.build)?;
    let redline = match options.redline {
        true => Some(redline(old.clone(), old_period, &build, &options.build)?),
        false => None,
    };
    Ok(Refreshed {
        path: path.clone(),
        text,
        changes,
        periods: (old_period, new_period),
        dates: (old.date, new_date),
        build,
        redline,
    })
}

/// The redline of last year's paper against the new build: last year's is
/// the manifest in the output folder if it is that period's and records its
/// content (what was published), else the old spec built again in memory.
fn redline(
    old: Spec,
    period: FinancialYear,
    new: &Build,
    options: &BuildOptions,
) -> Result<(String, crate::redline::Redline)> {
    let on_disk = new.out_dir().join(&new.names().manifest);
    // A missing, unreadable or other-period manifest is not an error: the
    // paper is then made again from the old spec, and the summary says so.
    let last = crate::manifest::Manifest::read(&on_disk)
        .ok()
        .filter(|m| m.content.is_some())
        .filter(|m| m.params.get("period") == Some(&period.to_string()));
    let (last, source) = match last {
        Some(m) => (m, format!("`{}` as published", display_path(&on_disk))),
        None => (
            build_spec(old, options)?.manifest().clone(),
            format!(
                "the spec as it was, built again with today's data (`{}` records no {period} content)",
                display_path(&on_disk)
            ),
        ),
    };
    let stem = new.names().manifest.trim_end_matches(".manifest.json");
    let name = format!("{stem}-redline.docx");
    let mut redline = crate::redline::redline(&last, new.manifest())?;
    redline.summary = format!(
        "last year's paper for the redline: {source}\n{}",
        redline.summary
    );
    Ok((name, redline))
}

impl Refreshed {
    /// Writes the outputs and the redline, if any (as one set), then the
    /// spec (atomically).
    pub fn write(&self) -> Result<Vec<PathBuf>> {
        let mut written = match &self.redline {
            None => self.build.write()?,
            Some((name, r)) => {
                let mut files = self.build.files();
                files.push((name.clone(), r.bytes.clone()));
                self.build.write_public(&files)?
            }
        };
        crate::output::write_file(&self.path, self.text.as_bytes())?;
        written.push(self.path.clone());
        Ok(written)
    }

    /// What changed, for people: the period, the date, the spec lines and
    /// every figure against the previous period.
    pub fn summary(&self) -> String {
        let (p0, p1) = self.periods;
        let (d0, d1) = self.dates;
        let mut out = format!(
            "period: {p0} → {p1}\nreport date: {} → {}\n{}:\n",
            format_date(d0),
            format_date(d1),
            display_path(&self.path)
        );
        for (line, a, b) in &self.changes {
            out += &format!("  line {line}: {} → {}\n", a.trim(), b.trim());
        }
        let m = self.build.manifest();
        let rows: Vec<Row> = m
            .figures
            .iter()
            .map(|(name, f)| Row {
                name: name.clone(),
                old: f.previous.clone(),
                new: Some(f.value.clone()),
                format: f.format.clone(),
            })
            .collect();
        out += &format!("figures, {p1} against {p0}:\n");
        out += &table(&rows, &p0.to_string(), &p1.to_string());
        out
    }
}

/// The spec text with `params.period.default` set to `period` and
/// `report.date` to `date`, every comment, blank line and key order kept.
pub fn rewrite(
    text: &str,
    period: FinancialYear,
    date: jiff::civil::Date,
) -> std::result::Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("cannot edit the spec: {}", e.message()))?;
    let default = doc
        .get_mut("params")
        .and_then(|p| p.get_mut("period"))
        .and_then(|p| p.get_mut("default"))
        .and_then(|d| d.as_value_mut())
        .ok_or("the spec has no `params.period.default` to move on")?;
    replace(default, toml_edit::Value::from(period.to_string()));
    let report_date = doc
        .get_mut("report")
        .and_then(|r| r.get_mut("date"))
        .and_then(|d| d.as_value_mut())
        .ok_or("the spec has no `report.date` to move on")?;
    let new = if report_date.is_datetime() {
        toml_edit::Value::from(toml_edit::Datetime {
            date: Some(toml_edit::Date {
                year: date.year() as u16,
                month: date.month() as u8,
                day: date.day() as u8,
            }),
            time: None,
            offset: None,
        })
    } else {
        toml_edit::Value::from(date.to_string())
    };
    replace(report_date, new);
    Ok(doc.to_string())
}

/// Replaces a value keeping the whitespace and comment around it.
fn replace(slot: &mut toml_edit::Value, mut new: toml_edit::Value) {
    *new.decor_mut() = slot.decor().clone();
    *slot = new;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_comments_and_layout() {
        let text = "# The paper\n[report]\n# when\ndate = 2020-11-26   # board date\n\n[params.period]\ntype = \"financial-year\"\ndefault = \"2019/20\" # the year\n";
        let fy = FinancialYear::parse("2020/21").unwrap();
        let out = rewrite(text, fy, jiff::civil::date(2021, 11, 26)).unwrap();
        assert_eq!(
            out,
            "# The paper\n[report]\n# when\ndate = 2021-11-26   # board date\n\n[params.period]\ntype = \"financial-year\"\ndefault = \"2020/21\" # the year\n"
        );
    }

    #[test]
    fn rewrite_handles_inline_tables_and_string_dates() {
        let text = "[report]\ndate = \"2020-11-26\"\n[params]\nperiod = { type = \"financial-year\", default = \"2019/20\" }\n";
        let fy = FinancialYear::parse("2020/21").unwrap();
        let out = rewrite(text, fy, jiff::civil::date(2021, 11, 26)).unwrap();
        assert!(out.contains("date = \"2021-11-26\""), "{out}");
        assert!(out.contains("default = \"2020/21\" }"), "{out}");
    }

    #[test]
    fn rewrite_says_what_is_missing() {
        let fy = FinancialYear::parse("2020/21").unwrap();
        let err = rewrite("[report]\n", fy, jiff::civil::date(2021, 1, 1)).unwrap_err();
        assert!(err.contains("params.period.default"), "{err}");
    }
}
