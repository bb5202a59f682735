//! `donation-link`: a WinRed donation page with the donor's contact fields as prefill query
//! parameters (parameter names are Intake's model: API.md, "Donation page links").

use intake_plugin_sdk::{Error, Money, Person, Settings};
use url::Url;

pub const PAGE_HOST: &str = "secure.winred.com";

/// `donation_pages`: one `Name = URL` per line (blank lines and `#` comments skipped).
pub fn pages(settings: &Settings) -> Vec<(String, String)> {
    settings
        .get("donation_pages")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once('=')
                .map(|(n, u)| (n.trim().to_string(), u.trim().to_string()))
        })
        .collect()
}

/// The page: a configured page's name, or a full https URL on secure.winred.com.
fn resolve(settings: &Settings, page: &str) -> Result<Url, Error> {
    let page = page.trim();
    let configured = pages(settings);
    if let Some((_, url)) = configured
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(page))
    {
        return check_url(url);
    }
    check_url(page).map_err(|e| match e {
        Error::Config(m) if !page.contains("://") => Error::Config(format!(
            "`{page}` is neither a donation page in `donation_pages` ({}) nor a URL: {m}",
            configured
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        e => e,
    })
}

fn check_url(text: &str) -> Result<Url, Error> {
    // The url crate silently drops tabs and newlines: a URL holding them is refused instead.
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Config(format!("`{text}` is not a URL")));
    }
    let url = Url::parse(text).map_err(|e| Error::Config(format!("`{text}` is not a URL: {e}")))?;
    if url.scheme() != "https" {
        return Err(Error::Config(format!(
            "a WinRed donation page is an https:// URL, not `{text}`"
        )));
    }
    let host = url.host_str().unwrap_or("");
    if host != PAGE_HOST || url.port().is_some() || !url.username().is_empty() {
        return Err(Error::Config(format!(
            "a WinRed donation page is on {PAGE_HOST}, not `{host}`"
        )));
    }
    Ok(url)
}

pub fn donation_link(
    settings: &Settings,
    page: &str,
    donor: &Person,
    amount: Option<&Money>,
) -> Result<String, Error> {
    let mut url = resolve(settings, page)?;
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut add = |k: &'static str, v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            params.push((k, v.to_string()));
        }
    };
    add("first_name", Some(&donor.first_name));
    add("last_name", Some(&donor.last_name));
    add("email", donor.email.as_deref());
    add("phone", donor.phone.as_deref());
    if let Some(a) = &donor.address {
        add("address1", Some(&a.line1));
        add("address2", a.line2.as_deref());
        add("city", Some(&a.city));
        add("state", Some(&a.region));
        add("zip", Some(&a.postal_code));
    }
    add("employer", donor.employer.as_deref());
    add("occupation", donor.occupation.as_deref());
    if let Some(m) = amount {
        if m.currency != "USD" {
            return Err(Error::InvalidData(format!(
                "WinRed pages take US dollars, not {}",
                m.currency
            )));
        }
        if m.minor_units <= 0 {
            return Err(Error::InvalidData(
                "a prefilled amount must be positive".into(),
            ));
        }
        params.push((
            "amount",
            format!("{}.{:02}", m.minor_units / 100, m.minor_units % 100),
        ));
    }
    if !params.is_empty() {
        url.query_pairs_mut().extend_pairs(&params);
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_plugin_sdk::PostalAddress;

    fn donor() -> Person {
        Person {
            prefix: None,
            first_name: "José".into(),
            middle_name: Some("Q.".into()),
            last_name: "Núñez Jr".into(),
            suffix: None,
            email: Some("jose+gop@example.com".into()),
            phone: None,
            address: Some(PostalAddress {
                line1: "1 Main St".into(),
                line2: Some("Apt 4B".into()),
                city: "Arlington".into(),
                region: "VA".into(),
                postal_code: "22201-1234".into(),
                country: "US".into(),
            }),
            employer: Some("Self-Employed".into()),
            occupation: None,
            processor_donor_id: None,
        }
    }

    #[test]
    fn links_prefill_contact_fields() {
        let settings = Settings::from([(
            "donation_pages",
            "Main = https://secure.winred.com/smith?sc=crm\n# old\nGala=https://secure.winred.com/gala#top",
        )]);
        let url = donation_link(&settings, "main", &donor(), Some(&Money::usd(2550))).unwrap();
        assert_eq!(
            url,
            "https://secure.winred.com/smith?sc=crm&first_name=Jos%C3%A9&last_name=N%C3%BA%C3%B1ez+Jr&email=jose%2Bgop%40example.com\
             &address1=1+Main+St&address2=Apt+4B&city=Arlington&state=VA&zip=22201-1234&employer=Self-Employed&amount=25.50"
        );
        let gala = donation_link(&settings, "Gala", &donor(), None).unwrap();
        assert!(
            gala.starts_with("https://secure.winred.com/gala?first_name=Jos%C3%A9&")
                && gala.ends_with("#top"),
            "{gala}"
        );
        let direct = donation_link(
            &Settings::default(),
            "https://secure.winred.com/x",
            &donor(),
            None,
        )
        .unwrap();
        assert!(direct.starts_with("https://secure.winred.com/x?first_name="));
    }

    #[test]
    fn only_winred_pages() {
        let s = Settings::default();
        for bad in [
            "http://secure.winred.com/x",
            "https://evil.example/x",
            "https://secure.winred.com.evil.example/x",
            "https://secure.winred.com@evil.example/x",
            "https://user@secure.winred.com/x",
            "https://secure.winred.com:8443/x",
            "https://secure.winred.com/a\tb",
            "Main",
        ] {
            assert!(
                matches!(
                    donation_link(&s, bad, &donor(), None),
                    Err(Error::Config(_))
                ),
                "{bad}"
            );
        }
        assert!(
            donation_link(
                &s,
                "https://secure.winred.com/x",
                &donor(),
                Some(&Money {
                    minor_units: 100,
                    currency: "CAD".into()
                })
            )
            .is_err()
        );
    }
}
