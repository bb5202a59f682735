//! `donation-link`: a Stripe Payment Link (`https://buy.stripe.com/…`, or the account's custom
//! domain) prefilled for the donor with Stripe's documented URL parameters:
//! `prefilled_email` (the donor's email) and `client_reference_id` (the donor's Stripe
//! customer id, which Checkout keeps on the session for reconciliation; Stripe allows letters,
//! digits, `-` and `_`, up to 200 characters). Payment Links take no amount in the URL: the
//! amount is set on the link itself (or chosen by the donor).

use intake_plugin_sdk::{Error, Person, Result};

const PREFILLED: [&str; 2] = ["prefilled_email", "client_reference_id"];

fn reference_id(id: &str) -> Option<String> {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(200)
        .collect();
    (!id.is_empty()).then_some(id)
}

pub fn link(page_url: &str, donor: &Person) -> Result<String> {
    let page_url = page_url.trim();
    let host = page_url
        .strip_prefix("https://")
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(|h| h.is_empty() || h.contains(['@', ' '])) {
        return Err(Error::Config(format!(
            "`{page_url}` is not a Payment Link URL (https://buy.stripe.com/…)"
        )));
    }
    let (rest, fragment) = match page_url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (page_url, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut params = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !PREFILLED.contains(&k.as_ref()) {
            params.append_pair(&k, &v);
        }
    }
    if let Some(email) = donor
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| e.contains('@'))
    {
        params.append_pair("prefilled_email", email);
    }
    if let Some(id) = donor.processor_donor_id.as_deref().and_then(reference_id) {
        params.append_pair("client_reference_id", &id);
    }
    let query = params.finish();
    let mut url = base.to_string();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: Option<&str>, id: Option<&str>) -> Person {
        Person {
            prefix: None,
            first_name: "Mary".into(),
            middle_name: None,
            last_name: "Smith".into(),
            suffix: None,
            email: email.map(str::to_string),
            phone: None,
            address: None,
            employer: None,
            occupation: None,
            processor_donor_id: id.map(str::to_string),
        }
    }

    #[test]
    fn prefills_email_and_reference() {
        let url = link(
            "https://buy.stripe.com/test_6oE5mB",
            &person(Some("mary+1@example.com"), Some("cus_123")),
        )
        .unwrap();
        assert_eq!(
            url,
            "https://buy.stripe.com/test_6oE5mB?prefilled_email=mary%2B1%40example.com&client_reference_id=cus_123"
        );
    }

    #[test]
    fn keeps_other_parameters_and_replaces_stale_prefills() {
        let url = link(
            "https://donate.example.org/b/abc?locale=es&prefilled_email=old%40x.com#top",
            &person(Some("new@x.com"), None),
        )
        .unwrap();
        assert_eq!(
            url,
            "https://donate.example.org/b/abc?locale=es&prefilled_email=new%40x.com#top"
        );
        assert_eq!(
            link("https://buy.stripe.com/x", &person(None, Some("!!"))).unwrap(),
            "https://buy.stripe.com/x"
        );
    }

    #[test]
    fn refuses_what_is_not_an_https_link() {
        for bad in [
            "buy.stripe.com/x",
            "http://buy.stripe.com/x",
            "https://",
            "javascript:alert(1)",
            "https://user@evil.example/x",
        ] {
            assert!(
                matches!(link(bad, &person(None, None)), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }
}
