//! The ActBlue CSV API emulator, speaking the documented flow over real HTTP on loopback
//! (`shared/reference/actblue.md`): `POST /api/v1/csvs` makes a job, `GET /api/v1/csvs/{id}`
//! answers `in_progress` for the first polls and then a `download_url` on a **second
//! origin** (another port) that expires ten minutes of emulator time after it is handed out.
//! Every API request needs HTTP Basic with the client UUID and secret; the download needs
//! nothing but its link. Data: [`data::line_items`], with the messy cases real exports have
//! (split contributions, recurring, refunds, accents, ZIP+4, a quoted comma), and its
//! ground truth [`data::truth`], written by hand. The refunded CSV has its columns in
//! another order and an extra column no client knows.
//!
//! Assumed where ActBlue's docs are silent: a job's date range selects paid line items by
//! their `Date` and refunded ones by their `Refund Date`; paid_contributions leaves out
//! refunded line items ("paid, not refunded").

pub mod data;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::server::Running;
pub use data::{LineItem, Truth};

/// The credentials the emulator accepts.
pub const CLIENT_UUID: &str = "9f1c2d3e-0000-4abc-8def-0123456789ab";
pub const CLIENT_SECRET: &str = "ab_secret_0123456789abcdefghij";
/// How long a download link lives after it is handed out.
pub const LINK_LIFETIME: Duration = Duration::from_secs(600);
/// Polls that answer `in_progress` before a job is ready, unless set otherwise.
pub const POLLS_BEFORE_READY: u32 = 2;

struct Job {
    csv_type: String,
    start: String,
    end: String,
    polls_left: u32,
}

#[derive(Default)]
struct EmuState {
    jobs: Vec<Job>,
    /// Download token → (job index, expiry in emulator seconds).
    links: HashMap<String, (usize, u64)>,
    /// Emulator seconds: moved only by [`ActBlueEmulator::advance`].
    now: u64,
    api_requests: u64,
    downloads: u64,
    /// In-progress polls each new job answers.
    polls_before_ready: u32,
    download_origin: String,
}

type Shared = Arc<Mutex<EmuState>>;

/// A running emulator: the API and the download host; both stop when dropped.
pub struct ActBlueEmulator {
    api: Running,
    download: Running,
    shared: Shared,
}

impl ActBlueEmulator {
    pub async fn start() -> anyhow::Result<ActBlueEmulator> {
        let shared: Shared = Arc::default();
        lock(&shared).polls_before_ready = POLLS_BEFORE_READY;
        let download = Running::start(
            Router::new()
                .route("/exports/{token}", get(download))
                .with_state(shared.clone()),
        )
        .await?;
        lock(&shared).download_origin = download.url();
        let api = Running::start(
            Router::new()
                .route("/api/v1/csvs", post(create))
                .route("/api/v1/csvs/{id}", get(status))
                .with_state(shared.clone()),
        )
        .await?;
        Ok(ActBlueEmulator {
            api,
            download,
            shared,
        })
    }

    /// The API base (`api_base`), also the origin the client secret is routed to.
    pub fn url(&self) -> String {
        self.api.url()
    }

    /// The download links' origin: a plugin must be granted it.
    pub fn download_url(&self) -> String {
        self.download.url()
    }

    /// Move the emulator's clock: links handed out before expire after ten minutes of it.
    pub fn advance(&self, by: Duration) {
        lock(&self.shared).now += by.as_secs();
    }

    /// Requests the API answered (any status), and files downloaded.
    pub fn counts(&self) -> (u64, u64) {
        let s = lock(&self.shared);
        (s.api_requests, s.downloads)
    }

    /// How many polls each job created from now on answers `in_progress`.
    pub fn set_polls_before_ready(&self, polls: u32) {
        lock(&self.shared).polls_before_ready = polls;
    }

