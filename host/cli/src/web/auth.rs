//! Who is asking: the API token as a bearer header, or a session opened by the sign-in form.
//!
//! A session is a random id in an HttpOnly, SameSite=Strict cookie, mapped here to the
//! reviewer's name and the session's CSRF token; the API token itself never sits in a cookie.
//! Tokens are compared in constant time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use rand::RngCore;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{PageError, Shared};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "intake_session";
/// The sign-in form's own CSRF cookie (double submit: there is no session yet).
pub(crate) const SIGNIN_COOKIE: &str = "intake_signin";
/// A session lasts a working day.
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// The longest reviewer name kept.
const MAX_NAME: usize = 100;

/// Who made a request.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The name decisions are recorded under.
    pub(crate) reviewer: String,
    /// The session's CSRF token; None for a bearer-header request, which carries no ambient
    /// credential a forged form could ride on.
    pub(crate) csrf: Option<String>,
}

struct Session {
    reviewer: String,
    csrf: String,
    expires: Instant,
}

/// The open sessions, by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    fn open(&self, reviewer: String) -> String {
        let id = random_token();
        let now = Instant::now();
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| s.expires > now);
        map.insert(
            id.clone(),
            Session {
                reviewer,
                csrf: random_token(),
                expires: now + SESSION_TTL,
            },
        );
        id
    }

    fn viewer(&self, id: &str) -> Option<Viewer> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id)
            .filter(|s| s.expires > Instant::now())
            .map(|s| Viewer {
                reviewer: s.reviewer.clone(),
                csrf: Some(s.csrf.clone()),
            })
    }

    fn close(&self, id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// 256 random bits from the thread's CSPRNG (seeded and reseeded from the OS), hex.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// How a request stands.
pub(crate) enum Auth {
    /// Signed in, or a good bearer token.
    Viewer(Viewer),
    /// Nothing presented: the sign-in page.
    Anonymous,
    /// A bearer token that is not the API token.
    BadToken,
}

/// Who is asking, from the bearer header or the session cookie.
pub(crate) fn authenticate(state: &Shared, headers: &HeaderMap) -> Auth {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        return match token {
            Some(t) if same(t, &state.page.api_token) => Auth::Viewer(Viewer {
                reviewer: headers
                    .get("x-intake-reviewer")
                    .and_then(|v| v.to_str().ok())
                    .and_then(clean_name)
                    .unwrap_or_else(|| "API token".to_string()),
                csrf: None,
            }),
            _ => Auth::BadToken,
        };
    }
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .and_then(|c| state.sessions.viewer(c.value()))
        .map_or(Auth::Anonymous, Auth::Viewer)
}

/// The viewer, or the response that stands in for the page: a redirect to the sign-in page,
/// or 401 for a wrong bearer token.
#[allow(clippy::result_large_err)] // the response is the page's answer, returned once
pub(crate) fn require(state: &Shared, headers: &HeaderMap) -> Result<Viewer, Response> {
    match authenticate(state, headers) {
        Auth::Viewer(v) => Ok(v),
        Auth::Anonymous => Err(Redirect::to("/signin").into_response()),
        Auth::BadToken => Err((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "The bearer token is not this service's API token.",
        )
            .into_response()),
    }
}

/// A POST from a session must carry the session's CSRF token.
pub(crate) fn check_csrf(viewer: &Viewer, sent: Option<&str>) -> Result<(), PageError> {
    match (&viewer.csrf, sent) {
        (None, _) => Ok(()),
        (Some(expected), Some(sent)) if same(expected, sent) => Ok(()),
        _ => Err(csrf_refused()),
    }
}

fn csrf_refused() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "This form did not come from this page or has expired; nothing was changed. \
         Go back, reload the page and try again.",
    )
}

/// A reviewer's name as kept: trimmed, no control characters, not empty, not too long.
fn clean_name(raw: &str) -> Option<String> {
    let name: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    (!name.is_empty() && name.chars().count() <= MAX_NAME).then_some(name)
}

fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

/// The sign-in page, with `message` above the form and `status`.
fn signin_page(
    state: &Shared,
    jar: CookieJar,
    status: StatusCode,
    message: Option<&str>,
) -> Response {
    let csrf = random_token();
    let html = state.templates.render(
        "signin.html",
        minijinja::context! { message, csrf => &csrf },
    );
    (status, jar.add(cookie(SIGNIN_COOKIE, csrf)), html).into_response()
}

/// GET /signin.
pub(crate) async fn signin_form(State(state): State<Shared>, jar: CookieJar) -> Response {
    signin_page(&state, jar, StatusCode::OK, None)
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub(crate) struct SignIn {
    token: Option<String>,
    reviewer: Option<String>,
    csrf: Option<String>,
}

/// POST /signin: a good token and a name open a session; otherwise the form again.
pub(crate) async fn signin(
    State(state): State<Shared>,
    jar: CookieJar,
    Form(form): Form<SignIn>,
) -> Response {
    let expected = jar.get(SIGNIN_COOKIE).map(|c| c.value().to_string());
    let csrf_ok = matches!((&expected, &form.csrf), (Some(e), Some(s)) if same(e, s));
    if !csrf_ok {
        return signin_page(
            &state,
            jar,
            StatusCode::FORBIDDEN,
            Some("The sign-in form had expired. Please sign in again."),
        );
    }
    let token_ok = form
        .token
        .as_deref()
        .is_some_and(|t| same(t.trim(), &state.page.api_token));
    if !token_ok {
        return signin_page(
            &state,
            jar,
            StatusCode::UNAUTHORIZED,
            Some("That token is not this service's API token. Check it and try again."),
        );
    }
    let Some(reviewer) = form.reviewer.as_deref().and_then(clean_name) else {
        return signin_page(
            &state,
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Type your name (up to 100 characters): decisions are recorded under it."),
        );
    };
    let id = state.sessions.open(reviewer);
    let jar = jar
        .remove(Cookie::build(SIGNIN_COOKIE).path("/"))
        .add(cookie(SESSION_COOKIE, id));
    (jar, Redirect::to("/queue")).into_response()
}

/// The sign-out form's fields.
#[derive(Deserialize)]
pub(crate) struct SignOut {
    csrf: Option<String>,
}

/// POST /signout: closes the session.
pub(crate) async fn signout(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignOut>,
) -> Response {
    let viewer = match require(&state, &headers) {
        Ok(v) => v,
        Err(response) => return response,
    };
    if let Err(e) = check_csrf(&viewer, form.csrf.as_deref()) {
        return state.templates.error(&e, Some(&viewer));
    }
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.sessions.close(c.value());
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/signin")).into_response()
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn reviewer_names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ada \n").as_deref(), Some("Ada"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(clean_name(&"x".repeat(101)), None);
    }
}
