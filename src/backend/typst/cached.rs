//! The PDF stage's cache entry (see [`crate::cache`]): the key is
//! everything the Typst world exposes and the PDF export is told; the entry
//! lists every file the layout read with its hash, and is used only if
//! each still has those bytes.

use std::path::PathBuf;

use typst::foundations::{Datetime, Dict};

use super::PdfOutput;
use crate::cache::{Cache, Fields, Key, Record};
use crate::error::Diagnostics;
use crate::inputs::Inputs;

/// The role the Typst world reads its files under (the same here, so a hit
/// records the same inputs as a compilation).
const ROLE: &str = "layout file";

/// What the compilation sees, as a key: the main file's place and text,
/// `sys.inputs`, the report's fonts, the dates and the PDF identifier.
pub(super) fn key(
    main_vpath: &str,
    text: &str,
    inputs: &Dict,
    fonts: &[Vec<u8>],
    today: &Datetime,
    created: &Datetime,
    ident: &str,
) -> Key {
    let mut b = Key::builder("pdf");
    b.add("main path", main_vpath.as_bytes())
        .add("main text", text.as_bytes())
        .debug("sys.inputs", inputs)
        .debug("today", today)
        .debug("created", created)
        .add("ident", ident.as_bytes());
    for font in fonts {
        b.add("font", blake3::hash(font).as_bytes());
    }
    b.finish()
}

/// The cached PDF for `key`, if the entry is intact and every file the
/// layout read still has the bytes it had. On a hit those files are read
/// through the registry, exactly as the compilation would have.
pub(super) fn lookup(cache: &Cache, key: &Key, registry: &Inputs, text: &str) -> Option<PdfOutput> {
    let entry = cache.get(key)?;
    let mut f = Fields::new(&entry);
    let pdf = f.bytes()?.to_vec();
    // Each warning as JSON, so a hit reports it with its place.
    let warnings = (0..count(&mut f)?)
        .map(|_| serde_json::from_str(f.text()?).ok())
        .collect::<Option<Diagnostics>>()?;
    let deps = (0..count(&mut f)?)
        .map(|_| Some((PathBuf::from(f.text()?), f.text()?.to_string())))
        .collect::<Option<Vec<_>>>()?;
    if !f.is_done() {
        return None;
    }
    // Check on the disk first, so a miss registers nothing the new
    // compilation might not read.
    let unchanged = deps
        .iter()
        .all(|(path, hash)| registry.hash_of(path).is_ok_and(|h| h == *hash));
    if !unchanged {
        return None;
    }
    for (path, hash) in &deps {
        if registry.read(path, ROLE).ok()?.blake3 != *hash {
            return None;
        }
    }
    Some(PdfOutput {
        pdf,
        source: text.to_string(),
        dependencies: deps.into_iter().map(|(p, _)| p).collect(),
        warnings,
    })
}

/// Stores a compiled PDF with the hashes of the files its layout read.
pub(super) fn store(cache: &Cache, key: &Key, out: &PdfOutput, registry: &Inputs) {
    if !cache.enabled() {
        return;
    }
    let mut r = Record::new();
    r.field(&out.pdf);
    r.field(out.warnings.len().to_string().as_bytes());
    for w in &out.warnings {
        let Ok(json) = serde_json::to_string(w) else {
            return;
        };
        r.field(json.as_bytes());
    }
    r.field(out.dependencies.len().to_string().as_bytes());
    for path in &out.dependencies {
        // Already read (the layout did); a file that cannot be named or
        // read again is not worth caching against.
        let (Some(name), Ok(file)) = (path.to_str(), registry.read(path, ROLE)) else {
            return;
        };
        r.field(name.as_bytes()).field(file.blake3.as_bytes());
    }
    cache.put(key, r.into_bytes());
}

fn count(f: &mut Fields) -> Option<usize> {
    f.text()?.parse().ok()
}
