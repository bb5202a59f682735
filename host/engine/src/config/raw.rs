//! The config file as written: serde structs that keep each value's place in the file, so
//! every later check can name the line and key it is about.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub(crate) store: RawStore,
    #[serde(default)]
    pub(crate) plugins: RawPlugins,
    #[serde(default)]
    pub(crate) sync: RawSync,
    #[serde(default, rename = "integration")]
    pub(crate) integrations: Vec<RawIntegration>,
    pub(crate) committee: Option<RawCommittee>,
    pub(crate) serve: Option<RawServe>,
}

/// `[serve]`: the service's address and API token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServe {
    pub(crate) listen: Option<Spanned<String>>,
    pub(crate) api_token: Option<Spanned<RawSecret>>,
}

/// `[committee]`: who the FEC export files for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommittee {
    pub(crate) fec_id: Spanned<String>,
    pub(crate) name: Spanned<String>,
    pub(crate) form: Option<Spanned<String>>,
    pub(crate) street_1: Spanned<String>,
    pub(crate) street_2: Option<Spanned<String>>,
    pub(crate) city: Spanned<String>,
    pub(crate) state: Spanned<String>,
    pub(crate) zip: Spanned<String>,
    pub(crate) treasurer: Spanned<RawTreasurer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTreasurer {
    pub(crate) last: String,
    pub(crate) first: String,
    pub(crate) middle: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) suffix: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStore {
    pub(crate) path: Option<Spanned<String>>,
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) password: Option<Spanned<RawSecret>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlugins {
    pub(crate) dir: Spanned<String>,
}

impl Default for RawPlugins {
    fn default() -> Self {
        RawPlugins {
            dir: Spanned::new(0..0, "plugins".into()),
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSync {
    pub(crate) overlap_minutes: Option<Spanned<i64>>,
    pub(crate) settle_seconds: Option<Spanned<i64>>,
    pub(crate) parallel: Option<Spanned<i64>>,
    pub(crate) lease_seconds: Option<Spanned<i64>>,
    pub(crate) max_attempts: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIntegration {
    pub(crate) id: Spanned<String>,
    pub(crate) plugin: Spanned<String>,
    #[serde(default = "yes")]
    pub(crate) enabled: bool,
    pub(crate) name: Option<String>,
    pub(crate) notes: Option<String>,
    pub(crate) account_name: Option<String>,
    pub(crate) start_date: Spanned<String>,
    pub(crate) fec_committee_id: Option<Spanned<String>>,
    pub(crate) import: Option<Spanned<String>>,
    pub(crate) schedule: Option<Spanned<String>>,
    pub(crate) timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) defaults: RawDefaults,
    #[serde(default)]
    pub(crate) settings: BTreeMap<Spanned<String>, Spanned<RawSettingValue>>,
    #[serde(default)]
    pub(crate) secrets: BTreeMap<Spanned<String>, Spanned<RawSecret>>,
    #[serde(default)]
    pub(crate) grants: RawGrants,
}

fn yes() -> bool {
    true
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefaults {
    pub(crate) bank_account: Option<String>,
    pub(crate) election_period: Option<Spanned<String>>,
    pub(crate) category: Option<String>,
}

/// Settings are strings to the plugin; numbers and booleans are accepted and passed as text.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum RawSettingValue {
    Text(String),
    Integer(i64),
    Bool(bool),
}

impl RawSettingValue {
    pub(crate) fn into_text(self) -> String {
        match self {
            RawSettingValue::Text(t) => t,
            RawSettingValue::Integer(n) => n.to_string(),
            RawSettingValue::Bool(b) => b.to_string(),
        }
    }
}

/// Where a secret comes from. A bare string is read so the check can refuse it by name
/// instead of failing with serde's "did not match any variant".
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum RawSecret {
    // Read only to be refused; the value itself is never kept.
    Inline(#[allow(dead_code)] String),
    Source(RawSecretSource),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSecretSource {
    pub(crate) env: Option<String>,
    pub(crate) file: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGrants {
    #[serde(default)]
    pub(crate) origins: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) secret_routes: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}
