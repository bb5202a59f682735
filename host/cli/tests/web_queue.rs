//! The import queue's web page, served in-process over real WinRed donations: a reviewer in
//! a real headless Chromium signs in, opens an item beside its candidate contact and approves
//! it to a new contact, and the engine (not the page) confirms the books; plain HTTP requests
//! check sign-in, CSRF and the error pages.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use intake_cli::web::{QueuePage, routes};
use intake_emulators::winred::{Config as WinRedConfig, WinRedEmulator};
use intake_engine::config::{Config, ImportDefaults};
use intake_engine::queue::{EntryRole, QueueFilter, QueueItem, QueueStatus};
use intake_engine::store::Backend;
use tower::ServiceExt;

const FEC: &str = "C00123456";
const TOKEN: &str = "s3cret-api-token-for-tests";

/// A store holding one WinRed sync's donations, all pending review.
struct Fixture {
    _dir: tempfile::TempDir,
    _emulator: WinRedEmulator,
    backend: Arc<dyn Backend>,
    defaults: HashMap<String, ImportDefaults>,
}

async fn fixture(donations: usize) -> Fixture {
    let emulator = WinRedEmulator::start(WinRedConfig::new(7).federal(FEC, donations))
        .await
        .unwrap();
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &emulator.committee(0).token).unwrap();
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
    let path = dir.path().join("intake.toml");
    std::fs::write(&path, text).unwrap();
    sync(&path).await;
    let config = Config::load(&path).unwrap();
    let backend = intake_engine::store::open(&config).unwrap();
    let defaults = config
        .integrations
        .iter()
        .map(|i| (i.id.clone(), i.defaults.clone()))
        .collect();
    Fixture {
        _dir: dir,
        _emulator: emulator,
        backend,
        defaults,
    }
}

/// `intake sync`, the binary, as an operator runs it.
async fn sync(config: &Path) {
    let config = config.to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(["sync", "--config"])
            .arg(&config)
            .env("INTAKE_CACHE_DIR", common::cache_dir())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "intake sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Fixture {
    fn page(&self) -> QueuePage {
        QueuePage {
            backend: self.backend.clone(),
            api_token: Arc::from(TOKEN),
            defaults: Arc::new(self.defaults.clone()),
        }
    }

    fn pending(&self) -> Vec<QueueItem> {
        self.backend
            .queue_items(&QueueFilter {
                status: Some(QueueStatus::Pending),
                ..QueueFilter::default()
            })
            .unwrap()
    }

    /// A pending earmarked contribution whose donor has an email.
    fn earmarked_with_email(&self) -> QueueItem {
        self.pending()
            .into_iter()
            .find(|i| {
                i.donation.reverses.is_none()
                    && i.donation.earmark.is_some()
                    && i.donation.donor.email.as_deref().is_some_and(|e| !e.is_empty())
            })
            .expect("an earmarked WinRed contribution with an email")
    }
}

// ---------------------------------------------------------------------------------------
// The browser.

/// chromedriver, started for one test and stopped with it.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Driver {
    for tool in ["chromium", "chromedriver"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`{tool}` is not installed: this test drives a real headless Chromium. Install \
             Debian's packages: apt-get install -y chromium chromium-driver"
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "chromedriver did not listen on port {port} within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn browser(driver: &Driver) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    fantoccini::ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session from chromedriver")
}

