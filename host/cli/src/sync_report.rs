//! The table `intake sync` prints: one row per integration.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use intake_engine::IntegrationReport;
pub use intake_engine::queue::QueueSummary;

use crate::report::terminal_safe as printable;

/// One row per integration: status, what the store gained, pages, calls, time.
pub fn sync_table(reports: &[IntegrationReport]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "integration",
            "status",
            "new",
            "updated",
            "unchanged",
            "pages",
            "calls",
            "requests",
            "time",
        ]);
    for r in reports {
        let status = match &r.detail {
            Some(detail) => format!("{}: {}", r.status, printable(detail)),
            None => r.status.clone(),
        };
        table.add_row([
            printable(&r.integration),
            status,
            r.counts.new.to_string(),
            r.counts.updated.to_string(),
            r.counts.unchanged.to_string(),
            r.pages.to_string(),
            r.calls.to_string(),
            r.requests.to_string(),
            format!("{:.1} s", r.duration_ms as f64 / 1000.0),
        ]);
    }
    table
}

/// "stripe-main: 12 waiting in the import queue (`intake queue list`)", or what an automatic
/// import did.
pub fn queue_line(integration: &str, queue: &QueueSummary) -> String {
    let integration = printable(integration);
    let waiting = match queue.pending {
        0 => "nothing waits in the import queue".to_string(),
        n => format!("{n} waiting in the import queue (`intake queue list`)"),
    };
    match &queue.auto {
        None => format!("{integration}: {waiting}"),
        Some(auto) => format!(
            "{integration}: imported {} ({} matched to a contact, {} new contacts); {waiting}",
            auto.approved, auto.matched, auto.new_contacts
        ),
    }
}
