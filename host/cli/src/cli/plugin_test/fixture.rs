//! Recorded HTTP exchanges for `intake plugin test --fixture DIR`: every `*.json` file of DIR,
//! in name order, in this format (PLUGINS.md documents it for plugin authors):
//!
//! ```json
//! {
//!   "window": {"since": "2024-06-01T00:00:00Z", "until": "2024-07-01T00:00:00Z"},
//!   "settings": {"mode": "test"},
//!   "secrets": {"api_key": "sk_test_1"},
//!   "webhook": {"headers": {"X-Signature": "t=1,v1=ab"}, "body": "{...}"},
//!   "exchanges": [
//!     {"request": {"method": "GET", "path": "/v1/items", "query": {"page": "2"},
//!                  "headers": {"authorization": "Bearer sk_test_1"}},
//!      "response": {"status": 200, "headers": {"x-total": "3"}, "json": {"data": []}}}
//!   ]
//! }
//! ```
//!
//! A request matches an exchange when its method (if given) and path are equal and it has
//! every query parameter and header listed (header names case-insensitive, values after the
//! host filled secrets). The first match answers: list the more specific exchanges first.
//! A response has a `json` value (sent as `application/json`) or a `body` string (as is).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything the fixture files of a directory hold, merged.
#[derive(Debug, Default)]
pub(crate) struct Fixtures {
    pub window: Option<WindowSpec>,
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub webhook: Option<Delivery>,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowSpec {
    pub since: String,
    #[serde(default)]
    pub until: Option<String>,
}

/// A sample webhook delivery; the kit sends it tampered with and expects a refusal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Delivery {
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Free text for the reader.
    #[serde(default)]
    #[allow(dead_code)]
    about: Option<String>,
    #[serde(default)]
    window: Option<WindowSpec>,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    webhook: Option<Delivery>,
    #[serde(default)]
    exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exchange {
    pub request: RequestMatch,
    pub response: Canned,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestMatch {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Canned {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub body: Option<String>,
}

fn ok() -> u16 {
    200
}

/// A request as the kit's server received it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl RequestMatch {
    pub fn matches(&self, r: &Received) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&r.method))
            && self.path == r.path
            && self
                .query
                .iter()
                .all(|(k, v)| r.query.iter().any(|(rk, rv)| rk == k && rv == v))
            && self.headers.iter().all(|(k, v)| {
                r.headers
                    .iter()
                    .any(|(rk, rv)| rk.eq_ignore_ascii_case(k) && rv == v)
            })
    }
}

impl Canned {
    /// The body to send and whether it is JSON.
    pub fn body(&self) -> (Vec<u8>, bool) {
        match (&self.json, &self.body) {
            (Some(json), _) => (json.to_string().into_bytes(), true),
            (None, Some(body)) => (body.clone().into_bytes(), false),
            (None, None) => (Vec::new(), false),
        }
    }
}

/// Why a fixture directory could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FixtureError {
    #[error("cannot read fixtures in {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Parse(PathBuf, serde_json::Error),
    #[error("{0} holds no *.json fixture file")]
    Empty(PathBuf),
}

impl Fixtures {
    /// Read every `*.json` of `dir`, in file-name order; later files override earlier ones'
    /// window, settings and secrets, and add their exchanges after.
    pub fn load(dir: &Path) -> Result<Fixtures, FixtureError> {
        let read = |e| FixtureError::Read(dir.to_path_buf(), e);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        if paths.is_empty() {
            return Err(FixtureError::Empty(dir.to_path_buf()));
        }
        paths.sort();
        let mut fixtures = Fixtures::default();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|e| FixtureError::Read(path.clone(), e))?;
            let file: File =
                serde_json::from_str(&text).map_err(|e| FixtureError::Parse(path.clone(), e))?;
            fixtures.window = file.window.or(fixtures.window);
            fixtures.settings.extend(file.settings);
            fixtures.secrets.extend(file.secrets);
            fixtures.webhook = file.webhook.or(fixtures.webhook);
            fixtures.exchanges.extend(file.exchanges);
        }
        Ok(fixtures)
    }

    /// The first exchange answering `request`.
    pub fn answer(&self, request: &Received) -> Option<&Canned> {
        self.exchanges
            .iter()
            .find(|e| e.request.matches(request))
            .map(|e| &e.response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(path: &str, query: &[(&str, &str)], headers: &[(&str, &str)]) -> Received {
        let pairs = |kv: &[(&str, &str)]| {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Received {
            method: "GET".into(),
            path: path.into(),
            query: pairs(query),
            headers: pairs(headers),
        }
    }

    #[test]
    fn files_merge_in_name_order_and_the_first_matching_exchange_answers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.json"),
            r#"{"secrets": {"k": "1"}, "exchanges": [
                {"request": {"path": "/x", "query": {"page": "2"}, "headers": {"Authorization": "Bearer 1"}},
                 "response": {"json": {"n": 2}}},
                {"request": {"method": "GET", "path": "/x"}, "response": {"status": 404, "body": "no"}}]}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("b.json"), r#"{"secrets": {"k": "2"}}"#).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let f = Fixtures::load(dir.path()).unwrap();
        assert_eq!(f.secrets["k"], "2");
        let page2 = received(
            "/x",
            &[("page", "2"), ("limit", "5")],
            &[("authorization", "Bearer 1")],
        );
        assert_eq!(
            f.answer(&page2).unwrap().body(),
            (br#"{"n":2}"#.to_vec(), true)
        );
        let other = received("/x", &[("page", "2")], &[]);
        let canned = f.answer(&other).unwrap();
        assert_eq!(
            (canned.status, canned.body()),
            (404, (b"no".to_vec(), false))
        );
        assert!(f.answer(&received("/y", &[], &[])).is_none());
    }

    #[test]
    fn a_typo_is_an_error_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.json"),
            "{\n \"exchanges\": [{\"request\": {\"path\": \"/\"}, \"reponse\": {}}]}",
        )
        .unwrap();
        let err = Fixtures::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("x.json: unknown field `reponse`"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }
}
