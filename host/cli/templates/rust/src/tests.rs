//! Unit tests of the plugin's logic, run natively (`cargo test`): the SDK answers HTTP with
//! the mock each test installs and fills `{{secret:KEY}}` with the test's values.

use intake_plugin_sdk::testing::{Match, MockHttp, Reply};
use intake_plugin_sdk::{Error, Plugin, Settings, Window};

use crate::{{Type}};

const DONATIONS: &str = "https://api.example.com/v1/donations";

fn june() -> Window {
    Window {
        since: "2024-06-01T00:00:00Z".into(),
        until: Some("2024-07-01T00:00:00Z".into()),
    }
}

fn mock() -> MockHttp {
    MockHttp::install().secret("api_key", "sk_test_1")
}

#[test]
fn a_page_becomes_donations_and_a_cursor_that_resumes_after_it() {
    let http = mock();
    // Rules are tried in the order they were added: the more specific first.
    http.on(
        Match::get(DONATIONS).query("starting_after", "d_1"),
        Reply::json(200, r#"{"data": [], "has_more": false}"#),
    );
    http.on(
        Match::get(DONATIONS)
            .query("created_gte", "2024-06-01T00:00:00Z")
            .query("created_lt", "2024-07-01T00:00:00Z")
            .header("authorization", "Bearer sk_test_1"),
        Reply::json(
            200,
            r#"{"data": [{"id": "d_1", "created_at": "2024-06-03T14:00:00Z", "amount": "25.00",
                "currency": "usd", "donor": {"first_name": "Mary", "last_name": "Smith"}}],
                "has_more": true}"#,
        ),
    );
    let page = {{Type}}::fetch(&Settings::default(), &june(), None).unwrap();
    assert_eq!(page.donations.len(), 1);
    assert_eq!(page.donations[0].amount.minor_units, 2500);
    assert_eq!(page.donations[0].amount.currency, "USD");
    let cursor = page.next_cursor.unwrap();

    let page = {{Type}}::fetch(&Settings::default(), &june(), Some(&cursor)).unwrap();
    assert!(page.donations.is_empty());
    assert_eq!(page.next_cursor, None);
    assert_eq!(http.requests().len(), 2);
}

#[test]
fn a_429_is_rate_limited_with_its_wait() {
    let http = mock();
    http.on(Match::any(), Reply::status(429, "").with_header("Retry-After", "7"));
    let err = {{Type}}::fetch(&Settings::default(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(7))), "{err:?}");
}

#[test]
fn a_cursor_from_another_window_is_a_config_error() {
    let _http = mock();
    let err = {{Type}}::fetch(&Settings::default(), &june(), Some("v1|2020-01-01T00:00:00Z||d_1"))
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
