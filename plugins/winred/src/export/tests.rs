//! The CSV fixtures in `tests/e2e/fixtures/winred/`, read natively. Expectations are written
//! by hand from reading the CSV: assertions here, and `small-export.csv.expected.json` (which
//! the end-to-end tests also compare the built component's output with). Nothing is blessed
//! from the plugin's own output.

use intake_plugin_sdk::{
    Donation, DonationKind, FeeEntry, FileImport, Interval, Money, Payout, Person, Settings,
};
use serde_json::{Value, json};

use super::parse_export;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/e2e/fixtures/winred/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn federal() -> Settings {
    Settings::from([
        ("committee_level", "federal"),
        ("committee_fec_id", "C00123456"),
    ])
}

fn read(name: &str) -> FileImport {
    parse_export(&federal(), name, &fixture(name)).unwrap()
}

fn find<'a>(out: &'a FileImport, id: &str) -> &'a Donation {
    out.donations
        .iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("no donation {id}"))
}

fn cents(m: &Option<Money>) -> Option<i64> {
    m.as_ref().map(|m| m.minor_units)
}

fn name(p: &Person) -> (Option<&str>, &str, Option<&str>, &str, Option<&str>) {
    (
        p.prefix.as_deref(),
        p.first_name.as_str(),
        p.middle_name.as_deref(),
        p.last_name.as_str(),
        p.suffix.as_deref(),
    )
}

fn rejected(out: &FileImport) -> Vec<(u32, String)> {
    out.rejected
        .iter()
        .map(|r| (r.line, r.message.clone()))
        .collect()
}

#[test]
fn donations_export() {
    let out = read("donations-export.csv");
    let ids: Vec<&str> = out.donations.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "dn_1001", "dn_1002", "dn_1003", "rf_2001", "dp_3001", "dn_1008", "dn_1009"
        ]
    );

    let d = find(&out, "dn_1001");
    assert_eq!(
        (d.amount.minor_units, cents(&d.fee), cents(&d.net)),
        (123_456, Some(4_864), Some(118_592))
    );
    assert_eq!(d.received_at, "2024-05-01T13:45:00Z");
    assert_eq!(
        name(&d.donor),
        (None, "John", Some("Q."), "Smith", Some("Jr."))
    );
    assert_eq!(
        (d.donor.employer.as_deref(), d.donor.occupation.as_deref()),
        (Some("Not Employed"), Some("Retired"))
    );
    let a = d.donor.address.as_ref().unwrap();
    assert_eq!(
        (a.line2.as_deref(), a.postal_code.as_str()),
        (Some("Apt 4B"), "22201-1234")
    );
    assert_eq!(
        (d.source.as_deref(), d.payout_id.as_deref()),
        (Some("em0501"), Some("po_77"))
    );
    assert_eq!(
        d.extra,
        vec![("page_name".to_string(), "Smith for Congress".to_string())]
    );
    assert!(d.recurrence.is_none());
    let e = d.earmark.as_ref().unwrap();
    assert_eq!(
        (e.conduit_name.as_str(), e.recipient_fec_id.as_deref()),
        ("WinRed PAC", Some("C00123456"))
    );

    let d = find(&out, "dn_1002");
    assert_eq!(name(&d.donor), (None, "MARY", None, "O'NEIL", None));
    assert_eq!(
        (d.donor.employer.as_deref(), d.donor.occupation.as_deref()),
        (Some("Retired"), Some("Retired"))
    );
    let r = d.recurrence.as_ref().unwrap();
    assert_eq!((r.interval, r.installment), (Interval::Monthly, Some(3)));
    let a = d.donor.address.as_ref().unwrap();
    assert_eq!(
        (a.region.as_str(), a.country.as_str(), a.line2.as_deref()),
        ("TX", "US", None)
    );
    assert_eq!(d.source.as_deref(), Some("Smith Monthly"));

    let d = find(&out, "dn_1003");
    assert_eq!(
        (cents(&d.fee), cents(&d.net)),
        (None, None),
        "no fee column value: none assumed"
    );
    assert_eq!(
        d.donor.address.as_ref().unwrap().line1,
        "12 Calle Sol, Unit 5"
    );
    assert_eq!(
        (d.donor.first_name.as_str(), d.donor.employer.as_deref()),
        ("José", Some("Self-Employed"))
    );

    let d = find(&out, "rf_2001");
    assert_eq!(
        (d.kind, d.amount.minor_units, d.reverses.as_deref()),
        (DonationKind::Refund, -2_500, Some("dn_1002"))
    );
    let d = find(&out, "dp_3001");
    assert_eq!(
        (d.kind, d.amount.minor_units, d.reverses.as_deref()),
        (DonationKind::Chargeback, -5_000, Some("dn_1003"))
    );

    let d = find(&out, "dn_1008");
    assert_eq!(
        name(&d.donor),
        (Some("Dr."), "Jane", None, "Adams", Some("III"))
    );
    assert_eq!(
        d.donor.address.as_ref().unwrap().line2.as_deref(),
        Some("Apt 3 Building C"),
        "a line break in a quoted cell becomes a space"
    );
    assert_eq!(d.donor.employer.as_deref(), Some("Self-Employed"));
    assert_eq!(
        d.recurrence.as_ref().map(|r| r.interval),
        Some(Interval::Other),
        "recurring, interval not given"
    );
    assert_eq!(find(&out, "dn_1009").received_at, "2024-05-08T13:05:00Z");
    assert_eq!(
        find(&out, "dn_1009").donor.employer.as_deref(),
        Some("Not Employed")
    );

    let fees: Vec<(&str, i64)> = out
        .fees
        .iter()
        .map(|f| (f.id.as_str(), f.amount.minor_units))
        .collect();
    assert_eq!(fees, [("fe_3001", 1_500)]);
    assert!(out.payouts.is_empty());
    let rejects = rejected(&out);
    assert_eq!(
        rejects.iter().map(|r| r.0).collect::<Vec<_>>(),
        [8, 9, 10, 11, 12]
    );
    assert!(rejects[0].1.contains("amount `abc`"), "{rejects:?}");
    assert!(rejects[1].1.contains("date `13/45/2024`"), "{rejects:?}");
    assert!(
        rejects[2].1.contains("25 fields but the header has 24"),
        "{rejects:?}"
    );
    assert!(rejects[3].1.contains("no donor name"), "{rejects:?}");
    assert!(rejects[4].1.contains("no earlier row"), "{rejects:?}");
}

