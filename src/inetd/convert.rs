//! `activatord convert`: writes the units generated from inetd.conf as unit files, so
//! a system can move from inetd to systemd (or to activator's unit-file mode) and keep
//! exactly the behaviour `load_inetd` gives.

use std::path::{Path, PathBuf};

use super::{load_inetd, InetdOptions};
use crate::diag::Diagnostics;
use crate::unit::render::{render_service, render_socket};

/// Why a conversion could not be written at all. Bad entries are not errors: they are
/// in the returned diagnostics and simply produce no files.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Convert inetd.conf files (or directories) into `.socket`/`.service` files in
/// `output_dir` (created if missing). Returns the load diagnostics.
pub fn convert(
    paths: &[PathBuf],
    opts: &InetdOptions,
    output_dir: &Path,
) -> Result<Diagnostics, ConvertError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ConvertError::Io { path, source }
    };
    std::fs::create_dir_all(output_dir).map_err(io(output_dir))?;
    let units = load_inetd(paths, opts);
    for s in &units.sockets {
        let path = output_dir.join(&s.name);
        std::fs::write(&path, render_socket(s)).map_err(io(&path))?;
    }
    for s in &units.services {
        let path = output_dir.join(&s.name);
        std::fs::write(&path, render_service(s)).map_err(io(&path))?;
    }
    Ok(units.diagnostics)
}
