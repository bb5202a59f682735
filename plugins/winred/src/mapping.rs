//! Every mapping from WinRed's fields (API and CSV exports) to the contract, in one place.
//! The wire shapes are in `wire.rs`; the rules for messy names and employers in
//! `normalize.rs`. API.md ("Mapping to the contract") documents this module.

use intake_plugin_sdk::money::{abs, sub};
use intake_plugin_sdk::names;
use intake_plugin_sdk::time::loose_to_rfc3339;
use intake_plugin_sdk::{
    Donation, DonationKind, Earmark, Error, FeeEntry, Interval, Money, Payout, Person,
    PostalAddress, Recurrence,
};

use crate::config::{Config, Level};
use crate::info::{CONDUIT_FEC_ID, CONDUIT_NAME, conduit_address};
use crate::normalize::{self, clean};
use crate::wire;

/// The earmark every donation to a federal (conduit) committee carries; none for state.
pub fn earmark(config: &Config) -> Option<Earmark> {
    match config.level {
        Level::State => None,
        Level::Federal => Some(Earmark {
            conduit_name: CONDUIT_NAME.into(),
            conduit_fec_id: Some(CONDUIT_FEC_ID.into()),
            conduit_address: Some(conduit_address()),
            recipient_fec_id: config.committee_fec_id.clone(),
        }),
    }
}

/// A time as WinRed writes it, in RFC 3339 UTC.
pub fn timestamp(text: &str, what: &str) -> Result<String, Error> {
    loose_to_rfc3339(text).map_err(|e| Error::InvalidData(format!("{what}: {}", e.message())))
}

pub fn currency(code: Option<&str>) -> Result<String, Error> {
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("USD")
        .to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(Error::InvalidData(format!(
            "`{code}` is not a currency code"
        )))
    }
}

pub fn money(cents: i64, currency: &str) -> Money {
    Money {
        minor_units: cents,
        currency: currency.into(),
    }
}

pub fn interval(text: Option<&str>) -> Interval {
    match text.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        Some("weekly" | "week") => Interval::Weekly,
        Some("monthly" | "month") => Interval::Monthly,
        Some("quarterly" | "quarter") => Interval::Quarterly,
        Some("yearly" | "annually" | "annual" | "year") => Interval::Yearly,
        _ => Interval::Other,
    }
}

pub fn address(a: &wire::Address) -> Option<PostalAddress> {
    let line1 = clean(a.address1.as_deref())?;
    let city = clean(a.city.as_deref())?;
    Some(PostalAddress {
        line1,
        line2: clean(a.address2.as_deref()),
        city,
        region: clean(a.state.as_deref())
            .unwrap_or_default()
            .to_ascii_uppercase(),
        postal_code: clean(a.zip.as_deref()).unwrap_or_default(),
        country: normalize::country(a.country.as_deref()),
    })
}

pub fn person(d: &wire::Donor) -> Person {
    let name = names::from_fields(
        d.prefix.as_deref(),
        d.first_name.as_deref(),
        d.middle_name.as_deref(),
        d.last_name.as_deref(),
        d.suffix.as_deref(),
    );
    Person {
        prefix: name.prefix,
        first_name: name.first,
        middle_name: name.middle,
        last_name: name.last,
        suffix: name.suffix,
        email: clean(d.email.as_deref()),
        phone: clean(d.phone.as_deref()),
        address: d.address.as_ref().and_then(address),
        employer: normalize::employment(d.employer.as_deref()),
        occupation: normalize::employment(d.occupation.as_deref()),
        processor_donor_id: clean(d.id.as_deref()),
    }
}

fn base(
    id: &str,
    kind: DonationKind,
    amount: Money,
    received_at: String,
    donor: Person,
    config: &Config,
) -> Donation {
    Donation {
        id: id.into(),
        kind,
        reverses: None,
        amount,
        fee: None,
        net: None,
        received_at,
        donor,
        recurrence: None,
        earmark: earmark(config),
        source: None,
        payout_id: None,
        livemode: true,
        extra: Vec::new(),
    }
}

