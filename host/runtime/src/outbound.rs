//! The `http` capability lent to plugins: one request at a time, to allowed origins only,
//! with secrets filled into header values by the host and scrubbed from what comes back.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use std::sync::Arc;
use std::time::Instant;

use crate::bindings::intake::plugin::http::{HttpError, Request, Response};
use crate::integration::Secret;
use crate::origin::Origin;
use crate::policy::NetPolicy;
use crate::public_net::{PublicResolver, check_literal, refused_in};

const PLACEHOLDER_OPEN: &str = "{{secret:";
/// `{{basic:USER:KEY}}`: the host writes base64(`USER:secret`), an HTTP Basic credential.
const BASIC_OPEN: &str = "{{basic:";
const PLACEHOLDER_CLOSE: &str = "}}";
const REDACTED: &[u8] = b"[redacted]";

/// Per-call state of the `http` capability.
pub(crate) struct Outbound {
    pub(crate) clients: Clients,
    pub(crate) policy: Arc<NetPolicy>,
    pub(crate) secrets: Arc<HashMap<String, Secret>>,
    pub(crate) deadline: Instant,
    pub(crate) max_requests: u32,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_placeholders: usize,
    pub(crate) max_header_bytes: usize,
    pub(crate) requests_made: u32,
    pub(crate) meter: Option<crate::integration::RequestMeter>,
}

/// The two clients every call shares: no redirects (each hop would need its own check), no
/// ambient proxy from the environment. `public` connects only to public addresses and serves
/// origins the plugin merely declared; `granted` serves origins the operator granted.
#[derive(Clone)]
pub(crate) struct Clients {
    public: reqwest::Client,
    granted: reqwest::Client,
}

impl Clients {
    pub(crate) fn new() -> anyhow::Result<Clients> {
        // reqwest is built without a default TLS provider: pick ring, once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("intake/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Clients {
            public: builder().dns_resolver(Arc::new(PublicResolver)).build()?,
            granted: builder().build()?,
        })
    }
}

