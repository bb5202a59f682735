//! The .fec writer against lines written by hand from the FEC's layout (docs/fec.md,
//! ../shared/reference/fec.md), its errors, and two independent readers: `hardmoney`'s
//! validator and the Python `fecfile` parser reading back every line of a large export.

use std::collections::HashMap;
use std::process::Command;

use intake_engine::fec::{
    Committee, CommitteeForm, ConduitMemo, FecError, Receipt, Report, Treasurer, write_report,
};
use intake_host::types::{Organization, Person, PostalAddress};
use time::macros::date;

const FS: char = '\u{1c}';

fn committee() -> Committee {
    Committee {
        fec_id: "C00123456".into(),
        name: "Jane Doe for Congress".into(),
        form: CommitteeForm::F3,
        street_1: "1 Main St".into(),
        street_2: None,
        city: "Arlington".into(),
        state: "VA".into(),
        zip: "22201".into(),
        treasurer: Treasurer {
            last: "Doe".into(),
            first: "John".into(),
            middle: None,
            prefix: None,
            suffix: None,
        },
    }
}

fn report() -> Report {
    Report {
        from: date!(2026 - 07 - 01),
        through: date!(2026 - 09 - 30),
        report_code: "Q3".into(),
        software_name: "Intake".into(),
        software_version: "0.1.0".into(),
        date_signed: Some(date!(2026 - 10 - 10)),
    }
}

fn address(line1: &str, city: &str, state: &str, zip: &str) -> Option<PostalAddress> {
    Some(PostalAddress {
        line1: line1.into(),
        line2: None,
        city: city.into(),
        region: state.into(),
        postal_code: zip.into(),
        country: "US".into(),
    })
}

fn person(first: &str, last: &str, employer: Option<&str>, occupation: Option<&str>) -> Person {
    Person {
        prefix: None,
        first_name: first.into(),
        middle_name: None,
        last_name: last.into(),
        suffix: None,
        email: None,
        phone: None,
        address: address("12 Elm St", "Arlington", "VA", "22201-1234"),
        employer: employer.map(Into::into),
        occupation: occupation.map(Into::into),
        processor_donor_id: None,
    }
}

fn winred() -> Organization {
    Organization {
        name: "WinRed PAC".into(),
        fec_id: Some("C00694323".into()),
        address: address("PO Box 9891", "Arlington", "VA", "22219"),
    }
}

fn receipt(id: &str, who: Person, on: time::Date, cents: i64, aggregate: i64) -> Receipt {
    Receipt {
        transaction_id: id.into(),
        contributor: who,
        date: on,
        amount_cents: cents,
        aggregate_cents: aggregate,
        election_code: "P2026".into(),
        earmark: None,
    }
}

fn earmarked(mut r: Receipt) -> Receipt {
    r.earmark = Some(ConduitMemo {
        transaction_id: format!("{}M", r.transaction_id),
        conduit: winred(),
    });
    r
}

/// A row of `columns` fields, the given 1-based columns (the FEC's numbering) set.
fn row(columns: usize, set: &[(usize, &str)]) -> String {
    let mut fields = vec![""; columns];
    for (column, value) in set {
        fields[column - 1] = value;
    }
    fields.join(&FS.to_string())
}

fn write(receipts: &[Receipt]) -> Result<String, FecError> {
    let mut out = Vec::new();
    write_report(&mut out, &committee(), &report(), receipts)?;
    Ok(String::from_utf8(out).expect("ASCII"))
}

fn the_small_set() -> Vec<Receipt> {
    // Earmarked through WinRed, aggregate $50: itemized (an earmark always is), but no
    // employer or occupation since the aggregate is not over $200.
    let ada = person(
        "Ada",
        "Lovelace",
        Some("Analytical Engines"),
        Some("Mathematician"),
    );
    // Direct, aggregate $300: employer and occupation.
    let grace = person("Grace", "Hopper", Some("US Navy"), Some("Rear Admiral"));
    // Accents; no employer given though the aggregate is over $200.
    let mut jose = person("José", "Pérez Núñez", None, Some("Médico"));
    jose.middle_name = Some("Ángel".into());
    jose.address = address("Calle Niña 5", "San Germán", "PR", "00683");
    // Fields over their lengths.
    let mut long = person(
        "Hubert",
        "Wolfeschlegelsteinhausenbergerdorff",
        Some("International Business Machines Corporation of America"),
        Some("Engineer"),
    );
    long.address = address(
        "1234 Extraordinarily Long Avenue Northwest",
        "Arlington",
        "VA",
        "22201",
    );
    vec![
        earmarked(receipt("IK1", ada, date!(2026 - 07 - 04), 5_000, 5_000)),
        receipt("IK2", grace, date!(2026 - 08 - 01), 25_000, 30_000),
        earmarked(receipt("IK3", jose, date!(2026 - 08 - 15), 7_500, 27_500)),
        receipt("IK4", long, date!(2026 - 09 - 30), 100_000, 100_000),
    ]
}

