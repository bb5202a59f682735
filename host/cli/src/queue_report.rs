//! What `intake queue list` and `intake queue show` print on a terminal.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use intake_engine::matching::{Candidate, Contact};
use intake_engine::queue::{LedgerEntry, QueueItem};
use intake_host::types::Person;

use crate::report::{money, terminal_safe};

/// "Ada Lovelace <ada@example.com>, 1 Main St, Arlington VA 22201".
pub fn person_line(p: &Person) -> String {
    let mut line = [
        Some(p.first_name.as_str()),
        p.middle_name.as_deref(),
        Some(p.last_name.as_str()),
        p.suffix.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    if let Some(email) = p.email.as_deref().filter(|e| !e.is_empty()) {
        line.push_str(&format!(" <{email}>"));
    }
    if let Some(a) = &p.address {
        line.push_str(&format!(
            ", {}, {} {} {}",
            a.line1, a.city, a.region, a.postal_code
        ));
    }
    if let Some(phone) = p.phone.as_deref().filter(|s| !s.is_empty()) {
        line.push_str(&format!(", {phone}"));
    }
    terminal_safe(&line)
}

/// A candidate in one line: "contact 12 (score 95): same email (ada@example.com)".
pub fn candidate_line(c: &Candidate) -> String {
    let reasons: Vec<String> = c.reasons.iter().map(|r| r.to_string()).collect();
    terminal_safe(&format!(
        "contact {} (score {}): {}",
        c.contact,
        c.score,
        reasons.join("; ")
    ))
}

fn what(item: &QueueItem) -> String {
    let d = &item.donation;
    let mut text = format!("{:?}", d.kind).to_lowercase();
    if let Some(original) = &d.reverses {
        text.push_str(&format!(" of {original}"));
    }
    if let Some(e) = &d.earmark {
        text.push_str(&format!(", earmarked via {}", e.conduit_name));
    }
    terminal_safe(&text)
}

/// One row per item, with its possible matches.
pub fn queue_table(items: &[(QueueItem, Vec<Candidate>)]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "#",
            "integration",
            "received",
            "donor",
            "amount",
            "what",
            "status",
            "possible matches",
        ]);
    for (item, candidates) in items {
        let matches = if item.donation.reverses.is_some() {
            "the original's contact".to_string()
        } else if candidates.is_empty() {
            "none: a new contact".to_string()
        } else {
            candidates
                .iter()
                .map(candidate_line)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let status = match (&item.decided, item.contact) {
            (Some(d), Some(c)) => format!("{} by {} (contact {c})", item.status.as_str(), d.by),
            (Some(d), None) => format!("{} by {}", item.status.as_str(), d.by),
            _ => item.status.as_str().to_string(),
        };
        table.add_row(vec![
            item.id.to_string(),
            terminal_safe(&item.integration),
            terminal_safe(&item.donation.received_at),
            person_line(&item.donation.donor),
            money(&item.donation.amount),
            what(item),
            terminal_safe(&status),
            matches,
        ]);
    }
    table
}

/// One item in full: the donation, each candidate contact beside it with its reasons, and
/// the ledger entries once approved.
pub fn item_detail(
    item: &QueueItem,
    candidates: &[(Candidate, Option<Contact>)],
    entries: &[LedgerEntry],
) -> String {
    let d = &item.donation;
    let mut out = String::new();
    out.push_str(&format!(
        "queue item {} ({}), {}\n",
        item.id,
        item.status.as_str(),
        terminal_safe(&item.integration)
    ));
    out.push_str(&format!(
        "  {} {} received {}: {}\n",
        terminal_safe(&d.id),
        money(&d.amount),
        terminal_safe(&d.received_at),
        what(item)
    ));
    out.push_str(&format!("  donor: {}\n", person_line(&d.donor)));
    if let (Some(employer), Some(occupation)) = (&d.donor.employer, &d.donor.occupation) {
        out.push_str(&format!(
            "  employer / occupation: {} / {}\n",
            terminal_safe(employer),
            terminal_safe(occupation)
        ));
    }
    if let Some(decided) = &item.decided {
        out.push_str(&format!(
            "  {} by {} at {}{}\n",
            item.status.as_str(),
            terminal_safe(&decided.by),
            decided.at,
            decided
                .reason
                .as_deref()
                .map(|r| format!(": {}", terminal_safe(r)))
                .unwrap_or_default()
        ));
    }
    if d.reverses.is_some() {
        out.push_str("  booked to the contact of the donation it reverses\n");
    } else if candidates.is_empty() {
        out.push_str("  possible matches: none (approve with --new-contact)\n");
    } else {
        out.push_str("  possible matches:\n");
        for (candidate, contact) in candidates {
            out.push_str(&format!("    {}\n", candidate_line(candidate)));
            if let Some(contact) = contact {
                out.push_str(&format!("      {}\n", person_line(&contact.person)));
            }
        }
    }
    for e in entries {
        out.push_str(&format!(
            "  ledger entry {}: {} {}{}\n",
            e.id,
            e.role.as_str(),
            money(&e.amount),
            e.memo_for
                .map(|r| format!(", memo for entry {r}"))
                .unwrap_or_default()
        ));
    }
    out
}
