//! The demo's client: it drives the running service over HTTP only, as a CRM and the
//! processors would. A sync per integration (`POST /api/integrations/{id}/sync`, then the
//! runs API polled until both end), then signed webhooks: a new donation each processor
//! pushes, one Stripe already gave the sync (stored once), one signed with the wrong secret
//! (refused); then a reviewer approves the oldest WinRed donations through the API (so later
//! gifts of the same donors find their contact), and the queue items the printed commands
//! approve are picked.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use intake_emulators::stripe::{Mode, webhook as stripe_webhook};
use intake_emulators::webhooks::client;
use serde::Deserialize;

use super::setup::{Demo, STRIPE, WINRED};

/// How long the first syncs may take before the demo gives up (they take seconds).
const SYNC_LIMIT: Duration = Duration::from_secs(120);
/// How many of the oldest WinRed donations the demo's reviewer approves.
const REVIEWED: usize = 20;

/// What the walkthrough saw, for the printout.
pub struct Seen {
    /// The plugins serving, from `GET /api/plugins`.
    pub plugins: Vec<Plugin>,
    /// Each integration's first run, as the runs API reports it.
    pub runs: Vec<Run>,
    /// Each webhook delivery and the service's answer.
    pub deliveries: Vec<Delivery>,
    /// Two pending queue items for the printed approve commands (the CLI's, then curl's).
    pub picks: Vec<Pick>,
    /// How many items wait in the queue.
    pub pending: usize,
    /// How many the demo's reviewer approved.
    pub reviewed: usize,
}

/// A loaded plugin.
#[derive(Deserialize)]
pub struct Plugin {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
}

/// A run, from `GET /api/runs`.
#[derive(Deserialize)]
pub struct Run {
    /// The integration.
    pub integration: String,
    /// What it did.
    pub summary: Summary,
}

/// The parts of a run's summary the printout shows.
#[derive(Deserialize)]
pub struct Summary {
    /// "ok", "failed"…
    pub status: String,
    /// Why it stopped, when it failed.
    pub detail: Option<String>,
    /// Entries by what they did to the store.
    pub counts: Counts,
    /// Pages committed.
    pub pages: u64,
    /// Requests sent to the processor.
    pub requests: u64,
}

/// New, updated, unchanged.
#[derive(Deserialize, Default)]
pub struct Counts {
    /// Stored for the first time.
    pub new: u64,
    /// Stored before, changed since.
    pub updated: u64,
    /// Stored before, the same.
    pub unchanged: u64,
}

/// One webhook delivery.
pub struct Delivery {
    /// The integration it went to.
    pub integration: &'static str,
    /// The event, e.g. "charge.succeeded".
    pub event: String,
    /// The donation it carried.
    pub donation: String,
    /// Why the demo sends it.
    pub why: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The counts when stored (200).
    pub counts: Option<Counts>,
    /// The service's answer when refused.
    pub refusal: Option<String>,
}

/// A queue item to approve, and who it is from.
pub struct Pick {
    /// The queue item's number.
    pub id: i64,
    /// The best candidate contact, when there is one; None: a new contact.
    pub contact: Option<i64>,
}

/// Drive the service at `base`.
pub async fn run(demo: &Demo, base: &str) -> anyhow::Result<Seen> {
    let api = Api {
        client: client(),
        base: base.to_string(),
        token: demo.token.clone(),
    };
    for id in [STRIPE, WINRED] {
        api.start_sync(id).await?;
    }
    let mut runs = Vec::new();
    for id in [STRIPE, WINRED] {
        runs.push(api.wait_for_run(id).await?);
    }
    let deliveries = webhooks(demo, &api).await?;
    let reviewed = api.review().await?;
    let (picks, pending) = api.picks().await?;
    Ok(Seen {
        plugins: api.get("/api/plugins").await?,
        runs,
        deliveries,
        picks,
        pending,
        reviewed,
    })
}