pub fn donation(w: &wire::Donation, config: &Config) -> Result<Donation, Error> {
    let cur = currency(w.currency.as_deref())?;
    let received_at = timestamp(&w.created_at, &format!("donation {} created_at", w.id))?;
    let mut d = base(
        &w.id,
        DonationKind::Contribution,
        money(w.amount.0, &cur),
        received_at,
        person(&w.donor),
        config,
    );
    d.fee = w.fee.map(|f| money(f.0, &cur));
    d.net = w.net.map(|n| money(n.0, &cur));
    d.recurrence = w.recurring.as_ref().map(|r| Recurrence {
        interval: interval(r.interval.as_deref()),
        installment: r.installment,
        subscription_id: clean(r.subscription_id.as_deref()),
    });
    let page = w.page.as_ref();
    d.source =
        clean(w.source_code.as_deref()).or_else(|| page.and_then(|p| clean(p.slug.as_deref())));
    d.payout_id = clean(w.payout_id.as_deref());
    if let Some(p) = page {
        push_extra(&mut d.extra, "page_id", p.id.as_deref());
        push_extra(&mut d.extra, "page_name", p.name.as_deref());
    }
    Ok(d)
}

pub fn refund(w: &wire::Refund, config: &Config) -> Result<Donation, Error> {
    let cur = currency(w.currency.as_deref())?;
    let received_at = timestamp(&w.created_at, &format!("refund {} created_at", w.id))?;
    let mut d = base(
        &w.id,
        DonationKind::Refund,
        money(-abs(w.amount.0, &format!("refund {} amount", w.id))?, &cur),
        received_at,
        person(&w.donor),
        config,
    );
    d.reverses = Some(w.donation_id.clone());
    d.payout_id = clean(w.payout_id.as_deref());
    push_extra(&mut d.extra, "refund_reason", w.reason.as_deref());
    Ok(d)
}

/// A dispute and, for a chargeback with a fee, the fee entry.
pub fn dispute(w: &wire::Dispute, config: &Config) -> Result<(Donation, Option<FeeEntry>), Error> {
    let cur = currency(w.currency.as_deref())?;
    let received_at = timestamp(&w.created_at, &format!("dispute {} created_at", w.id))?;
    let magnitude = abs(w.amount.0, &format!("dispute {} amount", w.id))?;
    let (kind, amount) = match w.kind.as_str() {
        "chargeback" => (DonationKind::Chargeback, -magnitude),
        "chargeback_reversal" => (DonationKind::ChargebackReversal, magnitude),
        other => {
            return Err(Error::InvalidData(format!(
                "dispute {}: unknown kind `{other}`",
                w.id
            )));
        }
    };
    let mut d = base(
        &w.id,
        kind,
        money(amount, &cur),
        received_at.clone(),
        person(&w.donor),
        config,
    );
    d.reverses = Some(clean(w.reverses.as_deref()).unwrap_or_else(|| w.donation_id.clone()));
    d.payout_id = clean(w.payout_id.as_deref());
    push_extra(&mut d.extra, "dispute_reason", w.reason.as_deref());
    push_extra(&mut d.extra, "donation_id", Some(&w.donation_id));
    let fee_amount = w
        .fee
        .as_ref()
        .map(|f| abs(f.amount.0, &format!("dispute {} fee", w.id)))
        .transpose()?;
    let fee = w.fee.as_ref().zip(fee_amount).map(|(f, amount)| FeeEntry {
        id: f.id.clone(),
        amount: money(amount, &cur),
        charged_at: received_at,
        donation_id: Some(w.id.clone()),
        payout_id: d.payout_id.clone(),
        description: clean(f.description.as_deref()).unwrap_or_else(|| "Chargeback fee".into()),
    });
    Ok((d, fee))
}

