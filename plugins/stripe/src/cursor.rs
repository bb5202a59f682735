//! Where a sync stands, as an opaque string the host hands back.
//!
//! A pass over a window reads five Stripe lists one after the other, each newest first in
//! pages of 100, every one selected by the `created` of the moment its money moved:
//! - contributions: balance transactions of type `charge` (cards, legacy ACH) and then
//!   `payment` (bank debits through PaymentIntents), each with its charge expanded as
//!   `source`. A balance transaction is made when money moves: at capture for a charge
//!   authorized days earlier, when an ACH debit clears for one pending at creation. So such a
//!   charge arrives exactly once, in the window where it was captured, never before (an
//!   authorization is not money) and never twice (a charge has one such transaction);
//! - refunds, disputes (chargebacks), and dispute reinstatements (balance transactions of
//!   type `adjustment`: chargeback reversals), each by its own `created`.
//!
//! Each entry is thus read in the window in which its money moved, so an incremental sync never
//! misses a refund of an old charge nor a late capture. Entries the server returns outside the
//! window are dropped, never trusted to its filter.
//!
//! The cursor holds the list, the window it belongs to, the last object id read
//! (`starting_after`) and the pass's upper bound. That bound is pinned once, at the pass's
//! first answer: `until - 1` or, when the window is open ("until now"), the server's clock
//! from the `Date` header of that answer. Every later request of the pass asks for
//! `created[lte]=<bound>`, so:
//! - money that moves while the pass pages sorts before its first page and is not in it; it
//!   falls in the next sync's window, which starts at or before the bound (no loss);
//! - resuming from any cursor, even much later, reads exactly the set the pass started with,
//!   never an object twice (no duplicates): `starting_after` continues right after the last
//!   object returned, whatever was created above it since.
//!
//! `s1` cursors (charges listed by their own `created`) are refused: restart the pass.

use intake_plugin_sdk::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Balance transactions of type `charge`.
    Charges,
    /// Balance transactions of type `payment`.
    Payments,
    Refunds,
    Disputes,
    Reversals,
}

impl Stream {
    pub const ALL: [Stream; 5] = [
        Stream::Charges,
        Stream::Payments,
        Stream::Refunds,
        Stream::Disputes,
        Stream::Reversals,
    ];

    fn code(self) -> &'static str {
        match self {
            Stream::Charges => "c",
            Stream::Payments => "p",
            Stream::Refunds => "r",
            Stream::Disputes => "d",
            Stream::Reversals => "x",
        }
    }

    pub fn next(self) -> Option<Stream> {
        let i = Stream::ALL.iter().position(|s| *s == self)?;
        Stream::ALL.get(i + 1).copied()
    }
}

/// A position in a pass over `[since, until)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub stream: Stream,
    pub since: i64,
    pub until: Option<i64>,
    /// `created[lte]` for the rest of the pass; None until its first answer.
    pub upper: Option<i64>,
    /// The last object id read in `stream` (`starting_after`).
    pub after: Option<String>,
}

const VERSION: &str = "s2";

impl Cursor {
    pub fn start(since: i64, until: Option<i64>) -> Cursor {
        Cursor {
            stream: Stream::Charges,
            since,
            until,
            upper: None,
            after: None,
        }
    }

    /// Pin the pass's upper bound from the server's clock (or ours when it gave none).
    pub fn pin(&mut self, server_time: i64) {
        if self.upper.is_none() {
            self.upper = Some(match self.until {
                Some(until) => (until - 1).min(server_time),
                None => server_time,
            });
        }
    }

    /// Whether `created` is inside the pass: `[since, bound]` (or `[since, until)` before the
    /// bound is pinned).
    pub fn contains(&self, created: i64) -> bool {
        created >= self.since
            && match (self.upper, self.until) {
                (Some(upper), _) => created <= upper,
                (None, Some(until)) => created < until,
                (None, None) => true,
            }
    }

    /// True when nothing can fall in the pass: its window starts after its bound.
    pub fn is_empty(&self) -> bool {
        self.upper.is_some_and(|upper| upper < self.since)
    }

