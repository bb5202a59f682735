//! The HTTP side of the modeled partner API (`plugins/winred/API.md`): bearer token per
//! committee, keyset-paged lists by time window, payout transactions, error bodies, and the
//! fault knobs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::generate::Generator;
use super::{CommitteeInfo, Fault};

pub(crate) struct CommitteeState {
    pub info: CommitteeInfo,
    pub generator: Generator,
}

pub(crate) struct Inner {
    pub committees: Vec<CommitteeState>,
    pub faults: VecDeque<Fault>,
    /// New donations created before answering each donations page that continues a listing.
    pub insert_per_page: usize,
    /// "GET /v1/donations?…" per request.
    pub requests: Vec<String>,
}

pub(crate) type Shared = Arc<Mutex<Inner>>;

pub(crate) fn router(shared: Shared) -> axum::Router {
    axum::Router::new()
        .route("/_emulator/truth", axum::routing::get(truth))
        .fallback(handle)
        .with_state(shared)
}

/// `GET /_emulator/truth`: what a correct sync of every committee stores. Not counted as a
/// request.
async fn truth(State(shared): State<Shared>) -> axum::Json<Vec<crate::truth::TruthRow>> {
    let inner = shared.lock().unwrap_or_else(|e| e.into_inner());
    let rows = inner
        .committees
        .iter()
        .flat_map(|c| super::truth::rows(&c.generator.data))
        .collect();
    axum::Json(rows)
}

fn reply(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).expect("JSON")))
        .expect("response")
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    reply(
        status,
        &json!({"error": {"type": kind, "message": message}}),
    )
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let fault = {
        let mut inner = shared.lock().unwrap();
        inner.requests.push(format!("{method} {uri}"));
        inner.faults.pop_front()
    };
    match fault {
        Some(Fault::RateLimit { retry_after }) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests",
            );
            if let Some(s) = retry_after {
                r.headers_mut()
                    .insert("retry-after", s.to_string().parse().expect("header"));
            }
            return r;
        }
        Some(Fault::ServerError(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error(status, "api_error", "something went wrong on WinRed's end");
        }
        Some(Fault::Unreadable) => {
            return Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from("{\"data\":[{\"id\":\"dn_"))
                .expect("response");
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "only GET is supported",
        );
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let mut inner = shared.lock().unwrap();
    let Some(index) = token.and_then(|t| inner.committees.iter().position(|c| c.info.token == t))
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or unknown API token",
        );
    };
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let path = uri.path().trim_end_matches('/');
    let insert = inner.insert_per_page;
    let committee = &mut inner.committees[index];
    match path {
        "/v1/me" => reply(
            StatusCode::OK,
            &json!({"committee": {
                "id": committee.info.id, "name": committee.info.name, "fec_id": committee.info.fec_id,
                "funding_type": if committee.info.federal { "conduit" } else { "merchant" },
            }}),
        ),
        "/v1/donations" | "/v1/refunds" | "/v1/disputes" | "/v1/payouts" => {
            let q = match ListQuery::parse(&query, true, 500) {
                Ok(q) => q,
                Err(r) => return r,
            };
            if path == "/v1/donations" && q.starting_after.is_some() && insert > 0 {
                let data = &committee.generator.data;
                let latest = data.donations.last().map(|d| d.created_at).unwrap_or(0);
                for k in 0..insert {
                    let d = committee.generator.donation_at(latest + 1 + k as i64);
                    committee.generator.data.donations.push(d);
                }
            }
            let data = &committee.generator.data;
            // Build JSON only for the records a page returns: a list request must not cost
            // the whole dataset.
            match path {
                "/v1/donations" => page(
                    &data.donations,
                    |d| (d.created_at, d.id.as_str()),
                    |d| d.json(),
                    &q,
                ),
                "/v1/refunds" => page(
                    &data.refunds,
                    |d| (d.created_at, d.id.as_str()),
                    |d| d.json(),
                    &q,
                ),
                "/v1/disputes" => page(
                    &data.disputes,
                    |d| (d.created_at, d.id.as_str()),
                    |d| d.json(),
                    &q,
                ),
                _ => page(
                    &data.payouts,
                    |d| (d.paid_at, d.id.as_str()),
                    |d| d.json(),
                    &q,
                ),
            }
        }
        _ => {
            let Some(payout_id) = path
                .strip_prefix("/v1/payouts/")
                .and_then(|r| r.strip_suffix("/transactions"))
            else {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    &format!("no route {path}"),
                );
            };
            let Some(payout) = committee
                .generator
                .data
                .payouts
                .iter()
                .find(|p| p.id == payout_id)
            else {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    &format!("no such payout: {payout_id}"),
                );
            };
            let q = match ListQuery::parse(&query, false, 1000) {
                Ok(q) => q,
                Err(r) => return r,
            };
            page(
                &payout.transactions,
                |t| (t.created_at, t.id.as_str()),
                |t| t.json(),
                &q,
            )
        }
    }
}

struct ListQuery {
    since: Option<i64>,
    until: Option<i64>,
    starting_after: Option<String>,
    limit: usize,
}

#[allow(clippy::result_large_err)] // the Err is the ready 400 answer
fn parse_time(key: &str, value: &str) -> Result<i64, Response> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("`{key}` must be an RFC 3339 time, not `{value}`"),
            )
        })
}

impl ListQuery {
    #[allow(clippy::result_large_err)] // the Err is the ready 400 answer
    fn parse(
        query: &[(String, String)],
        windowed: bool,
        max_limit: usize,
    ) -> Result<ListQuery, Response> {
        let mut q = ListQuery {
            since: None,
            until: None,
            starting_after: None,
            limit: 100,
        };
        for (k, v) in query {
            match k.as_str() {
                "since" if windowed => q.since = Some(parse_time(k, v)?),
                "until" if windowed => q.until = Some(parse_time(k, v)?),
                "starting_after" => q.starting_after = Some(v.clone()),
                "limit" => {
                    q.limit = v
                        .parse()
                        .ok()
                        .filter(|l| (1..=max_limit).contains(l))
                        .ok_or_else(|| {
                            error(
                                StatusCode::BAD_REQUEST,
                                "invalid_request",
                                &format!("`limit` must be 1 to {max_limit}, not `{v}`"),
                            )
                        })?
                }
                other => {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        &format!("unknown parameter `{other}`"),
                    ));
                }
            }
        }
        if windowed && q.since.is_none() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "`since` is required",
            ));
        }
        Ok(q)
    }
}

/// One page of `items` (already in (time, id) order): in the window, strictly after
/// `starting_after`'s position. `key` gives an item's (time, id); `to_json` runs only for the
/// items on the page.
fn page<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> (i64, &'a str),
    to_json: impl Fn(&T) -> Value,
    q: &ListQuery,
) -> Response {
    let after = match &q.starting_after {
        None => None,
        Some(id) => match items.iter().map(&key).find(|(_, i)| i == id) {
            Some(found) => Some(found),
            None => {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    &format!("starting_after: no such object `{id}`"),
                );
            }
        },
    };
    let mut selected = items.iter().filter(|item| {
        let (t, id) = key(item);
        q.since.is_none_or(|s| t >= s)
            && q.until.is_none_or(|u| t < u)
            && after.is_none_or(|a| (t, id) > a)
    });
    let data: Vec<Value> = selected.by_ref().take(q.limit).map(&to_json).collect();
    let has_more = selected.next().is_some();
    reply(StatusCode::OK, &json!({"data": data, "has_more": has_more}))
}