/// A payout and what its transactions say it settles. `net` must be `gross - fees`.
pub fn payout(w: &wire::Payout, transactions: &[wire::PayoutTransaction]) -> Result<Payout, Error> {
    let cur = currency(w.currency.as_deref())?;
    let paid_at = timestamp(&w.paid_at, &format!("payout {} paid_at", w.id))?;
    if sub(
        w.gross.0,
        w.fees.0,
        &format!("payout {} gross minus fees", w.id),
    )? != w.net.0
    {
        return Err(Error::InvalidData(format!(
            "payout {}: net {} is not gross {} minus fees {}",
            w.id, w.net.0, w.gross.0, w.fees.0
        )));
    }
    let mut donation_ids = Vec::new();
    let mut fee_ids = Vec::new();
    for t in transactions {
        match t.kind.as_str() {
            "chargeback_fee" => fee_ids.push(t.id.clone()),
            "donation" | "refund" | "chargeback" | "chargeback_reversal" => {
                donation_ids.push(t.id.clone())
            }
            other => {
                return Err(Error::InvalidData(format!(
                    "payout {}: unknown transaction type `{other}`",
                    w.id
                )));
            }
        }
    }
    let mut extra = Vec::new();
    push_extra(&mut extra, "status", w.status.as_deref());
    push_extra(&mut extra, "method", w.method.as_deref());
    push_extra(&mut extra, "bank_last4", w.bank_last4.as_deref());
    Ok(Payout {
        id: w.id.clone(),
        paid_at,
        gross: money(w.gross.0, &cur),
        fees: money(w.fees.0, &cur),
        net: money(w.net.0, &cur),
        donation_ids,
        fee_ids,
        livemode: true,
        extra,
    })
}

pub fn push_extra(extra: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    if let Some(v) = clean(value) {
        extra.push((key.into(), v));
    }
}

