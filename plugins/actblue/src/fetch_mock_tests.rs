//! `fetch` over the SDK's native HTTP mock: the CSV job flow (create, poll, download), Basic
//! credentials built from the placeholder, and ActBlue's refusals as contract errors.

use intake_plugin_sdk::testing::{Match, MockHttp, Reply};
use intake_plugin_sdk::{Error, Plugin, Settings, Window};

use crate::ActBlue;

const BASE: &str = "https://secure.actblue.com";
// base64("uuid-1:s3cret"), by hand: `printf uuid-1:s3cret | base64`.
const BASIC: &str = "Basic dXVpZC0xOnMzY3JldA==";

fn settings() -> Settings {
    Settings::from([("client_uuid", "uuid-1")])
}

fn mock() -> MockHttp {
    MockHttp::install().secret("client_secret", "s3cret")
}

fn june() -> Window {
    Window {
        since: "2024-06-01T00:00:00Z".into(),
        until: Some("2024-07-01T00:00:00Z".into()),
    }
}

/// The two CSV jobs of a window: paid line items with `paid_csv`, refunds with a header only.
fn serve_jobs(http: &MockHttp, paid_csv: &str) {
    let csvs = format!("{BASE}/api/v1/csvs");
    http.on(
        Match::post(&csvs)
            .header("authorization", BASIC)
            .body_contains(r#""csv_type":"paid_contributions""#),
        Reply::json(201, r#"{"id":"job-paid"}"#),
    );
    http.on(
        Match::post(&csvs).body_contains(r#""csv_type":"refunded_contributions""#),
        Reply::json(201, r#"{"id":"job-refunds"}"#),
    );
    http.on(
        Match::get(&format!("{csvs}/job-paid")).header("authorization", BASIC),
        Reply::json(
            200,
            r#"{"status":"complete","download_url":"https://dl.actblue.test/paid.csv"}"#,
        ),
    );
    http.on(
        Match::get(&format!("{csvs}/job-refunds")),
        Reply::json(
            200,
            r#"{"status":"complete","download_url":"https://dl.actblue.test/refunds.csv"}"#,
        ),
    );
    http.on(
        Match::get("https://dl.actblue.test/paid.csv"),
        Reply::status(200, paid_csv.to_string()),
    );
    http.on(
        Match::get("https://dl.actblue.test/refunds.csv"),
        Reply::status(200, "Lineitem ID,Receipt ID,Date,Amount,Refund Date\n"),
    );
}

#[test]
fn a_paid_csv_is_read_by_header_and_the_download_link_gets_no_credentials() {
    let http = mock();
    // Columns in an unusual order, one unknown column: read by name.
    serve_jobs(
        &http,
        "Amount,Lineitem ID,Something New,Date,Receipt ID,Fee,Donor First Name,Donor Last Name\n\
         27.00,li-1,x,2024-06-10 08:00:00,AB1,1.07,Mary,Smith\n\
         5.5,li-2,,2024-06-11 23:30:00,AB2,,Zoë,O'Brien\n",
    );
    let page = ActBlue::fetch(&settings(), &june(), None).unwrap();
    assert_eq!(page.next_cursor, None);
    let got: Vec<_> = page
        .donations
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.amount.minor_units,
                d.received_at.as_str(),
                d.donor.last_name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // 08:00 in New York in June is 12:00 UTC (EDT, UTC-4).
            ("li-1", 2700, "2024-06-10T12:00:00Z", "Smith"),
            ("li-2", 550, "2024-06-12T03:30:00Z", "O'Brien"),
        ]
    );
    assert_eq!(
        page.donations[0].fee.as_ref().map(|f| f.minor_units),
        Some(107)
    );
    let requests = http.requests();
    // create, poll, download for paid; the same for refunds.
    assert_eq!(requests.len(), 6, "{requests:#?}");
    let body = String::from_utf8(requests[0].body.clone().unwrap()).unwrap();
    // The window in New York dates: June 1 00:00 UTC is still May 31 there.
    assert!(
        body.contains(r#""date_range_start":"2024-05-31""#),
        "{body}"
    );
    assert!(body.contains(r#""date_range_end":"2024-07-01""#), "{body}");
    assert_eq!(requests[2].url, "https://dl.actblue.test/paid.csv");
    assert_eq!(requests[2].header("authorization"), None);
}

#[test]
fn a_429_is_rate_limited_with_its_wait() {
    let http = mock();
    http.on(
        Match::any(),
        Reply::json(429, r#"{"error":"slow down"}"#).with_header("Retry-After", "12"),
    );
    let err = ActBlue::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(12))), "{err:?}");
    assert_eq!(http.requests().len(), 1);
}

#[test]
fn a_503_keeps_its_retry_after_and_a_401_is_an_auth_error() {
    let http = mock();
    http.on_each(
        Match::any(),
        vec![
            Reply::status(503, "busy").with_header("Retry-After", "45"),
            Reply::status(503, "busy"),
            Reply::json(401, r#"{"error":"bad credentials"}"#),
        ],
    );
    let err = ActBlue::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(45))), "{err:?}");
    let err = ActBlue::fetch(&settings(), &june(), None).unwrap_err();
    assert!(
        matches!(&err, Error::Transient(m) if m == "HTTP 503: busy"),
        "{err:?}"
    );
    let err = ActBlue::fetch(&settings(), &june(), None).unwrap_err();
    assert!(
        matches!(&err, Error::Auth(m) if m.starts_with("HTTP 401")),
        "{err:?}"
    );
}

#[test]
fn a_row_without_its_amount_is_invalid_data_naming_the_line() {
    let http = mock();
    serve_jobs(
        &http,
        "Lineitem ID,Date,Amount\nli-1,2024-06-10 08:00:00,\n",
    );
    let err = ActBlue::fetch(&settings(), &june(), None).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidData(m) if m == "line 2 of the ActBlue CSV has no `Amount`"),
        "{err:?}"
    );
}

#[test]
fn webhook_credentials_are_checked_against_the_chosen_password() {
    let _http = MockHttp::install().secret("webhook_password", "hook-pw");
    let settings = Settings::from([("client_uuid", "uuid-1"), ("webhook_user", "intake")]);
    let body =
        br#"{"lineitems":[{"lineitemId":1,"amount":"5.00","paidAt":"2024-05-01T00:00:00Z"}]}"#;
    // base64("intake:hook-pw") and base64("intake:wrong"), by hand.
    let good = vec![(
        "Authorization".to_string(),
        "Basic aW50YWtlOmhvb2stcHc=".to_string(),
    )];
    let bad = vec![(
        "Authorization".to_string(),
        "Basic aW50YWtlOndyb25n".to_string(),
    )];
    let donations = ActBlue::parse_webhook(&settings, &good, body).unwrap();
    assert_eq!(donations.len(), 1);
    let err = ActBlue::parse_webhook(&settings, &bad, body).unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
}