#[test]
fn a_small_report_matches_the_hand_written_lines_field_by_field() {
    let text = write(&the_small_set()).unwrap();
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert!(lines.iter().all(|l| !l.contains('\n')), "CRLF only");
    let expected = [
        row(
            8,
            &[
                (1, "HDR"),
                (2, "FEC"),
                (3, "8.5"),
                (4, "Intake"),
                (5, "0.1.0"),
            ],
        ),
        row(
            93,
            &[
                (1, "F3N"),
                (2, "C00123456"),
                (3, "Jane Doe for Congress"),
                (5, "1 Main St"),
                (7, "Arlington"),
                (8, "VA"),
                (9, "22201"),
                (12, "Q3"),
                (16, "20260701"),
                (17, "20260930"),
                (18, "Doe"),
                (19, "John"),
                (23, "20261010"),
            ],
        ),
        // Ada: the earmarked receipt, then its conduit memo.
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK1"),
                (6, "IND"),
                (8, "Lovelace"),
                (9, "Ada"),
                (13, "12 Elm St"),
                (15, "Arlington"),
                (16, "VA"),
                (17, "222011234"),
                (18, "P2026"),
                (20, "20260704"),
                (21, "50.00"),
                (22, "50.00"),
                (23, "Earmarked through WinRed PAC"),
            ],
        ),
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK1M"),
                (4, "IK1"),
                (5, "SA11AI"),
                (6, "COM"),
                (7, "WinRed PAC"),
                (13, "PO Box 9891"),
                (15, "Arlington"),
                (16, "VA"),
                (17, "22219"),
                (18, "P2026"),
                (20, "20260704"),
                (21, "50.00"),
                (22, "50.00"),
                (23, "Total earmarked through conduit."),
                (26, "C00694323"),
                (43, "X"),
            ],
        ),
        // Grace: direct, over $200.
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK2"),
                (6, "IND"),
                (8, "Hopper"),
                (9, "Grace"),
                (13, "12 Elm St"),
                (15, "Arlington"),
                (16, "VA"),
                (17, "222011234"),
                (18, "P2026"),
                (20, "20260801"),
                (21, "250.00"),
                (22, "300.00"),
                (24, "US Navy"),
                (25, "Rear Admiral"),
            ],
        ),
        // José: transliterated; employer requested.
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK3"),
                (6, "IND"),
                (8, "Perez Nunez"),
                (9, "Jose"),
                (10, "Angel"),
                (13, "Calle Nina 5"),
                (15, "San German"),
                (16, "PR"),
                (17, "00683"),
                (18, "P2026"),
                (20, "20260815"),
                (21, "75.00"),
                (22, "275.00"),
                (23, "Earmarked through WinRed PAC"),
                (24, "INFORMATION REQUESTED"),
                (25, "Medico"),
            ],
        ),
        // The conduit's running total: $50 + $75.
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK3M"),
                (4, "IK3"),
                (5, "SA11AI"),
                (6, "COM"),
                (7, "WinRed PAC"),
                (13, "PO Box 9891"),
                (15, "Arlington"),
                (16, "VA"),
                (17, "22219"),
                (18, "P2026"),
                (20, "20260815"),
                (21, "75.00"),
                (22, "125.00"),
                (23, "Total earmarked through conduit."),
                (26, "C00694323"),
                (43, "X"),
            ],
        ),
        // Cut to 30 (last name), 34 (street) and 38 (employer).
        row(
            45,
            &[
                (1, "SA11AI"),
                (2, "C00123456"),
                (3, "IK4"),
                (6, "IND"),
                (8, "Wolfeschlegelsteinhausenberger"),
                (9, "Hubert"),
                (13, "1234 Extraordinarily Long Avenue N"),
                (15, "Arlington"),
                (16, "VA"),
                (17, "22201"),
                (18, "P2026"),
                (20, "20260930"),
                (21, "1000.00"),
                (22, "1000.00"),
                (24, "International Business Machines Corpor"),
                (25, "Engineer"),
            ],
        ),
    ];
    assert_eq!(lines.len(), expected.len(), "{text:?}");
    for (n, (got, want)) in lines.iter().zip(&expected).enumerate() {
        let got: Vec<&str> = got.split(FS).collect();
        let want: Vec<&str> = want.split(FS).collect();
        assert_eq!(got.len(), want.len(), "line {n}: column count");
        for (column, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "line {n}, column {}", column + 1);
        }
    }
}

