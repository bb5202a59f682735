//! The HTTP side: Stripe's list and retrieve endpoints with its pagination, filters,
//! `expand[]`, auth and error bodies, over the seeded [`Dataset`]s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::generate::{Dataset, Generator};
use super::{Fault, Mode};

mod list;

use list::{expand, list};

/// One mode's data and an index of where each object is.
pub(crate) struct ModeState {
    pub generator: Generator,
    /// id -> position in its list.
    index: HashMap<String, usize>,
    /// balance transaction id -> the payout that settled it.
    payout_of: HashMap<String, String>,
}

impl ModeState {
    pub fn new(generator: Generator) -> ModeState {
        let mut state = ModeState {
            generator,
            index: HashMap::new(),
            payout_of: HashMap::new(),
        };
        state.reindex();
        state
    }

    pub fn data(&self) -> &Dataset {
        &self.generator.data
    }

    pub fn reindex(&mut self) {
        let d = &self.generator.data;
        let mut index = HashMap::new();
        fn add<'a>(index: &mut HashMap<String, usize>, ids: impl Iterator<Item = &'a String>) {
            for (i, id) in ids.enumerate() {
                index.insert(id.clone(), i);
            }
        }
        add(&mut index, d.charges.iter().map(|x| &x.id));
        add(&mut index, d.refunds.iter().map(|x| &x.id));
        add(&mut index, d.disputes.iter().map(|x| &x.id));
        add(&mut index, d.balance_transactions.iter().map(|x| &x.id));
        add(&mut index, d.customers.iter().map(|x| &x.id));
        add(&mut index, d.invoices.iter().map(|x| &x.id));
        add(&mut index, d.payouts.iter().map(|x| &x.id));
        let mut payout_of = HashMap::new();
        for p in &d.payouts {
            for txn in d.payout_members[&p.id]
                .iter()
                .chain(p.balance_transaction.iter())
            {
                payout_of.insert(txn.clone(), p.id.clone());
            }
        }
        self.index = index;
        self.payout_of = payout_of;
    }

    /// Any object by id, as JSON.
    fn lookup(&self, id: &str) -> Option<Value> {
        let i = *self.index.get(id)?;
        let d = &self.generator.data;
        let prefix = id.split('_').next()?;
        let v = match prefix {
            "ch" => serde_json::to_value(d.charges.get(i)?),
            "re" => serde_json::to_value(d.refunds.get(i)?),
            "dp" => serde_json::to_value(d.disputes.get(i)?),
            "txn" => serde_json::to_value(d.balance_transactions.get(i)?),
            "cus" => serde_json::to_value(d.customers.get(i)?),
            "in" => serde_json::to_value(d.invoices.get(i)?),
            "po" => serde_json::to_value(d.payouts.get(i)?),
            _ => return None,
        };
        v.ok()
    }
}

/// One account's data: test and live.
pub(crate) struct Books {
    pub test: ModeState,
    pub live: ModeState,
}

impl Books {
    pub fn mode(&mut self, mode: Mode) -> &mut ModeState {
        match mode {
            Mode::Test => &mut self.test,
            Mode::Live => &mut self.live,
        }
    }
}

pub(crate) struct Inner {
    /// The keys' own account.
    pub own: Books,
    /// Connect: connected accounts by id, reached with `Stripe-Account`.
    pub connected: HashMap<String, Books>,
    pub keys: Vec<(String, Mode)>,
    pub faults: std::collections::VecDeque<Fault>,
    pub insert_per_page: usize,
    pub requests: Vec<String>,
    /// Each request's `Stripe-Account`.
    pub accounts: Vec<Option<String>>,
}

impl Inner {
    /// The keys' own account's data in `mode`.
    pub fn mode(&mut self, mode: Mode) -> &mut ModeState {
        self.own.mode(mode)
    }

    /// The books `Stripe-Account` names (None: the keys' own); None if not connected.
    pub fn books(&mut self, account: Option<&str>) -> Option<&mut Books> {
        match account {
            None => Some(&mut self.own),
            Some(id) => self.connected.get_mut(id),
        }
    }
}

pub(crate) type Shared = Arc<Mutex<Inner>>;

pub(crate) fn router(shared: Shared) -> axum::Router {
    axum::Router::new()
        .route("/_emulator/truth", axum::routing::get(truth))
        .fallback(handle)
        .with_state(shared)
}

