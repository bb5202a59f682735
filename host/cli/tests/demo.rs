//! `intake demo`, README's main job, run as a user runs it: the built binary on a free port,
//! read until it says it is ready, then checked from outside through the JSON API with the
//! token it printed: each sync stored what the emulators hold (computed here from emulators
//! of the same seed and size, not from the demo's output), the webhook-only donations are
//! stored, the repeated one once; the queue page answers; the printed approve and export
//! commands (intake's and curl's) work when run; Ctrl-C stops it cleanly and quickly; a
//! second run in the same directory starts afresh; a directory holding an operator's config
//! or store is refused and left alone.
//!
//! The package's dev-dependency on itself turns the `demo` feature on for its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use intake_emulators::stripe::{self, Mode, StripeEmulator};
use intake_emulators::webhooks::client;
use intake_emulators::winred::{self, WinRedEmulator};
use serde_json::Value;

/// The demo's accounts, as README's main job describes them (host/cli/src/cli/demo/setup.rs).
const STRIPE_SEED: u64 = 11;
const STRIPE_CHARGES: usize = 300;
const WINRED_SEED: u64 = 11;
const WINRED_DONATIONS: usize = 300;
const FEC_ID: &str = "C00123456";

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")
}

/// What the emulators hold, from emulators of the same seeds and sizes, and the donations
/// the demo's webhooks carry (each emulator makes the same next one from the same seed).
struct Truth {
    /// The donations (refunds, chargebacks…) a full pass stores, by processor id.
    stripe_ids: BTreeSet<String>,
    winred_ids: BTreeSet<String>,
    /// What a first run stores: donations, fee entries and payouts.
    stripe_new: usize,
    winred_new: usize,
    /// The first settled charge: the one whose delivery repeats what the sync stored.
    repeated: String,
    /// The donations only a webhook brings.
    stripe_pushed: String,
    winred_pushed: String,
}

async fn truth() -> Truth {
    let stripe = StripeEmulator::start(stripe::Config::new(STRIPE_SEED, STRIPE_CHARGES))
        .await
        .unwrap();
    let winred =
        WinRedEmulator::start(winred::Config::new(WINRED_SEED).federal(FEC_ID, WINRED_DONATIONS))
            .await
            .unwrap();
    let data = stripe.ground_truth(Mode::Test);
    let stripe_rows = stripe::truth::rows(&data);
    // A chargeback's dispute fee is a fee entry of its own.
    let dispute_fees = stripe_rows
        .values()
        .filter(|r| r.kind == "chargeback")
        .count();
    let repeated = data
        .charges
        .iter()
        .find(|c| data.settled_at(c).is_some())
        .unwrap()
        .id
        .clone();
    let books = winred.ground_truth(0);
    let winred_rows = winred::truth::rows(&books);
    Truth {
        stripe_new: stripe_rows.len() + dispute_fees + data.payouts.len(),
        winred_new: winred_rows.len() + books.expected_fees().len() + books.payouts.len(),
        stripe_ids: stripe_rows.into_keys().collect(),
        winred_ids: winred_rows.into_iter().map(|r| r.id).collect(),
        repeated,
        stripe_pushed: stripe.add_charges(Mode::Test, 1).remove(0).id,
        winred_pushed: winred.add_donations(0, 1).remove(0).id,
    }
}

/// The running demo: its stdout up to the ready line, its stderr as it comes.
struct Demo {
    child: Child,
    stdout: Vec<String>,
    stderr: Arc<Mutex<String>>,
    url: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["demo", "--listen", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .env("INTAKE_CACHE_DIR", cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("intake demo starts");
    let stderr = Arc::new(Mutex::new(String::new()));
    {
        let pipe = child.stderr.take().unwrap();
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    let (tx, rx) = mpsc::channel();
    let pipe = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let ready = line
                    .strip_prefix("intake: demo ready on ")
                    .and_then(|rest| rest.strip_suffix(" (Ctrl-C stops it)"))
                    .map(str::to_string);
                stdout.push(line);
                if let Some(url) = ready {
                    return Demo {
                        child,
                        stdout,
                        stderr,
                        url,
                    };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "intake demo never said it was ready.\nstdout:\n{}\nstderr:\n{}",
                    stdout.join("\n"),
                    stderr.lock().unwrap()
                );
            }
        }
    }
}

impl Demo {
    fn printed(&self) -> String {
        self.stdout.join("\n")
    }

    /// The one printed line that starts with `prefix` (after its indent).
    fn line(&self, prefix: &str) -> &str {
        let found: Vec<&String> = self
            .stdout
            .iter()
            .filter(|l| l.trim_start().starts_with(prefix))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "lines starting {prefix:?}:\n{}",
            self.printed()
        );
        found[0].trim()
    }

    /// The printed commands (`  $ …`), without the prompt.
    fn commands(&self) -> Vec<String> {
        self.stdout
            .iter()
            .filter_map(|l| l.trim_start().strip_prefix("$ "))
            .map(str::to_string)
            .collect()
    }

    fn command(&self, containing: &str) -> String {
        let found: Vec<String> = self
            .commands()
            .into_iter()
            .filter(|c| c.contains(containing))
            .collect();
        assert_eq!(found.len(), 1, "commands with {containing:?}: {found:?}");
        found[0].clone()
    }
}

