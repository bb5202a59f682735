//! `fetch` over the SDK's native HTTP mock: the keyset walk over donations, refunds and
//! disputes, the token sent as a placeholder the host fills, and refusals as contract errors.

use intake_plugin_sdk::testing::{Match, MockHttp, Reply};
use intake_plugin_sdk::{Error, Plugin, Settings, Window};

use crate::WinRed;

const BASE: &str = "https://api.winred.com";

fn settings() -> Settings {
    Settings::from([
        ("committee_level", "federal"),
        ("committee_fec_id", "c00123456"),
    ])
}

fn mock() -> MockHttp {
    MockHttp::install().secret("api_token", "wr_tok")
}

fn june() -> Window {
    Window {
        since: "2024-06-01T00:00:00Z".into(),
        until: Some("2024-07-01T00:00:00Z".into()),
    }
}

const EMPTY: &str = r#"{"data":[],"has_more":false}"#;

#[test]
fn donations_are_walked_by_keyset_then_refunds_and_disputes() {
    let http = mock();
    let donations = format!("{BASE}/v1/donations");
    http.on(
        Match::get(&donations).query("starting_after", "dn_1"),
        Reply::json(
            200,
            r#"{"data":[{"id":"dn_2","created_at":"2024-06-02T10:00:00Z","amount":5,
                "donor":{"first_name":"Ann","last_name":"Lee"}}],"has_more":false}"#,
        ),
    );
    http.on(
        Match::get(&donations)
            .query("since", "2024-06-01T00:00:00Z")
            .query("until", "2024-07-01T00:00:00Z")
            .header("authorization", "Bearer wr_tok"),
        Reply::json(
            200,
            r#"{"data":[{"id":"dn_1","created_at":"2024-06-01T09:30:00Z","amount":"25.00",
                "fee":"1.25","donor":{"first_name":"Mary","last_name":"Smith"}}],"has_more":true}"#,
        ),
    );
    http.on(Match::any(), Reply::json(200, EMPTY));

    let page = WinRed::fetch(&settings(), &june(), None).unwrap();
    assert_eq!(page.next_cursor, None);
    let got: Vec<_> = page
        .donations
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.amount.minor_units,
                d.donor.last_name.as_str(),
            )
        })
        .collect();
    assert_eq!(got, [("dn_1", 2500, "Smith"), ("dn_2", 500, "Lee")]);
    // Federal: earmarked through WinRed PAC to the committee, its FEC id upper-cased.
    let earmark = page.donations[0].earmark.as_ref().unwrap();
    assert_eq!(earmark.conduit_fec_id.as_deref(), Some("C00694323"));
    assert_eq!(earmark.recipient_fec_id.as_deref(), Some("C00123456"));
    let paths: Vec<String> = http
        .requests()
        .iter()
        .map(|r| {
            r.url
                .split('?')
                .next()
                .unwrap_or_default()
                .replace(BASE, "")
        })
        .collect();
    assert_eq!(
        paths,
        [
            "/v1/donations",
            "/v1/donations",
            "/v1/refunds",
            "/v1/disputes"
        ]
    );
    assert!(
        http.requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer wr_tok"))
    );
}

#[test]
fn a_429_is_rate_limited_with_its_wait_and_a_503_keeps_its_retry_after() {
    let http = mock();
    http.on_each(
        Match::any(),
        vec![
            Reply::json(
                429,
                r#"{"error":{"type":"rate_limit","message":"slow down"}}"#,
            )
            .with_header("Retry-After", "3"),
            Reply::status(503, "maintenance").with_header("Retry-After", "120"),
            Reply::json(500, r#"{"error":{"type":"api_error","message":"boom"}}"#),
        ],
    );
    let err = WinRed::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(3))), "{err:?}");
    let err = WinRed::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(120))), "{err:?}");
    let err = WinRed::fetch(&settings(), &june(), None).unwrap_err();
    assert!(
        matches!(&err, Error::Transient(m) if m == "HTTP 500: api_error: boom"),
        "{err:?}"
    );
}

#[test]
fn a_malformed_page_is_invalid_data() {
    let http = mock();
    http.on(Match::any(), Reply::json(200, r#"{"data":[{"id":"dn_1"}]"#));
    let err = WinRed::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::InvalidData(_)), "{err:?}");
}
