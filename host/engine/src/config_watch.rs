//! Notices when a config file changes, so a service can reload it. Editors and deploy tools
//! often replace a file (write a temporary, rename it over) rather than write it in place, so
//! the file's directory is watched and its events filtered to the file's name; a rename over
//! it counts as a change.

use std::path::{Path, PathBuf};

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc;

use crate::reload::{DEBOUNCE, ReloadError};

/// Watches one file while it lives; dropping it stops watching.
pub struct ConfigWatcher {
    _debouncer: Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
}

/// Watch `file`: each settled burst of changes to it sends `()` on `changed`. What changed is
/// not judged here: the receiver reads the file and decides (it may be the same bytes).
pub fn watch_config(
    file: &Path,
    changed: mpsc::UnboundedSender<()>,
) -> Result<ConfigWatcher, ReloadError> {
    // The directory as given (an empty parent means the current one); events name paths under
    // it, so the file is matched by its name within it.
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let watch_error = |e: notify_debouncer_mini::notify::Error| ReloadError::Watch {
        dir: dir.clone(),
        reason: e.to_string(),
    };
    let name = file.file_name().map(|n| n.to_os_string());
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        if let Ok(events) = result
            && events
                .iter()
                .any(|e| e.path.file_name().map(|n| n.to_os_string()) == name)
        {
            let _ = changed.send(());
        }
    })
    .map_err(watch_error)?;
    debouncer
        .watcher()
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    Ok(ConfigWatcher {
        _debouncer: debouncer,
    })
}