/// CSV column names and their aliases, compared by [`columns::key`].
pub mod columns {
    /// Lower case with spaces, `_`, `-`, `#` and `.` removed: "Gross Amount" → "grossamount".
    pub fn key(header: &str) -> String {
        header
            .trim()
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '#' | '.' | '\t'))
            .flat_map(char::to_lowercase)
            .collect()
    }

    pub const ID: &[&str] = &[
        "id",
        "transactionid",
        "donationid",
        "receiptid",
        "contributionid",
        "lineitemid",
    ];
    pub const TYPE: &[&str] = &["type", "transactiontype", "status"];
    pub const DATE: &[&str] = &[
        "date",
        "donationdate",
        "transactiondate",
        "createdat",
        "created",
        "datereceived",
        "receiveddate",
    ];
    pub const NAME: &[&str] = &["name", "donorname", "fullname", "contributorname"];
    pub const PREFIX: &[&str] = &["prefix", "title", "donorprefix"];
    pub const FIRST: &[&str] = &["firstname", "first", "donorfirstname"];
    pub const MIDDLE: &[&str] = &["middlename", "middle", "middleinitial", "donormiddlename"];
    pub const LAST: &[&str] = &["lastname", "last", "donorlastname", "surname"];
    pub const SUFFIX: &[&str] = &["suffix", "donorsuffix"];
    pub const EMAIL: &[&str] = &["email", "emailaddress", "donoremail"];
    pub const PHONE: &[&str] = &["phone", "phonenumber", "donorphone", "mobile"];
    pub const ADDRESS1: &[&str] = &[
        "address1",
        "address",
        "addressline1",
        "street",
        "streetaddress",
        "donoraddress1",
        "donoraddr1",
        "addr1",
    ];
    pub const ADDRESS2: &[&str] = &[
        "address2",
        "addressline2",
        "apt",
        "suite",
        "unit",
        "donoraddress2",
        "donoraddr2",
        "addr2",
    ];
    pub const CITY: &[&str] = &["city", "donorcity"];
    pub const STATE: &[&str] = &["state", "region", "donorstate", "st"];
    pub const ZIP: &[&str] = &["zip", "zipcode", "postalcode", "donorzip", "postcode"];
    pub const COUNTRY: &[&str] = &["country", "donorcountry"];
    pub const EMPLOYER: &[&str] = &["employer", "donoremployer", "employername"];
    pub const OCCUPATION: &[&str] = &["occupation", "donoroccupation"];
    pub const AMOUNT: &[&str] = &["amount", "donationamount", "grossamount", "gross", "total"];
    pub const GROSS: &[&str] = &["gross", "grossamount", "amount"];
    pub const FEE: &[&str] = &["fee", "fees", "processingfee", "feeamount", "winredfee"];
    pub const NET: &[&str] = &["net", "netamount"];
    pub const BALANCE: &[&str] = &["balance", "runningbalance"];
    pub const RECURRING: &[&str] = &[
        "recurring",
        "isrecurring",
        "recurringdonation",
        "recurrence",
    ];
    pub const INTERVAL: &[&str] = &["recurringinterval", "interval", "frequency"];
    pub const INSTALLMENT: &[&str] = &["installment", "recurrencenumber", "installmentnumber"];
    pub const SUBSCRIPTION: &[&str] = &["subscriptionid", "recurringid"];
    pub const SOURCE: &[&str] = &["sourcecode", "source", "refcode", "pagesource"];
    pub const PAGE: &[&str] = &["page", "pagename", "donationpage", "pageslug"];
    pub const PAYOUT_ID: &[&str] = &["payoutid", "payout", "checknumber"];
    pub const PAYOUT_DATE: &[&str] = &["payoutdate", "paidat", "paiddate", "depositdate"];
    pub const REVERSES: &[&str] = &[
        "originalid",
        "originaltransactionid",
        "refunddonationid",
        "reverses",
        "originaldonationid",
    ];
    pub const DONOR_ID: &[&str] = &["donorid"];
    pub const AGENCY: &[&str] = &[
        "agency",
        "agencyname",
        "agencyfee",
        "agencyfeeamount",
        "agencycommission",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Level;

    fn federal() -> Config {
        Config {
            level: Level::Federal,
            committee_fec_id: Some("C00123456".into()),
            api_base: "http://x".into(),
        }
    }

    fn cents(m: &Option<Money>) -> Option<i64> {
        m.as_ref().map(|m| m.minor_units)
    }

    fn wire_donation(json: &str) -> wire::Donation {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_federal_donation_is_earmarked_and_normalized() {
        let w = wire_donation(
            r#"{"id":"dn_1","created_at":"2024-05-01T08:00:00-04:00","amount":"25.00","fee":"0.99","net":"24.01",
                "donor":{"id":"dr_1","first_name":"JOHN Q","last_name":"SMITH JR","employer":"not employed","occupation":"RETIRED",
                         "address":{"address1":" 1 Main St ","address2":"","city":"Arlington","state":"va","zip":"22201-1234","country":"USA"}},
                "recurring":{"subscription_id":"sub_1","interval":"monthly","installment":2},
                "page":{"id":"pg_1","slug":"smith","name":"Smith"},"source_code":null,"payout_id":"po_1"}"#,
        );
        let d = donation(&w, &federal()).unwrap();
        assert_eq!(d.received_at, "2024-05-01T12:00:00Z");
        assert_eq!(
            (d.amount.minor_units, d.amount.currency.as_str()),
            (2500, "USD")
        );
        assert_eq!((cents(&d.fee), cents(&d.net)), (Some(99), Some(2401)));
        assert_eq!(
            (d.donor.first_name.as_str(), d.donor.middle_name.as_deref()),
            ("JOHN", Some("Q"))
        );
        assert_eq!(
            (d.donor.last_name.as_str(), d.donor.suffix.as_deref()),
            ("SMITH", Some("Jr."))
        );
        assert_eq!(d.donor.employer.as_deref(), Some("Not Employed"));
        assert_eq!(d.donor.occupation.as_deref(), Some("Retired"));
        let a = d.donor.address.unwrap();
        assert_eq!(
            (
                a.line1.as_str(),
                a.line2,
                a.region.as_str(),
                a.country.as_str()
            ),
            ("1 Main St", None, "VA", "US")
        );
        let e = d.earmark.unwrap();
        assert_eq!(
            (e.conduit_fec_id.as_deref(), e.recipient_fec_id.as_deref()),
            (Some("C00694323"), Some("C00123456"))
        );
        let r = d.recurrence.unwrap();
        assert_eq!((r.interval, r.installment), (Interval::Monthly, Some(2)));
        assert_eq!(d.source.as_deref(), Some("smith"));
        assert_eq!(d.payout_id.as_deref(), Some("po_1"));
    }

    #[test]
    fn no_fee_is_assumed_and_state_is_not_earmarked() {
        let w = wire_donation(
            r#"{"id":"dn_2","created_at":"2024-05-01T00:00:00Z","amount":100,"donor":{"first_name":"A","last_name":"B"}}"#,
        );
        let state = Config {
            level: Level::State,
            committee_fec_id: None,
            api_base: "http://x".into(),
        };
        let d = donation(&w, &state).unwrap();
        assert_eq!(
            (cents(&d.fee), cents(&d.net), d.earmark.is_none()),
            (None, None, true)
        );
        assert_eq!(d.amount.minor_units, 10000);
    }

    #[test]
    fn reversals_reference_what_they_reverse() {
        let r: wire::Refund = serde_json::from_str(r#"{"id":"rf_1","donation_id":"dn_1","created_at":"2024-05-02T00:00:00Z","amount":"25.00"}"#).unwrap();
        let d = refund(&r, &federal()).unwrap();
        assert_eq!(
            (d.kind, d.reverses.as_deref(), d.amount.minor_units),
            (DonationKind::Refund, Some("dn_1"), -2500)
        );
        let c: wire::Dispute = serde_json::from_str(
            r#"{"id":"dp_1","kind":"chargeback","donation_id":"dn_1","reverses":"dn_1","created_at":"2024-05-03T00:00:00Z","amount":"25.00",
                "fee":{"id":"fe_1","amount":"15.00"},"payout_id":"po_2"}"#,
        )
        .unwrap();
        let (d, fee) = dispute(&c, &federal()).unwrap();
        assert_eq!(
            (d.kind, d.amount.minor_units),
            (DonationKind::Chargeback, -2500)
        );
        let fee = fee.unwrap();
        assert_eq!(
            (
                fee.id.as_str(),
                fee.amount.minor_units,
                fee.donation_id.as_deref(),
                fee.payout_id.as_deref()
            ),
            ("fe_1", 1500, Some("dp_1"), Some("po_2"))
        );
        let w: wire::Dispute = serde_json::from_str(
            r#"{"id":"dp_2","kind":"chargeback_reversal","donation_id":"dn_1","reverses":"dp_1","created_at":"2024-05-09T00:00:00Z","amount":"25.00"}"#,
        )
        .unwrap();
        let (d, fee) = dispute(&w, &federal()).unwrap();
        assert_eq!(
            (
                d.kind,
                d.reverses.as_deref(),
                d.amount.minor_units,
                fee.is_none()
            ),
            (DonationKind::ChargebackReversal, Some("dp_1"), 2500, true)
        );
    }

    #[test]
    fn payouts_split_donations_from_fees_and_must_balance() {
        let p: wire::Payout = serde_json::from_str(r#"{"id":"po_1","paid_at":"2024-05-08T00:00:00Z","gross":"10.00","fees":"15.39","net":"-5.39"}"#).unwrap();
        let t: Vec<wire::PayoutTransaction> = serde_json::from_str(
            r#"[{"type":"donation","id":"dn_1","amount":"10.00","fee":"0.39"},{"type":"chargeback_fee","id":"fe_1","amount":"0.00","fee":"15.00"}]"#,
        )
        .unwrap();
        let out = payout(&p, &t).unwrap();
        assert_eq!(
            (out.donation_ids, out.fee_ids),
            (vec!["dn_1".to_string()], vec!["fe_1".to_string()])
        );
        let bad: wire::Payout = serde_json::from_str(r#"{"id":"po_2","paid_at":"2024-05-08T00:00:00Z","gross":"10.00","fees":"1.00","net":"8.00"}"#).unwrap();
        assert!(matches!(payout(&bad, &[]), Err(Error::InvalidData(_))));
    }

    #[test]
    fn column_keys_ignore_case_and_spacing() {
        assert_eq!(columns::key("\u{feff} Gross Amount "), "grossamount");
        assert_eq!(columns::key("Payout_ID#"), "payoutid");
        assert_eq!(columns::key("E-mail"), "email");
    }
}
