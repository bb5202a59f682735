//! Hot swap: the plugin directory (and each plugin a config names by path) is watched, and a
//! new or changed `.wasm` replaces the loaded plugin of its id while calls in flight finish on
//! the old one.
//!
//! The runtime's [`Host::load_file`] already swaps atomically: the plugin table holds an
//! `Arc` per id, a load compiles off to the side and then replaces the entry in one write,
//! and a call in flight keeps the `Arc` it started with. So this module only decides *when*
//! to load: after a file has been quiet for [`DEBOUNCE`] (one load for a file written in
//! several chunks), and what to do when a load fails (nothing: the old plugin keeps
//! serving) or a file goes (unload only when no enabled integration uses it).
//!
//! The watcher works on a thread of its own (with a one-thread runtime): a loaded service's
//! plugin calls keep its async workers busy, and a swap queued behind them took a second or
//! more to serve; on its own thread the operating system gives it its turn.
//!
//! Across a fleet, every worker watches the same directory on shared storage and loads from
//! it; each reports what it runs through [`ReloadEvent`] and [`Host::plugins`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::file_stamp::{FileStamp, content_digest};
use intake_host::Host;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc;

/// How long a file must be quiet before it is loaded.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// What the watcher did, for the service's log and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadEvent {
    /// `path` is loaded and serves as `plugin` `version` (new, or replacing the old build).
    Loaded {
        /// The plugin id.
        plugin: String,
        /// Its version, as it reports it.
        version: String,
        /// The file.
        path: PathBuf,
    },
    /// `path` changed or went but nothing was swapped; whatever served before still does.
    Failed {
        /// The file.
        path: PathBuf,
        /// Why, in words.
        error: String,
    },
    /// `plugin`'s file went and no enabled integration used it: unloaded.
    Removed {
        /// The plugin id.
        plugin: String,
    },
}

/// Why the watcher could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The directory (of plugins, or of the config file) cannot be watched.
    #[error("cannot watch {}: {reason}", dir.display())]
    Watch {
        /// The directory.
        dir: PathBuf,
        /// The watcher's words.
        reason: String,
    },
}

/// Watches a plugin directory while it lives; dropping it stops watching (the watcher's
/// thread ends once a load under way, if any, is done).
pub struct PluginWatcher {
    _debouncer: Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
}

/// Start watching `dir`. Each settled change of a `.wasm` file is loaded into `host`;
/// `in_use(plugin_id)` says whether an enabled integration uses a plugin (asked when its file
/// goes); what happened goes to `events`.
pub fn spawn(
    host: Host,
    dir: &Path,
    in_use: impl Fn(&str) -> bool + Send + Sync + 'static,
    events: mpsc::UnboundedSender<ReloadEvent>,
) -> Result<PluginWatcher, ReloadError> {
    spawn_watching(host, dir, &[], in_use, events)
}

