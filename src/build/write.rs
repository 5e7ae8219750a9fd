//! Writing a finished build: its public files and, under `[disclosure]`,
//! the private manifest into the private folder beside the output folder,
//! each folder replaced all-or-nothing.

use std::path::{Path, PathBuf};

use super::Build;
use crate::error::Result;
use crate::timings::{self, Stage as T};
use crate::{backend, output};

impl Build {
    /// The output of `format`, if the spec declares it.
    pub fn output(&self, format: backend::Format) -> Option<&backend::Output> {
        self.outputs.iter().find(|o| o.format == format)
    }

    /// The files a build publishes: (name, bytes), the declared outputs and
    /// the public manifest.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .outputs
            .iter()
            .map(|o| (o.name.clone(), o.bytes.clone()))
            .collect();
        files.push((
            self.names.manifest.clone(),
            self.manifest.public().to_json().into_bytes(),
        ));
        files
    }

    /// The files that must not be published: under `[disclosure]`, the
    /// analyst's private manifest (true small counts), written into the
    /// private folder beside the output folder ([`private_dir`]).
    pub fn private_files(&self) -> Vec<(String, Vec<u8>)> {
        match self.manifest.private {
            Some(_) => vec![(
                self.names.private_manifest.clone(),
                self.manifest.to_json().into_bytes(),
            )],
            None => Vec::new(),
        }
    }

    /// Writes the outputs and public manifest atomically into the output
    /// folder and, under `[disclosure]`, the private manifest into the
    /// private folder beside it.
    pub fn write(&self) -> Result<Vec<PathBuf>> {
        self.write_public(&self.files())
    }

    /// [`Build::write`] with `public` as the files to publish (the build's
    /// own and, say, a redline), all one set.
    pub(crate) fn write_public(&self, public: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
        let dropped = [self.names.private_manifest.clone()];
        let written = timings::time(
            T::Outputs,
            || "write the output set".into(),
            || write_both(&self.out_dir, public, &self.private_files(), &dropped),
        )?;
        self.cache.flush();
        Ok(written)
    }
}

/// The folder for what must not be published, beside the output folder
/// `out`: `out.private` (so copying `out/` to a web server publishes
/// nothing private).
pub(crate) fn private_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!("{name}.private"))
}

/// Writes the private files (if any) into [`private_dir`] first, so a
/// published set never lacks its audit record, then the public set, from
/// which the names in `dropped` (a private file an older boardpack wrote
/// there) are removed. Each folder is replaced all-or-nothing. Returns the
/// public paths, then the private ones.
pub(crate) fn write_both(
    out: &Path,
    public: &[(String, Vec<u8>)],
    private: &[(String, Vec<u8>)],
    dropped: &[String],
) -> Result<Vec<PathBuf>> {
    let private = if private.is_empty() {
        Vec::new()
    } else {
        output::write_set(&private_dir(out), private, &[], output::Audience::Private)?
    };
    let mut written = output::write_set(out, public, dropped, output::Audience::Public)?;
    written.extend(private);
    Ok(written)
}
