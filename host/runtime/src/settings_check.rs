//! An integration's settings and secrets against what its plugin declares, checked by the
//! host before any call: a plugin never runs with a key it does not know, a value outside its
//! choices, or a required setting or secret missing (which would otherwise show up only at
//! the first request, as a confusing error from the processor).

use crate::types::PluginInfo;

/// What is wrong with one key. The engine's config check reports the same problems with the
/// config file's line; this is the host's own guard for every embedder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsProblem {
    /// A setting or secret the plugin does not declare.
    #[error("plugin `{plugin}` declares no setting `{key}` (it has: {known})")]
    Unknown {
        /// The plugin's id.
        plugin: String,
        /// The key given.
        key: String,
        /// The keys the plugin declares, comma-separated.
        known: String,
    },
    /// A secret given as a plain setting (the plugin would see it).
    #[error(
        "`{0}` is a secret: give it as a secret, not a plain setting, so the plugin never sees it"
    )]
    SecretAsSetting(String),
    /// A plain setting given as a secret.
    #[error("`{0}` is a plain setting, not a secret")]
    SettingAsSecret(String),
    /// A value outside the setting's choices.
    #[error("setting `{key}`: `{value}` is not one of {choices}")]
    NotAChoice {
        /// The setting.
        key: String,
        /// The value given.
        value: String,
        /// The allowed values, comma-separated.
        choices: String,
    },
    /// A required setting or secret with no value and no default.
    #[error("plugin `{plugin}` requires {what} `{key}` ({label})")]
    Missing {
        /// The plugin's id.
        plugin: String,
        /// "setting" or "secret".
        what: &'static str,
        /// The key.
        key: String,
        /// Its label, as the plugin describes it.
        label: String,
    },
}

/// The first problem with an integration's plain `settings` and the keys of its secrets, for
/// the plugin `info` describes: settings in order, then secrets in key order, then required
/// ones missing. The host runs it before every call; a config loader can run it early and
/// add where in its file the key is.
pub fn check_settings<'a>(
    info: &PluginInfo,
    settings: &[(String, String)],
    secret_keys: impl IntoIterator<Item = &'a str>,
) -> Result<(), SettingsProblem> {
    let mut secret_keys: Vec<&str> = secret_keys.into_iter().collect();
    secret_keys.sort_unstable();
    let declared = |key: &str| info.settings.iter().find(|s| s.key == key);
    let unknown = |key: &str| SettingsProblem::Unknown {
        plugin: info.id.clone(),
        key: key.to_string(),
        known: info
            .settings
            .iter()
            .map(|s| s.key.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    for (key, value) in settings {
        let setting = declared(key).ok_or_else(|| unknown(key))?;
        if setting.secret {
            return Err(SettingsProblem::SecretAsSetting(key.clone()));
        }
        if !setting.choices.is_empty() && !setting.choices.iter().any(|c| c == value) {
            return Err(SettingsProblem::NotAChoice {
                key: key.clone(),
                value: value.clone(),
                choices: setting.choices.join(", "),
            });
        }
    }
    // In key order, so the error named is the same on every run.
    for &key in &secret_keys {
        let setting = declared(key).ok_or_else(|| unknown(key))?;
        if !setting.secret {
            return Err(SettingsProblem::SettingAsSecret(key.to_string()));
        }
    }
    for setting in info
        .settings
        .iter()
        .filter(|s| s.required && s.default_value.is_none())
    {
        let given = if setting.secret {
            secret_keys.contains(&setting.key.as_str())
        } else {
            settings.iter().any(|(k, _)| *k == setting.key)
        };
        if !given {
            return Err(SettingsProblem::Missing {
                plugin: info.id.clone(),
                what: if setting.secret { "secret" } else { "setting" },
                key: setting.key.clone(),
                label: setting.label.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Capabilities, Setting};

    fn setting(key: &str, secret: bool, required: bool) -> Setting {
        Setting {
            key: key.into(),
            label: format!("The {key}"),
            help: String::new(),
            secret,
            sent_to: Vec::new(),
            required,
            default_value: None,
            choices: Vec::new(),
        }
    }

    fn info() -> PluginInfo {
        let mut mode = setting("mode", false, true);
        mode.choices = vec!["live".into(), "test".into()];
        mode.default_value = Some("live".into());
        PluginInfo {
            id: "acme".into(),
            name: "Acme".into(),
            version: "1.0.0".into(),
            settings: vec![
                mode,
                setting("account", false, true),
                setting("api_key", true, true),
                setting("note", false, false),
            ],
            outbound: Vec::new(),
            capabilities: Capabilities::FETCH,
            organization: None,
        }
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn message(settings: &[(&str, &str)], secret_keys: &[&str]) -> String {
        match check_settings(&info(), &kv(settings), secret_keys.iter().copied()) {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn each_problem_names_its_key() {
        assert_eq!(message(&[("account", "a1")], &["api_key"]), "ok");
        // `mode` has a default: not missing. `note` is optional.
        assert_eq!(
            message(&[("account", "a1"), ("mode", "sandbox")], &["api_key"]),
            "setting `mode`: `sandbox` is not one of live, test"
        );
        assert_eq!(
            message(&[("account", "a1"), ("acount", "a1")], &["api_key"]),
            "plugin `acme` declares no setting `acount` (it has: mode, account, api_key, note)"
        );
        assert_eq!(
            message(&[("account", "a1")], &[]),
            "plugin `acme` requires secret `api_key` (The api_key)"
        );
        assert_eq!(
            message(&[], &["api_key"]),
            "plugin `acme` requires setting `account` (The account)"
        );
        assert_eq!(
            message(&[("account", "a1"), ("api_key", "sk")], &["api_key"]),
            "`api_key` is a secret: give it as a secret, not a plain setting, so the plugin never sees it"
        );
        assert_eq!(
            message(&[("account", "a1")], &["api_key", "note"]),
            "`note` is a plain setting, not a secret"
        );
    }
}