#[test]
fn accounting_ledger() {
    let out = read("ledger.csv");
    let kinds: Vec<(DonationKind, i64)> = out
        .donations
        .iter()
        .map(|d| (d.kind, d.amount.minor_units))
        .collect();
    use DonationKind::*;
    assert_eq!(
        kinds,
        [
            (Contribution, 10_000),
            (Contribution, 2_500),
            (Contribution, 5_000),
            (Refund, -2_500),
            (Chargeback, -5_000),
            (Contribution, 100_000),
            (Contribution, 100_000),
            (ChargebackReversal, 5_000),
            (Contribution, 2_000),
        ]
    );
    let d = &out.donations;
    assert_eq!(
        name(&d[0].donor),
        (None, "John", Some("Q."), "Public", Some("Jr."))
    );
    assert_eq!(
        name(&d[1].donor),
        (None, "Mary", Some("Ann"), "Smith", None)
    );
    assert_eq!(name(&d[2].donor), (None, "MARIA", None, "DE LA CRUZ", None));
    assert_eq!(
        name(&d[8].donor),
        (None, "ludwig", None, "van beethoven", None)
    );
    assert_eq!(d[3].reverses.as_deref(), Some(d[1].id.as_str()));
    assert_eq!(d[4].reverses.as_deref(), Some(d[2].id.as_str()));
    assert_eq!(d[7].reverses.as_deref(), Some(d[4].id.as_str()));
    assert_ne!(d[5].id, d[6].id, "identical rows get distinct ids");
    assert!(d[5].id.ends_with("-1") && d[6].id.ends_with("-2"));
    assert_eq!(
        (cents(&d[0].fee), cents(&d[0].net)),
        (Some(394), Some(9_606))
    );
    assert_eq!(
        d[8].payout_id, None,
        "after the last payout: not paid out yet"
    );

    assert_eq!(out.fees.len(), 1);
    let fee: &FeeEntry = &out.fees[0];
    assert_eq!(
        (fee.amount.minor_units, fee.charged_at.as_str()),
        (1_500, "2024-05-03T00:00:00Z")
    );

    assert_eq!(out.payouts.len(), 2);
    let p: &Payout = &out.payouts[0];
    assert_eq!(
        (p.gross.minor_units, p.fees.minor_units, p.net.minor_units),
        (10_000, 2_190, 7_810)
    );
    assert_eq!(
        p.donation_ids,
        d[..5].iter().map(|x| x.id.clone()).collect::<Vec<_>>()
    );
    assert_eq!(p.fee_ids, vec![fee.id.clone()]);
    assert_eq!(fee.payout_id.as_deref(), Some(p.id.as_str()));
    assert!(
        d[..5]
            .iter()
            .all(|x| x.payout_id.as_deref() == Some(p.id.as_str()))
    );
    let p = &out.payouts[1];
    assert_eq!(
        (
            p.gross.minor_units,
            p.fees.minor_units,
            p.net.minor_units,
            p.paid_at.as_str()
        ),
        (205_000, 7_880, 197_120, "2024-05-13T00:00:00Z")
    );
    assert_eq!(p.donation_ids.len(), 3);

    let rejects = rejected(&out);
    assert_eq!(
        rejects.iter().map(|r| r.0).collect::<Vec<_>>(),
        [13, 14, 15]
    );
    assert!(rejects[0].1.contains("date `yesterday`"), "{rejects:?}");
    assert!(
        rejects[1].1.contains("unknown type `Transfer`"),
        "{rejects:?}"
    );
    assert!(
        rejects[2]
            .1
            .contains("net $9.70 is not gross $10.00 minus fee $0.39"),
        "{rejects:?}"
    );
}

