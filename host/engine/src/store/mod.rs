//! Where synced donations are kept: the [`Store`] trait the engine writes through, and the
//! embedded SQLite implementation ([`SqliteStore`]) that is the default.
//!
//! The one promise every implementation keeps: a page of entries and the cursor that follows
//! it are committed together ([`Store::commit_page`]), so a crash at any instant loses nothing
//! and stores nothing twice; the next run resumes from the stored cursor.

#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;

use intake_host::types::{Donation, FeeEntry, Payout, RowError, Window};

use crate::matching::{Contact, ContactId, ContactMatcher};
use crate::queue::ImportQueue;
use serde::Serialize;

#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed.
    #[error("store: {0}")]
    Database(String),
    /// A stored record could not be read back.
    #[error("store: a stored record is unreadable: {0}")]
    Corrupt(String),
    /// The database was written by a newer Intake.
    #[error(
        "store: schema version {found} is newer than this Intake knows ({known}); upgrade Intake"
    )]
    TooNew {
        /// The database's schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// Another worker holds the integration's claim: this one may not move its sync on.
    #[error("store: another worker ({holder}) now syncs `{integration}`; this one stopped")]
    NotHolder {
        /// The integration.
        integration: String,
        /// The worker holding its claim.
        holder: String,
    },
}

/// The contacts a backend keeps (donor records), for the queue, the API and exports.
pub trait ContactBook: Send + Sync {
    /// Keep a new contact; its id.
    fn add_contact(&self, person: &intake_host::types::Person) -> Result<ContactId, StoreError>;
    /// One contact.
    fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError>;
    /// Every contact, by id.
    fn contacts(&self) -> Result<Vec<Contact>, StoreError>;
}

/// Everything the engine, the import queue and the `intake` commands need of one backend:
/// the embedded [`SqliteStore`] and the shared `PgStore` both are one.
pub trait Backend: Store + ImportQueue + ContactMatcher + ContactBook {}

impl<T: Store + ImportQueue + ContactMatcher + ContactBook> Backend for T {}

macro_rules! contact_book_from_inherent {
    ($store:ty) => {
        impl ContactBook for $store {
            fn add_contact(
                &self,
                person: &intake_host::types::Person,
            ) -> Result<ContactId, StoreError> {
                <$store>::add_contact(self, person)
            }
            fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
                <$store>::contact(self, id)
            }
            fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
                <$store>::contacts(self)
            }
        }
    };
}

contact_book_from_inherent!(SqliteStore);
#[cfg(feature = "postgres")]
contact_book_from_inherent!(PgStore);

/// Open the store a config names: the shared Postgres database (`[store] url`), or the
/// SQLite file (`[store] path`, the default).
pub fn open(config: &crate::Config) -> Result<std::sync::Arc<dyn Backend>, StoreError> {
    let Some(shared) = &config.shared_store else {
        return Ok(std::sync::Arc::new(SqliteStore::open(&config.store_path)?));
    };
    let password = match &shared.password {
        None => None,
        Some(source) => Some(
            source
                .read()
                .map_err(|why| StoreError::Database(format!("store.password: {why}")))?,
        ),
    };
    #[cfg(feature = "postgres")]
    {
        Ok(std::sync::Arc::new(PgStore::connect_with_password(
            &shared.url,
            password.as_deref(),
        )?))
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = password;
        Err(StoreError::Database(
            "this build of Intake has no Postgres support (feature `postgres`)".into(),
        ))
    }
}

/// The answer to [`Store::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This worker holds the integration until the claim's time runs out (or is renewed).
    Held,
    /// This worker holds the integration now, taken from a worker that left it unfinished:
    /// its process is gone or its claim ran out.
    TakenOver {
        /// The worker that held it: its [`Store::worker`] name.
        from: String,
    },
    /// Another worker holds a live claim.
    Busy {
        /// Who: its [`Store::worker`] name.
        holder: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// The two paged exports a sync drives, each with its own window and cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// `fetch`: donations and fee entries.
    Donations,
    /// `fetch-payouts`.
    Payouts,
}

impl Stream {
    /// The stream's name in the store and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Donations => "donations",
            Stream::Payouts => "payouts",
        }
    }
}

