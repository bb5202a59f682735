//! ActBlue, as a processor plugin: the conduit most Democratic committees use, read through
//! its CSV API (the compliance source of truth) and its line-item webhooks. HTTP Basic with
//! the client secret is built by the host (`{{basic:UUID:client_secret}}`), so the plugin
//! never holds the secret.

mod api;
mod config;
mod cursor;
mod fetch;
mod info;
mod mapping;
mod rows;
mod webhook;

use intake_plugin_sdk::{Account, Donation, Page, Plugin, PluginInfo, Result, Settings, Window};

pub struct ActBlue;

impl Plugin for ActBlue {
    fn info() -> PluginInfo {
        info::info()
    }

    /// A CSV request for an empty range proves the credentials: ActBlue has no "who am I".
    fn check(settings: &Settings) -> Result<Account> {
        let config = config::Config::from_settings(settings)?;
        let mut api = api::Api::new(&config);
        api.create("paid_contributions", "2000-01-01", "2000-01-02")?;
        Ok(Account {
            id: config.client_uuid.clone(),
            name: format!("ActBlue client {}", config.client_uuid),
            livemode: true,
        })
    }

    fn fetch(settings: &Settings, window: &Window, cursor: Option<&str>) -> Result<Page> {
        fetch::fetch(settings, window, cursor)
    }

    fn parse_webhook(
        settings: &Settings,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<Donation>> {
        webhook::parse_webhook(settings, headers, body)
    }
}

intake_plugin_sdk::export_plugin!(ActBlue);
