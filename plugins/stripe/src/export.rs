//! `parse-export`: the CSV that Stripe's Dashboard exports from Payments ("Export" →
//! unified payments), one row per payment. Columns are found by header name, case-insensitive:
//! `id`, `Created date (UTC)`, `Amount`, `Currency`, `Status`, `Fee`, `Mode`, `Captured`,
//! `Description`, `Customer ID`, `Customer Email`, `Card Name`, `Card Address Line1`/`Line2`/
//! `City`/`State`/`Country`/`Zip`, `Card Brand`, `Card Last4`, `Invoice ID`,
//! `PaymentIntent ID`, `Amount Refunded`, `Dispute Status`, and metadata as `<key> (metadata)`.
//!
//! A paid (or since refunded or disputed) payment is a contribution with the same id `fetch`
//! gives it, so importing then syncing does not duplicate. The export names no refund or
//! dispute ids, so those entries come from `fetch` or webhooks; the refunded amount is kept in
//! `extra`. Every other row (failed, pending, uncaptured, another mode, unreadable) is
//! rejected with why.
//!
//! Amounts are written in the currency's major unit ("27.00" USD, "1,000" JPY, "1.250" KWD);
//! each currency's minor-unit exponent comes from the ISO 4217 table of `iso_currency`, so a
//! yen amount is not read as hundredths. A currency the table does not know is rejected.
//!
//! Each row's line is found by counting newlines forward from the previous row's (the file
//! is read once: linear in its size).

use std::collections::HashMap;

use intake_plugin_sdk::names::split_full_name;
use intake_plugin_sdk::time::loose_to_rfc3339;
use intake_plugin_sdk::{
    Donation, DonationKind, Error, FileImport, Money, Person, PostalAddress, Result, RowError,
};

use crate::amount::{exponent, parse_minor};
use crate::config::Config;
use crate::normalize::currency;

const PAID: &[&str] = &[
    "paid",
    "succeeded",
    "refunded",
    "partially refunded",
    "partially_refunded",
    "disputed",
];

/// The file's line of each record from its byte offset, counting forward only: records come
/// in order, so the whole file is scanned once.
struct Lines<'a> {
    contents: &'a [u8],
    /// Bytes before `at` are counted...
    at: usize,
    /// ...and hold this many newlines.
    newlines: u32,
}

impl<'a> Lines<'a> {
    fn new(contents: &'a [u8]) -> Lines<'a> {
        Lines {
            contents,
            at: 0,
            newlines: 0,
        }
    }

    /// The line of the record at `byte` (csv's own line count skips blank lines; a record's
    /// position can be that of blank lines before it: skip them).
    fn line_at(&mut self, byte: u64) -> u32 {
        let mut to = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.contents.len());
        while self
            .contents
            .get(to)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            to += 1;
        }
        if to < self.at {
            // Never for csv's records; stay right if it happens.
            self.at = 0;
            self.newlines = 0;
        }
        let counted = self.contents[self.at..to]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.newlines = self
            .newlines
            .saturating_add(u32::try_from(counted).unwrap_or(u32::MAX));
        self.at = to;
        self.newlines.saturating_add(1)
    }
}

struct Columns(HashMap<String, usize>);

