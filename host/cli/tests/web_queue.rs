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
            defaults: Arc::new(std::sync::RwLock::new(self.defaults.clone())),
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
                    && i.donation
                        .donor
                        .email
                        .as_deref()
                        .is_some_and(|e| !e.is_empty())
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

/// The path the browser is at once it gets to `expected`, or where it still is after 10 s:
/// a click on a submit button or a link returns before the page it leads to has loaded.
async fn arrived_at(c: &fantoccini::Client, expected: &str) -> String {
    let waited = Instant::now();
    loop {
        let path = c.current_url().await.unwrap().path().to_string();
        if path == expected || waited.elapsed() > Duration::from_secs(10) {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    c.find(Id("reviewer"))
        .await
        .unwrap()
        .send_keys("Ada Reviewer")
        .await
        .unwrap();
    c.find(Id("token"))
        .await
        .unwrap()
        .send_keys("not-the-token")
        .await
        .unwrap();
    c.find(Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let problem = c
        .find(Css("[role=alert]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        problem,
        "That token is not this service's API token. Check it and try again."
    );

    // The right one: the list.
    c.find(Id("reviewer"))
        .await
        .unwrap()
        .send_keys("Ada Reviewer")
        .await
        .unwrap();
    c.find(Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    c.find(Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(arrived_at(&c, "/queue").await, "/queue");
    let heading = c.find(Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Import queue");
    let rows = c.find_all(Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), fx.pending().len());
    let signed_in = c
        .find(Css("header nav"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        signed_in.contains("Signed in as Ada Reviewer"),
        "{signed_in}"
    );

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
    let opened = format!("/queue/{}", item.id);
    assert_eq!(arrived_at(&c, &opened).await, opened);
    let label = c
        .find(Css(&format!("label[for='contact-{known}']")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        label.starts_with(&format!("Contact {known}: {name}")),
        "{label}"
    );
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
    // The click navigates: read the status of the page it leads to, not of the one it left
    // (an element of the old page goes stale under us).
    let waited = Instant::now();
    let status = loop {
        let read = match c.find(Css("p.status")).await {
            Ok(element) => element.text().await.ok(),
            Err(_) => None,
        };
        match read {
            Some(text) if text.starts_with("Approved") => break text,
            other => {
                assert!(
                    waited.elapsed() < Duration::from_secs(10),
                    "no approval shown after 10 s: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert!(
        status.starts_with("Approved by Ada Reviewer at "),
        "{status}"
    );

    // The engine agrees: approved by the reviewer, a new contact, receipt and memo booked
    // with the integration's defaults.
    let after = fx.backend.queue_item(item.id).unwrap();
    assert_eq!(after.status, QueueStatus::Approved);
    assert_eq!(after.decided.as_ref().unwrap().by, "Ada Reviewer");
    let contact = after.contact.unwrap();
    assert_ne!(
        contact, known,
        "approved to a new contact, not the kept one"
    );
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
    assert_eq!(
        fx.backend.pending_count(None).unwrap(),
        rows.len() as u64 - 1
    );
    c.close().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Plain HTTP: sign-in, CSRF and the error pages.

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    Reply {
        status,
        location,
        cookies,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `name=value` part of a Set-Cookie for `name`.
fn cookie_pair(reply: &Reply, name: &str) -> String {
    reply
        .cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", reply.cookies))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The hidden CSRF field's value in a page.
fn csrf_field(body: &str) -> String {
    let start = body.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    body[start..start + 64].to_string()
}

/// Sign in through the form as `reviewer`; the session cookie and the page's CSRF token.
async fn sign_in(app: &axum::Router, reviewer: &str) -> (String, String) {
    let form = send(app, get("/signin", None)).await;
    let pre = cookie_pair(&form, "intake_signin");
    let csrf = csrf_field(&form.body);
    let done = send(
        app,
        post(
            "/signin",
            Some(&pre),
            &[("csrf", &csrf), ("reviewer", reviewer), ("token", TOKEN)],
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let session = cookie_pair(&done, "intake_session");
    let set = done
        .cookies
        .iter()
        .find(|c| c.starts_with("intake_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(
        !set.contains(TOKEN),
        "the token itself never sits in a cookie"
    );
    let list = send(app, get("/queue", Some(&session))).await;
    assert_eq!(list.status, StatusCode::OK);
    (session, csrf_field(&list.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_csrf_and_errors_over_plain_http() {
    let fx = fixture(4).await;
    let app = routes(fx.page());
    let pending = fx.pending();
    let item = &pending[0];
    let path = format!("/queue/{}", item.id);

    // No credentials: to the sign-in page; `/` leads to the queue.
    let r = send(&app, get("/queue", None)).await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/signin"))
    );
    let r = send(&app, get("/", None)).await;
    assert_eq!(r.location.as_deref(), Some("/queue"));
    let r = send(
        &app,
        post(&format!("{path}/approve"), None, &[("contact", "new")]),
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/signin"));

    // A wrong token in the form: the form again, with the message, and no session.
    let form = send(&app, get("/signin", None)).await;
    assert_eq!(form.status, StatusCode::OK);
    let pre = cookie_pair(&form, "intake_signin");
    let csrf = csrf_field(&form.body);
    let r = send(
        &app,
        post(
            "/signin",
            Some(&pre),
            &[("csrf", &csrf), ("reviewer", "Ada"), ("token", "nope")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body
            .contains("That token is not this service&#x27;s API token."),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"<form method="post" action="/signin""#));
    assert!(r.cookies.iter().all(|c| !c.starts_with("intake_session=")));
    // The sign-in form without its CSRF token is refused even with the right token.
    let r = send(
        &app,
        post(
            "/signin",
            Some(&pre),
            &[("reviewer", "Ada"), ("token", TOKEN)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookies.iter().all(|c| !c.starts_with("intake_session=")));

    // Bearer header: the right token reads the queue; a wrong one is 401.
    let bearer = |t: &str| {
        Request::get("/queue")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, bearer(TOKEN)).await.status, StatusCode::OK);
    let r = send(&app, bearer("wrong")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, "The bearer token is not this service's API token.");

    let (session, csrf) = sign_in(&app, "Ada Reviewer").await;

    // A POST without the CSRF token, or with another one, changes nothing.
    let refused = "This form did not come from this page or has expired; nothing was changed.";
    for form in [
        vec![("contact", "new")],
        vec![("contact", "new"), ("csrf", "0123")],
    ] {
        let r = send(
            &app,
            post(&format!("{path}/approve"), Some(&session), &form),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains(refused), "{}", r.body);
    }
    assert_eq!(
        fx.backend.queue_item(item.id).unwrap().status,
        QueueStatus::Pending
    );

    // Unknown items and contacts: sentences with the right status.
    let r = send(&app, get("/queue/999999", Some(&session))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("No queue item 999999."), "{}", r.body);
    let r = send(&app, get("/queue/abc", Some(&session))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("There is no such queue item."),
        "{}",
        r.body
    );
    let r = send(
        &app,
        post(
            &format!("{path}/approve"),
            Some(&session),
            &[("csrf", &csrf), ("contact", "424242")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("No contact 424242."), "{}", r.body);
    let r = send(
        &app,
        post(
            &format!("{path}/approve"),
            Some(&session),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("Choose the contact this donation belongs to"),
        "{}",
        r.body
    );

    // Reject with a reason: recorded with the reviewer's name.
    let r = send(
        &app,
        post(
            &format!("{path}/reject"),
            Some(&session),
            &[("csrf", &csrf), ("reason", "test charge")],
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str()))
    );
    let decided = fx.backend.queue_item(item.id).unwrap();
    assert_eq!(decided.status, QueueStatus::Rejected);
    let d = decided.decided.unwrap();
    assert_eq!(
        (d.by.as_str(), d.reason.as_deref()),
        ("Ada Reviewer", Some("test charge"))
    );

    // Approving it now is refused: the decision stands, and the page says whose it was.
    let r = send(
        &app,
        post(
            &format!("{path}/approve"),
            Some(&session),
            &[("csrf", &csrf), ("contact", "new")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let expected = format!(
        "Queue item {} was already rejected by Ada Reviewer at {}; that decision stands.",
        item.id, d.at
    );
    assert!(r.body.contains(&expected), "{expected:?} not in {}", r.body);
    assert!(fx.backend.ledger(None).unwrap().is_empty());

    // Donor text is escaped, never markup: a kept contact named with tags shows as text.
    let mut odd = pending[1].donation.donor.clone();
    odd.first_name = "<b>Eve</b>".into();
    fx.backend.add_contact(&odd).unwrap();
    let r = send(
        &app,
        get(&format!("/queue/{}", pending[1].id), Some(&session)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("&lt;b&gt;Eve&lt;&#x2f;b&gt;"), "{}", r.body);
    assert!(!r.body.contains("<b>Eve"));

    // Signing out ends the session.
    let r = send(&app, post("/signout", Some(&session), &[("csrf", &csrf)])).await;
    assert_eq!(r.location.as_deref(), Some("/signin"));
    let r = send(&app, get("/queue", Some(&session))).await;
    assert_eq!(r.location.as_deref(), Some("/signin"));
}
