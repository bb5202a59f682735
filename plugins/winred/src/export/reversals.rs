//! Linking reversals to what they reverse, in one pass over an export: an index from
//! (kind, amount, donor) to the rows still open for a reversal (latest last), and the set of
//! ids some row already reverses. Each row is indexed once and dropped at most once, so a
//! file links in time linear in its rows (the old scan was cubic in the worst case).

use std::collections::{HashMap, HashSet};

use intake_plugin_sdk::{Donation, DonationKind, Person};

/// What a reversal can be matched on: the kind it reverses, the amount and the donor.
type Key = (u8, u64, String);

fn code(kind: DonationKind) -> u8 {
    match kind {
        DonationKind::Contribution => 0,
        DonationKind::Refund => 1,
        DonationKind::Chargeback => 2,
        DonationKind::ChargebackReversal => 3,
    }
}

/// The donor as reversals are matched: first and last name, case folded.
pub fn donor_key(p: &Person) -> String {
    format!("{} {}", p.first_name, p.last_name).to_lowercase()
}

fn key(kind: DonationKind, d: &Donation) -> Key {
    (
        code(kind),
        d.amount.minor_units.unsigned_abs(),
        donor_key(&d.donor),
    )
}

/// The kind a reversal of `kind` reverses: a chargeback for a chargeback reversal, else a
/// contribution. None for a contribution.
pub fn target(kind: DonationKind) -> Option<DonationKind> {
    match kind {
        DonationKind::Contribution => None,
        DonationKind::ChargebackReversal => Some(DonationKind::Chargeback),
        DonationKind::Refund | DonationKind::Chargeback => Some(DonationKind::Contribution),
    }
}

#[derive(Debug, Default)]
pub struct Reversals {
    /// Rows a reversal could still take, by what it would be matched on; indexes into the
    /// file's donations, in file order.
    open: HashMap<Key, Vec<usize>>,
    /// Ids some row of the file already reverses.
    reversed: HashSet<String>,
}

impl Reversals {
    /// Note `d`, the file's donation at `index`, as a candidate and as a reversal.
    pub fn add(&mut self, index: usize, d: &Donation) {
        if let Some(r) = &d.reverses {
            self.reversed.insert(r.clone());
        }
        if matches!(
            d.kind,
            DonationKind::Contribution | DonationKind::Chargeback
        ) {
            self.open.entry(key(d.kind, d)).or_default().push(index);
        }
    }

    /// The id of the latest earlier row `d` can reverse that nothing reverses yet.
    pub fn find(&mut self, d: &Donation, donations: &[Donation]) -> Option<String> {
        let stack = self.open.get_mut(&key(target(d.kind)?, d))?;
        while let Some(&i) = stack.last() {
            match donations.get(i) {
                Some(o) if !self.reversed.contains(&o.id) => return Some(o.id.clone()),
                // Reversed by a row that named it: never a candidate again.
                _ => {
                    stack.pop();
                }
            }
        }
        None
    }
}