async fn get(url: &str, token: &str) -> (u16, String) {
    let response = client().get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get_json(url: &str, token: &str) -> Value {
    let (status, text) = get(url, token).await;
    assert_eq!(status, 200, "GET {url}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Each donation id the API exports for `integration`, with how often it is there.
async fn stored(demo: &Demo, token: &str, integration: &str) -> BTreeMap<String, usize> {
    let url = format!(
        "{}/api/export/donations?integration={integration}",
        demo.url
    );
    let (status, text) = get(&url, token).await;
    assert_eq!(status, 200, "{text}");
    let mut ids = BTreeMap::new();
    for line in text.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        *ids.entry(row["id"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    ids
}

/// Run a printed shell command line; its stdout, after checking it succeeded.
fn run_printed(line: &str) -> String {
    let output = Command::new("sh")
        .args(["-c", line])
        .env("INTAKE_CACHE_DIR", cache_dir())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`{line}` failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_syncs_takes_webhooks_prints_working_commands_and_stops_on_ctrl_c() {
    let truth = truth().await;
    let dir = tempfile::tempdir().unwrap();
    let mut demo = start(dir.path());
    let printed = demo.printed();

    // Where to sign in, from the printout; the token is in that file, not on the screen.
    let signin = demo.line("sign in with the API token in ");
    let token_file = PathBuf::from(signin.trim_start_matches("sign in with the API token in "));
    assert!(token_file.starts_with(dir.path().canonicalize().unwrap()));
    let token = std::fs::read_to_string(&token_file).unwrap();
    assert!(token.len() >= 32, "a real token: {token:?}");
    assert!(!printed.contains(&token), "the token was printed");
    assert_eq!(
        demo.line("The import queue page: "),
        format!("The import queue page: {}/queue", demo.url)
    );

    // The first runs: both ok, each having stored what its processor holds.
    for (integration, expected) in [
        ("stripe-main", truth.stripe_new),
        ("winred-main", truth.winred_new),
    ] {
        let runs = get_json(
            &format!("{}/api/runs?integration={integration}", demo.url),
            &token,
        )
        .await;
        let runs = runs.as_array().unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        let summary = &runs[0]["summary"];
        assert_eq!(summary["status"], "ok", "{summary}");
        assert_eq!(
            summary["counts"]["new"].as_u64(),
            Some(expected as u64),
            "{integration}: {summary}"
        );
        assert!(
            printed.contains(&format!("{integration:<12} ok: {expected} new, ")),
            "{printed}"
        );
    }

    // The webhooks: each new donation stored once beside the sync's, the repeated one once.
    let mut expected = truth.stripe_ids.clone();
    expected.insert(truth.stripe_pushed.clone());
    let stripe_ids = stored(&demo, &token, "stripe-main").await;
    assert_eq!(
        stripe_ids.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    assert!(
        stripe_ids.values().all(|n| *n == 1),
        "a donation stored twice"
    );
    assert_eq!(stripe_ids.get(&truth.repeated), Some(&1));
    let mut expected = truth.winred_ids.clone();
    expected.insert(truth.winred_pushed.clone());
    let winred_ids = stored(&demo, &token, "winred-main").await;
    assert_eq!(
        winred_ids.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    assert!(
        winred_ids.values().all(|n| *n == 1),
        "a donation stored twice"
    );
    let repeated = demo.line(&format!(
        "stripe-main  charge.succeeded {} (a charge the sync already stored)",
        truth.repeated
    ));
    assert!(
        repeated.contains("→ 200: already stored, so stored once"),
        "{repeated}"
    );
    let new = demo.line(&format!(
        "stripe-main  charge.succeeded {} (a new charge, after the sync)",
        truth.stripe_pushed
    ));
    assert!(new.ends_with("→ 200: stored (1 new)"), "{new}");
    let refused = demo.line(&format!(
        "stripe-main  charge.succeeded {} (signed with another secret)",
        truth.stripe_pushed
    ));
    assert!(
        refused.contains("→ 400: refused: the delivery's signature did not verify"),
        "{refused}"
    );
    assert!(
        demo.line(&format!(
            "winred-main  donation.created {}",
            truth.winred_pushed
        ))
        .ends_with("→ 200: stored (1 new)"),
        "{printed}"
    );

    // The queue page answers the token.
    let (status, page) = get(&format!("{}/queue", demo.url), &token).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Import queue</h1>"), "{page}");

    // The printed approve command works, and the API agrees.
    let approve = demo.command(" queue approve ");
    let words = shlex::split(&approve).unwrap();
    assert_eq!(words[0], env!("CARGO_BIN_EXE_intake"), "{approve}");
    let config = words[words.iter().position(|w| w == "--config").unwrap() + 1].clone();
    assert_eq!(Path::new(&config), token_file.with_file_name("intake.toml"));
    let item: i64 = words[3].parse().unwrap();
    let said = run_printed(&approve);
    let to = match words.iter().position(|w| w == "--contact") {
        Some(at) => format!("contact {}", words[at + 1]),
        None => {
            assert!(words.iter().any(|w| w == "--new-contact"), "{approve}");
            "new contact ".to_string()
        }
    };
    assert!(
        said.starts_with(&format!("queue item {item} approved for {to}")),
        "{said}"
    );
    let shown = get_json(&format!("{}/api/queue/{item}", demo.url), &token).await;
    assert_eq!(shown["item"]["status"], "approved", "{shown}");
    assert_eq!(shown["item"]["integration"], "winred-main", "{shown}");

    // The printed curl approve: another item, approved through the API.
    let curl_approve = demo.command("/approve");
    assert!(curl_approve.starts_with("curl "), "{curl_approve}");
    let answer: Value = serde_json::from_str(&run_printed(&curl_approve)).unwrap();
    let other = curl_approve
        .rsplit("/api/queue/")
        .next()
        .and_then(|rest| rest.strip_suffix("/approve"))
        .unwrap()
        .parse::<i64>()
        .unwrap();
    assert_ne!(other, item);
    assert_eq!(answer["item"], other, "{answer}");
    assert_eq!(answer["already"], false, "{answer}");
    let shown = get_json(&format!("{}/api/queue/{other}", demo.url), &token).await;
    assert_eq!(shown["item"]["status"], "approved", "{shown}");

    // The printed exports: the CSV holds the Stripe entries (imported straight in) and the
    // two approved WinRed donations; curl's NDJSON the same entries.
    let csv_text = run_printed(&demo.command(" export "));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let donation_col = headers.iter().position(|h| h == "donation_id").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let booked: Vec<&str> = rows.iter().map(|r| &r[donation_col]).collect();
    for id in [&truth.stripe_pushed, &truth.repeated] {
        assert!(booked.contains(&id.as_str()), "{id} not exported");
    }
    for queued in [item, other] {
        let shown = get_json(&format!("{}/api/queue/{queued}", demo.url), &token).await;
        let id = shown["item"]["donation"]["id"].as_str().unwrap();
        assert!(booked.contains(&id), "approved {id} not exported");
    }
    let ndjson = run_printed(&demo.command("/api/export/entries"));
    assert_eq!(
        ndjson.lines().count(),
        rows.len(),
        "curl and intake export agree"
    );

    // Ctrl-C: stopped cleanly, quickly, saying so.
    let pid = demo.child.id().to_string();
    let asked = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = loop {
        if let Some(status) = demo.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "still running 10 s after Ctrl-C: {}",
            demo.stderr.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let stopping = asked.elapsed();
    // Let the reader thread take the last lines.
    std::thread::sleep(Duration::from_millis(100));
    let stderr = demo.stderr.lock().unwrap().clone();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.ends_with("intake: stopped\n"), "{stderr}");
    assert!(stopping < Duration::from_secs(10), "{stopping:?}");
    eprintln!("intake demo stopped {stopping:?} after Ctrl-C");

    // Run again in the same directory: its own files are replaced, the store starts afresh.
    let again = start(dir.path());
    let token = std::fs::read_to_string(&token_file).unwrap();
    let runs = get_json(
        &format!("{}/api/runs?integration=stripe-main", again.url),
        &token,
    )
    .await;
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(
        runs[0]["summary"]["counts"]["new"].as_u64(),
        Some(truth.stripe_new as u64),
        "{runs}"
    );
}

#[test]
fn a_directory_holding_someone_elses_config_or_store_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("intake.toml");
    let theirs = "[store]\npath = \"intake.db\"\n";
    std::fs::write(&config, theirs).unwrap();
    std::fs::write(dir.path().join("intake.db"), "their data").unwrap();
    let demo = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(["demo", "--listen", "127.0.0.1:0", "--dir"])
            .arg(dir)
            .output()
            .unwrap()
    };
    let out = demo(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "intake: {} was not written by `intake demo`; give the demo a directory of its own \
             (--dir)\n",
            config.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), theirs);

    // A store with no config beside it: refused too.
    std::fs::remove_file(&config).unwrap();
    let out = demo(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "intake: {} holds a store (intake.db) the demo did not make; give the demo a \
             directory of its own (--dir)\n",
            dir.path().display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("intake.db")).unwrap(),
        "their data"
    );
    assert!(!config.exists());
}