/// The deliveries, in order: Stripe pushes a new charge, then one the sync stored; WinRed
/// pushes a new donation; a delivery signed with another secret is refused.
async fn webhooks(demo: &Demo, api: &Api) -> anyhow::Result<Vec<Delivery>> {
    let truth = demo.stripe.ground_truth(Mode::Test);
    let synced = truth
        .charges
        .iter()
        .find(|c| truth.settled_at(c).is_some())
        .context("the Stripe account has no settled charge")?
        .id
        .clone();
    let new_charge = demo
        .stripe
        .add_charges(Mode::Test, 1)
        .pop()
        .context("the Stripe emulator made no charge")?
        .id;
    let new_gift = demo
        .winred
        .add_donations(0, 1)
        .pop()
        .context("the WinRed emulator made no donation")?
        .id;
    let now = unix_now();
    let stripe_event = |id: &str| {
        demo.stripe
            .event(Mode::Test, "charge.succeeded", id)
            .with_context(|| format!("no Stripe event for {id}"))
    };
    let mut out = Vec::new();
    let secret = demo.stripe_webhook_secret.as_str();
    for (id, why) in [
        (&new_charge, "a new charge, after the sync"),
        (&synced, "a charge the sync already stored"),
    ] {
        let (headers, body) = stripe_webhook::delivery(&stripe_event(id)?, &[secret], now);
        out.push(
            api.deliver(STRIPE, "charge.succeeded", id, why, headers, body)
                .await?,
        );
    }
    let event = demo
        .winred
        .event(0, &new_gift)
        .with_context(|| format!("no WinRed event for {new_gift}"))?;
    let (headers, body) = demo.winred.delivery(0, &event);
    out.push(
        api.deliver(
            WINRED,
            "donation.created",
            &new_gift,
            "a new donation, after the sync",
            headers,
            body,
        )
        .await?,
    );
    let (headers, body) =
        stripe_webhook::delivery(&stripe_event(&new_charge)?, &["whsec_someone_else"], now);
    out.push(
        api.deliver(
            STRIPE,
            "charge.succeeded",
            &new_charge,
            "signed with another secret",
            headers,
            body,
        )
        .await?,
    );
    Ok(out)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The JSON API with the bearer token.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .with_context(|| format!("GET {path}"))?;
        if !status.is_success() {
            bail!("GET {path}: {status}: {text}");
        }
        serde_json::from_str(&text).with_context(|| format!("GET {path}: {text}"))
    }

    /// Start a sync; one already running (the schedule's) is as good.
    async fn start_sync(&self, id: &str) -> anyhow::Result<()> {
        let path = format!("/api/integrations/{id}/sync");
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        match response.status().as_u16() {
            202 | 409 => Ok(()),
            status => bail!(
                "POST {path}: {status}: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }

    /// Poll the runs API until `id`'s run has ended.
    async fn wait_for_run(&self, id: &str) -> anyhow::Result<Run> {
        let started = Instant::now();
        loop {
            let runs: Vec<Run> = self
                .get(&format!("/api/runs?integration={id}&limit=1"))
                .await?;
            if let Some(run) = runs.into_iter().next()
                && run.summary.status != "running"
            {
                return Ok(run);
            }
            if started.elapsed() > SYNC_LIMIT {
                bail!("{id}'s sync did not end within {SYNC_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn deliver(
        &self,
        integration: &'static str,
        event: &str,
        donation: &str,
        why: &'static str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> anyhow::Result<Delivery> {
        let path = format!("/webhooks/{integration}");
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .with_context(|| format!("POST {path}"))?;
        let (counts, refusal) = if status == 200 {
            let counts = serde_json::from_str(&text)
                .with_context(|| format!("POST {path}: not the outcome: {text}"))?;
            (Some(counts), None)
        } else {
            (None, Some(text.trim().to_string()))
        };
        Ok(Delivery {
            integration,
            event: event.to_string(),
            donation: donation.to_string(),
            why,
            status,
            counts,
            refusal,
        })
    }

    /// A reviewer's first pass: the oldest WinRed donations approved, each to its best
    /// match or as a new contact (refunds wait for their original). How many.
    async fn review(&self) -> anyhow::Result<usize> {
        let oldest: Vec<Entry> = self
            .get(&format!("/api/queue?integration={WINRED}&limit={REVIEWED}"))
            .await?;
        let mut approved = 0;
        for entry in oldest.iter().filter(|e| e.item.donation.reverses.is_none()) {
            // Asked afresh: an approval just made may be this donor's contact.
            let shown: Shown = self.get(&format!("/api/queue/{}", entry.item.id)).await?;
            let choice = match shown.candidates.first() {
                Some(c) => {
                    serde_json::json!({ "contact": c.candidate.contact, "reviewer": "demo reviewer" })
                }
                None => serde_json::json!({ "new": true, "reviewer": "demo reviewer" }),
            };
            let path = format!("/api/queue/{}/approve", entry.item.id);
            let response = self
                .client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .header("Content-Type", "application/json")
                .body(choice.to_string())
                .send()
                .await
                .with_context(|| format!("POST {path}"))?;
            let status = response.status();
            if !status.is_success() {
                bail!(
                    "POST {path}: {status}: {}",
                    response.text().await.unwrap_or_default()
                );
            }
            approved += 1;
        }
        Ok(approved)
    }

    /// Two pending WinRed items (not refunds, which follow their original) for the approve
    /// commands, those with a possible match first, each with its best match; and how many
    /// wait.
    async fn picks(&self) -> anyhow::Result<(Vec<Pick>, usize)> {
        let pending: Vec<Entry> = self.get("/api/queue").await?;
        let mut picks: Vec<Pick> = pending
            .iter()
            .filter(|e| e.item.donation.reverses.is_none())
            .map(|e| Pick {
                id: e.item.id,
                contact: e.candidates.first().map(|c| c.contact),
            })
            .collect();
        // Stable: oldest first within each group.
        picks.sort_by_key(|p| p.contact.is_none());
        picks.truncate(2);
        Ok((picks, pending.len()))
    }
}

/// An item of `GET /api/queue`, as far as the demo reads it.
#[derive(Deserialize)]
struct Entry {
    item: Item,
    candidates: Vec<Candidate>,
}

#[derive(Deserialize)]
struct Item {
    id: i64,
    donation: ItemDonation,
}

#[derive(Deserialize)]
struct ItemDonation {
    reverses: Option<String>,
}

#[derive(Deserialize)]
struct Candidate {
    contact: i64,
}

/// `GET /api/queue/{id}`, as far as the demo reads it.
#[derive(Deserialize)]
struct Shown {
    candidates: Vec<ShownCandidate>,
}

#[derive(Deserialize)]
struct ShownCandidate {
    candidate: Candidate,
}
