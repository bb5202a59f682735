//! The kit's loopback server, put in front of the plugin as its `api_base`: it answers from
//! recorded exchanges or forwards to a live endpoint, and on request answers every request
//! with an injected failure (a malformed page, a 429, a 5xx) instead.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;

use super::fixture::{Fixtures, Received};

/// What the server answers with.
pub(crate) enum Source {
    Fixtures(Fixtures),
    /// Forward to this base URL (no trailing slash).
    Upstream(String),
}

/// A failure the server answers every request with while set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inject {
    /// 200 with a JSON body cut off mid-way.
    Malformed,
    /// 429 with `Retry-After: 7`.
    TooManyRequests,
    /// 500 with a short JSON error.
    ServerError,
}

/// Seconds the injected 429 asks the plugin to wait.
pub(crate) const INJECTED_WAIT: u32 = 7;

#[derive(Default)]
struct Shared {
    inject: Option<Inject>,
    /// Requests no recorded exchange answered, as `METHOD /path?query`.
    misses: Vec<String>,
    requests: u64,
}

pub(crate) struct KitServer {
    url: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

struct App {
    source: Source,
    client: reqwest::Client,
    shared: Arc<Mutex<Shared>>,
}

impl KitServer {
    /// Listen on a free loopback port.
    pub async fn start(source: Source) -> std::io::Result<KitServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let app = Arc::new(App {
            source,
            client,
            shared: Arc::clone(&shared),
        });
        let router = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let app = Arc::clone(&app);
                async move { app.answer(method, uri, headers, body).await }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(KitServer { url, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn inject(&self, inject: Option<Inject>) {
        self.shared().inject = inject;
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.shared().requests
    }

    /// The unanswered requests since the last call.
    pub fn take_misses(&self) -> Vec<String> {
        std::mem::take(&mut self.shared().misses)
    }
}

impl Drop for KitServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn respond(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn json_header() -> Vec<(String, String)> {
    vec![("content-type".into(), "application/json".into())]
}

impl App {
    async fn answer(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        let inject = {
            let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
            shared.requests = shared.requests.saturating_add(1);
            shared.inject
        };
        match inject {
            Some(Inject::Malformed) => {
                return respond(200, &json_header(), br#"{"data": [{"id": "#.to_vec());
            }
            Some(Inject::TooManyRequests) => {
                let mut h = json_header();
                h.push(("retry-after".into(), INJECTED_WAIT.to_string()));
                return respond(429, &h, br#"{"error": "too many requests"}"#.to_vec());
            }
            Some(Inject::ServerError) => {
                return respond(
                    500,
                    &json_header(),
                    br#"{"error": "internal error"}"#.to_vec(),
                );
            }
            None => {}
        }
        match &self.source {
            Source::Fixtures(fixtures) => {
                let received = Received {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                    query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                        .into_owned()
                        .collect(),
                    headers: headers
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                };
                match fixtures.answer(&received) {
                    Some(canned) => {
                        let (body, json) = canned.body();
                        let mut h: Vec<(String, String)> = canned
                            .headers
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        if json {
                            h.extend(json_header());
                        }
                        respond(canned.status, &h, body)
                    }
                    None => {
                        let what = format!("{method} {uri}");
                        let body = serde_json::json!({
                            "error": format!("no recorded exchange matches {what}")
                        });
                        self.shared
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .misses
                            .push(what);
                        respond(404, &json_header(), body.to_string().into_bytes())
                    }
                }
            }
            Source::Upstream(base) => self.forward(base, method, &uri, headers, body).await,
        }
    }

    async fn forward(
        &self,
        base: &str,
        method: Method,
        uri: &Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let target = format!(
            "{base}{}",
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
        );
        let mut request = self.client.request(method, &target);
        for (name, value) in &headers {
            if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                request = request.header(name, value);
            }
        }
        match request.body(body).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "content-length" | "transfer-encoding" | "connection"
                        )
                    })
                    .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
                    .collect();
                match response.bytes().await {
                    Ok(bytes) => respond(status, &headers, bytes.to_vec()),
                    Err(e) => respond(502, &[], format!("kit proxy: {e}").into_bytes()),
                }
            }
            Err(e) => respond(502, &[], format!("kit proxy: {target}: {e}").into_bytes()),
        }
    }
}
