//! Stripe, as a processor plugin: a committee's own Stripe account, live or test mode.

mod info;

use intake_plugin_sdk::{export_plugin, Plugin, PluginInfo};

pub struct Stripe;

impl Plugin for Stripe {
    fn info() -> PluginInfo {
        info::info()
    }
}

export_plugin!(Stripe);
