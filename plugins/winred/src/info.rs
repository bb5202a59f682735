use intake_plugin_sdk::{Capabilities, Organization, PluginInfo, PostalAddress, Setting};

/// The modeled partner API origin (see API.md): the only place the API token is sent.
pub const WINRED_API: &str = "https://api.winred.com:443";
/// The modeled partner API's base URL: the `api_base` default.
pub const DEFAULT_API_BASE: &str = "https://api.winred.com";

/// WinRed PAC, the conduit every federal WinRed contribution is earmarked through.
pub const CONDUIT_NAME: &str = "WinRed PAC";
pub const CONDUIT_FEC_ID: &str = "C00694323";

pub fn conduit_address() -> PostalAddress {
    PostalAddress {
        line1: "PO Box 9891".into(),
        line2: None,
        city: "Arlington".into(),
        region: "VA".into(),
        postal_code: "22219".into(),
        country: "US".into(),
    }
}

pub fn info() -> PluginInfo {
    PluginInfo {
        id: "winred".into(),
        name: "WinRed".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        settings: vec![
            Setting::text(
                "integration_name",
                "Integration name",
                "How this integration is listed in the CRM.",
            )
            .default_value("WinRed"),
            Setting::text("notes", "Notes", "Free text for the committee's staff."),
            Setting::text(
                "account_name",
                "Account name",
                "The committee's WinRed account name.",
            ),
            Setting::text(
                "committee_level",
                "Committee level",
                "Federal donations are earmarked through WinRed PAC; state donations are not.",
            )
            .choices(&["federal", "state"])
            .default_value("federal")
            .required(),
            Setting::text(
                "committee_fec_id",
                "Committee FEC ID",
                "The recipient committee's FEC ID (C00…), required for federal committees.",
            ),
            Setting::secret(
                "api_token",
                "API token",
                "The committee's WinRed partner API token.",
                &[WINRED_API],
            ),
            Setting::secret(
                "webhook_secret",
                "Webhook secret",
                "The shared secret WinRed signs webhook deliveries with; used only to verify them.",
                &[],
            ),
            Setting::text(
                "api_base",
                "API base URL",
                "WinRed's partner API, or a proxy the operator allowed.",
            )
            .default_value(DEFAULT_API_BASE),
            Setting::text(
                "donation_pages",
                "Donation pages",
                "The committee's WinRed donation pages, one `Name = https://secure.winred.com/…` per line; a CRM opens them prefilled for a donor.",
            ),
        ],
        outbound: vec![WINRED_API.into()],
        capabilities: Capabilities::FETCH
            | Capabilities::WEBHOOK
            | Capabilities::FILE_IMPORT
            | Capabilities::DONATION_LINK
            | Capabilities::PAYOUTS,
        organization: Some(Organization {
            name: CONDUIT_NAME.into(),
            fec_id: Some(CONDUIT_FEC_ID.into()),
            address: Some(conduit_address()),
        }),
    }
}