async fn serve(page: QueuePage) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, routes(page)).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_in_chromium_approves_a_winred_donation_to_a_new_contact() {
    use fantoccini::Locator::{Css, Id};

    let fx = fixture(12).await;
    let item = fx.earmarked_with_email();
    let donor = item.donation.donor.clone();
    let email = donor.email.clone().unwrap();
    // A kept contact with the donor's email: the page must offer it, with the reason.
    let known = fx.backend.add_contact(&donor).unwrap();
    let base = serve(fx.page()).await;
    let driver = chromedriver();
    let c = browser(&driver).await;

    // No cookie: the queue sends the browser to the sign-in page.
    c.goto(&format!("{base}/queue")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/signin");

    // A wrong token: the form again, with the message.
    c.find(Id("reviewer")).await.unwrap().send_keys("Ada Reviewer").await.unwrap();
    c.find(Id("token")).await.unwrap().send_keys("not-the-token").await.unwrap();
    c.find(Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    let problem = c.find(Css("[role=alert]")).await.unwrap().text().await.unwrap();
    assert_eq!(
        problem,
        "That token is not this service's API token. Check it and try again."
    );

    // The right one: the list.
    c.find(Id("reviewer")).await.unwrap().send_keys("Ada Reviewer").await.unwrap();
    c.find(Id("token")).await.unwrap().send_keys(TOKEN).await.unwrap();
    c.find(Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/queue");
    let heading = c.find(Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Import queue");
    let rows = c.find_all(Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), fx.pending().len());
    let signed_in = c.find(Css("header nav")).await.unwrap().text().await.unwrap();
    assert!(signed_in.contains("Signed in as Ada Reviewer"), "{signed_in}");

    // The item's row shows its donor, amount, date, integration and conduit.
    let row = c
        .find(Css(&format!("tbody tr:has(a[href='/queue/{}'])", item.id)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let name = format!("{} {}", donor.first_name, donor.last_name);
    for expected in [
        name.as_str(),
        item.donation.received_at.get(..10).unwrap(),
        "winred-main",
        "WinRed",
    ] {
        assert!(row.contains(expected), "row lacks {expected:?}: {row}");
    }
    if let Some(path) = std::env::var_os("INTAKE_UPDATE_SCREENSHOT").filter(|v| v == "1") {
        let _ = path;
        let png = c.screenshot().await.unwrap();
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/queue.png");
        std::fs::write(docs, png).unwrap();
    }

    // Open it: the kept contact is offered with its score and the reason, as a sentence.
    c.find(Css(&format!("a[href='/queue/{}']", item.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/queue/{}", item.id)
    );
    let label = c
        .find(Css(&format!("label[for='contact-{known}']")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(label.starts_with(&format!("Contact {known}: {name}")), "{label}");
    let reasons = c
        .find(Id(&format!("why-{known}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sentence = format!("same email ({})", email.to_lowercase());
    assert!(reasons.contains(&sentence), "{sentence:?} not in {reasons}");

    // Approve to a new contact, by keyboard: focus the radio, space, then the button.
    let new = c.find(Id("contact-new")).await.unwrap();
    new.click().await.unwrap();
    c.find(Css("form[action$='/approve'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = c.find(Css("p.status")).await.unwrap().text().await.unwrap();
    assert!(status.starts_with("Approved by Ada Reviewer at "), "{status}");

    // The engine agrees: approved by the reviewer, a new contact, receipt and memo booked
    // with the integration's defaults.
    let after = fx.backend.queue_item(item.id).unwrap();
    assert_eq!(after.status, QueueStatus::Approved);
    assert_eq!(after.decided.as_ref().unwrap().by, "Ada Reviewer");
    let contact = after.contact.unwrap();
    assert_ne!(contact, known, "approved to a new contact, not the kept one");
    let entries: Vec<_> = fx
        .backend
        .ledger(Some("winred-main"))
        .unwrap()
        .into_iter()
        .filter(|e| e.donation_id == item.donation.id)
        .collect();
    let roles: Vec<_> = entries.iter().map(|e| e.role).collect();
    assert_eq!(roles, [EntryRole::EarmarkedReceipt, EntryRole::ConduitMemo]);
    assert_eq!(entries[0].contact, Some(contact));
    assert_eq!(entries[1].memo_for, Some(entries[0].id));
    assert_eq!(entries[0].bank_account.as_deref(), Some("Operating"));
    assert_eq!(entries[0].election_period.as_deref(), Some("P2026"));
    assert_eq!(fx.backend.pending_count(None).unwrap(), rows.len() as u64 - 1);
    c.close().await.unwrap();
}
