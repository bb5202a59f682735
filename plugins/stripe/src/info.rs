use intake_plugin_sdk::{Capabilities, PluginInfo, Setting};

/// Stripe's API origin: the only place a Stripe key is ever sent.
pub const STRIPE_API: &str = "https://api.stripe.com:443";

pub fn info() -> PluginInfo {
    PluginInfo {
        id: "stripe".into(),
        name: "Stripe".into(),
        version: intake_plugin_sdk::plugin_version!().into(),
        settings: vec![
            Setting::text("mode", "Mode", "Which keys to use: live or test.")
                .choices(&["live", "test"])
                .default_value("live")
                .required(),
            Setting::secret(
                "live_secret_key",
                "Live secret key",
                "sk_live_… or a restricted rk_live_… key.",
                &[STRIPE_API],
            ),
            Setting::secret(
                "test_secret_key",
                "Test secret key",
                "sk_test_… or a restricted rk_test_… key.",
                &[STRIPE_API],
            ),
            Setting::secret(
                "webhook_secret",
                "Webhook signing secret",
                "whsec_… of the webhook endpoint; used only to verify signatures.",
                &[],
            ),
            Setting::text(
                "api_base",
                "API base URL",
                "Stripe's API, or a proxy the operator allowed.",
            )
            .default_value("https://api.stripe.com"),
            Setting::text(
                "stripe_account",
                "Connected account",
                "Connect platforms: the committee's acct_… id, sent as Stripe-Account on every request. Empty for the key's own account.",
            ),
            Setting::text(
                "employer_metadata_key",
                "Employer metadata key",
                "The charge or customer metadata key that holds the donor's employer.",
            )
            .default_value("employer"),
            Setting::text(
                "occupation_metadata_key",
                "Occupation metadata key",
                "The charge or customer metadata key that holds the donor's occupation.",
            )
            .default_value("occupation"),
        ],
        outbound: vec![STRIPE_API.into()],
        capabilities: Capabilities::FETCH
            | Capabilities::WEBHOOK
            | Capabilities::FILE_IMPORT
            | Capabilities::DONATION_LINK
            | Capabilities::PAYOUTS,
        organization: None,
    }
}
