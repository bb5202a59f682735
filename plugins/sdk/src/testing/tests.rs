use super::*;
use crate::Error;
use crate::http::Request;

#[test]
fn rules_match_in_order_replies_are_served_in_turn_and_requests_recorded() {
    let http = MockHttp::install();
    http.on(
        Match::get("https://api.acme.test/v1/items").query("page", "2"),
        Reply::json(200, "second"),
    );
    http.on_each(
        Match::get("https://api.acme.test/v1/items"),
        vec![Reply::status(200, "a"), Reply::status(200, "b")],
    );
    let get = |page: &str| {
        let mut r = Request::get("https://api.acme.test/v1/items");
        if !page.is_empty() {
            r = r.query("page", page);
        }
        String::from_utf8(r.send().unwrap().body).unwrap()
    };
    assert_eq!(get(""), "a");
    assert_eq!(get("2"), "second");
    assert_eq!(get(""), "b");
    // The last reply repeats.
    assert_eq!(get(""), "b");
    let requests = http.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[1].url, "https://api.acme.test/v1/items?page=2");
    assert_eq!(requests[1].query("page").as_deref(), Some("2"));
    assert_eq!(requests[0].method, "GET");
}

#[test]
fn an_unmatched_request_is_a_transient_error_naming_it() {
    let http = MockHttp::install();
    http.on(Match::post("https://a.test/x"), Reply::status(200, ""));
    let err = Request::get("https://a.test/x").send().unwrap_err();
    assert!(
        matches!(&err, Error::Transient(m) if m == "request failed: no mock rule matches GET https://a.test/x"),
        "{err:?}"
    );
    assert_eq!(http.requests().len(), 1);
}

#[test]
fn secrets_are_filled_from_test_values_and_a_missing_one_is_refused() {
    let http = MockHttp::install().secret("api_key", "sk_1");
    http.on(
        Match::get("https://a.test/me").header("Authorization", "Bearer sk_1"),
        Reply::status(200, "ok"),
    );
    let ok = Request::get("https://a.test/me")
        .bearer_secret("api_key")
        .send();
    assert_eq!(ok.unwrap().body, b"ok");
    assert_eq!(
        http.requests()[0].header("authorization"),
        Some("Bearer sk_1")
    );

    let err = Request::get("https://a.test/me")
        .bearer_secret("other")
        .send()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("secret `other` is not set")),
        "{err:?}"
    );
}

#[test]
fn hmac_is_checked_against_the_test_secret() {
    let _http = MockHttp::install().secret("whsec", "key");
    // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style
    // well-known vector (Wikipedia's HMAC article).
    let mac =
        hex::decode("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8").unwrap();
    let data = b"The quick brown fox jumps over the lazy dog";
    assert!(matches!(
        crate::secrets::verify_hmac_sha256("whsec", data, &[vec![0; 32], mac.clone()]),
        Ok(true)
    ));
    assert!(matches!(
        crate::secrets::verify_hmac_sha256("whsec", b"other", &[mac]),
        Ok(false)
    ));
    assert!(matches!(
        crate::secrets::verify_hmac_sha256("missing", data, &[]),
        Err(Error::Config(m)) if m.contains("secret `missing` is not set")
    ));
}

#[test]
fn without_a_mock_requests_fail_and_say_how_to_mock() {
    CURRENT.with(|c| *c.borrow_mut() = None);
    let err = Request::get("https://a.test/").send().unwrap_err();
    assert!(
        matches!(&err, Error::Transient(m) if m.contains("no HTTP mock installed for GET https://a.test/")),
        "{err:?}"
    );
    // Logging natively prints instead of aborting.
    crate::log::info("still alive");
}

#[test]
fn an_error_reply_is_the_hosts_http_error() {
    let http = MockHttp::install();
    http.on(Match::any(), Reply::Error(wire::HttpError::Timeout));
    assert!(matches!(
        Request::get("https://a.test/").send(),
        Err(Error::Transient(m)) if m == "request timed out"
    ));
}

#[test]
fn basic_placeholders_are_filled_and_basic_credentials_checked_with_the_test_secret() {
    let http = MockHttp::install().secret("client_secret", "s3cret");
    // base64("uuid-1:s3cret"), computed by hand with `printf uuid-1:s3cret | base64`.
    let expected = "Basic dXVpZC0xOnMzY3JldA==";
    http.on(
        Match::post("https://secure.actblue.test/api/v1/csvs").header("authorization", expected),
        Reply::json(201, "{}"),
    );
    let response = Request::post("https://secure.actblue.test/api/v1/csvs")
        .basic_secret("uuid-1", "client_secret")
        .send()
        .unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(http.requests()[0].header("Authorization"), Some(expected));

    assert!(crate::secrets::verify_basic("uuid-1", "client_secret", expected).unwrap());
    assert!(!crate::secrets::verify_basic("uuid-2", "client_secret", expected).unwrap());
    assert!(!crate::secrets::verify_basic("uuid-1", "client_secret", "Basic !!").unwrap());
    assert!(!crate::secrets::verify_basic("uuid-1", "client_secret", "Bearer x").unwrap());
    let err = crate::secrets::verify_basic("uuid-1", "other", expected).unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m == "secret `other` is not set (the test sets it with MockHttp::secret)"),
        "{err:?}"
    );
    let err = Request::get("https://a.test/")
        .header("Authorization", "Basic {{basic:nouser}}")
        .send()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("a Basic placeholder is `{{basic:USER:SECRET_KEY}}`")),
        "{err:?}"
    );
}