    /// The `created` filters for the next request.
    pub fn created_filters(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("created[gte]", self.since.to_string())];
        match (self.upper, self.until) {
            (Some(upper), _) => q.push(("created[lte]", upper.to_string())),
            (None, Some(until)) => q.push(("created[lt]", until.to_string())),
            (None, None) => {}
        }
        q
    }

    pub fn encode(&self) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        format!(
            "{VERSION}.{}.{}.{}.{}.{}",
            self.stream.code(),
            self.since,
            opt(self.until.map(|u| u.to_string())),
            opt(self.upper.map(|u| u.to_string())),
            opt(self.after.clone())
        )
    }

    /// Read a cursor for the window `[since, until)`; one from another window is refused.
    pub fn decode(text: &str, since: i64, until: Option<i64>) -> Result<Cursor> {
        let bad = || Error::Config(format!("`{text}` is not a cursor this plugin gave out"));
        let parts: Vec<&str> = text.trim().split('.').collect();
        let [VERSION, stream, c_since, c_until, upper, after] = parts.as_slice() else {
            return Err(bad());
        };
        let stream = *Stream::ALL
            .iter()
            .find(|s| s.code() == *stream)
            .ok_or_else(bad)?;
        let number = |s: &str| -> Result<Option<i64>> {
            if s == "-" {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| bad())
            }
        };
        let c_since = number(c_since)?.ok_or_else(bad)?;
        let c_until = number(c_until)?;
        if c_since != since || c_until != until {
            return Err(Error::Config(
                "the cursor belongs to another window: hand it back with the window it came with"
                    .into(),
            ));
        }
        let ok_id = *after == "-"
            || after.len() < 256
                && after
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok_id {
            return Err(bad());
        }
        Ok(Cursor {
            stream,
            since,
            until,
            upper: number(upper)?,
            after: (*after != "-").then(|| after.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut c = Cursor::start(100, Some(200));
        c.pin(150);
        assert_eq!(c.upper, Some(150));
        c.after = Some("ch_3MmlLrLkdIwHu7ix0snN0B15".into());
        c.stream = Stream::Disputes;
        assert_eq!(Cursor::decode(&c.encode(), 100, Some(200)).unwrap(), c);
        let open = Cursor::start(100, None);
        assert_eq!(Cursor::decode(&open.encode(), 100, None).unwrap(), open);
    }

    #[test]
    fn pins_to_the_earlier_of_until_and_the_server_clock_once() {
        let mut c = Cursor::start(0, Some(1_000));
        c.pin(5_000);
        assert_eq!(c.upper, Some(999));
        c.pin(10);
        assert_eq!(c.upper, Some(999), "pinned once for the pass");
        let mut open = Cursor::start(0, None);
        assert_eq!(
            open.created_filters(),
            vec![("created[gte]", "0".to_string())]
        );
        open.pin(700);
        assert_eq!(
            open.created_filters(),
            vec![
                ("created[gte]", "0".to_string()),
                ("created[lte]", "700".to_string())
            ]
        );
        assert!(open.contains(0) && open.contains(700));
        assert!(!open.contains(-1) && !open.contains(701));
        let mut future = Cursor::start(800, None);
        future.pin(700);
        assert!(future.is_empty());
    }

    #[test]
    fn refuses_foreign_or_damaged_cursors() {
        let c = Cursor::start(100, None).encode();
        assert!(
            matches!(Cursor::decode(&c, 101, None), Err(Error::Config(m)) if m.contains("another window"))
        );
        assert!(matches!(
            Cursor::decode(&c, 100, Some(5)),
            Err(Error::Config(_))
        ));
        for bad in [
            "",
            "garbage",
            "s2.q.100.-.-.-",
            "s2.c.x.-.-.-",
            "s2.c.100.-.-.ch_1&x=1",
            "s0.c.100.-.-.-",
            "s1.c.100.-.-.-",
        ] {
            assert!(Cursor::decode(bad, 100, None).is_err(), "{bad}");
        }
        assert_eq!(Stream::Disputes.next(), Some(Stream::Reversals));
        assert_eq!(Stream::Reversals.next(), None);
    }
}
