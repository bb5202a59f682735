//! From the file as written to a checked [`Config`], and the checks that need the plugin.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use intake_host::types::PluginInfo;
use intake_host::{Origin, SettingsProblem};
use toml::Spanned;

use super::raw::{RawConfig, RawIntegration, RawSecret, RawStore, RawSync};
use super::{
    Config, ConfigError, ImportDefaults, ImportMode, IntegrationConfig, Lines, PluginRef,
    SecretSource, SharedStore, SyncSettings,
};

/// Turns byte offsets into 1-based lines, and builds errors that carry them.
pub(super) struct Source<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    pub(super) fn line(&self, span: Range<usize>) -> Option<usize> {
        if span.start == 0 && span.end == 0 {
            return None; // a default, not written in the file
        }
        let upto = span.start.min(self.text.len());
        Some(
            self.text.as_bytes()[..upto]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
        )
    }

    pub(super) fn error(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            line: self.line(span),
            key: key.into(),
            message: message.into(),
        }
    }

    fn at_line(
        &self,
        line: usize,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            line: Some(line),
            key: key.into(),
            message: message.into(),
        }
    }

    /// The key a serde error points at: the text of its span up to `=`.
    fn key_at(&self, span: &Range<usize>) -> String {
        let text = self.text.get(span.clone()).unwrap_or("");
        let key = text.split('=').next().unwrap_or("").trim();
        key.trim_matches(|c| c == '[' || c == ']' || c == '"')
            .chars()
            .take(60)
            .collect()
    }
}

pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let source = Source { file: path, text };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let key = source.key_at(&span);
        let message = e.message().trim().to_string();
        ConfigError::Invalid {
            file: path.to_path_buf(),
            line: source.line(span.clone()).or(Some(1)),
            key,
            message,
        }
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let sync = sync_settings(&source, &raw.sync)?;
    let mut seen = HashSet::new();
    let mut integrations = Vec::with_capacity(raw.integrations.len());
    for entry in raw.integrations {
        let integration = integration(&source, base, entry)?;
        if !seen.insert(integration.id.clone()) {
            return Err(source.at_line(
                integration.lines.id,
                "integration.id",
                format!(
                    "the id `{}` is used by an earlier integration",
                    integration.id
                ),
            ));
        }
        integrations.push(integration);
    }
    let shared_store = shared_store(&source, base, &raw.store)?;
    let store_path = raw
        .store
        .path
        .as_ref()
        .map_or("intake.db", |p| p.get_ref().as_str());
    Ok(Config {
        path: path.to_path_buf(),
        store_path: base.join(store_path),
        shared_store,
        plugins_dir: base.join(raw.plugins.dir.get_ref()),
        sync,
        integrations,
        committee: super::committee::check(&source, raw.committee)?,
        serve: super::serve::check(&source, base, raw.serve)?,
    })
}

