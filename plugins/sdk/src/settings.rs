use crate::Error;

/// An integration's non-secret settings, as the host passes them. Secrets are not here: a
/// plugin names them by key in `{{secret:KEY}}` header placeholders.
#[derive(Debug, Clone, Default)]
pub struct Settings(Vec<(String, String)>);

impl Settings {
    /// The value of `key`, if set and not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `key`, or `default` when unset.
    pub fn get_or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.get(key).unwrap_or(default)
    }

    /// The value of `key`, or a configuration error that names it.
    pub fn require(&self, key: &str) -> Result<&str, Error> {
        self.get(key)
            .ok_or_else(|| Error::Config(format!("setting `{key}` is required")))
    }

    /// The value of `key`, which must be one of `choices`.
    pub fn choice<'a>(
        &'a self,
        key: &str,
        choices: &[&'a str],
        default: &'a str,
    ) -> Result<&'a str, Error> {
        let value = self.get_or(key, default);
        choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .copied()
            .ok_or_else(|| {
                Error::Config(format!(
                    "setting `{key}` must be one of {}, not `{value}`",
                    choices.join(", ")
                ))
            })
    }
}

impl From<Vec<(String, String)>> for Settings {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Settings(pairs)
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Settings {
    fn from(pairs: [(&str, &str); N]) -> Self {
        Settings(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_unset_and_last_value_wins() {
        let s = Settings::from([("mode", " "), ("key", "a"), ("key", "b")]);
        assert_eq!(s.get("mode"), None);
        assert_eq!(s.get("key"), Some("b"));
        assert!(matches!(s.require("mode"), Err(Error::Config(m)) if m.contains("`mode`")));
    }

    #[test]
    fn choice_is_case_insensitive_and_rejects_others() {
        let s = Settings::from([("mode", "LIVE")]);
        assert_eq!(s.choice("mode", &["live", "test"], "test").unwrap(), "live");
        let s = Settings::from([("mode", "prod")]);
        assert!(s.choice("mode", &["live", "test"], "test").is_err());
        assert_eq!(
            Settings::default()
                .choice("mode", &["live", "test"], "test")
                .unwrap(),
            "test"
        );
    }
}
