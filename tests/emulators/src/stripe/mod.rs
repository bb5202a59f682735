//! The Stripe API emulator: an HTTP server on loopback that answers like Stripe's API for
//! what the Stripe plugin reads (charges, refunds, disputes, balance transactions, payouts,
//! customers, invoices, the account and balance), over data generated from a seed and a size.
//!
//! - Lists: `limit` 1..100 (default 10), newest first, `has_more`, `starting_after` /
//!   `ending_before`, `created[gt|gte|lt|lte]`, `expand[]=data.…` (up to 4 levels), the usual
//!   filters (`payout=` on balance transactions, `charge=` on refunds, …); unknown parameters
//!   are refused as Stripe does.
//! - Auth: `Bearer <key>` or Basic with the key as user; `sk_test_…` sees the test data,
//!   `sk_live_…` the live data, never the other's.
//! - Errors: Stripe's status codes and `{"error":{"type","code","message",…}}`.
//! - Fault knobs ([`Fault`]): 429 with or without `Stripe-Should-Retry`, 500/503, slow answers,
//!   an unreadable body, a page holding objects outside the `created` range asked for, a
//!   proxy's HTML 404, and new charges created while a client pages.
//! - Connect: `Stripe-Account: acct_…` scopes a request to that connected account's own data
//!   ([`Config::connected_accounts`]); an account not connected is refused (403).
//! - Money that moves later: authorizations captured days later and ACH-style debits that
//!   clear later, seeded and on demand ([`StripeEmulator::authorize`], [`StripeEmulator::settle`]).
//! - Webhooks: signed deliveries ([`webhook`]).
//!
//! ```ignore
//! let stripe = StripeEmulator::start(Config::new(42, 1_000)).await?;
//! let truth = stripe.ground_truth(Mode::Test); // what it serves, typed
//! stripe.set_fault(Fault::RateLimit { should_retry: Some(true), retry_after: Some(2) }, 1);
//! ```

mod api;
pub mod generate;
pub mod objects;
pub mod truth;
pub mod webhook;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::server::Running;
pub use generate::Dataset;
pub use objects::*;

/// Live or test mode: separate data behind separate keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn livemode(self) -> bool {
        self == Mode::Live
    }
}

/// What a request gets instead of its normal answer. Each knob answers the next requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 429, with `Stripe-Should-Retry` and `Retry-After` when given.
    RateLimit {
        should_retry: Option<bool>,
        retry_after: Option<u32>,
    },
    /// HTTP 500, 503, … with Stripe's `api_error` body.
    ServerError {
        status: u16,
        should_retry: Option<bool>,
    },
    /// The normal answer, after this long.
    Slow(Duration),
    /// HTTP 200 with a body cut off mid-JSON.
    Unreadable,
    /// The normal list page, but computed as if no `created[…]` filter was given: it holds
    /// objects from outside the window asked for (a server that ignores the filter).
    OutOfWindow,
    /// HTTP 404 with an HTML page, as a proxy in front of the API answers.
    ProxyNotFound,
}

/// The size and shape of the generated account.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    /// Charges in test mode.
    pub test_charges: usize,
    /// Charges in live mode.
    pub live_charges: usize,
    /// Unix time the data ends at (nothing later); default: a minute ago.
    pub end: Option<i64>,
    /// How many days the charges spread over, before `end`.
    pub span_days: i64,
    /// Connect: connected accounts (`acct_…`) the keys may act on with `Stripe-Account`, each
    /// with its own data (as many charges as the platform's own, from its own seed).
    pub connected_accounts: Vec<String>,
}

impl Config {
    /// `charges` test-mode charges and a quarter as many live ones, over 180 days.
    pub fn new(seed: u64, charges: usize) -> Config {
        Config {
            seed,
            test_charges: charges,
            live_charges: charges / 4 + 1,
            end: None,
            span_days: 180,
            connected_accounts: Vec::new(),
        }
    }
}

/// A running Stripe emulator; it stops when dropped.
pub struct StripeEmulator {
    server: Running,
    shared: api::Shared,
    test_key: String,
    live_key: String,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl StripeEmulator {
    /// Serve on a free loopback port.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::start_on(config, 0).await
    }

    /// Serve on loopback port `port` (0: a free one).
    pub async fn start_on(config: Config, port: u16) -> anyhow::Result<StripeEmulator> {
        let end = config.end.unwrap_or_else(|| now() - 60);
        let books = |seed: u64| {
            let mut test = generate::Generator::new(seed, false);
            test.populate(config.test_charges, end, config.span_days);
            let mut live = generate::Generator::new(seed, true);
            live.populate(config.live_charges, end, config.span_days);
            api::Books {
                test: api::ModeState::new(test),
                live: api::ModeState::new(live),
            }
        };
        let connected = config
            .connected_accounts
            .iter()
            .map(|account| {
                let salt = account.bytes().fold(0xC0AAu64, |h, b| {
                    h.wrapping_mul(31).wrapping_add(u64::from(b))
                });
                (account.clone(), books(config.seed ^ salt))
            })
            .collect();
        let test_key = format!("sk_test_51Emulat0r{:016x}", config.seed);
        let live_key = format!("sk_live_51Emulat0r{:016x}", config.seed);
        let shared = Arc::new(Mutex::new(api::Inner {
            own: books(config.seed),
            connected,
            keys: vec![
                (test_key.clone(), Mode::Test),
                (live_key.clone(), Mode::Live),
            ],
            faults: Default::default(),
            insert_per_page: 0,
            requests: Vec::new(),
            accounts: Vec::new(),
        }));
        let server = Running::start_on(api::router(shared.clone()), port).await?;
        Ok(StripeEmulator {
            server,
            shared,
            test_key,
            live_key,
        })
    }

