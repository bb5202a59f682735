//! A reviewer's morning with the real binary: sync WinRed from its emulator, list the import
//! queue with possible matches, approve, reject, and export the ledger.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use intake_emulators::winred::{Config, WinRedEmulator};

const FEC: &str = "C00123456";

fn write_config(dir: &Path, url: &str, token: &str) -> std::path::PathBuf {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).unwrap();
    let text = format!(
        r#"[store]
path = "intake.db"
[[integration]]
id = "winred-main"
plugin = "{plugin}"
start_date = "2000-01-01"
import = "review"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
category = "Individual contribution"
[integration.settings]
committee_level = "federal"
committee_fec_id = "{FEC}"
api_base = "{url}"
[integration.secrets]
api_token = {{ file = "{token}" }}
[integration.grants]
origins = ["{url}"]
secret_routes = {{ api_token = ["{url}"] }}
"#,
        plugin = intake_test_artifacts::WINRED,
        token = token_file.display(),
    );
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn intake(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .output()
        .expect("run intake")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_review_approve_and_export_the_books() {
    let emulator = WinRedEmulator::start(Config::new(11).federal(FEC, 150))
        .await
        .unwrap();
    let token = emulator.committee(0).token.clone();
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &url, &token);
    let run = |args: Vec<String>| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            intake(&config, &args)
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // The sync says how many wait for review.
    let synced = json_lines(&ok(&run(args(&["sync", "--json"])).await.unwrap()));
    // Every stored donation waits (fee entries and payouts, also counted as new, do not).
    let stored = synced[0]["queue"]["pending"]
        .as_u64()
        .unwrap_or_else(|| panic!("{synced:?}"));
    assert!(stored >= 150, "{synced:?}");
    assert!(synced[0]["new"].as_u64().unwrap() >= stored, "{synced:?}");

    let listed = json_lines(&ok(&run(args(&["queue", "list", "--json"])).await.unwrap()));
    assert_eq!(listed.len() as u64, stored);
    assert!(listed.iter().all(|l| l["item"]["status"] == "pending"));

    // Two contributions from one donor (a recurring gift gives several): approve the first
    // for a new contact; the second then shows that contact as a possible match, by email.
    let mut by_email: HashMap<String, Vec<&serde_json::Value>> = HashMap::new();
    for line in &listed {
        let donation = &line["item"]["donation"];
        if donation["kind"] == "Contribution"
            && let Some(email) = donation["donor"]["email"].as_str()
        {
            by_email.entry(email.to_lowercase()).or_default().push(line);
        }
    }
    let (email, pair) = by_email
        .iter()
        .find(|(_, items)| items.len() >= 2)
        .expect("a donor who gave twice");
    let first = pair[0]["item"]["id"].as_i64().unwrap().to_string();
    let second = pair[1]["item"]["id"].as_i64().unwrap().to_string();
    assert!(pair[0]["item"]["donation"]["earmark"]["conduit_fec_id"] == "C00694323");

    // Approving needs a choice of contact, and says so.
    let refused = run(args(&["queue", "approve", &first])).await.unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&format!(
            "choose who queue item {first} is from: --contact C (see `intake queue show {first}`) or --new-contact"
        )),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let approved: serde_json::Value = serde_json::from_str(&ok(&run(args(&[
        "queue",
        "approve",
        &first,
        "--new-contact",
        "--by",
        "maria",
        "--json",
    ]))
    .await
    .unwrap()))
    .unwrap();
    let contact = approved["contact"].as_i64().unwrap();
    let roles: Vec<&str> = approved["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["earmarked_receipt", "conduit_memo"]);

    let again = ok(&run(args(&["queue", "approve", &first, "--new-contact"]))
        .await
        .unwrap());
    assert_eq!(
        again.trim(),
        format!("queue item {first} was already approved (contact {contact}); nothing changed")
    );

    let shown = ok(&run(args(&["queue", "show", &second])).await.unwrap());
    assert!(shown.contains("possible matches:"), "{shown}");
    assert!(
        shown.contains(&format!("contact {contact} (score "))
            && shown.contains(&format!("same email ({email})")),
        "{shown}"
    );
    ok(&run(args(&[
        "queue",
        "approve",
        &second,
        "--contact",
        &contact.to_string(),
        "--by",
        "maria",
    ]))
    .await
    .unwrap());

    let third = listed
        .iter()
        .map(|l| l["item"]["id"].as_i64().unwrap().to_string())
        .find(|id| *id != first && *id != second)
        .unwrap();
    let rejected = ok(&run(args(&[
        "queue",
        "reject",
        &third,
        "--reason",
        "test gift",
        "--by",
        "li",
    ]))
    .await
    .unwrap());
    assert_eq!(rejected.trim(), format!("queue item {third} rejected"));
    let remaining = json_lines(&ok(&run(args(&["queue", "list", "--json"])).await.unwrap()));
    assert_eq!(remaining.len() as u64, stored - 3);

    // The ledger, read back by the csv crate: two receipts, each with its memo, WinRed's
    // record named on both memos, the integration's defaults on every entry.
    let csv_text = ok(
        &run(args(&["export", "--what", "entries", "--format", "csv"]))
            .await
            .unwrap(),
    );
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<HashMap<String, String>> = reader.deserialize().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4, "{csv_text}");
    for memo in rows.iter().filter(|r| r["role"] == "conduit_memo") {
        let receipt = rows
            .iter()
            .find(|r| r["entry_id"] == memo["memo_for"])
            .expect("the memo's receipt");
        assert_eq!(receipt["role"], "earmarked_receipt");
        assert_eq!(receipt["contact_id"], contact.to_string());
        assert_eq!(receipt["amount"], memo["amount"]);
        assert_eq!(memo["organization"], "WinRed PAC");
        assert_eq!(memo["contact_id"], "");
    }
    assert!(rows.iter().all(|r| r["bank_account"] == "Operating"
        && r["election_period"] == "P2026"
        && r["category"] == "Individual contribution"));
    let organizations: std::collections::HashSet<&String> = rows
        .iter()
        .filter(|r| r["role"] == "conduit_memo")
        .map(|r| &r["organization_id"])
        .collect();
    assert_eq!(organizations.len(), 1, "one conduit record, reused");

    let contacts = ok(&run(args(&[
        "export", "--what", "contacts", "--format", "ndjson",
    ]))
    .await
    .unwrap());
    assert_eq!(json_lines(&contacts).len(), 1);
}