    /// Jobs created so far.
    pub fn jobs(&self) -> usize {
        lock(&self.shared).jobs.len()
    }
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, EmuState> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(token) = value.strip_prefix("Basic ") else {
        return false;
    };
    let expected = format!("{CLIENT_UUID}:{CLIENT_SECRET}");
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .is_ok_and(|d| d == expected.as_bytes())
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Basic realm=\"ActBlue\"")],
        axum::Json(json!({"error": "Unauthorized"})),
    )
        .into_response()
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

async fn create(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut s = lock(&shared);
    s.api_requests += 1;
    if !authorized(&headers) {
        return unauthorized();
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "body is not JSON").into_response();
    };
    let field = |k: &str| {
        request
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (csv_type, start, end) = (
        field("csv_type"),
        field("date_range_start"),
        field("date_range_end"),
    );
    let known = [
        "paid_contributions",
        "refunded_contributions",
        "managed_form_contributions",
    ];
    if !known.contains(&csv_type.as_str()) || !is_date(&start) || !is_date(&end) || start >= end {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"error": "csv_type, date_range_start and date_range_end (start before end) are required"})),
        )
            .into_response();
    }
    let polls_left = s.polls_before_ready;
    s.jobs.push(Job {
        csv_type,
        start,
        end,
        polls_left,
    });
    let id = format!("csv-{}", s.jobs.len());
    (StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response()
}

async fn status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut s = lock(&shared);
    s.api_requests += 1;
    if !authorized(&headers) {
        return unauthorized();
    }
    let index = id
        .strip_prefix("csv-")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .filter(|n| *n < s.jobs.len());
    let Some(index) = index else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not Found"})),
        )
            .into_response();
    };
    if s.jobs[index].polls_left > 0 {
        s.jobs[index].polls_left -= 1;
        return axum::Json(json!({"id": id, "status": "in_progress", "download_url": null}))
            .into_response();
    }
    // A fresh link on every poll once ready, each living ten minutes.
    let token = format!("{:016x}{index}", s.links.len() as u64 * 7919 + s.now);
    let expires = s.now + LINK_LIFETIME.as_secs();
    s.links.insert(token.clone(), (index, expires));
    let url = format!("{}/exports/{token}", s.download_origin);
    axum::Json(json!({"id": id, "status": "complete", "download_url": url})).into_response()
}

async fn download(State(shared): State<Shared>, Path(token): Path<String>) -> Response {
    let mut s = lock(&shared);
    let Some(&(index, expires)) = s.links.get(&token) else {
        return (StatusCode::FORBIDDEN, "AccessDenied").into_response();
    };
    if s.now >= expires {
        return (StatusCode::FORBIDDEN, "Request has expired").into_response();
    }
    s.downloads += 1;
    let job = &s.jobs[index];
    match render(job) {
        Ok(csv) => ([("content-type", "text/csv")], csv).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

const PAID_COLUMNS: &[&str] = &[
    "Receipt ID",
    "Date",
    "Amount",
    "Recurring Total Months",
    "Recurrence Number",
    "Recipient",
    "Fundraising Page",
    "Reference Code",
    "Donor First Name",
    "Donor Last Name",
    "Donor Addr1",
    "Donor Addr2",
    "Donor City",
    "Donor State",
    "Donor ZIP",
    "Donor Country",
    "Donor Occupation",
    "Donor Employer",
    "Donor Email",
    "Donor Phone",
    "Donor ID",
    "Lineitem ID",
    "Recipient Gov ID",
    "Fee",
    "Recur Weekly",
    "Refund ID",
    "Refund Date",
];

/// The refunded CSV: the same columns moved about, and one no client knows.
const REFUNDED_COLUMNS: &[&str] = &[
    "Lineitem ID",
    "Refund Date",
    "Refund ID",
    "Amount",
    "Date",
    "Receipt ID",
    "Donor Last Name",
    "Donor First Name",
    "Sparkle Score",
    "Donor Email",
    "Donor Addr1",
    "Donor Addr2",
    "Donor City",
    "Donor State",
    "Donor ZIP",
    "Donor Country",
    "Donor ID",
    "Recipient",
    "Recipient Gov ID",
    "Fee",
    "Recurrence Number",
    "Recurring Total Months",
    "Recur Weekly",
    "Fundraising Page",
    "Donor Employer",
    "Donor Occupation",
];

fn cell<'a>(item: &'a LineItem, column: &str) -> &'a str {
    match column {
        "Receipt ID" => item.receipt_id,
        "Date" => item.date,
        "Amount" => item.amount,
        "Recurring Total Months" => item.recurring_total_months,
        "Recurrence Number" => item.recurrence_number,
        "Recipient" => item.recipient,
        "Fundraising Page" => item.fundraising_page,
        "Donor First Name" => item.first,
        "Donor Last Name" => item.last,
        "Donor Addr1" => item.addr1,
        "Donor Addr2" => item.addr2,
        "Donor City" => item.city,
        "Donor State" => item.state,
        "Donor ZIP" => item.zip,
        "Donor Country" => item.country,
        "Donor Occupation" => item.occupation,
        "Donor Employer" => item.employer,
        "Donor Email" => item.email,
        "Donor ID" => item.donor_id,
        "Lineitem ID" => item.lineitem_id,
        "Recipient Gov ID" => item.recipient_gov_id,
        "Fee" => item.fee,
        "Recur Weekly" => item.recur_weekly,
        "Refund ID" => item.refund.map_or("", |r| r.0),
        "Refund Date" => item.refund.map_or("", |r| r.1),
        "Sparkle Score" => "11",
        _ => "",
    }
}

