//! What the reader sees: where everything is, the plugins serving, what each sync and webhook
//! stored, one normalized donation of each kind, a few queue items with their possible
//! matches and why, the queue page and how to sign in, and commands to copy: approve an item
//! and export, with `intake` and with curl.

use intake_engine::queue::{QueueFilter, QueueStatus};
use intake_engine::store::Backend;
use intake_host::types::{Donation, DonationKind};

use super::setup::{Demo, FEC_ID, STRIPE, STRIPE_CHARGES, WINRED, WINRED_DONATIONS, WINRED_SEED};
use super::walkthrough::{Delivery, Pick, Run, Seen};
use crate::{queue_report, report};

/// How many queue items the printout shows.
const SHOWN: usize = 3;

/// Print everything after the walkthrough.
pub fn summary(demo: &Demo, base: &str, seen: &Seen, backend: &dyn Backend) {
    say!(
        "Intake demo: `intake serve` on {base}, in {}\n  \
         config {}, store intake.db, plugins/ (stripe.wasm, winred.wasm), each secret and \
         the API token in a file of its own\n  \
         Stripe emulator {} ({STRIPE_CHARGES} test charges); WinRed emulator {} (committee \
         {FEC_ID}, {WINRED_DONATIONS} donations, seed {WINRED_SEED})",
        demo.dir.display(),
        demo.config.display(),
        demo.stripe.url(),
        demo.winred.url(),
    );

    let plugins: Vec<String> = seen
        .plugins
        .iter()
        .map(|p| format!("{} {}", p.id, p.version))
        .collect();
    say!(
        "  plugins serving: {} (a changed .wasm in plugins/ is swapped in while serving)",
        plugins.join(", ")
    );

    say!("\nThe first sync of each integration (POST /api/integrations/ID/sync, as a CRM would):");
    for run in &seen.runs {
        say!("  {}", run_line(run));
    }

    say!("\nWebhooks, signed as each processor signs them (POST /webhooks/ID):");
    for delivery in &seen.deliveries {
        say!("  {}", delivery_line(delivery));
    }

    kinds(backend);

    say!(
        "\nA reviewer approved the {} oldest WinRed donations through the API, each to its \
         best match or as a new contact.",
        seen.reviewed
    );
    queue(backend, seen.pending);

    say!(
        "\nThe import queue page: {base}/queue\n  sign in with the API token in {}",
        demo.token_file.display()
    );
    commands(demo, base, &seen.picks);
}

fn run_line(run: &Run) -> String {
    let s = &run.summary;
    let how = match run.integration.as_str() {
        STRIPE => "imported straight into the ledger (import = \"auto\")",
        WINRED => "each waits in the import queue (import = \"review\")",
        _ => "",
    };
    let mut line = format!(
        "{:<12} {}: {} new, {} updated, {} unchanged in {} pages ({} requests to the emulator); {how}",
        run.integration,
        s.status,
        s.counts.new,
        s.counts.updated,
        s.counts.unchanged,
        s.pages,
        s.requests,
    );
    if let Some(detail) = &s.detail {
        line.push_str(&format!("\n               {detail}"));
    }
    line
}

fn delivery_line(d: &Delivery) -> String {
    let outcome = match (&d.counts, &d.refusal) {
        (Some(c), _) if c.new > 0 => format!("{}: stored ({} new)", d.status, c.new),
        (Some(c), _) if c.unchanged > 0 => format!(
            "{}: already stored, so stored once ({} unchanged)",
            d.status, c.unchanged
        ),
        // The event's copy differs from what the sync stored: the stored one is revised.
        (Some(c), _) => format!(
            "{}: already stored, so stored once, revised from the event ({} updated)",
            d.status, c.updated
        ),
        (None, Some(why)) => format!("{}: refused: {why}", d.status),
        (None, None) => format!("{}", d.status),
    };
    format!(
        "{:<12} {} {} ({}) → {outcome}",
        d.integration, d.event, d.donation, d.why
    )
}

/// One stored donation of each kind per integration: what the plugins made of the
/// processors' records.
fn kinds(backend: &dyn Backend) {
    let mut picked: Vec<Donation> = Vec::new();
    for integration in [STRIPE, WINRED] {
        let mut seen: Vec<(DonationKind, bool)> = Vec::new();
        let read = backend.each_donation(Some(integration), &mut |stored| {
            let d = stored.donation;
            // A recurring contribution is worth its own row.
            let key = (d.kind, d.recurrence.is_some());
            if !seen.contains(&key) {
                seen.push(key);
                picked.push(d);
            }
            Ok(())
        });
        if let Err(e) = read {
            tell!("intake: demo: cannot read the stored donations: {e}");
            return;
        }
    }
    say!("\nOne stored donation of each kind, as the plugins normalized them:");
    say!("{}", report::donations_table(&picked));
}

/// A few pending items, those with possible matches first, read from the store.
fn queue(backend: &dyn Backend, pending: usize) {
    let filter = QueueFilter {
        integration: Some(WINRED.into()),
        status: Some(QueueStatus::Pending),
        limit: None,
    };
    match crate::queue_json::list(backend, &filter) {
        Ok(mut rows) if !rows.is_empty() => {
            rows.sort_by_key(|(item, candidates)| (candidates.is_empty(), item.id));
            rows.truncate(SHOWN);
            say!(
                "\nThe import queue: {pending} donations wait for review; {} of them, with \
                 the contacts each may be and why:",
                rows.len()
            );
            say!("{}", queue_report::queue_table(&rows));
        }
        Ok(_) => say!("\nThe import queue is empty."),
        Err(e) => tell!("intake: demo: cannot read the queue: {e}"),
    }
}

/// `s` as one shell word.
fn sh(s: &str) -> String {
    shlex::try_quote(s).map_or_else(|_| s.to_string(), |q| q.into_owned())
}

fn commands(demo: &Demo, base: &str, picks: &[Pick]) {
    let intake = std::env::current_exe()
        .map(|p| sh(&p.display().to_string()))
        .unwrap_or_else(|_| "intake".into());
    let config = sh(&demo.config.display().to_string());
    let bearer = format!(
        "\"Authorization: Bearer $(cat {})\"",
        sh(&demo.token_file.display().to_string())
    );
    let who = |pick: &Pick| match pick.contact {
        Some(c) => (format!("--contact {c}"), format!("\"contact\": {c}")),
        None => ("--new-contact".to_string(), "\"new\": true".to_string()),
    };
    say!("\nApprove a queue item and export the ledger (paste into another terminal):");
    if let Some(pick) = picks.first() {
        say!(
            "  $ {intake} queue approve {} {} --by demo --config {config}",
            pick.id,
            who(pick).0
        );
    }
    say!("  $ {intake} export --what entries --format csv --config {config}");
    say!("The same through the JSON API, with the bearer token:");
    if let Some(pick) = picks.get(1) {
        say!(
            "  $ curl -sS -X POST -H {bearer} -H 'Content-Type: application/json' \
             -d '{{{}, \"reviewer\": \"demo\"}}' {base}/api/queue/{}/approve",
            who(pick).1,
            pick.id
        );
    }
    say!("  $ curl -sS -H {bearer} {base}/api/export/entries");
}
