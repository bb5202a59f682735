//! An integration's settings, read once per call.

use intake_plugin_sdk::{Error, Result, Settings};

/// Setting keys (see `info.rs`).
pub const MODE: &str = "mode";
pub const LIVE_SECRET_KEY: &str = "live_secret_key";
pub const TEST_SECRET_KEY: &str = "test_secret_key";
pub const WEBHOOK_SECRET: &str = "webhook_secret";
pub const API_BASE: &str = "api_base";
pub const EMPLOYER_KEY: &str = "employer_metadata_key";
pub const OCCUPATION_KEY: &str = "occupation_metadata_key";
pub const STRIPE_ACCOUNT: &str = "stripe_account";

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub livemode: bool,
    /// The setting key of the secret key for the mode: the host fills it in.
    pub secret_key: &'static str,
    /// Without a trailing slash.
    pub api_base: String,
    pub employer_key: String,
    pub occupation_key: String,
    /// Connect: the connected account (`acct_…`) every request acts on, sent as the
    /// `Stripe-Account` header; None for the key's own account.
    pub stripe_account: Option<String>,
}

impl Config {
    pub fn from_settings(settings: &Settings) -> Result<Config> {
        let livemode = settings.choice(MODE, &["live", "test"], "live")? == "live";
        let api_base = settings
            .get_or(API_BASE, DEFAULT_API_BASE)
            .trim_end_matches('/')
            .to_string();
        let scheme_ok = api_base.starts_with("https://") || api_base.starts_with("http://");
        if !scheme_ok || api_base.len() <= "https://".len() || api_base.contains(['?', '#', ' ']) {
            return Err(Error::Config(format!(
                "setting `{API_BASE}` must be an http(s) URL such as {DEFAULT_API_BASE}, not `{api_base}`"
            )));
        }
        let stripe_account = settings.get(STRIPE_ACCOUNT).map(str::to_string);
        if let Some(account) = &stripe_account {
            // It goes into a header: only the shape Stripe gives account ids.
            let tail = account.strip_prefix("acct_").unwrap_or_default();
            if tail.is_empty()
                || tail.len() > 64
                || !tail.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(Error::Config(format!(
                    "setting `{STRIPE_ACCOUNT}` must be a connected account id such as acct_1032D82eZvKYlo2C"
                )));
            }
        }
        Ok(Config {
            livemode,
            secret_key: if livemode {
                LIVE_SECRET_KEY
            } else {
                TEST_SECRET_KEY
            },
            api_base,
            employer_key: settings.get_or(EMPLOYER_KEY, "employer").to_string(),
            occupation_key: settings.get_or(OCCUPATION_KEY, "occupation").to_string(),
            stripe_account,
        })
    }

    pub fn mode_name(&self) -> &'static str {
        if self.livemode { "live" } else { "test" }
    }

    /// The error for data of the other mode: the key in the setting does not fit the mode.
    pub fn wrong_mode(&self) -> Error {
        let (other, prefix) = if self.livemode {
            ("test", "sk_live_")
        } else {
            ("live", "sk_test_")
        };
        Error::Config(format!(
            "the key in `{}` opens {other}-mode data but `mode` is {}: put a {prefix}… key there, or change `mode`",
            self.secret_key,
            self.mode_name()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_live_stripe_and_the_usual_metadata_keys() {
        let c = Config::from_settings(&Settings::default()).unwrap();
        assert!(c.livemode);
        assert_eq!(c.secret_key, LIVE_SECRET_KEY);
        assert_eq!(c.api_base, "https://api.stripe.com");
        assert_eq!(
            (c.employer_key.as_str(), c.occupation_key.as_str()),
            ("employer", "occupation")
        );
    }

    #[test]
    fn test_mode_uses_the_test_key_and_the_given_base() {
        let c = Config::from_settings(&Settings::from([
            ("mode", "test"),
            ("api_base", "http://127.0.0.1:9/"),
            ("employer_metadata_key", "Employer"),
        ]))
        .unwrap();
        assert!(!c.livemode);
        assert_eq!(c.secret_key, TEST_SECRET_KEY);
        assert_eq!(c.api_base, "http://127.0.0.1:9");
        assert_eq!(c.employer_key, "Employer");
        assert_eq!(c.stripe_account, None);
        let connect = Config::from_settings(&Settings::from([(
            "stripe_account",
            " acct_1032D82eZvKYlo2C ",
        )]))
        .unwrap();
        assert_eq!(
            connect.stripe_account.as_deref(),
            Some("acct_1032D82eZvKYlo2C")
        );
        assert!(
            matches!(c.wrong_mode(), Error::Config(m) if m.contains("test_secret_key") && m.contains("sk_test_"))
        );
    }

    #[test]
    fn refuses_bad_mode_and_base() {
        assert!(Config::from_settings(&Settings::from([("mode", "sandbox")])).is_err());
        for account in ["acct_", "cus_123", "acct_1\r\nX-Evil: 1", "acct_1 2"] {
            assert!(
                matches!(
                    Config::from_settings(&Settings::from([("stripe_account", account)])),
                    Err(Error::Config(m)) if m.contains("stripe_account")
                ),
                "{account:?}"
            );
        }
        for base in ["api.stripe.com", "ftp://x", "https://", "https://x?y=1"] {
            assert!(
                matches!(
                    Config::from_settings(&Settings::from([("api_base", base)])),
                    Err(Error::Config(_))
                ),
                "{base}"
            );
        }
    }
}