#[test]
fn an_f3x_committee_gets_the_f3x_cover() {
    let mut pac = committee();
    pac.form = CommitteeForm::F3X;
    let mut out = Vec::new();
    write_report(&mut out, &pac, &report(), &[]).unwrap();
    let text = String::from_utf8(out).unwrap();
    let cover = text.split("\r\n").nth(1).unwrap();
    let expected = row(
        123,
        &[
            (1, "F3XN"),
            (2, "C00123456"),
            (3, "Jane Doe for Congress"),
            (5, "1 Main St"),
            (7, "Arlington"),
            (8, "VA"),
            (9, "22201"),
            (10, "Q3"),
            (14, "20260701"),
            (15, "20260930"),
            (17, "Doe"),
            (18, "John"),
            (22, "20261010"),
        ],
    );
    assert_eq!(cover, expected);
}

#[test]
fn bad_input_is_refused_with_the_receipt_named_and_nothing_written() {
    let ok = || the_small_set();
    let cases: Vec<(Committee, Vec<Receipt>, &str)> = vec![
        (
            Committee {
                fec_id: "C0012345".into(),
                ..committee()
            },
            ok(),
            "`C0012345` is not an FEC committee id: C followed by 8 digits",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].transaction_id = "IK1".into();
                v
            },
            "transaction id `IK1` is used twice in the report",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].transaction_id = "IK1M".into();
                v
            },
            "transaction id `IK1M` is used twice in the report",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].transaction_id = "ik-2".into();
                v
            },
            "receipt `ik-2`: transaction id `ik-2` must be 1-20 upper-case letters and digits",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].date = date!(2026 - 10 - 01);
                v
            },
            "receipt `IK2`: date 2026-10-01 is outside the report's coverage 2026-07-01 to 2026-09-30",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].aggregate_cents = i64::MAX;
                v
            },
            "receipt `IK2`: aggregate of 9223372036854775807 cents does not fit",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[1].amount_cents = -2_500;
                v
            },
            "receipt `IK2`: amount -2500 cents is not a receipt (refunds belong on Schedule B)",
        ),
        (
            committee(),
            {
                let mut v = ok();
                v[2].election_code = String::new();
                v
            },
            "receipt `IK3`: an election code such as P2026 or G2026 (got ``) is required",
        ),
    ];
    for (committee, receipts, message) in cases {
        let mut out = Vec::new();
        let error = write_report(&mut out, &committee, &report(), &receipts).unwrap_err();
        assert!(error.to_string().contains(message), "{error} / {message}");
        assert!(out.is_empty(), "nothing written for: {message}");
    }
}

#[test]
fn hardmoney_reads_and_accepts_the_small_report() {
    let text = write(&the_small_set()).unwrap();
    let filing = hardmoney::parser::Filing::parse(&text).expect("hardmoney parses it");
    let validation = filing.validate();
    let findings: Vec<String> = (&validation)
        .into_iter()
        .map(|f| format!("{f:?}"))
        .collect();
    assert!(validation.is_acceptable(), "{findings:#?}");
    // Only a warning is left: the F3's election state, which the config does not carry.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0].contains("ELECTION STATE"), "{findings:#?}");

    // Without a date signed, hardmoney says what the FEC would.
    let mut unsigned = Vec::new();
    let report = Report {
        date_signed: None,
        ..report()
    };
    write_report(&mut unsigned, &committee(), &report, &the_small_set()).unwrap();
    let filing = hardmoney::parser::Filing::parse(std::str::from_utf8(&unsigned).unwrap()).unwrap();
    let validation = filing.validate();
    assert!(!validation.is_acceptable());
    let errors: Vec<String> = (&validation)
        .into_iter()
        .map(|f| f.message.clone())
        .filter(|m| m.contains("Required"))
        .collect();
    assert_eq!(errors, ["DATE SIGNED is Required, but field is Empty"]);
}

/// Reads a .fec file with the Python `fecfile` parser and prints each Schedule A line as
/// JSON: the reader is independent of this crate.
const READ_BACK: &str = r#"
import json, sys
try:
    import fecfile
except ImportError:
    sys.exit("the Python package fecfile is missing: python3 -m pip install fecfile==0.9.1")
with open(sys.argv[1], newline="") as f:
    parsed = fecfile.loads(f.read())
print(json.dumps({"header": parsed["header"]["fec_version"], "form": parsed["filing"]["form_type"],
                  "committee": parsed["filing"]["filer_committee_id_number"]}))