/// `[store] url` (+ `password`): checked here, connected to only when the store opens.
fn shared_store(
    source: &Source,
    base: &Path,
    raw: &RawStore,
) -> Result<Option<SharedStore>, ConfigError> {
    let Some(url) = &raw.url else {
        if let Some(password) = &raw.password {
            return Err(source.error(
                password.span(),
                "store.password",
                "a password is for a Postgres store: give store.url too",
            ));
        }
        return Ok(None);
    };
    if let Some(path) = &raw.path {
        return Err(source.error(
            path.span(),
            "store.path",
            "give either path (the SQLite file) or url (a Postgres database), not both",
        ));
    }
    let bad = |message: String| source.error(url.span(), "store.url", message);
    let parsed = url::Url::parse(url.get_ref()).map_err(|e| bad(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(bad(format!(
            "a shared store is a Postgres URL (postgres://user@host:5432/database), not `{}:`",
            parsed.scheme()
        )));
    }
    if parsed.password().is_some() {
        return Err(bad(
            "the URL holds a password: move it to store.password = { env = \"VAR\" } or { file = \"…\" }"
                .into(),
        ));
    }
    if !cfg!(feature = "postgres") {
        return Err(bad(
            "this build of Intake has no Postgres support (feature `postgres`)".into(),
        ));
    }
    let password = match &raw.password {
        None => None,
        Some(p) => Some(match p.get_ref() {
            RawSecret::Inline(_) => {
                return Err(source.error(
                    p.span(),
                    "store.password",
                    "a password written inline is refused: give where it comes from, { env = \"VAR\" } or { file = \"/run/secrets/…\" }",
                ));
            }
            RawSecret::Source(s) => match (&s.env, &s.file) {
                (Some(var), None) if !var.trim().is_empty() => SecretSource::Env(var.clone()),
                (None, Some(file)) if !file.trim().is_empty() => {
                    SecretSource::File(base.join(file))
                }
                _ => {
                    return Err(source.error(
                        p.span(),
                        "store.password",
                        "give exactly one of env = \"VAR\" or file = \"PATH\"",
                    ));
                }
            },
        }),
    };
    Ok(Some(SharedStore {
        url: url.get_ref().clone(),
        password,
    }))
}

fn sync_settings(source: &Source, raw: &RawSync) -> Result<SyncSettings, ConfigError> {
    let mut sync = SyncSettings::default();
    let number = |value: &Option<Spanned<i64>>, key: &str, min: i64, max: i64| match value {
        None => Ok(None),
        Some(v) if (min..=max).contains(v.get_ref()) => Ok(Some(*v.get_ref())),
        Some(v) => Err(source.error(
            v.span(),
            format!("sync.{key}"),
            format!("must be between {min} and {max}, not {}", v.get_ref()),
        )),
    };
    if let Some(m) = number(&raw.overlap_minutes, "overlap_minutes", 0, 7 * 24 * 60)? {
        sync.overlap = Duration::from_secs(m as u64 * 60);
    }
    if let Some(s) = number(&raw.settle_seconds, "settle_seconds", 0, 24 * 3600)? {
        sync.settle = Duration::from_secs(s as u64);
    }
    if let Some(p) = number(&raw.parallel, "parallel", 1, 256)? {
        sync.parallel = p as usize;
    }
    if let Some(l) = number(&raw.lease_seconds, "lease_seconds", 1, 3600)? {
        sync.lease = Duration::from_secs(l as u64);
    }
    if let Some(a) = number(&raw.max_attempts, "max_attempts", 1, 100)? {
        sync.max_attempts = a as u32;
    }
    Ok(sync)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn integration(
    source: &Source,
    base: &Path,
    raw: RawIntegration,
) -> Result<IntegrationConfig, ConfigError> {
    let id = raw.id.get_ref().clone();
    if !valid_id(&id) {
        return Err(source.error(
            raw.id.span(),
            "integration.id",
            format!("`{id}` must be 1-64 of a-z, 0-9, - and _"),
        ));
    }
    let key = |k: &str| format!("integration[{id}].{k}");
    let schedule = super::schedule::of(source, &raw, &key)?;
    let mut lines = Lines {
        id: source.line(raw.id.span()).unwrap_or(1),
        plugin: source.line(raw.plugin.span()).unwrap_or(1),
        ..Lines::default()
    };

    let plugin_text = raw.plugin.get_ref().trim();
    let plugin = if plugin_text.ends_with(".wasm") || plugin_text.contains('/') {
        PluginRef::File(base.join(plugin_text))
    } else if valid_id(plugin_text) {
        PluginRef::Id(plugin_text.to_string())
    } else {
        return Err(source.error(
            raw.plugin.span(),
            key("plugin"),
            format!("`{plugin_text}` is neither a plugin id (a-z, 0-9, -, _) nor a .wasm file"),
        ));
    };

    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    let start_date =
        time::Date::parse(raw.start_date.get_ref().trim(), date_format).map_err(|_| {
            source.error(
                raw.start_date.span(),
                key("start_date"),
                format!(
                    "`{}` is not a date: write YYYY-MM-DD",
                    raw.start_date.get_ref()
                ),
            )
        })?;

    let fec_committee_id = match raw.fec_committee_id {
        None => None,
        Some(fec) => {
            let value = fec.get_ref().trim().to_ascii_uppercase();
            let ok = value.len() == 9
                && value.starts_with('C')
                && value[1..].bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(source.error(
                    fec.span(),
                    key("fec_committee_id"),
                    format!(
                        "`{}` is not an FEC committee id: C followed by 8 digits",
                        fec.get_ref()
                    ),
                ));
            }
            Some(value)
        }
    };

    let import = match &raw.import {
        None => ImportMode::Review,
        Some(mode) => match mode.get_ref().as_str() {
            "review" => ImportMode::Review,
            "auto" => ImportMode::Auto,
            other => {
                return Err(source.error(
                    mode.span(),
                    key("import"),
                    format!(
                        "`{other}` is not an import mode: \"review\" (the import queue) or \"auto\" (straight in)"
                    ),
                ));
            }
        },
    };

    let election_period = match &raw.defaults.election_period {
        None => None,
        Some(period) => {
            let value = period.get_ref().trim().to_ascii_uppercase();
            let ok = value.len() == 5
                && matches!(
                    value.as_bytes()[0],
                    b'P' | b'G' | b'R' | b'S' | b'C' | b'E' | b'O'
                )
                && value[1..].bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(source.error(
                    period.span(),
                    key("defaults.election_period"),
                    format!(
                        "`{}` is not an election: a letter (P primary, G general, R runoff, S special, C convention, E recount, O other) and a year, e.g. P2026",
                        period.get_ref()
                    ),
                ));
            }
            Some(value)
        }
    };

    let mut settings = Vec::new();
    for (k, v) in raw.settings {
        let line = source.line(k.span()).unwrap_or(lines.id);
        lines.settings.insert(k.get_ref().clone(), line);
        settings.push((k.into_inner(), v.into_inner().into_text()));
    }

    let mut secrets = Vec::new();
    for (k, v) in raw.secrets {
        let name = k.get_ref().clone();
        let line = source.line(k.span()).unwrap_or(lines.id);
        lines.secrets.insert(name.clone(), line);
        let secret_key = key(&format!("secrets.{name}"));
        let secret = match v.into_inner() {
            RawSecret::Inline(_) => {
                return Err(source.at_line(
                    line,
                    secret_key,
                    "a secret written inline is refused: give where it comes from, { env = \"VAR\" } or { file = \"/run/secrets/…\" }",
                ));
            }
            RawSecret::Source(s) => match (s.env, s.file) {
                (Some(var), None) if !var.trim().is_empty() => SecretSource::Env(var),
                (None, Some(file)) if !file.trim().is_empty() => {
                    SecretSource::File(base.join(file))
                }
                _ => {
                    return Err(source.at_line(
                        line,
                        secret_key,
                        "give exactly one of env = \"VAR\" or file = \"PATH\"",
                    ));
                }
            },
        };
        if lines.settings.contains_key(&name) {
            return Err(source.at_line(
                line,
                secret_key,
                format!("`{name}` is both a setting and a secret: keep it only under secrets"),
            ));
        }
        secrets.push((name, secret));
    }

    let mut granted_origins = Vec::new();
    for origin in &raw.grants.origins {
        let parsed = Origin::parse_bare(origin.get_ref())
            .map_err(|e| source.error(origin.span(), key("grants.origins"), e))?;
        granted_origins.push(parsed.to_string());
    }
    let mut secret_routes = Vec::new();
    for (secret, origins) in &raw.grants.secret_routes {
        let route_key = key(&format!("grants.secret_routes.{}", secret.get_ref()));
        if !lines.secrets.contains_key(secret.get_ref()) {
            return Err(source.error(
                secret.span(),
                route_key,
                format!(
                    "`{}` is not one of this integration's secrets",
                    secret.get_ref()
                ),
            ));
        }
        for origin in origins {
            let parsed = Origin::parse_bare(origin.get_ref())
                .map_err(|e| source.error(origin.span(), route_key.clone(), e))?;
            secret_routes.push((secret.get_ref().clone(), parsed.to_string()));
        }
    }

    Ok(IntegrationConfig {
        id,
        plugin,
        enabled: raw.enabled,
        name: raw.name,
        notes: raw.notes,
        account_name: raw.account_name,
        start_date,
        fec_committee_id,
        import,
        schedule,
        defaults: ImportDefaults {
            bank_account: raw.defaults.bank_account,
            election_period,
            category: raw.defaults.category,
        },
        settings,
        secrets,
        granted_origins,
        secret_routes,
        lines,
    })
}

