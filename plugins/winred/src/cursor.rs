//! The plugin's cursors. A fetch cursor is a keyset position: which list (donations, then
//! refunds, then disputes) and the id of the last object returned from it. The API continues
//! strictly after that object's `(created_at, id)`, so a cursor stays valid however many
//! objects are inserted meanwhile and resumes exactly where its page ended.
//!
//! Text form: `v1.<d|r|c>.<id>` (the id may be empty: the list's start) and `v1.p.<id>` for
//! payouts. Opaque to the host.

use intake_plugin_sdk::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Donations,
    Refunds,
    Disputes,
}

impl Phase {
    fn tag(self) -> &'static str {
        match self {
            Phase::Donations => "d",
            Phase::Refunds => "r",
            Phase::Disputes => "c",
        }
    }

    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Donations => Some(Phase::Refunds),
            Phase::Refunds => Some(Phase::Disputes),
            Phase::Disputes => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub phase: Phase,
    /// The last object returned from `phase`; None at its start.
    pub after: Option<String>,
}

impl Position {
    pub const START: Position = Position {
        phase: Phase::Donations,
        after: None,
    };

    pub fn encode(&self) -> String {
        format!(
            "v1.{}.{}",
            self.phase.tag(),
            self.after.as_deref().unwrap_or("")
        )
    }

    pub fn decode(text: &str) -> Result<Position, Error> {
        let mut parts = text.splitn(3, '.');
        let (version, tag, after) = (parts.next(), parts.next(), parts.next());
        let phase = match (version, tag) {
            (Some("v1"), Some("d")) => Phase::Donations,
            (Some("v1"), Some("r")) => Phase::Refunds,
            (Some("v1"), Some("c")) => Phase::Disputes,
            _ => return Err(unreadable(text)),
        };
        let after = after.ok_or_else(|| unreadable(text))?;
        Ok(Position {
            phase,
            after: valid_id(after, text)?,
        })
    }
}

/// The last payout returned.
pub fn encode_payout(after: &str) -> String {
    format!("v1.p.{after}")
}

pub fn decode_payout(text: &str) -> Result<Option<String>, Error> {
    let after = text.strip_prefix("v1.p.").ok_or_else(|| unreadable(text))?;
    valid_id(after, text)
}

fn valid_id(id: &str, text: &str) -> Result<Option<String>, Error> {
    if id.is_empty() {
        return Ok(None);
    }
    if id.len() > 128
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err(unreadable(text));
    }
    Ok(Some(id.to_string()))
}

fn unreadable(text: &str) -> Error {
    Error::Config(format!(
        "`{text}` is not a cursor this plugin issued (hand back a cursor from a previous page of the same window)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        for p in [
            Position::START,
            Position {
                phase: Phase::Refunds,
                after: Some("rf_000001".into()),
            },
            Position {
                phase: Phase::Disputes,
                after: Some("dp.1-x".into()),
            },
        ] {
            assert_eq!(Position::decode(&p.encode()).unwrap(), p);
        }
        assert_eq!(
            decode_payout(&encode_payout("po_9")).unwrap().as_deref(),
            Some("po_9")
        );
    }

    #[test]
    fn foreign_cursors_are_refused() {
        for bad in ["", "v2.d.x", "v1.x.1", "v1.d", "v1.d.a&b=c", "v1.p.x"] {
            assert!(Position::decode(bad).is_err(), "{bad:?}");
        }
        assert!(decode_payout("v1.d.x").is_err());
        assert!(decode_payout("v1.p.a/b").is_err());
    }
}