for a in parsed["itemizations"].get("Schedule A", []):
    a = {k: (v.strip() if isinstance(v, str) else v) for k, v in a.items()}
    a["contribution_date"] = a["contribution_date"].strftime("%Y%m%d")
    a["contribution_amount"] = round(a["contribution_amount"] * 100)
    a["contribution_aggregate"] = round(a["contribution_aggregate"] * 100)
    print(json.dumps(a))
"#;

fn read_back(path: &std::path::Path) -> Vec<serde_json::Value> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(READ_BACK)
        .arg(path)
        .output()
        .expect("python3 runs (the fecfile read-back needs it)");
    assert!(
        output.status.success(),
        "fecfile could not read the export (install it: python3 -m pip install fecfile==0.9.1): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Names with accents and what they must read as; the rest are ASCII already.
const NAMES: [(&str, &str); 5] = [
    ("Pérez", "Perez"),
    ("Zoë", "Zoe"),
    ("Muñoz", "Munoz"),
    ("Smith", "Smith"),
    ("Ørsted", "Orsted"),
];

#[test]
fn fecfile_reads_back_every_line_of_a_large_export() {
    const N: usize = 3_000;
    let mut receipts = Vec::with_capacity(N);
    let mut aggregates: HashMap<usize, i64> = HashMap::new();
    for i in 0..N {
        let (last, _) = NAMES[i % NAMES.len()];
        let donor = i % 700;
        let cents = 100 + (i as i64 * 7919) % 50_000;
        let total = aggregates.entry(donor).or_insert(0);
        *total += cents;
        let who = person(
            &format!("Donor{donor}"),
            last,
            Some(&format!("Employer {donor}")),
            Some("Teacher"),
        );
        let day = time::Date::from_ordinal_date(2026, 182 + (i % 92) as u16).unwrap();
        let r = receipt(&format!("IK{}", i + 1), who, day, cents, *total);
        receipts.push(if i % 3 == 0 { earmarked(r) } else { r });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q3.fec");
    let mut file = std::fs::File::create(&path).unwrap();
    write_report(&mut file, &committee(), &report(), &receipts).unwrap();
    drop(file);

    let lines = read_back(&path);
    assert_eq!(lines[0]["header"], "8.5");
    assert_eq!(lines[0]["form"], "F3N");
    assert_eq!(lines[0]["committee"], "C00123456");
    let mut rows = lines[1..].iter();
    for (i, r) in receipts.iter().enumerate() {
        let line = rows.next().expect("a line per receipt");
        let (_, ascii) = NAMES[i % NAMES.len()];
        let itemized_over_200 = r.aggregate_cents > 20_000;
        assert_eq!(line["form_type"], "SA11AI");
        assert_eq!(line["transaction_id"], r.transaction_id.as_str());
        assert_eq!(line["back_reference_tran_id_number"], "");
        assert_eq!(line["entity_type"], "IND");
        assert_eq!(line["contributor_last_name"], ascii, "{}", r.transaction_id);
        assert_eq!(
            line["contributor_first_name"],
            r.contributor.first_name.as_str()
        );
        assert_eq!(line["contributor_zip_code"], "222011234");
        assert_eq!(line["election_code"], "P2026");
        assert_eq!(
            line["contribution_date"],
            format!(
                "{}{:02}{:02}",
                r.date.year(),
                r.date.month() as u8,
                r.date.day()
            )
        );
        assert_eq!(line["contribution_amount"], r.amount_cents);
        assert_eq!(line["contribution_aggregate"], r.aggregate_cents);
        let employer = r.contributor.employer.as_deref().unwrap();
        assert_eq!(
            line["contributor_employer"],
            if itemized_over_200 { employer } else { "" },
            "{}",
            r.transaction_id
        );
        assert_eq!(line["memo_code"], "");
        if r.earmark.is_some() {
            assert_eq!(
                line["contribution_purpose_descrip"],
                "Earmarked through WinRed PAC"
            );
            let memo = rows
                .next()
                .expect("the memo line after an earmarked receipt");
            assert_eq!(memo["transaction_id"], format!("{}M", r.transaction_id));
            assert_eq!(
                memo["back_reference_tran_id_number"],
                r.transaction_id.as_str()
            );
            assert_eq!(memo["back_reference_sched_name"], "SA11AI");
            assert_eq!(memo["entity_type"], "COM");
            assert_eq!(memo["contributor_organization_name"], "WinRed PAC");
            assert_eq!(memo["donor_committee_fec_id"], "C00694323");
            assert_eq!(memo["contribution_amount"], r.amount_cents);
            assert_eq!(memo["contribution_date"], line["contribution_date"]);
            assert_eq!(memo["memo_code"], "X");
        } else {
            assert_eq!(line["contribution_purpose_descrip"], "");
        }
    }
    assert!(
        rows.next().is_none(),
        "no lines beyond the receipts and memos"
    );
}
