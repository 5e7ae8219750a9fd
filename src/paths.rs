//! How a path is written in what boardpack records (the manifest, the
//! sources appendix): relative to a root and `/`-separated, so it does not
//! depend on where the project is checked out or on the platform.

use std::path::{Component, Path};

/// `path` relative to `root`, `/`-separated (never absolute, so it does not
/// depend on where the project is checked out).
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_slashes_and_drop_the_root() {
        assert_eq!(
            relative(Path::new("/w/p"), Path::new("/w/p/data/victims.csv")),
            "data/victims.csv"
        );
        assert_eq!(
            relative(Path::new(""), Path::new("data/x.csv")),
            "data/x.csv"
        );
        assert_eq!(
            relative(Path::new("/w/p"), Path::new("/w/p/../q/x.csv")),
            "../q/x.csv"
        );
    }
}