/// The job's file: the rows its type and date range select, in line-item order.
fn render(job: &Job) -> anyhow::Result<Vec<u8>> {
    let in_range = |t: &str| {
        let day = t.get(..10).unwrap_or("");
        day >= job.start.as_str() && day < job.end.as_str()
    };
    let refunded = job.csv_type == "refunded_contributions";
    let columns = if refunded {
        REFUNDED_COLUMNS
    } else {
        PAID_COLUMNS
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(columns)?;
    for item in data::line_items() {
        let selected = match item.refund {
            Some((_, refunded_at)) => refunded && in_range(refunded_at),
            None => !refunded && in_range(item.date),
        };
        if selected {
            out.write_record(columns.iter().map(|c| cell(&item, c)))?;
        }
    }
    Ok(out.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link works at once, and not once ten minutes of emulator time have passed; the API
    /// wants the right Basic credentials.
    #[tokio::test]
    async fn links_expire_and_the_api_wants_basic() {
        let e = ActBlueEmulator::start().await.unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let body = r#"{"csv_type":"paid_contributions","date_range_start":"2024-05-01","date_range_end":"2024-06-01"}"#;
        let denied = client
            .post(format!("{}/api/v1/csvs", e.url()))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), 401);
        let basic = |r: reqwest::RequestBuilder| r.basic_auth(CLIENT_UUID, Some(CLIENT_SECRET));
        let created = basic(client.post(format!("{}/api/v1/csvs", e.url())))
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let created: Value = serde_json::from_str(&created).unwrap();
        assert_eq!(created["id"], "csv-1");
        let poll = || async {
            basic(client.get(format!("{}/api/v1/csvs/csv-1", e.url())))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| serde_json::from_str::<Value>(&t).unwrap())
                .unwrap()
        };
        assert_eq!(poll().await["status"], "in_progress");
        assert_eq!(poll().await["status"], "in_progress");
        let ready = poll().await;
        let url = ready["download_url"].as_str().unwrap().to_string();
        assert!(url.starts_with(&e.download_url()), "{url}");
        let csv = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(csv.starts_with("Receipt ID,Date,Amount,"), "{csv}");
        assert!(csv.contains("\"Apt 4, Rear\""), "{csv}");
        e.advance(Duration::from_secs(599));
        assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
        e.advance(Duration::from_secs(1));
        let expired = client.get(&url).send().await.unwrap();
        assert_eq!(expired.status(), 403);
        assert_eq!(expired.text().await.unwrap(), "Request has expired");
    }
}
