//! Stripe's list endpoints: pagination (`limit`, `starting_after`, `ending_before`,
//! `has_more`, newest first), `created[…]` and per-list filters, and `expand[]`.

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::{ApiError, ModeState, is_expand, unknown_param};
use crate::stripe::objects::*;

/// The filters each list takes besides `created`, `limit` and the cursors.
fn filters(resource: &str) -> Option<&'static [&'static str]> {
    Some(match resource {
        "charges" => &["customer", "payment_intent"],
        "refunds" => &["charge", "payment_intent"],
        "disputes" => &["charge", "payment_intent"],
        "balance_transactions" => &["type", "payout", "source", "currency"],
        "payouts" => &["status", "arrival_date", "destination"],
        "customers" => &["email"],
        "invoices" => &["customer", "subscription", "status"],
        _ => return None,
    })
}

/// What list filters read from an object.
trait Listed: Serialize {
    fn id(&self) -> &str;
    fn int(&self, field: &str) -> Option<i64>;
    fn text(&self, field: &str) -> Option<&str>;
}

macro_rules! listed {
    ($t:ty, ints: [$($i:ident),*], texts: [$($s:ident),*]) => {
        impl Listed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn int(&self, field: &str) -> Option<i64> {
                match field {
                    "created" => Some(self.created),
                    $(stringify!($i) => Some(self.$i),)*
                    _ => None,
                }
            }
            fn text(&self, field: &str) -> Option<&str> {
                match field {
                    $(stringify!($s) => self.$s.as_deref(),)*
                    _ => None,
                }
            }
        }
    };
}

listed!(Charge, ints: [], texts: [customer, payment_intent]);
listed!(Refund, ints: [], texts: [charge, payment_intent]);
listed!(Customer, ints: [], texts: [email]);
listed!(Invoice, ints: [], texts: [customer, subscription, status]);

impl Listed for Payout {
    fn id(&self) -> &str {
        &self.id
    }
    fn int(&self, field: &str) -> Option<i64> {
        match field {
            "created" => Some(self.created),
            "arrival_date" => Some(self.arrival_date),
            _ => None,
        }
    }
    fn text(&self, field: &str) -> Option<&str> {
        match field {
            "status" => Some(&self.status),
            "destination" => self.destination.as_deref(),
            _ => None,
        }
    }
}

impl Listed for Dispute {
    fn id(&self) -> &str {
        &self.id
    }
    fn int(&self, field: &str) -> Option<i64> {
        (field == "created").then_some(self.created)
    }
    fn text(&self, field: &str) -> Option<&str> {
        match field {
            "charge" => Some(&self.charge),
            "payment_intent" => self.payment_intent.as_deref(),
            _ => None,
        }
    }
}

impl Listed for BalanceTransaction {
    fn id(&self) -> &str {
        &self.id
    }
    fn int(&self, field: &str) -> Option<i64> {
        (field == "created").then_some(self.created)
    }
    fn text(&self, field: &str) -> Option<&str> {
        match field {
            "type" => Some(&self.kind),
            "currency" => Some(&self.currency),
            "source" => self.source.as_deref(),
            _ => None,
        }
    }
}

struct Range {
    field: String,
    op: String,
    value: i64,
}

pub(super) fn list(
    state: &ModeState,
    resource: &str,
    query: &[(String, String)],
) -> Result<Value, ApiError> {
    let Some(allowed) = filters(resource) else {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code: None,
            message: format!("Unrecognized request URL (GET: /v1/{resource})."),
            param: None,
        });
    };
    let mut limit = 10usize;
    let mut starting_after = None;
    let mut ending_before = None;
    let mut expands = Vec::new();
    let mut ranges = Vec::new();
    let mut equals = Vec::new();
    for (key, value) in query {
        let int = || {
            value.parse::<i64>().map_err(|_| {
                ApiError::invalid(
                    "parameter_invalid_integer",
                    format!("Invalid integer: {value}"),
                    Some(key),
                )
            })
        };
        if key == "limit" {
            let n = int()?;
            if !(1..=100).contains(&n) {
                return Err(ApiError::invalid(
                    "parameter_invalid_integer",
                    format!("This value must be between 1 and 100 (it currently is {n})."),
                    Some("limit"),
                ));
            }
            limit = n as usize;
        } else if key == "starting_after" {
            starting_after = Some(value.clone());
        } else if key == "ending_before" {
            ending_before = Some(value.clone());
        } else if is_expand(key) {
            expands.push(value.clone());
        } else if let Some((field, op)) = key.strip_suffix(']').and_then(|k| k.split_once('[')) {
            if !(field == "created" || (field == "arrival_date" && allowed.contains(&field)))
                || !["gt", "gte", "lt", "lte"].contains(&op)
            {
                return Err(unknown_param(key));
            }
            ranges.push(Range {
                field: field.into(),
                op: op.into(),
                value: int()?,
            });
        } else if key == "created" || (key == "arrival_date" && allowed.contains(&key.as_str())) {
            ranges.push(Range {
                field: key.clone(),
                op: "eq".into(),
                value: int()?,
            });
        } else if allowed.contains(&key.as_str()) {
            equals.push((key.clone(), value.clone()));
        } else {
            return Err(unknown_param(key));
        }
    }
    if starting_after.is_some() && ending_before.is_some() {
        return Err(ApiError::invalid(
            "parameter_invalid_string",
            "You may only specify one of these parameters: starting_after, ending_before.".into(),
            None,
        ));
    }

    let query = ListQuery {
        resource,
        limit,
        starting_after,
        ending_before,
        expands,
        ranges,
        equals,
    };
    let d = state.data();
    match resource {
        "charges" => page_of(state, &d.charges, &query),
        "refunds" => page_of(state, &d.refunds, &query),
        "disputes" => page_of(state, &d.disputes, &query),
        "balance_transactions" => page_of(state, &d.balance_transactions, &query),
        "customers" => page_of(state, &d.customers, &query),
        "invoices" => page_of(state, &d.invoices, &query),
        _ => page_of(state, &d.payouts, &query),
    }
}