impl Config {
    /// Check one integration against what its plugin declares: every setting and secret
    /// declared (and a secret given as a secret), every required one given, choices kept.
    pub fn check_plugin(
        &self,
        integration: &IntegrationConfig,
        info: &PluginInfo,
    ) -> Result<(), ConfigError> {
        let source = Source {
            file: &self.path,
            text: "",
        };
        let id = &integration.id;
        let lines = &integration.lines;
        // The host's own check finds the problem (it runs again before every call); this adds
        // the file's line and the config's words for where the key belongs.
        let problem = match intake_host::check_settings(
            info,
            &integration.settings,
            integration.secrets.iter().map(|(k, _)| k.as_str()),
        ) {
            Ok(()) => return Ok(()),
            Err(problem) => problem,
        };
        let setting_at = |key: &str| {
            (
                lines.settings.get(key).copied().unwrap_or(lines.id),
                format!("integration[{id}].settings.{key}"),
            )
        };
        let secret_at = |key: &str| {
            (
                lines.secrets.get(key).copied().unwrap_or(lines.id),
                format!("integration[{id}].secrets.{key}"),
            )
        };
        let (line, name, message) = match &problem {
            SettingsProblem::Unknown { key, known, .. } => {
                let as_secret = integration.secrets.iter().any(|(k, _)| k == key)
                    && !integration.settings.iter().any(|(k, _)| k == key);
                let (line, name) = if as_secret {
                    secret_at(key)
                } else {
                    setting_at(key)
                };
                let what = if as_secret { "secret" } else { "setting" };
                (
                    line,
                    name,
                    format!(
                        "the plugin `{}` declares no {what} `{key}` (it has: {known})",
                        info.id
                    ),
                )
            }
            SettingsProblem::SecretAsSetting(key) => {
                let (line, name) = setting_at(key);
                (
                    line,
                    name,
                    format!(
                        "`{key}` is a secret: move it under [integration.secrets] as {{ env = \"…\" }} or {{ file = \"…\" }}"
                    ),
                )
            }
            SettingsProblem::SettingAsSecret(key) => {
                let (line, name) = secret_at(key);
                (
                    line,
                    name,
                    format!(
                        "`{key}` is a plain setting, not a secret: put it under [integration.settings]"
                    ),
                )
            }
            SettingsProblem::NotAChoice {
                key,
                value,
                choices,
            } => {
                let (line, name) = setting_at(key);
                (line, name, format!("`{value}` is not one of {choices}"))
            }
            SettingsProblem::Missing {
                what, key, label, ..
            } => {
                let section = if *what == "secret" {
                    "secrets"
                } else {
                    "settings"
                };
                (
                    lines.id,
                    format!("integration[{id}].{section}.{key}"),
                    format!("the plugin `{}` requires `{key}` ({label})", info.id),
                )
            }
            // A problem a newer host names that this loader has no words of its own for.
            other => (lines.id, format!("integration[{id}]"), other.to_string()),
        };
        Err(source.at_line(line, name, message))
    }