/// Where an integration's stream stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamState {
    /// The window being synced, when a run is under way or was cut off.
    pub window: Option<Window>,
    /// The cursor after the last committed page of that window.
    pub cursor: Option<String>,
    /// The end of the last window synced to completion.
    pub completed_until: Option<String>,
}

/// Entries to store together.
#[derive(Debug, Clone, Copy, Default)]
pub struct Batch<'a> {
    /// Donations, refunds, chargebacks, reversals.
    pub donations: &'a [Donation],
    /// Fees charged outside a donation.
    pub fees: &'a [FeeEntry],
    /// Payouts with what they settle.
    pub payouts: &'a [Payout],
}

/// How a batch changed the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Entries stored for the first time.
    pub new: u64,
    /// Entries already stored whose content changed (the old version kept as history).
    pub updated: u64,
    /// Entries already stored, the same.
    pub unchanged: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// How an entry reached the store (the first time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A scheduled or manual sync.
    Sync,
    /// A webhook delivery.
    Webhook,
    /// A file import.
    Import,
}

impl Via {
    /// The name stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Sync => "sync",
            Via::Webhook => "webhook",
            Via::Import => "import",
        }
    }
}

/// A donation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDonation {
    /// The integration it came through.
    pub integration: String,
    /// The normalized record, as last stored.
    pub donation: Donation,
    /// How it first arrived.
    pub via: String,
    /// When it was first stored (RFC 3339 UTC).
    pub first_seen_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// 1 for the first version; +1 per change.
    pub revision: u32,
}

/// A payout as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPayout {
    /// The integration it came through.
    pub integration: String,
    /// The normalized record, with what it settles.
    pub payout: Payout,
}

/// A row of an imported file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The integration the file was imported into.
    pub integration: String,
    /// The file's name.
    pub source: String,
    /// 1-based line, counting the header.
    pub line: u32,
    /// Why.
    pub message: String,
}

/// A sync run as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// The run's id.
    pub id: i64,
    /// The integration synced.
    pub integration: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// What it did; `status` is "running" until it ends.
    pub summary: RunSummary,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// "running", "ok", "nothing to do", "needs attention", "failed", "interrupted".
    pub status: String,
    /// The error, in words, when it stopped on one.
    pub detail: Option<String>,
    /// Entries by what they did to the store.
    pub counts: Counts,
    /// Rows refused (file imports).
    pub rejected: u64,
    /// Pages committed.
    pub pages: u64,
    /// Plugin calls made, retries included.
    pub calls: u64,
    /// HTTP requests those calls sent to the processor.
    pub requests: u64,
    /// RFC 3339 UTC, when it ended.
    pub finished_at: Option<String>,
}