#[test]
fn payout_export() {
    let out = read("payout-export.csv");
    assert_eq!(out.donations.len(), 5);
    assert_eq!(out.fees.len(), 1);
    assert_eq!(out.payouts.len(), 2);
    let a = &out.payouts[0];
    assert_eq!(a.id, "po_A");
    assert_eq!(
        (a.gross.minor_units, a.fees.minor_units, a.net.minor_units),
        (52_500, 4_554, 47_946)
    );
    assert_eq!(a.paid_at, "2024-05-08T00:00:00Z");
    assert_eq!(a.donation_ids.len(), 4);
    assert_eq!(a.fee_ids, vec![out.fees[0].id.clone()]);
    // The check is the whole; the donations and the fee are its splits.
    let splits: i64 = a
        .donation_ids
        .iter()
        .map(|id| {
            let d = out.donations.iter().find(|d| &d.id == id).unwrap();
            d.amount.minor_units - cents(&d.fee).unwrap_or(0)
        })
        .sum::<i64>()
        - out.fees[0].amount.minor_units;
    assert_eq!(splits, a.net.minor_units);
    let refund = &out.donations[3];
    assert_eq!(
        (refund.kind, refund.reverses.as_deref()),
        (DonationKind::Refund, Some(out.donations[0].id.as_str()))
    );
    assert_eq!(
        name(&out.donations[1].donor),
        (None, "SIOBHÁN", None, "O'NEIL", None)
    );
    assert_eq!(
        out.donations[1].donor.address.as_ref().unwrap().postal_code,
        "83702-0001"
    );
    assert_eq!(
        out.donations[2].extra,
        vec![
            ("agencyname".to_string(), "Red Agency".to_string()),
            ("agencyfee".to_string(), "$25.00".to_string())
        ],
        "agency columns are kept; no page column, so no page_name"
    );
    assert!(out.donations.iter().all(|d| d.payout_id.is_some()));
    let b = &out.payouts[1];
    assert_eq!((b.id.as_str(), b.net.minor_units), ("po_B", 9_606));
    let rejects = rejected(&out);
    assert_eq!(rejects.iter().map(|r| r.0).collect::<Vec<_>>(), [8, 9]);
    assert!(
        rejects[0].1.contains("gross amount `$1.005`"),
        "{rejects:?}"
    );
    assert!(
        rejects[1].1.contains("no payout id or payout date"),
        "{rejects:?}"
    );
}

#[test]
fn not_an_export() {
    assert!(parse_export(&federal(), "x.csv", b"Foo,Bar\n1,2\n").is_err());
    assert!(parse_export(&federal(), "x.csv", b"").is_err());
    let state = Settings::from([("committee_level", "state")]);
    let out = parse_export(&state, "d.csv", b"Date,Amount,Name\n2024-01-02,5,Ann Lee\n").unwrap();
    assert!(out.donations[0].earmark.is_none());
    let out = parse_export(
        &state,
        "d.csv",
        b"Date,Amount,Name\n2024-01-02,5,Ann Lee\n\"oops,1\n",
    )
    .unwrap();
    assert_eq!(
        rejected(&out),
        vec![(
            3,
            "a quoted field is never closed: this row and the rest of the file are unreadable"
                .to_string()
        )]
    );
}

// --- the host's serde shape of a FileImport ---

/// "DonationKind::Contribution" → "Contribution", serde's name for the variant.
fn variant(debug: String) -> String {
    debug.rsplit("::").next().unwrap_or_default().to_string()
}

fn money(m: &Money) -> Value {
    json!({"minor_units": m.minor_units, "currency": m.currency})
}

fn opt_money(m: &Option<Money>) -> Value {
    m.as_ref().map(money).unwrap_or(Value::Null)
}