    /// "http://127.0.0.1:PORT": the API base and the origin to grant.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The secret key that opens `mode`'s data.
    pub fn key(&self, mode: Mode) -> &str {
        match mode {
            Mode::Test => &self.test_key,
            Mode::Live => &self.live_key,
        }
    }

    /// Everything `mode` serves right now, typed, oldest first.
    pub fn ground_truth(&self, mode: Mode) -> Dataset {
        self.shared.lock().unwrap().mode(mode).data().clone()
    }

    /// What the connected account `account` serves in `mode` (with `Stripe-Account`).
    pub fn ground_truth_of(&self, account: &str, mode: Mode) -> Option<Dataset> {
        let mut inner = self.shared.lock().unwrap();
        let books = inner.books(Some(account))?;
        Some(books.mode(mode).data().clone())
    }

    /// A new one-off charge created at `created` (in the past, say), authorized but not
    /// captured: no money yet.
    pub fn authorize(&self, mode: Mode, created: i64) -> Charge {
        let mut inner = self.shared.lock().unwrap();
        let state = inner.mode(mode);
        let charge = state.generator.authorization(created);
        state.reindex();
        charge
    }

    /// A new ACH-style debit created at `created`, pending: no money until it clears.
    pub fn debit(&self, mode: Mode, created: i64) -> Charge {
        let mut inner = self.shared.lock().unwrap();
        let state = inner.mode(mode);
        let charge = state.generator.pending_debit(created);
        state.reindex();
        charge
    }

    /// Charge `id`'s money moves at `at`: captured (an authorization) or cleared (a pending
    /// debit), with its balance transaction created at `at`. None if it is neither.
    pub fn settle(&self, mode: Mode, id: &str, at: i64) -> Option<Charge> {
        let mut inner = self.shared.lock().unwrap();
        let state = inner.mode(mode);
        let charge = state.generator.settle(id, at);
        state.reindex();
        charge
    }

    /// The next `times` API requests get `fault` (queued after any already set).
    pub fn set_fault(&self, fault: Fault, times: usize) {
        let mut inner = self.shared.lock().unwrap();
        inner.faults.extend(std::iter::repeat_n(fault, times));
    }

    pub fn clear_faults(&self) {
        self.shared.lock().unwrap().faults.clear();
    }

    /// Each charges list request that continues a listing (`starting_after`) first creates
    /// `per_page` new charges, as donors paying while a client pages. 0 turns it off.
    pub fn insert_charges_during_paging(&self, per_page: usize) {
        self.shared.lock().unwrap().insert_per_page = per_page;
    }

    /// Create `count` new succeeded charges in `mode` now.
    pub fn add_charges(&self, mode: Mode, count: usize) -> Vec<Charge> {
        let mut inner = self.shared.lock().unwrap();
        let state = inner.mode(mode);
        let charges = (0..count)
            .map(|_| state.generator.live_charge(now()))
            .collect();
        state.reindex();
        charges
    }

    /// API requests answered so far (including refused ones).
    pub fn request_count(&self) -> usize {
        self.shared.lock().unwrap().requests.len()
    }

    /// "GET /v1/charges?…" for each request so far.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().unwrap().requests.clone()
    }

    /// The `Stripe-Account` header of each request so far (None: the key's own account).
    pub fn request_accounts(&self) -> Vec<Option<String>> {
        self.shared.lock().unwrap().accounts.clone()
    }

    /// A webhook event of type `kind` for the object `id` of `mode`, as it is now.
    pub fn event(&self, mode: Mode, kind: &str, id: &str) -> Option<Value> {
        let data = self.ground_truth(mode);
        let object = match id.split('_').next()? {
            "ch" => serde_json::to_value(data.charge(id)?),
            "dp" => serde_json::to_value(data.disputes.iter().find(|d| d.id == id)?),
            "re" => serde_json::to_value(data.refunds.iter().find(|d| d.id == id)?),
            "po" => serde_json::to_value(data.payouts.iter().find(|d| d.id == id)?),
            _ => return None,
        }
        .ok()?;
        let event_id = format!("evt_{}", &id[id.find('_')? + 1..]);
        Some(webhook::event(
            &event_id,
            kind,
            object,
            mode.livemode(),
            now(),
        ))
    }

    /// POST `event` to `url`, signed now with each of `secrets`; the receiver's status.
    pub async fn send_webhook(
        &self,
        url: &str,
        event: &Value,
        secrets: &[&str],
    ) -> anyhow::Result<u16> {
        webhook::send(url, event, secrets, now()).await
    }
}

#[cfg(test)]
mod tests;
