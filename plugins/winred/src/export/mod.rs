//! `parse-export`: WinRed's CSV exports (ISP's "Quick Import"). The kind is told by the
//! headers (API.md, "CSV exports"); each kind has its module. Every row that cannot be read
//! goes to `rejected` with its line and why.

mod donations;
mod ledger;
mod payout;
mod reversals;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use intake_plugin_sdk::money;
use intake_plugin_sdk::names;
use intake_plugin_sdk::time::loose_to_rfc3339;
use intake_plugin_sdk::{
    Donation, DonationKind, Error, FileImport, Money, Person, PostalAddress, RowError, Settings,
};

use crate::config::Config;
use crate::mapping::{self, columns};
use crate::normalize::{self, clean};
use crate::records::{self, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ledger,
    Payout,
    Donations,
}

pub fn parse_export(
    settings: &Settings,
    file_name: &str,
    contents: &[u8],
) -> Result<FileImport, Error> {
    let config = Config::from_settings(settings)?;
    let text = records::decode(contents);
    let (records, unclosed) = records::read(&text);
    let mut records = records.into_iter().filter(|r| !r.is_blank());
    let header_record = records
        .next()
        .ok_or_else(|| Error::InvalidData(format!("`{file_name}` has no header row")))?;
    let header = Header::new(&header_record);
    let kind = header.kind(file_name).ok_or_else(|| {
        Error::InvalidData(format!(
            "`{file_name}` is not a WinRed export this plugin reads: its headers are {}",
            header_record.fields.join(", ")
        ))
    })?;
    let mut out = Import {
        config,
        kind,
        ids: HashMap::new(),
        reversals: reversals::Reversals::default(),
        file: FileImport {
            donations: Vec::new(),
            fees: Vec::new(),
            payouts: Vec::new(),
            rejected: Vec::new(),
        },
    };
    let mut rows = Vec::new();
    for record in records {
        if record.fields.len() != header.width {
            out.reject(
                record.line,
                format!(
                    "has {} fields but the header has {} (an amount with an unquoted comma?)",
                    record.fields.len(),
                    header.width
                ),
            );
            continue;
        }
        rows.push(record);
    }
    match kind {
        Kind::Ledger => ledger::read(&mut out, &header, &rows),
        Kind::Payout => payout::read(&mut out, &header, &rows),
        Kind::Donations => donations::read(&mut out, &header, &rows),
    }
    if let Some(line) = unclosed {
        out.reject(
            line,
            "a quoted field is never closed: this row and the rest of the file are unreadable"
                .into(),
        );
    }
    out.file.rejected.sort_by_key(|r| r.line);
    Ok(out.file)
}

/// Column positions by normalized header name.
pub struct Header {
    keys: Vec<String>,
    pub width: usize,
}

impl Header {
    fn new(record: &Record) -> Header {
        Header {
            keys: record.fields.iter().map(|h| columns::key(h)).collect(),
            width: record.fields.len(),
        }
    }

    /// The first alias (in order) that names a column.
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases
            .iter()
            .find_map(|a| self.keys.iter().position(|k| k == a))
    }

    pub fn has(&self, aliases: &[&str]) -> bool {
        self.find(aliases).is_some()
    }

    fn kind(&self, file_name: &str) -> Option<Kind> {
        let name = file_name.to_ascii_lowercase();
        if self.has(columns::TYPE) && self.has(columns::BALANCE) {
            Some(Kind::Ledger)
        } else if self.has(columns::PAYOUT_DATE)
            || self.has(&["grossamount"])
            || (name.contains("payout") && self.has(columns::GROSS))
        {
            Some(Kind::Payout)
        } else if self.has(columns::AMOUNT) {
            Some(Kind::Donations)
        } else {
            None
        }
    }

    /// The columns whose headers match `aliases`, by original position.
    pub fn all(&self, aliases: &[&str]) -> Vec<usize> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, k)| aliases.contains(&k.as_str()))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn key(&self, index: usize) -> &str {
        &self.keys[index]
    }
}

/// One data row, read through the header.
pub struct Row<'a> {
    pub line: u32,
    pub fields: &'a [String],
    pub header: &'a Header,
}