/// The engine's storage. Implementations are shared between threads; every method is one
/// transaction.
///
/// Several workers (processes, machines) may share one store. Each integration's sync is
/// claimed by one worker at a time for a limited time, renewed while it runs
/// ([`Store::claim`]); a worker that dies loses its claim when the time runs out and another
/// resumes from the stored cursor. While another worker holds a live claim,
/// [`Store::open_window`] and [`Store::commit_page`] refuse ([`StoreError::NotHolder`]), so a
/// worker that stalled past its claim cannot move a cursor the new holder owns.
pub trait Store: Send + Sync {
    /// This handle's name as a claim holder: unique per store handle (host, process, random).
    fn worker(&self) -> &str;
    /// Claim `integration` for this worker for `ttl` from now, or renew this worker's claim.
    /// Busy when another worker holds a claim that has not run out (by the store's clock).
    fn claim(&self, integration: &str, ttl: std::time::Duration) -> Result<Claim, StoreError>;
    /// Give up this worker's claim on `integration` (nothing if it holds none).
    fn release(&self, integration: &str) -> Result<(), StoreError>;
    /// Record that `integration`'s scheduled fire at `slot` (RFC 3339 UTC, whole seconds) is
    /// taken: true for the one caller across the fleet that recorded it first, false for the
    /// rest, who skip it.
    fn claim_slot(&self, integration: &str, slot: &str) -> Result<bool, StoreError>;
    /// The latest scheduled slot recorded for `integration`, if any.
    fn last_slot(&self, integration: &str) -> Result<Option<String>, StoreError>;
    /// Where `stream` of `integration` stands.
    fn stream_state(&self, integration: &str, stream: Stream) -> Result<StreamState, StoreError>;
    /// Start a window: remembered with no cursor, so a crash before the first page resumes it.
    fn open_window(
        &self,
        integration: &str,
        stream: Stream,
        window: &Window,
    ) -> Result<(), StoreError>;
    /// Store one page and the cursor after it, atomically. `next_cursor` None completes the
    /// window: `completed_until` becomes its end and the window is closed.
    fn commit_page(
        &self,
        integration: &str,
        stream: Stream,
        batch: Batch<'_>,
        next_cursor: Option<&str>,
    ) -> Result<Counts, StoreError>;
    /// Store entries that came outside a sync (a webhook, a file), idempotently.
    fn store_batch(
        &self,
        integration: &str,
        batch: Batch<'_>,
        via: Via,
    ) -> Result<Counts, StoreError>;
    /// Keep the rows of `source` that could not be read (again on a re-import: replaced).
    fn record_rejects(
        &self,
        integration: &str,
        source: &str,
        rows: &[RowError],
    ) -> Result<(), StoreError>;
    /// Rejected rows, oldest first.
    fn rejects(&self, integration: Option<&str>) -> Result<Vec<RejectedRow>, StoreError>;
    /// Record the start of a run; its id. The caller holds the integration's claim, so a run
    /// of it still marked running was cut off (its worker died or was stopped): that one is
    /// marked [`INTERRUPTED`] with [`CUT_OFF`] as its detail, in the same transaction.
    fn start_run(&self, integration: &str) -> Result<i64, StoreError>;
    /// Record how a run ended.
    fn finish_run(&self, run: i64, summary: &RunSummary) -> Result<(), StoreError>;
    /// The latest runs, newest first.
    fn runs(&self, integration: Option<&str>, limit: usize) -> Result<Vec<RunRecord>, StoreError>;
    /// The runs after run `after` that ended well ("ok", "nothing to do"), as (run id,
    /// integration): what other workers finished since a pass began, read in one statement.
    fn synced_since(&self, after: i64) -> Result<Vec<(i64, String)>, StoreError>;
    /// Integrations a worker left part-way: a window still open and the latest run never
    /// finished (its worker died) or was interrupted (a shutdown). What a run that ended in a
    /// failure left open is not here: retrying that is the schedule's job, not a loop's.
    fn resumable(&self) -> Result<Vec<String>, StoreError>;
    /// Every stored donation (of one integration, or all), ordered by integration, then time
    /// received, then id; handed to `each` one at a time.
    fn each_donation(
        &self,
        integration: Option<&str>,
        each: &mut dyn FnMut(StoredDonation) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Earlier versions of a donation, oldest first.
    fn donation_history(&self, integration: &str, id: &str) -> Result<Vec<Donation>, StoreError>;
    /// Every stored fee entry.
    fn fees(&self, integration: Option<&str>) -> Result<Vec<(String, FeeEntry)>, StoreError>;
    /// Every stored payout with what it settles.
    fn payouts(&self, integration: Option<&str>) -> Result<Vec<StoredPayout>, StoreError>;
}

/// A name for this store handle as a claim holder: the host, the process and a random part,
/// so two handles in one process are two workers and an operator can tell whose claim it is.
pub(crate) fn worker_name() -> String {
    format!(
        "{}:{}:{:08x}",
        host_name(),
        std::process::id(),
        rand::random::<u32>()
    )
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether a claim holder is a process of this machine that no longer runs: its claim can be
/// taken at once instead of when it runs out (a killed `intake sync` started again at once).
/// Only where /proc tells; elsewhere claims run out by time alone.
/// The status of a run that stopped before the end of its window: a shutdown, a lost claim,
/// or (recorded by the next run) a worker that died. The next run resumes from its cursor.
pub const INTERRUPTED: &str = "interrupted";

/// The detail the next run records on a run its worker never finished.
pub const CUT_OFF: &str =
    "its worker stopped before the end; the next run resumed from the last committed page";

pub(crate) fn holder_is_gone(holder: &str) -> bool {
    let mut parts = holder.split(':');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let proc = std::path::Path::new("/proc");
    host == host_name()
        && pid.parse::<u32>().is_ok()
        && proc.join("self").exists()
        && !proc.join(pid).exists()
}

/// Now, RFC 3339 UTC, as the store records times.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

pub use sqlite::kind_name;
