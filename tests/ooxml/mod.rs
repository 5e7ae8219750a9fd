//! Test support: validate a `.docx` against the ECMA-376 schemas with the
//! openxml-audit validator (a Python port of the Open XML SDK's checks).
//!
//! The validator lives in a venv made by `.ci/ooxml-venv.sh`. It is found
//! through `BOARDPACK_OOXML_VALIDATOR` (the command's path) if set, else in
//! the script's default venv. A missing validator fails the test with a hint
//! instead of skipping it: an unvalidated Word file is not a passing one.

#![allow(dead_code)] // Each test binary uses a subset.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Office version whose schemas (ECMA-376 transitional plus the
/// extensions Word writes) the file is checked against.
const FORMAT: &str = "office2019";

/// What the validator said about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    /// Number of errors (schema, semantic and package).
    pub errors: usize,
    /// The validator's full text report.
    pub text: String,
}

/// Panics with the validator's full report unless `path` has no errors.
pub(crate) fn assert_valid_docx(path: &Path) {
    let report = validate_docx(path);
    assert!(
        report.errors == 0,
        "{} is not a valid .docx ({} errors):\n{}",
        path.display(),
        report.errors,
        report.text
    );
}

/// Runs the validator on `path` and returns its report. Panics if the
/// validator is missing or fails without producing a report.
pub(crate) fn validate_docx(path: &Path) -> Report {
    let validator = validator_path();
    let output = Command::new(&validator)
        .arg(path)
        .args(["--format", FORMAT, "--max-errors", "0", "--output", "text"])
        // The report is printed by `rich`; a wide console keeps one message
        // per line so the count and the messages parse.
        .env("COLUMNS", "400")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", validator.display()));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let count = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Errors: "))
        .and_then(|n| n.trim().parse().ok());
    match (count, output.status.code()) {
        (Some(errors), Some(0 | 1)) => Report { errors, text },
        _ => panic!(
            "`{}` failed ({}) without a report:\n{text}\n{}",
            validator.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// The validator command: `$BOARDPACK_OOXML_VALIDATOR`, else the default
/// venv of `.ci/ooxml-venv.sh`, which is created on first use (so
/// `cargo test` works on a fresh machine with `python3`). Panics with setup
/// instructions if that fails.
pub(super) fn validator_path() -> PathBuf {
    if let Some(p) = std::env::var_os("BOARDPACK_OOXML_VALIDATOR").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(p);
        assert!(
            path.is_file(),
            "BOARDPACK_OOXML_VALIDATOR=`{}` is not a file",
            path.display()
        );
        return path;
    }
    static SETUP: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let result = SETUP.get_or_init(|| {
        let path = default_venv().join("bin").join("openxml-audit");
        if path.is_file() {
            return Ok(path);
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/ooxml-venv.sh");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .map_err(|e| e.to_string())?;
        let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
        match out.status.success() && Path::new(&printed).is_file() {
            true => Ok(PathBuf::from(printed)),
            false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
        }
    });
    match result {
        Ok(path) => path.clone(),
        Err(e) => panic!(
            "OOXML validator could not be set up:\n{e}\n\
             hint: run `bash .ci/ooxml-venv.sh` (needs python3 with venv and pip) and re-run the tests"
        ),
    }
}

/// `$BOARDPACK_OOXML_VENV`, else `$HOME/.cache/boardpack/ooxml-venv`, as in
/// `.ci/ooxml-venv.sh`.
fn default_venv() -> PathBuf {
    if let Some(venv) = std::env::var_os("BOARDPACK_OOXML_VENV").filter(|v| !v.is_empty()) {
        return PathBuf::from(venv);
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".cache/boardpack/ooxml-venv")
}
