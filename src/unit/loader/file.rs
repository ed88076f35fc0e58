//! Reading one unit file or drop-in: open it without blocking or following a swapped-in
//! symlink, tell a mask from a unit file, and read it whole into the load's buffer.

use std::fs;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{openat, OFlag, AT_FDCWD};
use nix::sys::stat::Mode;

use crate::unit::lexer::{Assignment, LexBuffers};

/// What reading a unit file or drop-in found.
pub(super) enum UnitFile {
    /// The file's text is in the caller's buffer (`FileBuf::text`).
    Text,
    /// `null_or_empty()`: an empty regular file or a character device (`/dev/null`).
    Masked,
    /// A directory, FIFO or socket where a file was expected.
    NotAFile,
}

/// The read buffer one load reads every file through: no file costs an allocation,
/// and the bytes past the current text stay as they are (growing is the only time
/// the buffer is zeroed, not every file).
#[derive(Debug, Default)]
pub(super) struct FileBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl FileBuf {
    /// The text of the file read last.
    pub(super) fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Everything reading and lexing a unit goes through, kept from one unit to the next
/// (and from one chunk of a parallel load to the next): after the first few units,
/// no unit costs an allocation for these.
#[derive(Debug, Default)]
pub(super) struct ReadBuffers {
    pub(super) file: FileBuf,
    pub(super) lex: LexBuffers,
    /// The fragment's path.
    pub(super) path: PathBuf,
    /// The merged assignments of the unit being built.
    pub(super) assignments: Vec<Assignment>,
}

/// The search directories, held open (`O_PATH`) for one load so that a unit file is
/// opened relative to its directory: the kernel then looks up one name instead of
/// walking the whole path again for every file.
#[derive(Debug, Default)]
pub(super) struct SearchDirs {
    fds: Vec<Option<OwnedFd>>,
}

impl SearchDirs {
    /// Open every search directory there is (a missing one is simply not held).
    pub(super) fn open(search: &[PathBuf]) -> SearchDirs {
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fds = search
            .iter()
            .map(|d| openat(AT_FDCWD, d, flags, Mode::empty()).ok())
            .collect();
        SearchDirs { fds }
    }

    /// Search directory `index`, when it is held open.
    pub(super) fn get(&self, index: usize) -> Option<BorrowedFd<'_>> {
        self.fds.get(index)?.as_ref().map(|fd| fd.as_fd())
    }
}

/// Open once (non-blocking, so a FIFO cannot hang us), check the type on the open
/// file, and only then read; character devices are never read.
///
/// `at`: the file's directory, held open, and its name there; None opens `path`.
///
/// `known_regular`: the directory scan saw a regular file here, so no `fstat()` is
/// needed to tell a mask from a unit file; the file is opened with `O_NOFOLLOW` so
/// that a symlink swapped in since the scan fails instead of being followed.
pub(super) fn read_unit_file(
    path: &Path,
    at: Option<(BorrowedFd<'_>, &str)>,
    known_regular: bool,
    buf: &mut FileBuf,
) -> io::Result<UnitFile> {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let mut flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    if known_regular {
        flags |= OFlag::O_NOFOLLOW;
    }
    let fd = match at {
        Some((dir, name)) => openat(dir, name, flags, Mode::empty()),
        None => openat(AT_FDCWD, path, flags, Mode::empty()),
    };
    let mut f = fs::File::from(fd?);
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
    let bytes = &mut buf.bytes;
    if bytes.len() < size_hint + 1 {
        bytes.resize(size_hint + 1, 0);
    }
    let mut n = 0;
    loop {
        let r = match f.read(&mut bytes[n..]) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        n += r;
        if r == 0 || n < bytes.len() {
            break;
        }
        bytes.resize(bytes.len() * 2, 0);
    }
    buf.len = n;
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
        let mut buf = FileBuf {
            bytes: b"left over from an earlier file, longer than the next".to_vec(),
            len: 7,
        };
        super::read_unit_file(path, None, known_regular, &mut buf).map(|f| (f, buf.text().to_vec()))
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

    /// Through the held-open search directory: the same text, and a shorter file
    /// after a longer one shows only its own bytes. A missing directory is not held.
    #[test]
    fn opens_relative_to_held_search_dir() {
        let t = tempfile::tempdir().unwrap();
        let dirs = SearchDirs::open(&[t.path().join("missing"), t.path().to_path_buf()]);
        assert!(dirs.get(0).is_none());
        let mut buf = FileBuf::default();
        for (name, text) in [
            ("l.socket", "[Socket]\nListenStream=80\n"),
            ("s.socket", "[Unit]\n"),
        ] {
            let p = t.path().join(name);
            fs::write(&p, text).unwrap();
            let at = dirs.get(1).map(|fd| (fd, name));
            assert!(at.is_some());
            assert!(matches!(
                super::read_unit_file(&p, at, true, &mut buf),
                Ok(UnitFile::Text)
            ));
            assert_eq!(buf.text(), text.as_bytes());
        }
    }
}
