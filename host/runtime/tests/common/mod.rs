//! Shared by the host's integration tests: a host with test limits and one compiled-code cache
//! for every test binary, and a loopback server that records what reached it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use intake_host::{Host, HostConfig, Limits};

/// One cache for all test binaries: each guest is compiled once per `cargo test`.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")
}

pub fn test_limits() -> Limits {
    Limits {
        call_timeout: Duration::from_secs(2),
        memory_bytes: 64 << 20,
        ..Limits::default()
    }
}

pub fn host_with(limits: Limits) -> Host {
    let config = HostConfig {
        limits,
        cache_dir: Some(cache_dir()),
        ..HostConfig::default()
    };
    Host::new(config).expect("host")
}

/// A host with the hostile guest and the WinRed plugin loaded.
pub async fn loaded_host(limits: Limits) -> Host {
    let host = host_with(limits);
    host.load_file(intake_test_artifacts::HOSTILE)
        .await
        .expect("load hostile guest");
    host.load_file(intake_test_artifacts::WINRED)
        .await
        .expect("load winred plugin");
    host
}

/// What each request to a `Server` carried.
#[derive(Default)]
pub struct Seen {
    pub hits: AtomicUsize,
    pub authorization: Mutex<Vec<String>>,
}

/// A loopback HTTP server for the network attacks:
/// `/ok`, `/echo` (reflects Authorization), `/redirect?to=URL`, `/huge`, `/wait` (100 ms),
/// `/slow` (30 s).
pub struct Server {
    pub url: String,
    pub seen: Arc<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start() -> Server {
        Server::start_on(0).await
    }

    /// On a fixed loopback port: for a guest that declares it at build time.
    pub async fn start_on(port: u16) -> Server {
        let seen = Arc::new(Seen::default());
        let router = Router::new()
            .route("/ok", any(|| async { "ok" }))
            .route("/echo", get(echo))
            .route("/gzip-if-asked", get(gzip_if_asked))
            .route("/gzip-always", get(gzip_always))
            .route("/redirect", get(redirect))
            .route("/huge", get(huge))
            .route("/slow", get(slow))
            .route("/wait", get(wait))
            .layer(axum::middleware::from_fn_with_state(seen.clone(), record))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Server { url, seen, task }
    }

    pub fn hits(&self) -> usize {
        self.seen.hits.load(Ordering::SeqCst)
    }
}

async fn record(
    State(seen): State<Arc<Seen>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    seen.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(auth) = request.headers().get("authorization") {
        seen.authorization
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(auth.as_bytes()).into_owned());
    }
    next.run(request).await
}

async fn echo(headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    ([("x-echo", auth.clone())], format!("you sent: {auth}")).into_response()
}

/// Like `/echo`, but a client that accepts gzip gets the echo "compressed" (its bytes
/// reversed behind a gzip magic number: enough to hide it from a byte-level scrub).
async fn gzip_if_asked(headers: HeaderMap) -> Response {
    let accepts_gzip = headers
        .get("accept-encoding")
        .is_some_and(|v| String::from_utf8_lossy(v.as_bytes()).contains("gzip"));
    if !accepts_gzip {
        return echo(headers).await;
    }
    gzip_always(headers).await
}

async fn gzip_always(headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let mut body = vec![0x1f, 0x8b];
    body.extend(auth.iter().rev());
    ([("content-encoding", "gzip")], body).into_response()
}

async fn redirect(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    (
        StatusCode::FOUND,
        [("location", q.get("to").cloned().unwrap_or_default())],
    )
        .into_response()
}

/// 64 MiB, streamed without a Content-Length: the host must stop reading, not buffer it.
async fn huge() -> Response {
    let chunk = bytes::Bytes::from(vec![b'x'; 1 << 20]);
    let stream =
        futures_util::stream::iter((0..64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    axum::body::Body::from_stream(stream).into_response()
}

async fn wait() -> &'static str {
    tokio::time::sleep(Duration::from_millis(100)).await;
    "ok"
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "too late"
}