impl<'a> Row<'a> {
    pub fn new(record: &'a Record, header: &'a Header) -> Row<'a> {
        Row {
            line: record.line,
            fields: &record.fields,
            header,
        }
    }

    /// The trimmed cell of the first matching column, None when absent or blank.
    pub fn get(&self, aliases: &[&str]) -> Option<&'a str> {
        let i = self.header.find(aliases)?;
        let v = self.fields[i].trim();
        if v.is_empty() { None } else { Some(v) }
    }

    pub fn date(&self, aliases: &[&str], what: &str) -> Result<String, String> {
        let text = self.get(aliases).ok_or_else(|| format!("no {what}"))?;
        loose_to_rfc3339(text).map_err(|e| format!("{what} {}", e.message()))
    }

    /// An amount in cents; None when the column is absent or blank.
    pub fn cents(&self, aliases: &[&str], what: &str) -> Result<Option<i64>, String> {
        match self.get(aliases) {
            None => Ok(None),
            Some(text) => intake_plugin_sdk::money::parse_cents(text)
                .map(Some)
                .ok_or_else(|| format!("{what} `{text}` is not an amount")),
        }
    }

    /// The donor from either separate name fields or one full-name cell.
    pub fn person(&self) -> Result<Person, String> {
        let name = if self.get(columns::FIRST).is_some() || self.get(columns::LAST).is_some() {
            names::from_fields(
                self.get(columns::PREFIX),
                self.get(columns::FIRST),
                self.get(columns::MIDDLE),
                self.get(columns::LAST),
                self.get(columns::SUFFIX),
            )
        } else if let Some(full) = self.get(columns::NAME) {
            names::split_full_name(full)
        } else {
            return Err("no donor name".into());
        };
        if name.first.is_empty() && name.last.is_empty() {
            return Err("no donor name".into());
        }
        let address = match (self.get(columns::ADDRESS1), self.get(columns::CITY)) {
            (Some(line1), Some(city)) => Some(PostalAddress {
                line1: clean(Some(line1)).unwrap_or_default(),
                line2: clean(self.get(columns::ADDRESS2)),
                city: clean(Some(city)).unwrap_or_default(),
                region: self.get(columns::STATE).unwrap_or("").to_ascii_uppercase(),
                postal_code: self.get(columns::ZIP).unwrap_or("").to_string(),
                country: normalize::country(self.get(columns::COUNTRY)),
            }),
            _ => None,
        };
        Ok(Person {
            prefix: name.prefix,
            first_name: name.first,
            middle_name: name.middle,
            last_name: name.last,
            suffix: name.suffix,
            email: clean(self.get(columns::EMAIL)),
            phone: clean(self.get(columns::PHONE)),
            address,
            employer: normalize::employment(self.get(columns::EMPLOYER)),
            occupation: normalize::employment(self.get(columns::OCCUPATION)),
            processor_donor_id: clean(self.get(columns::DONOR_ID)),
        })
    }

    /// Cells of `aliases` columns, for `extra`, keyed by their normalized header.
    pub fn extras(&self, aliases: &[&str]) -> Vec<(String, String)> {
        self.header
            .all(aliases)
            .into_iter()
            .filter_map(|i| {
                clean(Some(&self.fields[i])).map(|v| (self.header.key(i).to_string(), v))
            })
            .collect()
    }
}

pub struct Import {
    pub config: Config,
    pub kind: Kind,
    ids: HashMap<String, u32>,
    reversals: reversals::Reversals,
    pub file: FileImport,
}

impl Import {
    pub fn reject(&mut self, line: u32, message: String) {
        self.file.rejected.push(RowError { line, message });
    }