struct ListQuery<'a> {
    resource: &'a str,
    limit: usize,
    starting_after: Option<String>,
    ending_before: Option<String>,
    expands: Vec<String>,
    ranges: Vec<Range>,
    equals: Vec<(String, String)>,
}

/// One page of `objects` (kept oldest first) in Stripe's order, newest first.
fn page_of<T: Listed>(state: &ModeState, objects: &[T], q: &ListQuery) -> Result<Value, ApiError> {
    let ListQuery {
        resource,
        limit,
        starting_after,
        ending_before,
        expands,
        ranges,
        equals,
    } = q;
    let (resource, limit) = (*resource, *limit);
    // Newest first: position k in the list is objects[len - 1 - k].
    let len = objects.len();
    let at = |k: usize| &objects[len - 1 - k];
    let position = |id: &str, param: &str| {
        state
            .index
            .get(id)
            .filter(|&&i| i < len && objects[i].id() == id)
            .map(|&i| len - 1 - i)
            .ok_or_else(|| {
                let mut e = ApiError::missing(id, resource.trim_end_matches('s'));
                e.param = Some(param.into());
                e
            })
    };
    let matches = |o: &T| {
        ranges.iter().all(|r| {
            let x = o.int(&r.field).unwrap_or(i64::MIN);
            match r.op.as_str() {
                "gt" => x > r.value,
                "gte" => x >= r.value,
                "lt" => x < r.value,
                "lte" => x <= r.value,
                _ => x == r.value,
            }
        }) && equals.iter().all(|(k, want)| {
            if k == "payout" {
                state.payout_of.get(o.id()) == Some(want)
            } else {
                o.text(k) == Some(want.as_str())
            }
        })
    };

    let json = |o: &T| serde_json::to_value(o).expect("JSON");
    let (mut page, has_more) = if let Some(before) = ending_before {
        let end = position(before, "ending_before")?;
        let newer: Vec<&T> = (0..end).map(at).filter(|o| matches(o)).collect();
        let from = newer.len().saturating_sub(limit);
        (
            newer[from..].iter().map(|o| json(o)).collect::<Vec<_>>(),
            from > 0,
        )
    } else {
        let start = match &starting_after {
            Some(after) => position(after, "starting_after")? + 1,
            None => 0,
        };
        let mut page = Vec::new();
        let mut has_more = false;
        for o in (start..len).map(at) {
            if matches(o) {
                if page.len() == limit {
                    has_more = true;
                    break;
                }
                page.push(json(o));
            }
        }
        (page, has_more)
    };

    for path in expands {
        let parts: Vec<&str> = path.split('.').collect();
        if parts.first() != Some(&"data") || parts.len() < 2 {
            return Err(ApiError::invalid(
                "parameter_invalid_string",
                format!("This property cannot be expanded ({path})."),
                Some("expand"),
            ));
        }
        if parts.len() > 4 {
            return Err(ApiError::invalid(
                "parameter_invalid_string",
                format!("You cannot expand more than 4 levels of a property ({path})."),
                Some("expand"),
            ));
        }
        for item in &mut page {
            expand(state, item, &parts[1..])?;
        }
    }
    Ok(
        json!({ "object": "list", "data": page, "has_more": has_more, "url": format!("/v1/{resource}") }),
    )
}

/// Replace the id at `path` with the object it names, as `expand[]` does.
pub(super) fn expand(state: &ModeState, value: &mut Value, path: &[&str]) -> Result<(), ApiError> {
    let Some((field, rest)) = path.split_first() else {
        return Ok(());
    };
    let cannot = || {
        ApiError::invalid(
            "parameter_invalid_string",
            format!("This property cannot be expanded ({field})."),
            Some("expand"),
        )
    };
    let Some(slot) = value.get_mut(*field) else {
        return Err(cannot());
    };
    match slot {
        Value::Null => Ok(()),
        Value::String(id) => {
            let object = state.lookup(id).ok_or_else(cannot)?;
            *slot = object;
            expand(state, slot, rest)
        }
        Value::Object(_) => expand(state, slot, rest),
        Value::Array(items) => {
            for item in items {
                expand(state, item, rest)?;
            }
            Ok(())
        }
        _ => Err(cannot()),
    }
}
