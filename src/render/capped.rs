//! Template output under `limits.template_output_mb`: a runaway loop
//! stops at the cap instead of filling memory.

use minijinja::value::Value;
use minijinja::Environment;

use super::errors::{error_range, template_error};
use super::*;

/// Renders template `key` into a buffer that refuses more than
/// `limits.template_output_mb`: a runaway loop stops at the cap instead of
/// filling memory. Errors name the limit hit, if any.
pub(super) fn render_capped(
    env: &Environment,
    t: &Template,
    key: &str,
    ctx: &Value,
    limits: &crate::spec::Limits,
    names: &Names,
) -> Result<String> {
    let mut out = Capped {
        bytes: Vec::new(),
        limit: limits.template_output_mb.saturating_mul(1 << 20),
        over: false,
    };
    let done = env
        .get_template(key)
        .and_then(|tmpl| tmpl.render_captured_to(ctx, &mut out).map(|_| ()));
    done.map_err(|e| limited(t, &e, limits, names, out.over))?;
    // MiniJinja writes `str`s only, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&out.bytes).into_owned())
}

/// An in-memory writer with a size cap.
struct Capped {
    bytes: Vec<u8>,
    limit: u64,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.bytes.len() + buf.len()) as u64 > self.limit {
            self.over = true;
            return Err(std::io::Error::other("template output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A template error, with the limit named when one was hit.
fn limited(
    t: &Template,
    e: &minijinja::Error,
    limits: &crate::spec::Limits,
    names: &Names,
    over: bool,
) -> Error {
    let (message, hint) = if over {
        (
            format!(
                "the template produced more than {} MB of text (`limits.template_output_mb`)",
                limits.template_output_mb
            ),
            "look for a loop that prints too much; if the report really needs more, raise `template_output_mb` under `[limits]` in the spec",
        )
    } else if e.kind() == minijinja::ErrorKind::OutOfFuel {
        (
            format!(
                "the template ran more than {} steps (`limits.template_fuel`)",
                limits.template_fuel
            ),
            "look for a loop that runs too long; if the report really needs more, raise `template_fuel` under `[limits]` in the spec",
        )
    } else {
        return template_error(t, e, names);
    };
    let mut err = Error::new(ErrorKind::Template, message).in_file(&t.path);
    if let Some(r) = error_range(t, e) {
        err = err.at_span(&t.text, r);
    }
    err.with_hint(hint)
}