/// As [`spawn`], and also each of `files` wherever it is: the plugins a config names by path.
/// In a file's directory only that file is watched (a directory of build outputs holds other
/// components). With files to watch, a `dir` that does not exist is passed over.
pub fn spawn_watching(
    host: Host,
    dir: &Path,
    files: &[PathBuf],
    in_use: impl Fn(&str) -> bool + Send + Sync + 'static,
    events: mpsc::UnboundedSender<ReloadEvent>,
) -> Result<PluginWatcher, ReloadError> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    let errors = events.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| match result {
        Ok(found) => {
            let _ = tx.send(found.into_iter().map(|e| e.path).collect());
        }
        Err(e) => {
            let _ = errors.send(ReloadEvent::Failed {
                path: PathBuf::new(),
                error: format!("watching: {e}"),
            });
        }
    })
    .map_err(|e| ReloadError::Watch {
        dir: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    if files.is_empty() || dir.is_dir() {
        debouncer
            .watcher()
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|e| ReloadError::Watch {
                dir: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
    }
    // Absolute, so a file named relative to the working directory has a directory to watch
    // and is recognized in the watcher's notices, which name it under that directory.
    let files: Vec<PathBuf> = files
        .iter()
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
        .collect();
    let mut watched_parents: Vec<&Path> = Vec::new();
    for file in &files {
        let Some(parent) = file.parent().filter(|p| !watched_parents.contains(p)) else {
            continue;
        };
        // A file whose directory cannot be watched is reported; the rest are still watched.
        match debouncer
            .watcher()
            .watch(parent, RecursiveMode::NonRecursive)
        {
            Ok(()) => watched_parents.push(parent),
            Err(e) => {
                let _ = events.send(ReloadEvent::Failed {
                    path: file.clone(),
                    error: format!("cannot watch {}: {e}; it will not reload", parent.display()),
                });
            }
        }
    }
    let (dir_owned, files_owned) = (dir.to_path_buf(), files.clone());
    let wanted = move |path: &Path| {
        files_owned.iter().any(|f| f == path)
            || (path.parent() == Some(dir_owned.as_path())
                && path.extension().is_some_and(|e| e == "wasm"))
    };
    let in_use: Arc<dyn Fn(&str) -> bool + Send + Sync> = Arc::new(in_use);
    let (no_runtime, watched) = (events.clone(), dir.to_path_buf());
    let work = async move {
        // What each file held when last loaded: a change notice for the same bytes (editors
        // and copies often touch a file twice) loads nothing and says nothing.
        let mut loaded: std::collections::HashMap<PathBuf, u64> = std::collections::HashMap::new();
        // Each file's stamp when last looked at: a notice of a file not changed since (its
        // opening, by a read here or a load) is passed by without opening it again.
        let mut seen: std::collections::HashMap<PathBuf, FileStamp> =
            std::collections::HashMap::new();
        while let Some(mut paths) = rx.recv().await {
            paths.retain(|p| wanted(p));
            paths.sort();
            paths.dedup();
            for path in paths {
                let stamp = FileStamp::of(&path);
                match stamp {
                    Some(stamp) if seen.get(&path) == Some(&stamp) => continue,
                    Some(stamp) => {
                        seen.insert(path.clone(), stamp);
                    }
                    None => {
                        seen.remove(&path);
                    }
                }
                let digest = content_digest(&path);
                if digest.is_some() && loaded.get(&path) == digest.as_ref() {
                    continue;
                }
                let event = settle(&host, &path, &*in_use).await;
                if matches!(event, ReloadEvent::Failed { .. }) && stamp.is_some() {
                    // A slow copy can outlast the debounce: if the file is still changing,
                    // this was a half-written file, and the notice of its later writes decides.
                    tokio::time::sleep(DEBOUNCE).await;
                    if FileStamp::of(&path) != stamp {
                        continue;
                    }
                }
                match (&event, digest) {
                    (ReloadEvent::Loaded { .. }, Some(d)) => {
                        loaded.insert(path.clone(), d);
                    }
                    (ReloadEvent::Removed { .. }, _) => {
                        loaded.remove(&path);
                    }
                    _ => {}
                }
                if events.send(event).is_err() {
                    return;
                }
            }
        }
    };
    // Ends when the debouncer (and with it the sender of `rx`) is dropped, or no one listens.
    // One worker of the multi-threaded kind: a plugin's `info` run at load may block in place.
    let run = move || match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("intake-plugin-watch")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(work),
        Err(e) => {
            let _ = no_runtime.send(ReloadEvent::Failed {
                path: watched,
                error: format!("cannot start the watcher's runtime: {e}; plugins will not reload"),
            });
        }
    };
    std::thread::Builder::new()
        .name("intake-plugin-watch".into())
        .spawn(run)
        .map_err(|e| ReloadError::Watch {
            dir: dir.to_path_buf(),
            reason: format!("cannot start the watcher's thread: {e}"),
        })?;
    Ok(PluginWatcher {
        _debouncer: debouncer,
    })
}

/// Load, or unload, `path` as it now is.
async fn settle(
    host: &Host,
    path: &Path,
    in_use: &(dyn Fn(&str) -> bool + Send + Sync),
) -> ReloadEvent {
    if path.exists() {
        return match host.load_file(path).await {
            Ok(info) => ReloadEvent::Loaded {
                plugin: info.id,
                version: info.version,
                path: path.to_path_buf(),
            },
            Err(e) => ReloadEvent::Failed {
                path: path.to_path_buf(),
                error: format!("{e}; the plugin loaded before keeps serving"),
            },
        };
    }
    let Some(plugin) = host
        .plugins()
        .into_iter()
        .map(|p| p.id)
        .find(|id| host.plugin_path(id).as_deref() == Some(path))
    else {
        return ReloadEvent::Failed {
            path: path.to_path_buf(),
            error: "removed; no loaded plugin came from it".into(),
        };
    };
    if in_use(&plugin) {
        return ReloadEvent::Failed {
            path: path.to_path_buf(),
            error: format!("removed, but an enabled integration uses `{plugin}`: it keeps serving"),
        };
    }
    host.unload(&plugin);
    ReloadEvent::Removed { plugin }
}
