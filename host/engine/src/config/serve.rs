//! `[serve]`: where `intake serve` listens and where its API token comes from, checked like
//! the rest of the file (errors name the line and key).

use std::net::SocketAddr;
use std::path::Path;

use toml::Spanned;

use super::raw::{RawSecret, RawServe};
use super::validate::Source;
use super::{ConfigError, SecretSource};

/// The default address: loopback only, so nothing is exposed until an operator says so.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8750";

/// `[serve]` as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeSettings {
    /// The address to listen on (`--listen` overrides it).
    pub listen: SocketAddr,
    /// Where the API's bearer token is read from; None when the file has no `[serve]`
    /// (then `intake serve` refuses to start: the API is never left open).
    pub api_token: Option<SecretSource>,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8750)),
            api_token: None,
        }
    }
}

pub(super) fn check(
    source: &Source,
    base: &Path,
    raw: Option<RawServe>,
) -> Result<ServeSettings, ConfigError> {
    let mut settings = ServeSettings::default();
    let Some(raw) = raw else { return Ok(settings) };
    if let Some(listen) = &raw.listen {
        settings.listen = listen.get_ref().trim().parse().map_err(|_| {
            source.error(
                listen.span(),
                "serve.listen",
                format!(
                    "`{}` is not an address and port, e.g. {DEFAULT_LISTEN}",
                    listen.get_ref()
                ),
            )
        })?;
    }
    settings.api_token = raw
        .api_token
        .as_ref()
        .map(|token| token_source(source, base, token))
        .transpose()?;
    Ok(settings)
}

fn token_source(
    source: &Source,
    base: &Path,
    token: &Spanned<RawSecret>,
) -> Result<SecretSource, ConfigError> {
    match token.get_ref() {
        RawSecret::Inline(_) => Err(source.error(
            token.span(),
            "serve.api_token",
            "a token written inline is refused: give where it comes from, { env = \"VAR\" } or { file = \"/run/secrets/…\" }",
        )),
        RawSecret::Source(s) => match (&s.env, &s.file) {
            (Some(var), None) if !var.trim().is_empty() => Ok(SecretSource::Env(var.clone())),
            (None, Some(file)) if !file.trim().is_empty() => Ok(SecretSource::File(base.join(file))),
            _ => Err(source.error(
                token.span(),
                "serve.api_token",
                "give exactly one of env = \"VAR\" or file = \"PATH\"",
            )),
        },
    }
}
