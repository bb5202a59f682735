//! Human-readable tables: what `intake plugin inspect` and `intake fetch` print on a terminal.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use intake_host::types::{Capabilities, Donation, DonationKind, Interval, Money, PluginInfo};

/// "$1,234.56" (or "-$5.00"; other currencies as "12.34 EUR").
pub fn money(m: &Money) -> String {
    let sign = if m.minor_units < 0 { "-" } else { "" };
    let abs = m.minor_units.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match m.currency.as_str() {
        "USD" => format!("{sign}${grouped}.{:02}", abs % 100),
        other => format!("{sign}{grouped}.{:02} {other}", abs % 100),
    }
}

/// Processor data made safe for a terminal: control characters (a terminal escape could
/// rewrite what the table shows), bidirectional overrides and zero-width characters are
/// printed as escapes (`\u{1b}`), everything else as is.
pub fn terminal_safe(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// What a capability set reads as, e.g. "fetch, payouts".
pub fn capabilities(c: Capabilities) -> String {
    c.names().join(", ")
}

/// Everything `info` says, including where each secret may be sent.
pub fn plugin_table(info: &PluginInfo) -> String {
    let mut head = Table::new();
    head.load_preset(UTF8_FULL_CONDENSED);
    head.add_row(vec![
        "plugin",
        &format!("{} ({}) {}", info.name, info.id, info.version),
    ]);
    head.add_row(vec!["capabilities", &capabilities(info.capabilities)]);
    head.add_row(vec!["outbound origins", &info.outbound.join("\n")]);
    if let Some(org) = &info.organization {
        let address = org
            .address
            .as_ref()
            .map(|a| format!(", {}, {}, {} {}", a.line1, a.city, a.region, a.postal_code))
            .unwrap_or_default();
        head.add_row(vec![
            "organization",
            &format!(
                "{} (FEC {}){address}",
                org.name,
                org.fec_id.as_deref().unwrap_or("none")
            ),
        ]);
    }
    let mut settings = Table::new();
    settings.load_preset(UTF8_FULL_CONDENSED);
    // Wrap long help text to the terminal (or 120 columns when piped).
    settings.set_content_arrangement(ContentArrangement::Dynamic);
    if settings.width().is_none() {
        settings.set_width(120);
    }
    settings.set_header(vec![
        "setting",
        "kind",
        "default",
        "secret may be sent to",
        "help",
    ]);
    for s in &info.settings {
        let kind = match (s.secret, s.required) {
            (true, true) => "secret, required",
            (true, false) => "secret",
            (false, true) => "required",
            (false, false) => "optional",
        };
        let default = match (&s.default_value, s.choices.is_empty()) {
            (Some(d), true) => d.clone(),
            (Some(d), false) => format!("{d} ({})", s.choices.join("|")),
            (None, false) => format!("one of {}", s.choices.join("|")),
            (None, true) => String::new(),
        };
        let sent_to = if !s.secret {
            String::new()
        } else if s.sent_to.is_empty() {
            "nowhere (host-side use only)".into()
        } else {
            s.sent_to.join("\n")
        };
        settings.add_row(vec![s.key.as_str(), kind, &default, &sent_to, &s.help]);
    }
    format!("{head}\n{settings}")
}

fn interval(i: Interval) -> &'static str {
    match i {
        Interval::Weekly => "weekly",
        Interval::Monthly => "monthly",
        Interval::Quarterly => "quarterly",
        Interval::Yearly => "yearly",
        Interval::Other => "recurring",
    }
}

fn kind(k: DonationKind) -> &'static str {
    match k {
        DonationKind::Contribution => "contribution",
        DonationKind::Refund => "refund",
        DonationKind::Chargeback => "chargeback",
        DonationKind::ChargebackReversal => "reversal",
    }
}

/// One row per donation: when, who, how much, and how it reached the committee.
pub fn donations_table(donations: &[Donation]) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "received",
        "id",
        "kind",
        "donor",
        "employer / occupation",
        "amount",
        "fee",
        "recurring",
        "earmark",
    ]);
    for d in donations {
        let donor = [
            Some(d.donor.first_name.as_str()),
            d.donor.middle_name.as_deref(),
            Some(d.donor.last_name.as_str()),
            d.donor.suffix.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        let work = format!(
            "{} / {}",
            d.donor.employer.as_deref().unwrap_or("-"),
            d.donor.occupation.as_deref().unwrap_or("-")
        );
        let recurring = d.recurrence.as_ref().map(|r| match r.installment {
            Some(n) => format!("{} #{n}", interval(r.interval)),
            None => interval(r.interval).to_string(),
        });
        let earmark = d.earmark.as_ref().map(|e| {
            format!(
                "{} {}",
                e.conduit_name,
                e.conduit_fec_id.as_deref().unwrap_or("")
            )
        });
        table.add_row(vec![
            terminal_safe(&d.received_at),
            terminal_safe(&d.id),
            kind(d.kind).to_string(),
            terminal_safe(&donor),
            terminal_safe(&work),
            money(&d.amount),
            d.fee.as_ref().map(money).unwrap_or_default(),
            recurring.unwrap_or_default(),
            terminal_safe(&earmark.unwrap_or_default()),
        ]);
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processor_text_cannot_drive_the_terminal() {
        assert_eq!(terminal_safe("Pérez"), "Pérez");
        assert_eq!(terminal_safe("Ada\x1b[2K\rEvil"), "Ada\\u{1b}[2K\\u{d}Evil");
        assert_eq!(terminal_safe("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn money_reads_like_a_ledger() {
        assert_eq!(
            money(&Money {
                minor_units: 12_345_678,
                currency: "USD".into()
            }),
            "$123,456.78"
        );
        assert_eq!(
            money(&Money {
                minor_units: -500,
                currency: "USD".into()
            }),
            "-$5.00"
        );
        assert_eq!(
            money(&Money {
                minor_units: 5,
                currency: "EUR".into()
            }),
            "0.05 EUR"
        );
    }
}
