//! The WinRed partner API emulator, for the API **as Intake models it**
//! (`plugins/winred/API.md`; WinRed publishes no schema). An HTTP server on loopback serving
//! one or more committees, each behind its own bearer token, over data generated from a seed
//! and a size with the messy cases real donors produce (see [`generate`]).
//!
//! - Lists `GET /v1/donations | refunds | disputes | payouts` by time window (`since`,
//!   `until`), ordered by (time, id), paged by keyset (`starting_after=<id>`, `limit`,
//!   `has_more`); `GET /v1/payouts/{id}/transactions`; `GET /v1/me`.
//! - Fault knobs ([`Fault`]): 429 with or without `Retry-After`, 5xx, slow answers, an
//!   unreadable body, and new donations created while a client pages.
//! - Webhooks: signed `donation.created` / `refund.created` deliveries ([`webhook`]).
//! - Ground truth: every record with the normalized values a correct plugin returns
//!   ([`model::Expected`]).
//!
//! ```ignore
//! let winred = WinRedEmulator::start(Config::new(7).federal("C00123456", 500).state(200)).await?;
//! let c = winred.committee(0);           // token, webhook secret, FEC ID, level
//! let truth = winred.ground_truth(0);    // what it serves, typed
//! winred.set_fault(Fault::RateLimit { retry_after: Some(2) }, 1);
//! ```

mod api;
mod donors;
pub mod generate;
pub mod model;
pub mod truth;
pub mod webhook;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::server::Running;
pub use generate::Dataset;
pub use model::*;

/// What a request gets instead of its normal answer. Each queued knob answers one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 429, with `Retry-After` when given.
    RateLimit { retry_after: Option<u32> },
    /// HTTP 500, 502, 503, …
    ServerError(u16),
    /// The normal answer, after this long.
    Slow(Duration),
    /// HTTP 200 with a body cut off mid-JSON.
    Unreadable,
}

/// One committee's account.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeInfo {
    pub id: String,
    pub name: String,
    /// A federal (conduit) committee's FEC ID; None for a state (merchant) committee.
    pub fec_id: Option<String>,
    pub federal: bool,
    /// The bearer token that opens this committee's data.
    pub token: String,
    /// The shared secret its webhook deliveries are signed with.
    pub webhook_secret: String,
    /// How many donations were seeded.
    pub donations: usize,
}

/// The accounts to serve and the span their data covers.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub committees: Vec<CommitteeInfo>,
    /// Unix time the data ends at (nothing later); default: two minutes ago.
    pub end: Option<i64>,
    /// Days the donations spread over, before `end`.
    pub span_days: i64,
}

impl Config {
    /// No committees yet; data over 120 days.
    pub fn new(seed: u64) -> Config {
        Config {
            seed,
            committees: Vec::new(),
            end: None,
            span_days: 120,
        }
    }

    fn add(mut self, name: &str, fec_id: Option<&str>, donations: usize) -> Config {
        let n = self.committees.len() + 1;
        self.committees.push(CommitteeInfo {
            id: format!("cm_{n}"),
            name: name.into(),
            fec_id: fec_id.map(Into::into),
            federal: fec_id.is_some(),
            token: format!("wr_live_{:08x}{n:02}", self.seed),
            webhook_secret: format!("wrhook_{:08x}{n:02}", self.seed),
            donations,
        });
        self
    }

    /// A federal committee (conduit account) with `donations` donations.
    pub fn federal(self, fec_id: &str, donations: usize) -> Config {
        let name = format!("Committee {fec_id}");
        self.add(&name, Some(fec_id), donations)
    }

    /// A state committee (merchant account) with `donations` donations.
    pub fn state(self, donations: usize) -> Config {
        let n = self.committees.len() + 1;
        self.add(&format!("Friends of State Senator {n}"), None, donations)
    }
}

/// A running WinRed emulator; it stops when dropped.
pub struct WinRedEmulator {
    server: Running,
    shared: api::Shared,
    committees: Vec<CommitteeInfo>,
    end: i64,
    span_days: i64,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl WinRedEmulator {
    /// Serve on a free loopback port.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::start_on(config, 0).await
    }