    /// The row's own id, or a stable one made from what the row says: the same file imported
    /// twice gives the same ids (n counts identical rows).
    pub fn id(&mut self, row: &Row<'_>, parts: &[&str]) -> String {
        if let Some(id) = row.get(columns::ID) {
            return id.to_string();
        }
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let kind = format!("{:?}", self.kind);
        for part in std::iter::once(kind.as_str()).chain(parts.iter().copied()) {
            for b in part.bytes().chain(std::iter::once(0x1f)) {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        let base = format!("wr-{hash:016x}");
        let n = self.ids.entry(base.clone()).or_insert(0);
        *n += 1;
        format!("{base}-{n}")
    }

    /// Give a refund, chargeback or reversal that names nothing the entry it reverses: the
    /// latest earlier row in this file of the same donor and amount that it can reverse (a
    /// contribution; a chargeback for a reversal) and that nothing else reverses yet. The
    /// contract needs `reverses`, so a row with no match is rejected, saying why.
    pub fn link_reversal(&mut self, d: &mut Donation) -> Result<(), String> {
        if d.reverses.is_some() {
            return Ok(());
        }
        let Some(target) = reversals::target(d.kind) else {
            return Ok(());
        };
        let name = reversals::donor_key(&d.donor);
        match self.reversals.find(d, &self.file.donations) {
            Some(id) => {
                d.reverses = Some(id);
                Ok(())
            }
            None => Err(format!(
                "a {} of {} names no entry it reverses (the export has no original-ID column), and no earlier row in this file is a {} of that amount from {}",
                kind_word(d.kind),
                dollars(d.amount.minor_units),
                kind_word(target),
                if name.trim().is_empty() {
                    "that donor".to_string()
                } else {
                    name
                }
            )),
        }
    }

    /// Add `d` to the file's donations (and to what later reversals can link to); its index.
    pub fn push_donation(&mut self, d: Donation) -> usize {
        let index = self.file.donations.len();
        self.reversals.add(index, &d);
        self.file.donations.push(d);
        index
    }

    /// A donation with the integration's earmark and nothing optional set.
    pub fn donation(
        &self,
        id: String,
        kind: DonationKind,
        cents: i64,
        received_at: String,
        donor: Person,
    ) -> Donation {
        Donation {
            id,
            kind,
            reverses: None,
            amount: mapping::money(cents, "USD"),
            fee: None,
            net: None,
            received_at,
            donor,
            recurrence: None,
            earmark: mapping::earmark(&self.config),
            source: None,
            payout_id: None,
            livemode: true,
            extra: Vec::new(),
        }
    }
}

pub fn usd(cents: i64) -> Money {
    mapping::money(cents, "USD")
}

/// Fee as a positive amount (exports write it either way) and net, checked against gross.
pub fn fee_and_net(row: &Row<'_>, gross: i64) -> Result<(Option<i64>, Option<i64>), String> {
    let fee = row
        .cents(columns::FEE, "fee")?
        .map(|f| money::abs(f, "fee").map_err(|e| e.message()))
        .transpose()?;
    let net = row.cents(columns::NET, "net")?;
    match (fee, net) {
        (Some(f), Some(n)) if sub(gross, f, "gross minus fee")? != n => Err(format!(
            "net {} is not gross {} minus fee {}",
            dollars(n),
            dollars(gross),
            dollars(f)
        )),
        (Some(f), None) => Ok((Some(f), Some(sub(gross, f, "gross minus fee")?))),
        other => Ok(other),
    }
}

/// A zero-gross row's fee: the `Fee` cell, else minus a negative `Net`.
pub fn fee_row_amount(fee: Option<i64>, net: Option<i64>) -> Option<i64> {
    fee.filter(|f| *f > 0)
        .or(net.filter(|n| *n < 0).map(|n| -n))
}

/// `a + b` for a row's money: the SDK's checked sum, its overflow the row's message.
pub fn add(a: i64, b: i64, what: &str) -> Result<i64, String> {
    money::add(a, b, what).map_err(|e| e.message())
}

/// `a - b` for a row's money: the SDK's checked difference, its overflow the row's message.
pub fn sub(a: i64, b: i64, what: &str) -> Result<i64, String> {
    money::sub(a, b, what).map_err(|e| e.message())
}

pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", abs / 100, abs % 100)
}

fn kind_word(kind: DonationKind) -> &'static str {
    match kind {
        DonationKind::Contribution => "contribution",
        DonationKind::Refund => "refund",
        DonationKind::Chargeback => "chargeback",
        DonationKind::ChargebackReversal => "chargeback reversal",
    }
}

/// What a `Type` / `Status` cell says a negative or positive row is.
pub fn reversal_kind(type_cell: Option<&str>, cents: i64) -> DonationKind {
    let t = type_cell
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    let dispute = t.contains("chargeback") || t.contains("dispute");
    if cents < 0 {
        if dispute {
            DonationKind::Chargeback
        } else {
            DonationKind::Refund
        }
    } else if t.contains("reversal") || t.contains("won") {
        DonationKind::ChargebackReversal
    } else {
        DonationKind::Contribution
    }
}
