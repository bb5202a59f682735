//! WinRed, as a processor plugin: the conduit for Republican committees, speaking WinRed's
//! partner API as Intake models it (see API.md).

mod info;

use intake_plugin_sdk::{export_plugin, Plugin, PluginInfo};

pub struct WinRed;

impl Plugin for WinRed {
    fn info() -> PluginInfo {
        info::info()
    }
}

export_plugin!(WinRed);