fn person(p: &Person) -> Value {
    json!({
        "prefix": p.prefix, "first_name": p.first_name, "middle_name": p.middle_name, "last_name": p.last_name,
        "suffix": p.suffix, "email": p.email, "phone": p.phone,
        "address": p.address.as_ref().map(|a| json!({
            "line1": a.line1, "line2": a.line2, "city": a.city, "region": a.region,
            "postal_code": a.postal_code, "country": a.country,
        })),
        "employer": p.employer, "occupation": p.occupation, "processor_donor_id": p.processor_donor_id,
    })
}

/// The host's serde shape of a `FileImport`, to compare with a hand-written JSON file.
fn host_json(out: &FileImport) -> Value {
    let donations: Vec<Value> = out
        .donations
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "kind": variant(format!("{:?}", d.kind)), "reverses": d.reverses, "amount": money(&d.amount),
                "fee": opt_money(&d.fee), "net": opt_money(&d.net), "received_at": d.received_at, "donor": person(&d.donor),
                "recurrence": d.recurrence.as_ref().map(|r| json!({
                    "interval": variant(format!("{:?}", r.interval)), "installment": r.installment, "subscription_id": r.subscription_id,
                })),
                "earmark": d.earmark.as_ref().map(|e| json!({
                    "conduit_name": e.conduit_name, "conduit_fec_id": e.conduit_fec_id,
                    "conduit_address": e.conduit_address.as_ref().map(|a| json!({
                        "line1": a.line1, "line2": a.line2, "city": a.city, "region": a.region,
                        "postal_code": a.postal_code, "country": a.country,
                    })),
                    "recipient_fec_id": e.recipient_fec_id,
                })),
                "source": d.source, "payout_id": d.payout_id, "livemode": d.livemode, "extra": d.extra,
            })
        })
        .collect();
    let fees: Vec<Value> = out
        .fees
        .iter()
        .map(|f| {
            json!({"id": f.id, "amount": money(&f.amount), "charged_at": f.charged_at, "donation_id": f.donation_id,
                   "payout_id": f.payout_id, "description": f.description})
        })
        .collect();
    let payouts: Vec<Value> = out
        .payouts
        .iter()
        .map(|p| {
            json!({"id": p.id, "paid_at": p.paid_at, "gross": money(&p.gross), "fees": money(&p.fees), "net": money(&p.net),
                   "donation_ids": p.donation_ids, "fee_ids": p.fee_ids, "livemode": p.livemode, "extra": p.extra})
        })
        .collect();
    let rejected: Vec<Value> = out
        .rejected
        .iter()
        .map(|r| json!({"line": r.line, "message": r.message}))
        .collect();
    json!({"donations": donations, "fees": fees, "payouts": payouts, "rejected": rejected})
}

#[test]
fn small_export_matches_hand_written_expectations() {
    let state = Settings::from([("committee_level", "state")]);
    let out = parse_export(&state, "small-export.csv", &fixture("small-export.csv")).unwrap();
    let expected: Value =
        serde_json::from_slice(&fixture("small-export.csv.expected.json")).unwrap();
    let actual = host_json(&out);
    for key in ["donations", "fees", "payouts", "rejected"] {
        assert_eq!(actual[key], expected[key], "{key}");
    }
}

#[test]
fn money_that_overflows_rejects_the_row() {
    let state = Settings::from([("committee_level", "state")]);
    let max = "\"$92,233,720,368,547,758.07\"";
    let ledger = format!(
        "Type,Date,Name,Gross,Fee,Net,Balance\n\
         Donation,2024-05-01,Ann Lee,{max},,,\n\
         Donation,2024-05-01,Bo Chu,{max},,,\n\
         Payout,2024-05-02,,,,-5.00,0\n"
    );
    let out = parse_export(&state, "ledger.csv", ledger.as_bytes()).unwrap();
    let rejects = rejected(&out);
    assert_eq!(
        rejects[0],
        (
            3,
            "the gross since the last payout overflows a 64-bit amount of minor units".to_string()
        )
    );
    assert_eq!(rejects[1].0, 4, "{rejects:?}");
    let payout = format!(
        "Payout ID,Date,Gross Amount,Fee,First Name,Last Name\n\
         po_1,2024-05-01,{max},,Ann,Lee\n\
         po_1,2024-05-01,{max},,Bo,Chu\n"
    );
    let out = parse_export(&state, "payout.csv", payout.as_bytes()).unwrap();
    assert_eq!(
        rejected(&out),
        vec![(
            3,
            "the payout's gross overflows a 64-bit amount of minor units".to_string()
        )]
    );
    assert_eq!(out.payouts[0].gross.minor_units, i64::MAX);
}