impl Columns {
    fn get<'r>(&self, row: &'r csv::StringRecord, names: &[&str]) -> Option<&'r str> {
        names
            .iter()
            .find_map(|n| self.0.get(&n.to_ascii_lowercase()))
            .and_then(|&i| row.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

fn row(
    cols: &Columns,
    r: &csv::StringRecord,
    config: &Config,
) -> std::result::Result<Donation, String> {
    let get = |names: &[&str]| cols.get(r, names);
    let id = get(&["id"]).ok_or("no id")?;
    let status = get(&["Status"]).unwrap_or("Paid");
    if !PAID.contains(&status.to_ascii_lowercase().as_str()) {
        return Err(format!("{id}: status {status}: not money received"));
    }
    if get(&["Captured"]).is_some_and(|c| c.eq_ignore_ascii_case("false")) {
        return Err(format!("{id}: not captured: not money received"));
    }
    if let Some(mode) = get(&["Mode"]) {
        let live = mode.eq_ignore_ascii_case("live");
        if live != config.livemode {
            return Err(format!(
                "{id}: a {}-mode payment in a {}-mode integration",
                mode.to_ascii_lowercase(),
                config.mode_name()
            ));
        }
    }
    let code =
        currency(get(&["Currency"]).unwrap_or("usd")).map_err(|_| format!("{id}: bad currency"))?;
    let places = exponent(&code)
        .ok_or_else(|| format!("{id}: `{code}` is not an ISO 4217 currency with minor units"))?;
    let amount_text = get(&["Amount"]).ok_or_else(|| format!("{id}: no amount"))?;
    let amount = parse_minor(amount_text, places)
        .filter(|a| *a > 0)
        .ok_or_else(|| format!("{id}: `{amount_text}` is not a positive {code} amount"))?;
    let minor = |text: &str| parse_minor(text, places);
    let created_text = get(&["Created date (UTC)", "Created (UTC)", "Created"])
        .ok_or_else(|| format!("{id}: no date"))?;
    let received_at =
        loose_to_rfc3339(created_text).map_err(|e| format!("{id}: {}", e.message()))?;
    let fee = match get(&["Fee"]) {
        Some(text) => Some(minor(text).ok_or_else(|| format!("{id}: `{text}` is not a fee"))?),
        None => None,
    };
    let money = |minor_units| Money {
        minor_units,
        currency: code.clone(),
    };

    let parts = split_full_name(get(&["Card Name", "Customer Name", "Billing Name"]).unwrap_or(""));
    let line1 = get(&["Card Address Line1"]);
    let zip = get(&["Card Address Zip"]);
    let address = (line1.is_some() || zip.is_some()).then(|| PostalAddress {
        line1: line1.unwrap_or_default().into(),
        line2: get(&["Card Address Line2"]).map(str::to_string),
        city: get(&["Card Address City"]).unwrap_or_default().into(),
        region: get(&["Card Address State"]).unwrap_or_default().into(),
        postal_code: zip.unwrap_or_default().into(),
        country: get(&["Card Address Country"])
            .unwrap_or_default()
            .to_ascii_uppercase(),
    });
    let metadata = |key: &str| get(&[&format!("{key} (metadata)")]).map(str::to_string);
    let donor = Person {
        prefix: parts.prefix,
        first_name: parts.first,
        middle_name: parts.middle,
        last_name: parts.last,
        suffix: parts.suffix,
        email: get(&["Customer Email", "Receipt Email", "Email"]).map(str::to_string),
        phone: get(&["Customer Phone", "Phone"]).map(str::to_string),
        address,
        employer: metadata(&config.employer_key),
        occupation: metadata(&config.occupation_key),
        processor_donor_id: get(&["Customer ID"]).map(str::to_string),
    };
    let mut extra = Vec::new();
    for (key, names) in [
        ("description", &["Description"][..]),
        ("payment_intent", &["PaymentIntent ID"]),
        ("invoice", &["Invoice ID"]),
        ("customer", &["Customer ID"]),
        ("card_brand", &["Card Brand"]),
        ("card_last4", &["Card Last4"]),
        ("statement_descriptor", &["Statement Descriptor"]),
        ("dispute_status", &["Dispute Status"]),
        ("status", &["Status"]),
    ] {
        if let Some(v) = get(names) {
            extra.push((key.to_string(), v.to_string()));
        }
    }
    if let Some(refunded) = get(&["Amount Refunded"])
        .and_then(minor)
        .filter(|c| *c != 0)
    {
        extra.push(("amount_refunded".into(), refunded.to_string()));
    }
    // Checked: a fee past `i64` from the amount is refused, never wrapped.
    let net = fee
        .map(|f| {
            amount
                .checked_sub(f)
                .ok_or_else(|| format!("{id}: fee `{f}` from amount `{amount}` overflows"))
        })
        .transpose()?;
    Ok(Donation {
        id: id.to_string(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: money(amount),
        fee: fee.map(money),
        net: net.map(money),
        received_at,
        donor,
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: config.livemode,
        extra,
    })
}

pub fn parse(config: &Config, file_name: &str, contents: &[u8]) -> Result<FileImport> {
    let contents = contents.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(contents);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(contents);
    let headers = reader
        .headers()
        .map_err(|e| Error::InvalidData(format!("{file_name}: not a CSV file: {e}")))?
        .clone();
    let cols = Columns(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
            .collect(),
    );
    for needed in ["id", "amount"] {
        if !cols.0.contains_key(needed) {
            return Err(Error::InvalidData(format!(
                "{file_name}: not a Stripe payments export (no `{needed}` column)"
            )));
        }
    }
    let mut import = FileImport {
        donations: Vec::new(),
        fees: Vec::new(),
        payouts: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut lines = Lines::new(contents);
    for (i, record) in reader.records().enumerate() {
        let fallback_line = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(2);
        match record {
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| lines.line_at(p.byte()))
                    .unwrap_or(fallback_line);
                import.rejected.push(RowError {
                    line,
                    message: format!("unreadable row: {e}"),
                });
            }
            Ok(r) => {
                let line = r
                    .position()
                    .map(|p| lines.line_at(p.byte()))
                    .unwrap_or(fallback_line);
                if r.iter().all(|f| f.trim().is_empty()) {
                    continue; // a blank line is not a row
                }
                match row(&cols, &r, config) {
                    Ok(d) => match seen.get(&d.id) {
                        Some(first) => import.rejected.push(RowError {
                            line,
                            message: format!("{}: the same payment as line {first}", d.id),
                        }),
                        None => {
                            seen.insert(d.id.clone(), line);
                            import.donations.push(d);
                        }
                    },
                    Err(message) => import.rejected.push(RowError { line, message }),
                }
            }
        }
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}id,Description,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Fee,Mode,Status,Customer ID,Customer Email,Card Name,Card Address Line1,Card Address Line2,Card Address City,Card Address State,Card Address Country,Card Address Zip,Invoice ID,PaymentIntent ID,employer (metadata),occupation (metadata)
ch_1,Donation,2024-05-01 13:45:00,27.00,0.00,usd,true,1.09,Test,Paid,cus_1,mary@example.com,\"Smith, Mary Ann\",1 Main St,,Arlington,VA,US,22201,,pi_1,Acme Corp,Teacher
ch_2,,2024-05-02 09:00,\"1,000.00\",250.00,usd,true,22.30,Test,Partially Refunded,,,Robert Jones Sr.,,,,,,,in_9,pi_2,,
ch_3,,2024-05-02 09:00,5.00,0.00,usd,false,0.00,Test,Failed,,,,,,,,,,,pi_3,,
ch_4,,2024-05-03,5.00,0.00,usd,true,0.45,Live,Paid,,,,,,,,,,,pi_4,,
ch_5,,not a date,5.00,0.00,usd,true,0.45,Test,Paid,,,,,,,,,,,pi_5,,
ch_6,,2024-05-03,five,0.00,usd,true,0.45,Test,Paid,,,,,,,,,,,pi_6,,

ch_1,Donation,2024-05-01 13:45:00,27.00,0.00,usd,true,1.09,Test,Paid,cus_1,,,,,,,,,,pi_1,,
";

    #[test]
    fn reads_paid_rows_and_rejects_the_rest_by_line() {
        let config =
            Config::from_settings(&intake_plugin_sdk::Settings::from([("mode", "test")])).unwrap();
        let import = parse(&config, "payments.csv", CSV.as_bytes()).unwrap();
        assert_eq!(import.donations.len(), 2);
        let d = &import.donations[0];
        assert_eq!(
            (
                d.id.as_str(),
                d.amount.minor_units,
                d.amount.currency.as_str()
            ),
            ("ch_1", 2700, "USD")
        );
        assert_eq!(
            (
                d.fee.as_ref().unwrap().minor_units,
                d.net.as_ref().unwrap().minor_units
            ),
            (109, 2591)
        );
        assert_eq!(d.received_at, "2024-05-01T13:45:00Z");
        assert_eq!(
            (
                d.donor.first_name.as_str(),
                d.donor.middle_name.as_deref(),
                d.donor.last_name.as_str()
            ),
            ("Mary", Some("Ann"), "Smith")
        );
        assert_eq!(
            (d.donor.employer.as_deref(), d.donor.occupation.as_deref()),
            (Some("Acme Corp"), Some("Teacher"))
        );
        assert_eq!(d.donor.address.as_ref().unwrap().postal_code, "22201");
        assert_eq!(d.donor.processor_donor_id.as_deref(), Some("cus_1"));
        let d = &import.donations[1];
        assert_eq!(
            (d.amount.minor_units, d.donor.suffix.as_deref()),
            (100_000, Some("Sr."))
        );
        assert!(
            d.extra
                .contains(&("amount_refunded".into(), "25000".into()))
        );
        let lines: Vec<u32> = import.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7, 9], "{:?}", import.rejected);
        assert!(import.rejected[0].message.contains("Failed"));
        assert!(import.rejected[1].message.contains("live-mode"));
        assert!(import.rejected[4].message.contains("line 2"));
    }

    #[test]
    fn amounts_follow_each_currencys_minor_unit() {
        let config =
            Config::from_settings(&intake_plugin_sdk::Settings::from([("mode", "test")])).unwrap();
        let csv = "id,Created date (UTC),Amount,Currency,Fee,Status
ch_usd,2024-05-01 13:45,\"1,234.56\",usd,36.10,Paid
ch_jpy,2024-05-01 13:45,\"5,000\",jpy,180,Paid
ch_kwd,2024-05-01 13:45,12.345,kwd,0.400,Paid
ch_jpy_frac,2024-05-01 13:45,10.50,jpy,0,Paid
ch_kwd_long,2024-05-01 13:45,1.2345,kwd,0,Paid
ch_gold,2024-05-01 13:45,1.00,xau,0,Paid
";
        let import = parse(&config, "payments.csv", csv.as_bytes()).unwrap();
        let got: Vec<(&str, i64, &str, i64, i64)> = import
            .donations
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    d.amount.minor_units,
                    d.amount.currency.as_str(),
                    d.fee.as_ref().unwrap().minor_units,
                    d.net.as_ref().unwrap().minor_units,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("ch_usd", 123_456, "USD", 3_610, 119_846),
                ("ch_jpy", 5_000, "JPY", 180, 4_820),
                ("ch_kwd", 12_345, "KWD", 400, 11_945),
            ]
        );
        let rejected: Vec<(u32, &str)> = import
            .rejected
            .iter()
            .map(|r| (r.line, r.message.as_str()))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (5, "ch_jpy_frac: `10.50` is not a positive JPY amount"),
                (6, "ch_kwd_long: `1.2345` is not a positive KWD amount"),
                (
                    7,
                    "ch_gold: `XAU` is not an ISO 4217 currency with minor units"
                ),
            ]
        );
    }

    #[test]
    fn a_net_past_i64_rejects_the_row_not_wraps() {
        let config =
            Config::from_settings(&intake_plugin_sdk::Settings::from([("mode", "test")])).unwrap();
        // 9.2e18 cents less a fee of -1e17 cents is 9.3e18: past i64::MAX (9.22e18).
        let csv = "id,Created date (UTC),Amount,Currency,Fee,Status\n\
                   ch_big,2024-05-01,92000000000000000.00,usd,-1000000000000000.00,Paid\n\
                   ch_ok,2024-05-01,5.00,usd,0.45,Paid\n";
        let import = parse(&config, "payments.csv", csv.as_bytes()).unwrap();
        assert_eq!(import.donations.len(), 1);
        assert_eq!(import.donations[0].net.as_ref().unwrap().minor_units, 455);
        assert_eq!(import.rejected.len(), 1, "{:?}", import.rejected);
        assert_eq!(import.rejected[0].line, 2);
        assert!(
            import.rejected[0].message.contains(
                "ch_big: fee `-100000000000000000` from amount `9200000000000000000` overflows"
            ),
            "{:?}",
            import.rejected
        );
    }

    #[test]
    fn lines_are_counted_forward_once_through_blank_and_quoted_lines() {
        let text = b"h1,h2\n\na,\"x\ny\"\n\r\nb,2\nc,3\n";
        let mut lines = Lines::new(text);
        // Record starts: `a` after a blank line, `b` after a quoted newline and a blank CRLF.
        assert_eq!(lines.line_at(6), 3);
        assert_eq!(lines.line_at(14), 6);
        assert_eq!(lines.line_at(21), 7);
        assert_eq!(lines.line_at(0), 1, "asked backwards: still right");
    }

    #[test]
    fn a_file_that_is_not_the_export_is_refused_whole() {
        let config = Config::from_settings(&intake_plugin_sdk::Settings::default()).unwrap();
        assert!(
            matches!(parse(&config, "x.csv", b"name,total\nA,1\n"), Err(Error::InvalidData(m)) if m.contains("`id`"))
        );
    }
}