    /// Serve on loopback port `port` (0: a free one).
    pub async fn start_on(config: Config, port: u16) -> anyhow::Result<WinRedEmulator> {
        anyhow::ensure!(
            !config.committees.is_empty(),
            "configure at least one committee"
        );
        let end = config.end.unwrap_or_else(|| now() - 120);
        let committees = config
            .committees
            .iter()
            .enumerate()
            .map(|(i, info)| {
                let mut generator = generate::Generator::new(
                    config.seed.wrapping_mul(31).wrapping_add(i as u64),
                    &info.name,
                );
                generator.populate(info.donations, end, config.span_days);
                api::CommitteeState {
                    info: info.clone(),
                    generator,
                }
            })
            .collect();
        let shared = Arc::new(Mutex::new(api::Inner {
            committees,
            faults: Default::default(),
            insert_per_page: 0,
            requests: Vec::new(),
        }));
        let server = Running::start_on(api::router(shared.clone()), port).await?;
        Ok(WinRedEmulator {
            server,
            shared,
            committees: config.committees,
            end,
            span_days: config.span_days,
        })
    }

    /// "http://127.0.0.1:PORT": the API base (`api_base`) and the origin to grant.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn committee(&self, index: usize) -> &CommitteeInfo {
        &self.committees[index]
    }

    /// RFC 3339 bounds that hold all the seeded data: (a day before it starts, a day after it
    /// ends).
    pub fn window(&self) -> (String, String) {
        (
            utc(self.end - (self.span_days + 1) * 86_400),
            utc(self.end + 86_400),
        )
    }

    /// Unix time the seeded data ends at.
    pub fn end(&self) -> i64 {
        self.end
    }

    /// Everything committee `index` serves right now, typed, in the API's order.
    pub fn ground_truth(&self, index: usize) -> Dataset {
        self.shared.lock().unwrap().committees[index]
            .generator
            .data
            .clone()
    }

    /// The next `times` requests get `fault` (queued after any already set).
    pub fn set_fault(&self, fault: Fault, times: usize) {
        self.shared
            .lock()
            .unwrap()
            .faults
            .extend(std::iter::repeat_n(fault, times));
    }

    pub fn clear_faults(&self) {
        self.shared.lock().unwrap().faults.clear();
    }

    /// Each donations list request that continues a listing (`starting_after`) first creates
    /// `per_page` new donations after every existing one, as donors giving while a client
    /// pages. 0 turns it off.
    pub fn insert_during_paging(&self, per_page: usize) {
        self.shared.lock().unwrap().insert_per_page = per_page;
    }

    /// Create `count` new settled donations for committee `index`, one second apart after
    /// the latest.
    pub fn add_donations(&self, index: usize, count: usize) -> Vec<Donation> {
        let mut inner = self.shared.lock().unwrap();
        let generator = &mut inner.committees[index].generator;
        let latest = generator
            .data
            .donations
            .last()
            .map(|d| d.created_at)
            .unwrap_or(self.end);
        let added: Vec<Donation> = (0..count)
            .map(|k| generator.donation_at(latest + 1 + k as i64))
            .collect();
        generator.data.donations.extend(added.iter().cloned());
        added
    }

    /// Requests answered so far, including refused ones.
    pub fn request_count(&self) -> usize {
        self.shared.lock().unwrap().requests.len()
    }

    /// "GET /v1/donations?…" per request so far.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().unwrap().requests.clone()
    }

    /// The `donation.created` event for a donation, or `refund.created` for a refund, of
    /// committee `index`.
    pub fn event(&self, index: usize, id: &str) -> Option<Value> {
        let data = self.ground_truth(index);
        let (kind, object, at) = if let Some(d) = data.donation(id) {
            ("donation.created", d.json(), d.created_at)
        } else {
            let r = data.refunds.iter().find(|r| r.id == id)?;
            ("refund.created", r.json(), r.created_at)
        };
        Some(webhook::event(&format!("evt_{id}"), kind, &utc(at), object))
    }

    /// One delivery of `event`, signed now with committee `index`'s webhook secret.
    pub fn delivery(&self, index: usize, event: &Value) -> (Vec<(String, String)>, Vec<u8>) {
        webhook::delivery(event, &[&self.committees[index].webhook_secret], now())
    }

    /// POST `event` to `url`, signed now with committee `index`'s webhook secret.
    pub async fn send_webhook(
        &self,
        index: usize,
        url: &str,
        event: &Value,
    ) -> anyhow::Result<u16> {
        webhook::send(url, event, &[&self.committees[index].webhook_secret], now()).await
    }
}

#[cfg(test)]
mod tests;