    /// Read every secret of `integration` from where the config says it is.
    pub fn resolve_secrets(
        &self,
        integration: &IntegrationConfig,
    ) -> Result<Vec<(String, String)>, ConfigError> {
        let source = Source {
            file: &self.path,
            text: "",
        };
        let mut out = Vec::with_capacity(integration.secrets.len());
        for (key, from) in &integration.secrets {
            let line = integration
                .lines
                .secrets
                .get(key)
                .copied()
                .unwrap_or(integration.lines.id);
            let name = format!("integration[{}].secrets.{key}", integration.id);
            let value = match from {
                SecretSource::Env(var) => std::env::var(var).map_err(|_| {
                    source.at_line(
                        line,
                        name.clone(),
                        format!("the environment variable {var} is not set"),
                    )
                })?,
                SecretSource::File(path) => read_secret_file(path).map_err(|e| {
                    source.at_line(
                        line,
                        name.clone(),
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?,
            };
            if value.is_empty() {
                return Err(source.at_line(line, name, "the secret is empty"));
            }
            out.push((key.clone(), value));
        }
        Ok(out)
    }

    /// The error for an integration whose plugin is not loaded.
    pub fn missing_plugin(&self, integration: &IntegrationConfig, why: &str) -> ConfigError {
        let source = Source {
            file: &self.path,
            text: "",
        };
        source.at_line(
            integration.lines.plugin,
            format!("integration[{}].plugin", integration.id),
            why,
        )
    }
}

impl SecretSource {
    /// The secret's value, or why it cannot be read.
    pub fn read(&self) -> Result<String, String> {
        match self {
            SecretSource::Env(var) => {
                std::env::var(var).map_err(|_| format!("the environment variable {var} is not set"))
            }
            SecretSource::File(path) => {
                read_secret_file(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            }
        }
    }
}

fn read_secret_file(path: &PathBuf) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_host::types::{Capabilities, Setting};

    fn setting(key: &str, secret: bool, required: bool) -> Setting {
        Setting {
            key: key.into(),
            label: key.to_uppercase(),
            help: String::new(),
            secret,
            sent_to: Vec::new(),
            required,
            default_value: None,
            choices: Vec::new(),
        }
    }

    fn info(settings: Vec<Setting>) -> PluginInfo {
        PluginInfo {
            id: "acme".into(),
            name: "Acme".into(),
            version: "1.0.0".into(),
            settings,
            outbound: Vec::new(),
            capabilities: Capabilities::FETCH,
            organization: None,
        }
    }

    const TEXT: &str = "[[integration]]\nid = \"acme-1\"\nplugin = \"acme\"\nstart_date = \"2024-01-01\"\n[integration.settings]\nregion = \"east\"\n";

    #[test]
    fn a_required_setting_or_secret_left_out_is_named() {
        let config = parse(Path::new("/etc/intake.toml"), TEXT).unwrap();
        let integration = &config.integrations[0];
        let needs_key = info(vec![
            setting("region", false, true),
            setting("api_key", true, true),
        ]);
        let error = config.check_plugin(integration, &needs_key).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/etc/intake.toml:2: `integration[acme-1].secrets.api_key`: the plugin `acme` requires `api_key` (API_KEY)"
        );
        let needs_setting = info(vec![
            setting("region", false, true),
            setting("account", false, true),
        ]);
        let error = config
            .check_plugin(integration, &needs_setting)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`integration[acme-1].settings.account`"),
            "{error}"
        );
        let fine = info(vec![
            setting("region", false, true),
            setting("api_key", true, false),
        ]);
        config.check_plugin(integration, &fine).unwrap();
    }
}
