//! Log lines go to the host's `tracing`, tagged with the plugin's id.

use crate::__private::intake::plugin::log::Level;

/// The host's `log` import in a wasm build; stderr natively (see [`crate::testing`]).
fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::__private::intake::plugin::log::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    crate::testing::log(level, message);
}

/// Log at debug level.
pub fn debug(message: impl AsRef<str>) {
    log(Level::Debug, message.as_ref());
}

/// Log at info level.
pub fn info(message: impl AsRef<str>) {
    log(Level::Info, message.as_ref());
}

/// Log at warn level.
pub fn warn(message: impl AsRef<str>) {
    log(Level::Warn, message.as_ref());
}

/// Log at error level.
pub fn error(message: impl AsRef<str>) {
    log(Level::Error, message.as_ref());
}