impl Outbound {
    pub(crate) async fn send(&mut self, request: Request) -> Result<Response, HttpError> {
        if self.requests_made >= self.max_requests {
            return Err(HttpError::RequestLimit);
        }
        self.requests_made += 1;

        let url = url::Url::parse(&request.url)
            .map_err(|e| HttpError::Denied(format!("bad URL `{}`: {e}", request.url)))?;
        let origin = Origin::of(&url).map_err(HttpError::Denied)?;
        if !self.policy.may_reach(&origin) {
            return Err(HttpError::Denied(format!(
                "{origin} is not an origin this plugin may reach (declared and allowed, or granted)"
            )));
        }
        let granted = self.policy.is_granted(&origin);
        if !granted {
            check_literal(&url).map_err(HttpError::Denied)?;
        }
        let in_body = |open: &str| {
            request
                .body
                .as_deref()
                .is_some_and(|b| contains(b, open.as_bytes()))
        };
        if request.url.contains(PLACEHOLDER_OPEN)
            || request.url.contains(BASIC_OPEN)
            || in_body(PLACEHOLDER_OPEN)
            || in_body(BASIC_OPEN)
        {
            return Err(HttpError::Denied(
                "secrets are filled only in header values, not in the URL or body".into(),
            ));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| HttpError::Denied(format!("bad method `{}`", request.method)))?;

        // Bounded before anything is filled: filling copies a secret per placeholder.
        let header_bytes = request.headers.iter().fold(0usize, |sum, (n, v)| {
            sum.saturating_add(n.len()).saturating_add(v.len())
        });
        if header_bytes > self.max_header_bytes {
            return Err(HttpError::Denied(format!(
                "the request's headers are {header_bytes} bytes; at most {} are sent",
                self.max_header_bytes
            )));
        }
        let placeholders: usize = request
            .headers
            .iter()
            .map(|(_, v)| v.matches(PLACEHOLDER_OPEN).count() + v.matches(BASIC_OPEN).count())
            .sum();
        if placeholders > self.max_placeholders {
            return Err(HttpError::Denied(format!(
                "the request holds {placeholders} secret placeholders; at most {} are filled",
                self.max_placeholders
            )));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        // The Basic credentials sent, to be scrubbed from the answer in their encoded form.
        let mut encoded: Vec<String> = Vec::new();
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("host") {
                return Err(HttpError::Denied(
                    "the Host header is set by the host from the URL".into(),
                ));
            }
            // The host owns content encoding: a compressed body would carry an echoed secret
            // past the scrub. The plugin's wish is replaced by `identity` below.
            if name.eq_ignore_ascii_case("accept-encoding") {
                continue;
            }
            // A Basic credential belongs in Authorization only: anywhere else a server could
            // log it as plain text.
            if value.contains(BASIC_OPEN) && !name.eq_ignore_ascii_case("authorization") {
                return Err(HttpError::Denied(format!(
                    "a Basic placeholder is filled only in the Authorization header, not in `{name}`"
                )));
            }
            let value = self.fill_secrets(value, &origin, &mut encoded)?;
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| HttpError::Denied(format!("bad header name `{name}`")))?;
            let value = reqwest::header::HeaderValue::from_str(&value)
                .map_err(|_| HttpError::Denied(format!("bad value for header `{name}`")))?;
            headers.append(name, value);
        }

        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout);
        }
        let client = if granted {
            &self.clients.granted
        } else {
            &self.clients.public
        };
        let mut builder = client
            .request(method, url)
            .headers(headers)
            .timeout(remaining);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        builder = builder.header(reqwest::header::ACCEPT_ENCODING, "identity");
        if let Some(meter) = &self.meter {
            meter.add_one();
        }
        let response = builder.send().await.map_err(transport_error)?;
        if let Some(encoding) = response
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|e| !e.is_empty() && e != "identity")
        {
            return Err(HttpError::Failed(format!(
                "the server sent a `{}`-encoded body though the host asked for identity; it is not passed on",
                encoding
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect::<String>()
            )));
        }
        let status = response.status().as_u16();
        let response_headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = read_capped(response, self.max_response_bytes).await?;

        // An API that echoes credentials back must not become a way to read them.
        let mut out = Response {
            status,
            headers: response_headers,
            body,
        };
        // Every secret of the integration, not only those sent: a server may hand back a
        // secret it stored earlier (e.g. as an idempotency key) to be sent elsewhere.
        // Base64 forms too, also unpadded: a JSON echo may escape the `=`, and the rest
        // would still decode to the secret.
        let secrets = self.secrets.clone();
        encoded.extend(secrets.values().map(|s| base64_unpadded(s.expose())));
        let large = out.body.len() > 256 << 10;
        off_the_async_workers(large, || {
            let all: Vec<&[u8]> = secrets
                .values()
                .map(|s| s.expose().as_bytes())
                .chain(encoded.iter().map(|e| e.as_bytes()))
                .collect();
            scrub(&mut out, &all)
        })?;
        Ok(out)
    }

    /// Replace each `{{secret:KEY}}` in a header value by the secret, and each
    /// `{{basic:USER:KEY}}` by base64(`USER:secret`), if KEY may be sent to `origin`. The
    /// Basic forms written are pushed on `encoded` (padded and not) for the response scrub.
    fn fill_secrets(
        &self,
        value: &str,
        origin: &Origin,
        encoded: &mut Vec<String>,
    ) -> Result<String, HttpError> {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        loop {
            let next = [PLACEHOLDER_OPEN, BASIC_OPEN]
                .into_iter()
                .filter_map(|open| rest.find(open).map(|at| (at, open)))
                .min_by_key(|(at, _)| *at);
            let Some((start, open)) = next else { break };
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len()..];
            let end = after
                .find(PLACEHOLDER_CLOSE)
                .ok_or_else(|| HttpError::Denied("unterminated secret placeholder".into()))?;
            let inner = &after[..end];
            let (user, key) = if open == BASIC_OPEN {
                // RFC 7617: a user id holds no colon, so the first one ends it.
                let (user, key) = inner.split_once(':').ok_or_else(|| {
                    HttpError::Denied(
                        "a Basic placeholder is `{{basic:USER:SECRET_KEY}}`: the key is missing"
                            .into(),
                    )
                })?;
                (Some(user), key)
            } else {
                (None, inner)
            };
            let secret = self.secrets.get(key).ok_or_else(|| {
                HttpError::Denied(format!("this integration has no secret `{key}`"))
            })?;
            if !self.policy.may_send_secret(key, origin) {
                return Err(HttpError::Denied(format!(
                    "secret `{key}` may not be sent to {origin}"
                )));
            }
            match user {
                Some(user) => {
                    let credential = format!("{user}:{}", secret.expose());
                    let padded = STANDARD.encode(&credential);
                    out.push_str(&padded);
                    encoded.push(base64_unpadded(&credential));
                    encoded.push(padded);
                }
                None => out.push_str(secret.expose()),
            }
            rest = &after[end + PLACEHOLDER_CLOSE.len()..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Standard base64 without its `=` padding.
fn base64_unpadded(text: &str) -> String {
    STANDARD_NO_PAD.encode(text)
}

fn transport_error(e: reqwest::Error) -> HttpError {
    if let Some(refused) = refused_in(&e) {
        HttpError::Denied(refused.to_string())
    } else if e.is_timeout() {
        HttpError::Timeout
    } else {
        // Without the URL: it is the plugin's own, and keeps messages short.
        HttpError::Failed(e.without_url().to_string())
    }
}

/// The body, refusing to buffer more than `cap` bytes.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, HttpError> {
    if response
        .content_length()
        .is_some_and(|len| len > cap as u64)
    {
        return Err(HttpError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > cap {
            return Err(HttpError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// `bytes` with every match of `matcher` replaced by `[redacted]`: one linear pass.
fn redact(matcher: &AhoCorasick, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    matcher.replace_all_with_bytes(bytes, &mut out, |_, _, dst| {
        dst.extend_from_slice(REDACTED);
        true
    });
    out
}

/// Remove every one of `secrets` from the response, header names included, in one pass over
/// each part. Fails closed: a response that cannot be scrubbed is not handed over.
fn scrub(response: &mut Response, secrets: &[&[u8]]) -> Result<(), HttpError> {
    let secrets: Vec<&[u8]> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    if secrets.is_empty() {
        return Ok(());
    }
    let matcher = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&secrets)
        .map_err(|e| HttpError::Failed(format!("the response could not be scrubbed: {e}")))?;
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    response.body = redact(&matcher, &response.body);
    for (name, value) in &mut response.headers {
        *name = text(redact(&matcher, name.as_bytes()));
        *value = text(redact(&matcher, value.as_bytes()));
    }
    Ok(())
}

/// Run `work` where it does not hold up other calls: a large scrub is CPU work, so on a
/// multi-threaded runtime it moves off the async worker; small ones run in place.
fn off_the_async_workers<T>(large: bool, work: impl FnOnce() -> T) -> T {
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if large && multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_every_occurrence() {
        let mut r = Response {
            status: 200,
            headers: vec![("x-echo".into(), "Bearer sk_1 sk_1".into())],
            body: b"{\"auth\":\"sk_1\",\"again\":\"sk_1sk_1\"}".to_vec(),
        };
        scrub(&mut r, &[b"sk_1", b"sk_1", b""]).unwrap();
        assert_eq!(r.headers[0].1, "Bearer [redacted] [redacted]");
        assert_eq!(
            r.body,
            b"{\"auth\":\"[redacted]\",\"again\":\"[redacted][redacted]\"}".to_vec()
        );
    }
}
