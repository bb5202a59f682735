//! What tells a file's contents changed without opening it. A directory watcher reports
//! every open of a file in it, including the watcher's own reads: a watcher that read a file
//! on each notice would notice its own read, read again, and never rest. Comparing stamps
//! first, and reading only what changed, ends that loop.

use std::path::Path;
use std::time::SystemTime;

/// A digest of what `path` holds now, to tell a notice of the same bytes (an editor saving
/// twice, a copy touching a file) from a change; None when it cannot be read.
pub fn content_digest(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}

/// A file's size, modification time and (on Unix) inode: a rewrite changes the first two, a
/// file renamed over it the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl FileStamp {
    /// The stamp of `path` as it is now; None when it cannot be read.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}