/// `GET /_emulator/truth`: what a correct sync of the test-mode data stores (the key the
/// binary prints is the test key). Not counted as a request.
async fn truth(State(shared): State<Shared>) -> axum::Json<Vec<crate::truth::TruthRow>> {
    let mut inner = shared.lock().unwrap_or_else(|e| e.into_inner());
    let rows = super::truth::rows(inner.mode(Mode::Test).data());
    axum::Json(rows.into_values().collect())
}

/// A Stripe error: status and the `{"error":{…}}` body.
struct ApiError {
    status: StatusCode,
    kind: &'static str,
    code: Option<&'static str>,
    message: String,
    param: Option<String>,
}

impl ApiError {
    fn invalid(code: &'static str, message: String, param: Option<&str>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            code: Some(code),
            message,
            param: param.map(str::to_string),
        }
    }

    fn missing(id: &str, what: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code: Some("resource_missing"),
            message: format!("No such {what}: '{id}'"),
            param: Some("id".into()),
        }
    }

    fn response(self) -> Response {
        let mut error = json!({ "type": self.kind, "message": self.message });
        if let Some(code) = self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = self.param {
            error["param"] = json!(param);
        }
        respond(self.status, &json!({ "error": error }), &[])
    }
}

fn respond(status: StatusCode, body: &Value, headers: &[(&str, String)]) -> Response {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("request-id", format!("req_{:016x}", rand::random::<u64>()))
        .header("stripe-version", "2024-06-20");
    for (k, v) in headers {
        builder = builder.header(*k, v);
    }
    builder
        .body(Body::from(serde_json::to_vec(body).expect("JSON")))
        .expect("response")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let account = headers
        .get("stripe-account")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (mode, delay, out_of_window) = {
        let mut inner = shared.lock().unwrap();
        inner.requests.push(format!("{method} {uri}"));
        inner.accounts.push(account.clone());
        let mode = match authenticate(&inner.keys, &headers) {
            Ok(mode) => mode,
            Err(e) => return e.response(),
        };
        if let Some(id) = &account
            && !inner.connected.contains_key(id)
        {
            return ApiError {
                status: StatusCode::FORBIDDEN,
                kind: "invalid_request_error",
                code: Some("account_invalid"),
                message: format!("The provided key does not have access to account '{id}' (or that account does not exist). Application access may have been revoked."),
                param: None,
            }
            .response();
        }
        match inner.faults.pop_front() {
            Some(Fault::Slow(delay)) => (mode, delay, false),
            Some(Fault::OutOfWindow) => (mode, Duration::ZERO, true),
            Some(fault) => return fault_response(fault),
            None => (mode, Duration::ZERO, false),
        }
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if method != Method::GET {
        return ApiError::invalid(
            "parameter_unknown",
            format!("Unrecognized request URL ({method}: {path})."),
            None,
        )
        .response();
    }
    let query = if out_of_window {
        query
            .into_iter()
            .filter(|(k, _)| !k.starts_with("created"))
            .collect()
    } else {
        query
    };
    let mut inner = shared.lock().unwrap();
    let insert_per_page = inner.insert_per_page;
    let Some(books) = inner.books(account.as_deref()) else {
        return ApiError::invalid("account_invalid", "No such account".into(), None).response();
    };
    match route(
        books.mode(mode),
        insert_per_page,
        mode,
        account.as_deref(),
        &path,
        &query,
    ) {
        Ok(body) => respond(StatusCode::OK, &body, &[]),
        Err(e) => e.response(),
    }
}

fn fault_response(fault: Fault) -> Response {
    let should_retry = |h: &mut Vec<(&str, String)>, v: Option<bool>| {
        if let Some(v) = v {
            h.push(("stripe-should-retry", v.to_string()));
        }
    };
    match fault {
        Fault::RateLimit {
            should_retry: retry,
            retry_after,
        } => {
            let mut h = Vec::new();
            should_retry(&mut h, retry);
            if let Some(s) = retry_after {
                h.push(("retry-after", s.to_string()));
            }
            let body = json!({"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."}});
            respond(StatusCode::TOO_MANY_REQUESTS, &body, &h)
        }
        Fault::ServerError {
            status,
            should_retry: retry,
        } => {
            let mut h = Vec::new();
            should_retry(&mut h, retry);
            let body =
                json!({"error": {"type": "api_error", "message": "An unknown error occurred"}});
            respond(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &body,
                &h,
            )
        }
        Fault::Unreadable => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(
                "{\"object\": \"list\", \"data\": [{\"id\": \"ch_",
            ))
            .expect("response"),
        Fault::ProxyNotFound => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header("content-type", "text/html")
            .header("server", "nginx")
            .body(Body::from(
                "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            ))
            .expect("response"),
        Fault::Slow(_) | Fault::OutOfWindow => unreachable!("handled by the caller"),
    }
}

fn authenticate(keys: &[(String, Mode)], headers: &HeaderMap) -> Result<Mode, ApiError> {
    let unauthorized = |message: String| ApiError {
        status: StatusCode::UNAUTHORIZED,
        kind: "invalid_request_error",
        code: None,
        message,
        param: None,
    };
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".into()));
    };
    let key = if let Some(k) = value.strip_prefix("Bearer ") {
        k.trim().to_string()
    } else if let Some(b) = value.strip_prefix("Basic ") {
        let decoded = decode_base64(b.trim()).unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded).to_string();
        text.split(':').next().unwrap_or("").to_string()
    } else {
        return Err(unauthorized(
            "Invalid Authorization header: use Bearer or Basic auth.".into(),
        ));
    };
    keys.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            let tail: String = key
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let head: String = key.chars().take(8).collect();
            unauthorized(format!("Invalid API Key provided: {head}****{tail}"))
        })
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

