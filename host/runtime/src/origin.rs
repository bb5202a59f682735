//! Origins (`scheme://host:port`): the unit of network permission.

use std::fmt;

/// A normalized origin: lower-case scheme and host, explicit port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

impl Origin {
    /// Parse "https://api.stripe.com", "https://api.stripe.com:443" or a full URL's origin.
    /// Only http and https; no user info.
    pub fn parse(text: &str) -> Result<Origin, String> {
        let url =
            url::Url::parse(text.trim()).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
        Origin::of(&url)
    }

    /// Parse an origin as a plugin declares it: `scheme://host[:port]` and nothing more. A
    /// path, query or fragment is refused, so what the operator reviews is the whole of it.
    pub fn parse_bare(text: &str) -> Result<Origin, String> {
        if text.contains(char::is_whitespace) {
            return Err(format!(
                "`{text}` is not a bare origin: it holds white space"
            ));
        }
        let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
        if url.path() != "/" || text.ends_with('/') {
            return Err(format!(
                "`{text}` is not a bare origin (scheme://host:port): it has a path"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() || text.contains(['?', '#']) {
            return Err(format!(
                "`{text}` is not a bare origin (scheme://host:port): it has a query or fragment"
            ));
        }
        Origin::of(&url)
    }

    /// The origin a URL points at.
    pub fn of(url: &url::Url) -> Result<Origin, String> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "scheme `{scheme}` is not allowed: only http and https"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("credentials in a URL are not allowed".into());
        }
        let host = url
            .host_str()
            .ok_or_else(|| format!("`{url}` has no host"))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("`{url}` has no port"))?;
        Ok(Origin(format!(
            "{scheme}://{}:{port}",
            host.to_ascii_lowercase()
        )))
    }

    /// The origin as `scheme://host:port`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Origin;

    #[test]
    fn normalizes_to_scheme_host_port() {
        assert_eq!(
            Origin::parse("https://API.Stripe.com").unwrap().as_str(),
            "https://api.stripe.com:443"
        );
        assert_eq!(
            Origin::parse("https://api.stripe.com:443/v1/charges?x=1")
                .unwrap()
                .as_str(),
            "https://api.stripe.com:443"
        );
        assert_eq!(
            Origin::parse("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn a_declared_origin_is_bare_and_shown_normalized() {
        for (declared, shown) in [
            ("https://API.Stripe.com", "https://api.stripe.com:443"),
            ("https://api.stripe.com:443", "https://api.stripe.com:443"),
            ("http://2130706433:8080", "http://127.0.0.1:8080"),
            (
                "http://[::ffff:127.0.0.1]:8080",
                "http://[::ffff:7f00:1]:8080",
            ),
            (
                "https://bücher.example",
                "https://xn--bcher-kva.example:443",
            ),
        ] {
            assert_eq!(Origin::parse_bare(declared).unwrap().as_str(), shown);
        }
        for (declared, why) in [
            ("https://api.stripe.com/", "it has a path"),
            ("https://api.stripe.com/v1", "it has a path"),
            ("https://api.stripe.com?x=1", "query or fragment"),
            ("https://api.stripe.com#x", "query or fragment"),
            ("https://api.stripe.com:443@evil.test", "credentials"),
            (" https://api.stripe.com", "white space"),
        ] {
            let err = Origin::parse_bare(declared).unwrap_err();
            assert!(err.contains(why), "{declared}: {err}");
        }
    }

    #[test]
    fn refuses_other_schemes_and_credentials() {
        assert!(Origin::parse("file:///etc/passwd").is_err());
        assert!(Origin::parse("ftp://x.test").is_err());
        assert!(Origin::parse("https://user:pw@x.test").is_err());
        assert!(Origin::parse("not a url").is_err());
    }
}
