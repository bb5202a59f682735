//! ActBlue's CSV API: create a CSV job, poll it, download the file. Every API request carries
//! `Authorization: Basic {{basic:UUID:client_secret}}`, which the host fills: the plugin never
//! sees the secret. The download link is a bearer URL: fetched with no credentials at all.

use intake_plugin_sdk::Error;
use intake_plugin_sdk::http::{Request, Response};
use serde::Deserialize;

use crate::config::Config;

/// A CSV job as `GET /api/v1/csvs/{id}` describes it.
#[derive(Debug, Deserialize)]
pub struct Job {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub download_url: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: serde_json::Value,
}

pub struct Api<'a> {
    config: &'a Config,
    /// Requests made by this call, to stay under the host's per-call limit.
    pub requests: u32,
}

impl<'a> Api<'a> {
    pub fn new(config: &'a Config) -> Api<'a> {
        Api {
            config,
            requests: 0,
        }
    }

    fn authorized(&self, request: Request) -> Request {
        request
            .header(
                "Authorization",
                format!(
                    "Basic {{{{basic:{}:client_secret}}}}",
                    self.config.client_uuid
                ),
            )
            .header("Accept", "application/json")
    }

    fn send(&mut self, request: Request) -> Result<Response, Error> {
        self.requests += 1;
        let response = request.send()?;
        match response.status_error(None) {
            Some(e) => Err(e),
            None => Ok(response),
        }
    }

    /// `POST /api/v1/csvs` for `[start, end)` (dates, `YYYY-MM-DD`): the new job's id.
    pub fn create(&mut self, csv_type: &str, start: &str, end: &str) -> Result<String, Error> {
        let body = serde_json::json!({
            "csv_type": csv_type,
            "date_range_start": start,
            "date_range_end": end,
        });
        let request = self
            .authorized(Request::post(format!(
                "{}/api/v1/csvs",
                self.config.api_base
            )))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        let created: Created = self.send(request)?.json()?;
        match created.id {
            serde_json::Value::String(id) if valid_id(&id) => Ok(id),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            other => Err(Error::InvalidData(format!(
                "ActBlue answered a CSV request with id {other}, not a job id"
            ))),
        }
    }

    /// `GET /api/v1/csvs/{id}`.
    pub fn job(&mut self, id: &str) -> Result<Job, Error> {
        let request = self.authorized(Request::get(format!(
            "{}/api/v1/csvs/{id}",
            self.config.api_base
        )));
        self.send(request)?.json()
    }

    /// The file behind a download link, fetched without credentials.
    pub fn download(&mut self, url: &str) -> Result<Vec<u8>, Error> {
        Ok(self.send(Request::get(url))?.body)
    }
}

/// A job id goes into a URL path and a cursor: letters, digits, `-` and `_` only.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
