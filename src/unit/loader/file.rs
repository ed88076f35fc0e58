//! Reading one unit file or drop-in: open it without blocking or following a swapped-in
//! symlink, tell a mask from a unit file, and read it whole into the load's buffer.

use std::fs;
use std::io;
use std::path::Path;

/// What reading a unit file or drop-in found.
pub(super) enum UnitFile {
    /// The file's text is in the caller's buffer.
    Text,
    /// `null_or_empty()`: an empty regular file or a character device (`/dev/null`).
    Masked,
    /// A directory, FIFO or socket where a file was expected.
    NotAFile,
}

/// Open once (non-blocking, so a FIFO cannot hang us), check the type on the open
/// file, and only then read; character devices are never read.
///
/// `known_regular`: the directory scan saw a regular file here, so no `fstat()` is
/// needed to tell a mask from a unit file; the file is opened with `O_NOFOLLOW` so
/// that a symlink swapped in since the scan fails instead of being followed.
///
/// The text goes into `buf` (replacing what it held): one buffer serves a whole
/// load, so no file costs an allocation.
pub(super) fn read_unit_file(
    path: &Path,
    known_regular: bool,
    buf: &mut Vec<u8>,
) -> io::Result<UnitFile> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let nofollow = if known_regular { libc::O_NOFOLLOW } else { 0 };
    let mut f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC | nofollow)
        .open(path)?;
    let size_hint = if known_regular {
        KNOWN_REGULAR_FIRST_READ
    } else {
        let meta = f.metadata()?;
        if meta.file_type().is_char_device() || (meta.is_file() && meta.len() == 0) {
            return Ok(UnitFile::Masked);
        }
        if !meta.is_file() {
            return Ok(UnitFile::NotAFile);
        }
        meta.len() as usize
    };
    // One read() for the whole file: a regular file returns short only at its end,
    // so the usual extra read() that confirms EOF is not needed (one syscall less
    // per unit file). A file longer than the guess is read on until EOF.
    // The buffer keeps its length between files: only growth writes zeros.
    if buf.len() < size_hint + 1 {
        buf.resize(size_hint + 1, 0);
    }
    let mut n = 0;
    loop {
        let r = match f.read(&mut buf[n..]) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        n += r;
        if r == 0 || n < buf.len() {
            break;
        }
        buf.resize(buf.len() * 2, 0);
    }
    buf.truncate(n);
    if n == 0 && known_regular {
        // An empty unit file masks the unit, as a link to /dev/null does.
        return Ok(UnitFile::Masked);
    }
    Ok(UnitFile::Text)
}

/// First read size for a unit file of unknown length (most are well under 1 KiB).
const KNOWN_REGULAR_FIRST_READ: usize = 4095;

#[cfg(test)]
mod tests {
    use super::*;

    fn read_unit_file(path: &Path, known_regular: bool) -> io::Result<(UnitFile, Vec<u8>)> {
        let mut buf = b"left over from an earlier file".to_vec();
        super::read_unit_file(path, known_regular, &mut buf).map(|f| (f, buf))
    }

    #[test]
    fn fifo_and_devices_never_block_or_get_read() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("f.socket");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert!(matches!(
            read_unit_file(&fifo, false),
            Ok((UnitFile::NotAFile, _))
        ));
        assert!(matches!(
            read_unit_file(Path::new("/dev/zero"), false),
            Ok((UnitFile::Masked, _))
        ));
        let empty = t.path().join("e.socket");
        fs::write(&empty, "").unwrap();
        assert!(matches!(
            read_unit_file(&empty, false),
            Ok((UnitFile::Masked, _))
        ));
        assert!(matches!(
            read_unit_file(t.path(), false),
            Ok((UnitFile::NotAFile, _))
        ));
        let text = t.path().join("t.socket");
        fs::write(&text, "[Socket]\n").unwrap();
        assert!(
            matches!(read_unit_file(&text, false), Ok((UnitFile::Text, b)) if b == b"[Socket]\n")
        );
    }

    /// A file the scan saw as regular is read without fstat(): empty still masks,
    /// a file longer than the first read is read whole, and a symlink swapped in
    /// since the scan is not followed.
    #[test]
    fn known_regular_files_skip_fstat() {
        let t = tempfile::tempdir().unwrap();
        let empty = t.path().join("e.socket");
        fs::write(&empty, "").unwrap();
        assert!(matches!(
            read_unit_file(&empty, true),
            Ok((UnitFile::Masked, _))
        ));
        let long = t.path().join("l.socket");
        let text = format!("[Socket]\n#{}\n", "x".repeat(3 * KNOWN_REGULAR_FIRST_READ));
        fs::write(&long, &text).unwrap();
        assert!(
            matches!(read_unit_file(&long, true), Ok((UnitFile::Text, b)) if b == text.as_bytes())
        );
        let link = t.path().join("s.socket");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_unit_file(&link, true).is_err());
    }
}
