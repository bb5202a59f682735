//! `[committee]`: the committee `intake export fec` files for, checked like the rest of the
//! file (errors name the line and key).

use toml::Spanned;

use super::ConfigError;
use super::raw::RawCommittee;
use super::validate::Source;
use crate::fec::{Committee, CommitteeForm, Treasurer, field};

/// USPS codes the FEC accepts for a committee's state: the states, DC, the territories and
/// the armed forces' codes.
const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI", "AA", "AE", "AP",
];

fn required(
    source: &Source,
    value: &Spanned<String>,
    key: &str,
    max: usize,
) -> Result<String, ConfigError> {
    let text = value.get_ref().trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(source.error(
            value.span(),
            format!("committee.{key}"),
            format!("must be 1-{max} characters"),
        ));
    }
    Ok(text.to_string())
}

pub(super) fn check(
    source: &Source,
    raw: Option<RawCommittee>,
) -> Result<Option<Committee>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let fec_id = raw.fec_id.get_ref().trim().to_ascii_uppercase();
    if !field::is_committee_id(&fec_id) {
        return Err(source.error(
            raw.fec_id.span(),
            "committee.fec_id",
            format!(
                "`{}` is not an FEC committee id: C followed by 8 digits",
                raw.fec_id.get_ref()
            ),
        ));
    }
    let form = match raw.form.as_ref().map(|f| f.get_ref().trim()) {
        None | Some("F3") => CommitteeForm::F3,
        Some("F3X") => CommitteeForm::F3X,
        Some(other) => {
            let span = raw.form.as_ref().map(Spanned::span).unwrap_or(0..0);
            return Err(source.error(
                span,
                "committee.form",
                format!("`{other}` is not a form: F3 (House/Senate campaign) or F3X (PAC, party)"),
            ));
        }
    };
    let state = raw.state.get_ref().trim().to_ascii_uppercase();
    if !STATES.contains(&state.as_str()) {
        return Err(source.error(
            raw.state.span(),
            "committee.state",
            format!(
                "`{}` is not a US state code such as VA",
                raw.state.get_ref()
            ),
        ));
    }
    let zip = raw.zip.get_ref().trim();
    let digits = zip.chars().filter(char::is_ascii_digit).count();
    let zip_ok = zip.chars().all(|c| c.is_ascii_digit() || c == '-') && matches!(digits, 5 | 9);
    if !zip_ok {
        return Err(source.error(
            raw.zip.span(),
            "committee.zip",
            format!("`{zip}` is not a ZIP: 5 digits, or ZIP+4"),
        ));
    }
    let treasurer_span = raw.treasurer.span();
    let t = raw.treasurer.into_inner();
    if t.last.trim().is_empty() || t.first.trim().is_empty() {
        return Err(source.error(
            treasurer_span,
            "committee.treasurer",
            "needs both `last` and `first`",
        ));
    }
    let nonempty = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    Ok(Some(Committee {
        fec_id,
        name: required(source, &raw.name, "name", 200)?,
        form,
        street_1: required(source, &raw.street_1, "street_1", 34)?,
        street_2: match raw.street_2 {
            Some(s) => Some(required(source, &s, "street_2", 34)?),
            None => None,
        },
        city: required(source, &raw.city, "city", 30)?,
        state,
        zip: zip.to_string(),
        treasurer: Treasurer {
            last: t.last.trim().to_string(),
            first: t.first.trim().to_string(),
            middle: nonempty(t.middle),
            prefix: nonempty(t.prefix),
            suffix: nonempty(t.suffix),
        },
    }))
}
