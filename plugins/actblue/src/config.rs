//! Settings read once per call.

use intake_plugin_sdk::{Error, Settings};

use crate::info::DEFAULT_API_BASE;

pub struct Config {
    pub client_uuid: String,
    /// Without a trailing slash.
    pub api_base: String,
    /// Donations one fetch call aims to return.
    pub page_size: usize,
}

impl Config {
    pub fn from_settings(settings: &Settings) -> Result<Config, Error> {
        let client_uuid = settings.require("client_uuid")?.trim().to_string();
        // The host writes `uuid:secret`; a colon in the user would move the split (RFC 7617).
        if client_uuid.is_empty() || client_uuid.contains([':', '{', '}']) {
            return Err(Error::Config(format!(
                "client_uuid `{client_uuid}` is not a client UUID"
            )));
        }
        let api_base = settings
            .get_or("api_base", DEFAULT_API_BASE)
            .trim()
            .trim_end_matches('/')
            .to_string();
        let page_size = match settings.get("page_size") {
            None => crate::fetch::PAGE_TARGET,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=5000).contains(n))
                .ok_or_else(|| {
                    Error::Config(format!("page_size `{text}` is not a number from 1 to 5000"))
                })?,
        };
        Ok(Config {
            client_uuid,
            api_base,
            page_size,
        })
    }
}
