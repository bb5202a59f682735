//! What the plugin declares: settings, origins, the conduit.

use intake_plugin_sdk::{Capabilities, Organization, PluginInfo, Setting};

/// ActBlue's API origin: the only place the client secret is sent.
pub const ACTBLUE_API: &str = "https://secure.actblue.com:443";
/// The `api_base` default.
pub const DEFAULT_API_BASE: &str = "https://secure.actblue.com";
/// ActBlue, the conduit federal contributions through it are earmarked through.
pub const CONDUIT_NAME: &str = "ActBlue";
pub const CONDUIT_FEC_ID: &str = "C00401224";

pub fn info() -> PluginInfo {
    PluginInfo {
        id: "actblue".into(),
        name: "ActBlue".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        settings: vec![
            Setting::text(
                "client_uuid",
                "Client UUID",
                "The API credential's client UUID (ActBlue dashboard: Admin → API Credentials).",
            )
            .required(),
            Setting::secret(
                "client_secret",
                "Client secret",
                "The API credential's secret; sent by the host as HTTP Basic, never seen by the plugin.",
                &[ACTBLUE_API],
            ),
            Setting::text(
                "api_base",
                "API base URL",
                "ActBlue's site, or a proxy the operator allowed.",
            )
            .default_value(DEFAULT_API_BASE),
            Setting::text(
                "page_size",
                "Page size",
                "Donations one fetch call aims to return (1 to 5000).",
            )
            .default_value("500"),
            Setting::text(
                "webhook_user",
                "Webhook user name",
                "The user name chosen for ActBlue's webhook deliveries (HTTP Basic).",
            ),
            Setting::secret(
                "webhook_password",
                "Webhook password",
                "The password chosen for ActBlue's webhook deliveries; used only to verify them.",
                &[],
            ),
        ],
        // The CSV download link is on another host, not documented: the operator grants it.
        outbound: vec![ACTBLUE_API.into()],
        capabilities: Capabilities::FETCH | Capabilities::WEBHOOK,
        organization: Some(Organization {
            name: CONDUIT_NAME.into(),
            fec_id: Some(CONDUIT_FEC_ID.into()),
            address: None,
        }),
    }
}
