//! Checkpoints off the write path. SQLite's own checkpoint runs inside the commit that fills the
//! write-ahead log past its limit: that commit copies the log into the database and waits for
//! an fsync, and a sync waiting on it stalls. Here a thread with its own connection checkpoints
//! soon after each batch of entries is committed, the bulk of what a store writes (PASSIVE: it
//! never blocks a writer or a reader), so a commit only appends to the log; smaller writes
//! (runs, queue decisions) reach the file with the next batch's checkpoint or the backstop. The writer keeps SQLite's checkpoint as a backstop at a larger size
//! ([`BACKSTOP_PAGES`]): a log written faster than this thread copies it still stays bounded.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::StoreError;

/// Log pages (4 KiB each) after which the writer checkpoints itself: this thread normally
/// copies the log long before, so the writer's own checkpoint is rare and short.
pub(super) const BACKSTOP_PAGES: u32 = 8_000;

/// The least time between two checkpoints: each ends with an fsync of the database file.
const REST: Duration = Duration::from_millis(200);

/// The checkpointing thread of one store file; stopped and joined on drop.
pub(super) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start checkpointing the SQLite file at `path` (already in WAL mode).
    pub(super) fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        let (wake, woken) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("intake-checkpoint".into())
            .spawn(move || run(&conn, &woken))
            .map_err(|e| {
                StoreError::Database(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    /// A transaction was committed: checkpoint soon.
    pub(super) fn wrote(&self) {
        if let Some(wake) = &self.wake {
            // Full means a checkpoint is already due: nothing to add.
            let _ = wake.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake = None; // the thread sees the channel closed and ends
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Checkpoint after each wake, then rest; end when the store is dropped.
fn run(conn: &Connection, woken: &Receiver<()>) {
    while woken.recv().is_ok() {
        loop {
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::debug!(error = %e, "background checkpoint skipped");
            }
            let rested = Instant::now() + REST;
            let mut again = false;
            loop {
                match woken.recv_timeout(rested.saturating_duration_since(Instant::now())) {
                    Ok(()) => again = true,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if !again {
                break;
            }
        }
    }
}
