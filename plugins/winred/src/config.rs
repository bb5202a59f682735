//! The integration's settings, read and checked once per call.

use intake_plugin_sdk::{Error, Settings};

use crate::info::DEFAULT_API_BASE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Donations are earmarked through WinRed PAC (a "conduit" account).
    Federal,
    /// Donations go straight to the committee (a "merchant" account).
    State,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub level: Level,
    /// The recipient committee's FEC ID; always set for a federal committee.
    pub committee_fec_id: Option<String>,
    /// Without a trailing slash.
    pub api_base: String,
}

/// "C" and eight digits.
pub fn is_fec_committee_id(id: &str) -> bool {
    id.len() == 9 && id.starts_with('C') && id[1..].bytes().all(|b| b.is_ascii_digit())
}

impl Config {
    pub fn from_settings(settings: &Settings) -> Result<Config, Error> {
        let level = match settings.choice("committee_level", &["federal", "state"], "federal")? {
            "state" => Level::State,
            _ => Level::Federal,
        };
        let committee_fec_id = settings
            .get("committee_fec_id")
            .map(|id| id.to_ascii_uppercase());
        if let Some(id) = &committee_fec_id
            && !is_fec_committee_id(id)
        {
            return Err(Error::Config(format!(
                "setting `committee_fec_id` must be an FEC committee ID (C and 8 digits, e.g. C00123456), not `{id}`"
            )));
        }
        if level == Level::Federal && committee_fec_id.is_none() {
            return Err(Error::Config(
                "setting `committee_fec_id` is required for a federal committee: its donations are earmarked to it".into(),
            ));
        }
        let api_base = settings
            .get_or("api_base", DEFAULT_API_BASE)
            .trim_end_matches('/')
            .to_string();
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(Error::Config(format!(
                "setting `api_base` must be an http(s) URL, not `{api_base}`"
            )));
        }
        Ok(Config {
            level,
            committee_fec_id,
            api_base,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federal_needs_a_valid_fec_id() {
        let err =
            Config::from_settings(&Settings::from([("committee_level", "federal")])).unwrap_err();
        assert!(matches!(err, Error::Config(m) if m.contains("committee_fec_id")));
        let err =
            Config::from_settings(&Settings::from([("committee_fec_id", "C0012345")])).unwrap_err();
        assert!(matches!(err, Error::Config(m) if m.contains("C0012345")));
        let ok =
            Config::from_settings(&Settings::from([("committee_fec_id", "c00123456")])).unwrap();
        assert_eq!(ok.level, Level::Federal);
        assert_eq!(ok.committee_fec_id.as_deref(), Some("C00123456"));
        assert_eq!(ok.api_base, "https://api.winred.com");
    }

    #[test]
    fn state_needs_no_fec_id_and_base_is_trimmed() {
        let ok = Config::from_settings(&Settings::from([
            ("committee_level", "State"),
            ("api_base", "http://127.0.0.1:9/"),
        ]))
        .unwrap();
        assert_eq!(ok.level, Level::State);
        assert_eq!(ok.api_base, "http://127.0.0.1:9");
        assert!(Config::from_settings(&Settings::from([("committee_level", "local")])).is_err());
        assert!(
            Config::from_settings(&Settings::from([
                ("committee_level", "state"),
                ("api_base", "ftp://x")
            ]))
            .is_err()
        );
    }
}