fn route(
    state: &mut ModeState,
    insert_per_page: usize,
    mode: Mode,
    connected: Option<&str>,
    path: &str,
    query: &[(String, String)],
) -> Result<Value, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let livemode = mode == Mode::Live;
    match segments.as_slice() {
        ["v1", "account"] => Ok(account(connected)),
        ["v1", "balance"] => Ok(json!({
            "object": "balance",
            "available": [{"amount": 125_000, "currency": "usd", "source_types": {"card": 125_000}}],
            "livemode": livemode,
            "pending": [{"amount": 4_200, "currency": "usd", "source_types": {"card": 4_200}}],
        })),
        ["v1", resource] => {
            let resource = resource.to_string();
            // Donors paying while a client pages its charges (listed directly or by their
            // balance transactions).
            if (resource == "charges" || resource == "balance_transactions")
                && insert_per_page > 0
                && query.iter().any(|(k, _)| k == "starting_after")
            {
                for _ in 0..insert_per_page {
                    state.generator.live_charge(now());
                }
                state.reindex();
            }
            list(state, &resource, query)
        }
        ["v1", resource, id] => {
            let what = resource.trim_end_matches('s').replace('_', " ");
            let mut object = state
                .lookup(id)
                .filter(|o| resource_of(o) == Some(resource))
                .ok_or_else(|| ApiError::missing(id, &what))?;
            for (key, value) in query {
                if is_expand(key) {
                    expand(state, &mut object, &value.split('.').collect::<Vec<_>>())?;
                } else {
                    return Err(unknown_param(key));
                }
            }
            Ok(object)
        }
        _ => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code: None,
            message: format!("Unrecognized request URL (GET: {path})."),
            param: None,
        }),
    }
}

fn resource_of(object: &Value) -> Option<&'static str> {
    Some(match object.get("object")?.as_str()? {
        "charge" => "charges",
        "refund" => "refunds",
        "dispute" => "disputes",
        "balance_transaction" => "balance_transactions",
        "customer" => "customers",
        "invoice" => "invoices",
        "payout" => "payouts",
        _ => return None,
    })
}

/// The keys' own account, or (Connect) the connected account `connected`.
fn account(connected: Option<&str>) -> Value {
    if let Some(id) = connected {
        return json!({
            "id": id,
            "object": "account",
            "business_profile": {"mcc": "8651", "name": format!("Committee {id}")},
            "business_type": "non_profit",
            "charges_enabled": true,
            "country": "US",
            "default_currency": "usd",
            "email": null,
            "settings": {"dashboard": {"display_name": format!("Committee {id}"), "timezone": "America/New_York"}},
            "type": "standard",
        });
    }
    json!({
        "id": "acct_1Emulat0rC0mm1ttee",
        "object": "account",
        "business_profile": {"mcc": "8651", "name": "Friends of Jane Doe", "support_email": "treasurer@janedoe.example", "url": "https://janedoe.example"},
        "business_type": "non_profit",
        "charges_enabled": true,
        "country": "US",
        "default_currency": "usd",
        "details_submitted": true,
        "email": "treasurer@janedoe.example",
        "payouts_enabled": true,
        "settings": {"dashboard": {"display_name": "Jane Doe for Congress", "timezone": "America/New_York"}},
        "type": "standard",
    })
}

fn is_expand(key: &str) -> bool {
    key == "expand[]" || (key.starts_with("expand[") && key.ends_with(']'))
}

fn unknown_param(key: &str) -> ApiError {
    ApiError::invalid(
        "parameter_unknown",
        format!("Received unknown parameter: {key}"),
        Some(key),
    )
}
