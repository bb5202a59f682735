//! `intake export fec` with the real binary: WinRed donations synced from its emulator,
//! approved in the import queue, exported as a .fec file and read back by the Python
//! `fecfile` parser (an independent reader).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use intake_emulators::winred::{Config, WinRedEmulator};

const FEC: &str = "C00123456";

const COMMITTEE: &str = r#"
[committee]
fec_id = "C00123456"
name = "Jane Doe for Congress"
street_1 = "1 Main St"
city = "Arlington"
state = "VA"
zip = "22201"
treasurer = { last = "Doe", first = "John" }
"#;

fn write_config(dir: &Path, url: &str, token: &str, committee: bool) -> std::path::PathBuf {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).unwrap();
    let text = format!(
        r#"[store]
path = "intake.db"
{committee}
[[integration]]
id = "winred-main"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.defaults]
election_period = "P2026"
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
        committee = if committee { COMMITTEE } else { "" },
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

const READ_BACK: &str = r#"
import json, sys
try:
    import fecfile
except ImportError:
    sys.exit("the Python package fecfile is missing: python3 -m pip install fecfile==0.9.1")
with open(sys.argv[1], newline="") as f:
    parsed = fecfile.loads(f.read())
print(json.dumps({"version": parsed["header"]["fec_version"], "form": parsed["filing"]["form_type"],
                  "report": parsed["filing"]["report_code"]}))
for a in parsed["itemizations"].get("Schedule A", []):
    print(json.dumps({k: (v.strip() if isinstance(v, str) else v) for k, v in a.items()
                      if k != "contribution_date"} | {"cents": round(a["contribution_amount"] * 100)}))
"#;

fn read_back(path: &Path) -> Vec<serde_json::Value> {
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
    json_lines(&String::from_utf8(output.stdout).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_winred_earmarks_export_as_receipts_with_their_conduit_memos() {
    let emulator = WinRedEmulator::start(Config::new(23).federal(FEC, 40))
        .await
        .unwrap();
    let token = emulator.committee(0).token.clone();
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    let bare = write_config(dir.path(), &url, &token, false);
    let run = |config: std::path::PathBuf, args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            intake(&config, &args)
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    ok(&run(bare.clone(), args(&["sync"])).await.unwrap());

    // Approve every earmarked contribution, each for a new contact.
    let listed = json_lines(&ok(&run(bare.clone(), args(&["queue", "list", "--json"]))
        .await
        .unwrap()));
    let mut approved = 0;
    for line in &listed {
        let donation = &line["item"]["donation"];
        if donation["kind"] == "Contribution" && donation["earmark"].is_object() {
            let id = line["item"]["id"].as_i64().unwrap().to_string();
            ok(&run(
                bare.clone(),
                args(&["queue", "approve", &id, "--new-contact"]),
            )
            .await
            .unwrap());
            approved += 1;
        }
    }
    assert!(approved >= 20, "{approved} earmarked approvals");

    let out = dir.path().join("out.fec");
    let out_arg = out.display().to_string();
    let fec_args = args(&[
        "export",
        "fec",
        "--integration",
        "winred-main",
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
        "-o",
        &out_arg,
        "--report-code",
        "Q3",
    ]);

    // Without [committee], the export says what to add.
    let refused = run(bare.clone(), fec_args.clone()).await.unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("has no [committee]: add the committee the report is filed for")
            && said.contains("fec_id = \"C00123456\""),
        "{said}"
    );
    assert!(!out.exists());

    let config = write_config(dir.path(), &url, &token, true);
    let bad_date = run(
        config.clone(),
        args(&[
            "export",
            "fec",
            "--integration",
            "winred-main",
            "--from",
            "07/01/2026",
            "--to",
            "2026-09-30",
        ]),
    )
    .await
    .unwrap();
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad_date.stderr)
            .contains("--from `07/01/2026` is not a date: write YYYY-MM-DD"),
        "{}",
        String::from_utf8_lossy(&bad_date.stderr)
    );
    let unknown = run(
        config.clone(),
        args(&[
            "export",
            "fec",
            "--integration",
            "stripe-main",
            "--from",
            "2026-07-01",
            "--to",
            "2026-09-30",
        ]),
    )
    .await
    .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no integration `stripe-main`"));

    let done = run(config.clone(), fec_args).await.unwrap();
    ok(&done);
    assert!(
        String::from_utf8_lossy(&done.stderr).contains(&format!(
            "{approved} receipts ({approved} earmarked, each with its conduit memo)"
        )),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );

    // The ledger export (the older `intake export`) still works: the books to compare with.
    let entries = json_lines(&ok(&run(
        config.clone(),
        args(&["export", "--format", "ndjson", "--what", "entries"]),
    )
    .await
    .unwrap()));
    let receipts: HashMap<String, i64> = entries
        .iter()
        .filter(|e| e["role"] == "earmarked_receipt")
        .map(|e| {
            (
                format!("IK{}", e["entry_id"].as_i64().unwrap()),
                e["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(receipts.len(), approved);

    let lines = read_back(&out);
    assert_eq!(lines[0]["version"], "8.5");
    assert_eq!(lines[0]["form"], "F3N");
    assert_eq!(lines[0]["report"], "Q3");
    let rows = &lines[1..];
    assert_eq!(
        rows.len(),
        2 * approved,
        "one receipt and one memo per approval"
    );
    for pair in rows.chunks(2) {
        let (receipt, memo) = (&pair[0], &pair[1]);
        let id = receipt["transaction_id"].as_str().unwrap();
        assert_eq!(receipt["form_type"], "SA11AI");
        assert_eq!(receipt["entity_type"], "IND");
        assert_eq!(receipt["memo_code"], "");
        assert_eq!(receipt["cents"], receipts[id], "{id}");
        assert_eq!(receipt["election_code"], "P2026");
        assert!(
            receipt["contribution_purpose_descrip"]
                .as_str()
                .unwrap()
                .starts_with("Earmarked through WinRed"),
            "{receipt}"
        );
        assert_eq!(memo["transaction_id"], format!("{id}M"));
        assert_eq!(memo["back_reference_tran_id_number"], id);
        assert_eq!(memo["back_reference_sched_name"], "SA11AI");
        assert_eq!(memo["entity_type"], "COM");
        assert_eq!(memo["donor_committee_fec_id"], "C00694323");
        assert_eq!(memo["memo_code"], "X");
        assert_eq!(memo["cents"], receipts[id]);
    }
}
