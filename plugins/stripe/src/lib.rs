//! Stripe, as a processor plugin: a committee's own Stripe account, live or test mode.
//!
//! One module per job: `config` (settings), `api` (requests and error mapping), `wire`
//! (Stripe's objects), `normalize` (objects to records), `amount` (file amounts by currency
//! exponent), `cursor` + `fetch` (resumable paging, see `cursor.rs`), `payouts`, `webhook`,
//! `export`
//! (Dashboard CSV) and `link` (Payment Link URLs).

mod amount;
mod api;
mod config;
mod cursor;
mod export;
mod fetch;
mod info;
mod link;
mod normalize;
mod payouts;
mod webhook;
mod wire;

use intake_plugin_sdk::{
    Account, Donation, FileImport, Money, Page, PayoutPage, Person, Plugin, PluginInfo, Result,
    Settings, Window,
};

use config::Config;

pub struct Stripe;

impl Plugin for Stripe {
    fn info() -> PluginInfo {
        info::info()
    }

    /// The account the mode's key opens; a key of the other mode is a configuration error.
    fn check(settings: &Settings) -> Result<Account> {
        let config = Config::from_settings(settings)?;
        let account = api::get::<wire::Account>(&config, "/v1/account", &[])?.body;
        // The account has no mode of its own; the balance says which mode the key is for.
        let balance = api::get::<wire::Balance>(&config, "/v1/balance", &[])?.body;
        if balance.livemode != config.livemode {
            return Err(config.wrong_mode());
        }
        let name = account
            .settings
            .and_then(|s| s.dashboard)
            .and_then(|d| d.display_name)
            .or(account.business_profile.and_then(|b| b.name))
            .or(account.email)
            .unwrap_or_else(|| account.id.clone());
        Ok(Account {
            id: account.id,
            name,
            livemode: balance.livemode,
        })
    }

    fn fetch(settings: &Settings, window: &Window, cursor: Option<&str>) -> Result<Page> {
        fetch::fetch(&Config::from_settings(settings)?, window, cursor)
    }

    fn fetch_payouts(
        settings: &Settings,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<PayoutPage> {
        payouts::fetch_payouts(&Config::from_settings(settings)?, window, cursor)
    }

    fn parse_webhook(
        settings: &Settings,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<Donation>> {
        webhook::parse(&Config::from_settings(settings)?, headers, body)
    }

    fn parse_export(settings: &Settings, file_name: &str, contents: &[u8]) -> Result<FileImport> {
        export::parse(&Config::from_settings(settings)?, file_name, contents)
    }

    fn donation_link(
        settings: &Settings,
        page_url: &str,
        donor: &Person,
        amount: Option<&Money>,
    ) -> Result<String> {
        Config::from_settings(settings)?;
        if amount.is_some() {
            intake_plugin_sdk::log::debug(
                "a Payment Link takes no amount in its URL: the link's own price applies",
            );
        }
        link::link(page_url, donor)
    }
}

intake_plugin_sdk::export_plugin!(Stripe);

#[cfg(test)]
mod fetch_mock_tests;
