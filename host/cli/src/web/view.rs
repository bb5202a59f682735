//! The templates, compiled into the binary, and what they are given to show.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use intake_engine::matching::{Candidate, Contact};
use intake_engine::queue::QueueItem;
use intake_host::types::Person;
use minijinja::Environment;
use serde::Serialize;

use super::PageError;
use super::auth::Viewer;
use crate::report::money;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("signin.html", include_str!("templates/signin.html")),
    ("list.html", include_str!("templates/list.html")),
    ("item.html", include_str!("templates/item.html")),
    ("error.html", include_str!("templates/error.html")),
];

/// The page's templates. `.html` templates escape everything they are given.
pub(crate) struct Templates(Environment<'static>);

impl Templates {
    pub(crate) fn new() -> Self {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // The templates are ours and tested: one that does not parse fails every test.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "queue page: bad template");
            }
        }
        Templates(env)
    }

    /// Render `name`; a template error becomes a plain 500, never a panic.
    pub(crate) fn render(&self, name: &str, ctx: minijinja::Value) -> Response {
        match self.0.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "queue page: render failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The page could not be drawn; nothing was changed.",
                )
                    .into_response()
            }
        }
    }

    /// The error page: the sentence, with its status.
    pub(crate) fn error(&self, e: &PageError, viewer: Option<&Viewer>) -> Response {
        let mut response = self.render(
            "error.html",
            minijinja::context! {
                message => &e.message,
                status => e.status.as_u16(),
                reason => e.status.canonical_reason(),
                viewer => viewer.map(ViewerView::of),
            },
        );
        if response.status().is_success() {
            *response.status_mut() = e.status;
        }
        response
    }
}

/// The signed-in reviewer, as the header shows them.
#[derive(Serialize)]
pub(crate) struct ViewerView {
    name: String,
    csrf: Option<String>,
}

impl ViewerView {
    pub(crate) fn of(v: &Viewer) -> Self {
        ViewerView {
            name: v.reviewer.clone(),
            csrf: v.csrf.clone(),
        }
    }
}

/// "Ada B. Lovelace Jr."
pub(crate) fn full_name(p: &Person) -> String {
    [
        Some(p.first_name.as_str()),
        p.middle_name.as_deref(),
        Some(p.last_name.as_str()),
        p.suffix.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

/// A person's facts, one per line, for a definition list.
#[derive(Serialize)]
pub(crate) struct PersonView {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    employer: Option<String>,
    occupation: Option<String>,
}

impl PersonView {
    pub(crate) fn of(p: &Person) -> Self {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        PersonView {
            name: full_name(p),
            email: nonempty(&p.email),
            phone: nonempty(&p.phone),
            address: p.address.as_ref().map(|a| {
                let mut lines = vec![a.line1.clone()];
                lines.extend(a.line2.clone().filter(|l| !l.is_empty()));
                lines.push(format!("{}, {} {}", a.city, a.region, a.postal_code));
                lines.join(", ")
            }),
            employer: nonempty(&p.employer),
            occupation: nonempty(&p.occupation),
        }
    }
}

/// One queue item as the list and the item page show it.
#[derive(Serialize)]
pub(crate) struct ItemView {
    id: i64,
    integration: String,
    donation_id: String,
    status: &'static str,
    kind: String,
    amount: String,
    refund: bool,
    /// YYYY-MM-DD, and the full timestamp for `<time datetime>`.
    date: String,
    received_at: String,
    donor: PersonView,
    conduit: Option<String>,
    earmarked_for: Option<String>,
    reverses: Option<String>,
    source: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decided_reason: Option<String>,
    contact: Option<i64>,
}

impl ItemView {
    pub(crate) fn of(item: &QueueItem) -> Self {
        let d = &item.donation;
        ItemView {
            id: item.id,
            integration: item.integration.clone(),
            donation_id: d.id.clone(),
            status: item.status.as_str(),
            kind: format!("{:?}", d.kind).to_lowercase(),
            amount: money(&d.amount),
            refund: d.reverses.is_some(),
            date: d
                .received_at
                .get(..10)
                .unwrap_or(&d.received_at)
                .to_string(),
            received_at: d.received_at.clone(),
            donor: PersonView::of(&d.donor),
            conduit: d.earmark.as_ref().map(|e| match &e.conduit_fec_id {
                Some(id) => format!("{} ({id})", e.conduit_name),
                None => e.conduit_name.clone(),
            }),
            earmarked_for: d.earmark.as_ref().and_then(|e| e.recipient_fec_id.clone()),
            reverses: d.reverses.clone(),
            source: d.source.clone(),
            decided_by: item.decided.as_ref().map(|x| x.by.clone()),
            decided_at: item.decided.as_ref().map(|x| x.at.clone()),
            decided_reason: item.decided.as_ref().and_then(|x| x.reason.clone()),
            contact: item.contact,
        }
    }
}

/// A candidate contact beside the item: who it is, how sure, and why.
#[derive(Serialize)]
pub(crate) struct CandidateView {
    contact: i64,
    score: u8,
    reasons: Vec<String>,
    person: Option<PersonView>,
}

impl CandidateView {
    pub(crate) fn of(c: &Candidate, contact: Option<&Contact>) -> Self {
        CandidateView {
            contact: c.contact,
            score: c.score,
            reasons: c.reasons.iter().map(ToString::to_string).collect(),
            person: contact.map(|c| PersonView::of(&c.person)),
        }
    }
}
