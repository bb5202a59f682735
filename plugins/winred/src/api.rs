//! Requests to the modeled partner API (paths and parameters in API.md). The token never
//! passes through the plugin: it goes in a `{{secret:api_token}}` header the host fills.

use intake_plugin_sdk::Error;
use intake_plugin_sdk::http::{Request, Response};
use serde::de::DeserializeOwned;

use crate::wire;

pub struct Api<'a> {
    base: &'a str,
    /// Requests made by this call, to stay under the host's per-call limit.
    pub requests: u32,
}

/// A list request's window and position.
pub struct ListQuery<'a> {
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub starting_after: Option<&'a str>,
    pub limit: usize,
}

impl<'a> Api<'a> {
    pub fn new(base: &'a str) -> Api<'a> {
        Api { base, requests: 0 }
    }

    fn get(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Response, Error> {
        let mut request = Request::get(format!("{}{path}", self.base))
            .bearer_secret("api_token")
            .header("Accept", "application/json");
        for (k, v) in query {
            request = request.query(k, v);
        }
        self.requests += 1;
        let response = request.send()?;
        if let Some(err) = response.status_error(error_message(&response)) {
            return Err(err);
        }
        Ok(response)
    }

    pub fn me(&mut self) -> Result<wire::Me, Error> {
        self.get("/v1/me", &[])?.json()
    }

    pub fn list<T: DeserializeOwned>(
        &mut self,
        path: &str,
        q: &ListQuery<'_>,
    ) -> Result<wire::List<T>, Error> {
        let limit = q.limit.to_string();
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(since) = q.since {
            query.push(("since", since));
        }
        if let Some(until) = q.until {
            query.push(("until", until));
        }
        if let Some(after) = q.starting_after {
            query.push(("starting_after", after));
        }
        query.push(("limit", &limit));
        self.get(path, &query)?.json()
    }
}

/// What the API said in its error body, when it said it in the modeled shape.
fn error_message(response: &Response) -> Option<String> {
    if response.is_success() {
        return None;
    }
    let body: wire::ErrorBody = serde_json::from_slice(&response.body).ok()?;
    match (body.error.kind, body.error.message) {
        (Some(k), Some(m)) => Some(format!("{k}: {m}")),
        (k, m) => k.or(m),
    }
}
