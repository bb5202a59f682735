//! The table `intake sync` prints: one row per integration.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use intake_engine::IntegrationReport;

/// Text safe to show on a terminal: control characters (escapes, newlines) made visible.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

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
            format!("{:.1} s", r.duration_ms as f64 / 1000.0),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
        assert_eq!(printable("Pérez"), "Pérez");
    }
}
