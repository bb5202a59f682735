//! WinRed, as a processor plugin: the conduit for Republican committees, speaking WinRed's
//! partner API as Intake models it (see API.md).

mod api;
mod config;
mod cursor;
mod export;
mod fetch;
mod info;
mod link;
mod mapping;
mod normalize;
mod payouts;
mod records;
mod webhook;
mod wire;

#[cfg(test)]
mod fetch_mock_tests;

use intake_plugin_sdk::{
    Account, Donation, Error, FileImport, Money, Page, PayoutPage, Person, Plugin, PluginInfo,
    Result, Settings, Window,
};

use crate::config::{Config, Level};

pub struct WinRed;

impl Plugin for WinRed {
    fn info() -> PluginInfo {
        info::info()
    }

    fn check(settings: &Settings) -> Result<Account> {
        let config = Config::from_settings(settings)?;
        let me = api::Api::new(&config.api_base).me()?;
        check_account(&config, &me)?;
        Ok(Account {
            id: me.committee.id,
            name: me.committee.name,
            livemode: true,
        })
    }

    fn fetch(settings: &Settings, window: &Window, cursor: Option<&str>) -> Result<Page> {
        fetch::fetch(settings, window, cursor)
    }

    fn fetch_payouts(
        settings: &Settings,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<PayoutPage> {
        payouts::fetch_payouts(settings, window, cursor)
    }

    fn parse_webhook(
        settings: &Settings,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<Donation>> {
        webhook::parse_webhook(settings, headers, body)
    }

    fn parse_export(settings: &Settings, file_name: &str, contents: &[u8]) -> Result<FileImport> {
        export::parse_export(settings, file_name, contents)
    }

    fn donation_link(
        settings: &Settings,
        page_url: &str,
        donor: &Person,
        amount: Option<&Money>,
    ) -> Result<String> {
        link::donation_link(settings, page_url, donor, amount)
    }
}

/// The settings must describe the account the token opens: a federal integration needs a
/// conduit account for the same FEC ID, a state one a merchant account.
fn check_account(config: &Config, me: &wire::Me) -> Result<()> {
    let funding = me
        .committee
        .funding_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    match (config.level, funding.as_str()) {
        (Level::Federal, "merchant") => {
            return Err(Error::Config(
                "`committee_level` is federal but this WinRed account is a merchant (state) account: its donations are not earmarked".into(),
            ));
        }
        (Level::State, "conduit") => {
            return Err(Error::Config(
                "`committee_level` is state but this WinRed account is a conduit (federal) account: its donations are earmarked through WinRed PAC".into(),
            ));
        }
        _ => {}
    }
    if let (Level::Federal, Some(configured), Some(actual)) =
        (config.level, &config.committee_fec_id, &me.committee.fec_id)
        && !configured.eq_ignore_ascii_case(actual.trim())
    {
        return Err(Error::Config(format!(
            "`committee_fec_id` is {configured} but the API token opens the account of {actual}"
        )));
    }
    Ok(())
}

intake_plugin_sdk::export_plugin!(WinRed);

#[cfg(test)]
mod tests {
    use super::*;

    fn me(funding: &str, fec: &str) -> wire::Me {
        serde_json::from_str(&format!(r#"{{"committee":{{"id":"cm_1","name":"X","fec_id":"{fec}","funding_type":"{funding}"}}}}"#)).unwrap()
    }

    #[test]
    fn settings_must_match_the_account() {
        let federal = Config {
            level: Level::Federal,
            committee_fec_id: Some("C00123456".into()),
            api_base: String::new(),
        };
        let state = Config {
            level: Level::State,
            committee_fec_id: None,
            api_base: String::new(),
        };
        assert!(check_account(&federal, &me("conduit", "C00123456")).is_ok());
        assert!(
            matches!(check_account(&federal, &me("conduit", "C00999999")), Err(Error::Config(m)) if m.contains("C00999999"))
        );
        assert!(matches!(
            check_account(&federal, &me("merchant", "")),
            Err(Error::Config(_))
        ));
        assert!(check_account(&state, &me("merchant", "")).is_ok());
        assert!(matches!(
            check_account(&state, &me("conduit", "C00123456")),
            Err(Error::Config(_))
        ));
    }
}
