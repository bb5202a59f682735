//! Seeded data for one committee, with the messy cases real donors produce: middle names and
//! initials typed into the first name, suffixes typed into the last name, ALL-CAPS, titles,
//! stray spaces, non-ASCII names, employer variants, apartment lines, ZIP+4, monthly and
//! weekly recurring gifts, refunds, chargebacks (some won back) with their fees, equal
//! timestamps, and weekly payouts covering many donations minus fees.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::*;

const DAY: i64 = 86_400;
/// WinRed's 3.94% processing fee: the emulator charges it; the plugin never assumes it.
pub fn processing_fee(amount: i64) -> i64 {
    (amount * 394 + 5_000) / 10_000
}
pub const CHARGEBACK_FEE: i64 = 1_500;

/// Everything one committee's account holds.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// By (created_at, id).
    pub donations: Vec<Donation>,
    pub refunds: Vec<Refund>,
    pub disputes: Vec<Dispute>,
    /// By (paid_at, id).
    pub payouts: Vec<Payout>,
}

impl Dataset {
    pub fn donation(&self, id: &str) -> Option<&Donation> {
        self.donations.iter().find(|d| d.id == id)
    }

    /// What a correct plugin's `fetch` returns over a window holding everything: donations,
    /// then refunds, then disputes, each by (created_at, id).
    pub fn expected(&self) -> Vec<Expected> {
        self.donations
            .iter()
            .map(Donation::expected)
            .chain(self.refunds.iter().map(Refund::expected))
            .chain(self.disputes.iter().map(Dispute::expected))
            .collect()
    }

    pub fn expected_fees(&self) -> Vec<ExpectedFee> {
        self.disputes
            .iter()
            .filter_map(Dispute::expected_fee)
            .collect()
    }

    /// Keep every list in the API's order.
    pub fn sort(&mut self) {
        self.donations
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        self.refunds
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        self.disputes
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        self.payouts
            .sort_by(|a, b| (a.paid_at, &a.id).cmp(&(b.paid_at, &b.id)));
    }
}

/// A donation to create: (time, donor, amount, (subscription, interval, installment), page).
type Planned = (i64, usize, i64, Option<(String, &'static str, u32)>, usize);

pub struct Generator {
    rng: ChaCha8Rng,
    donors: Vec<Donor>,
    pages: Vec<Page>,
    pub data: Dataset,
    next_donation: u32,
}

const AMOUNTS: &[i64] = &[
    500, 1_000, 2_500, 2_500, 5_000, 5_000, 10_000, 25_000, 50_000, 100_000, 2_750, 330_000, 1_776,
];
const SOURCE_CODES: &[&str] = &["em0501", "sms_gotv", "fb-lookalike", "direct-mail-q2"];
const REFUND_REASONS: &[&str] = &["requested_by_donor", "duplicate", "excessive_contribution"];
const DISPUTE_REASONS: &[&str] = &["fraudulent", "unrecognized", "duplicate"];

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty list")
}

impl Generator {
    /// `committee_name` names the donation pages; `seed` makes it all reproducible.
    pub fn new(seed: u64, committee_name: &str) -> Generator {
        let slug: String = committee_name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let pages = vec![
            Page {
                id: "pg_1".into(),
                slug: slug.clone(),
                name: committee_name.into(),
            },
            Page {
                id: "pg_2".into(),
                slug: format!("{slug}-monthly"),
                name: format!("{committee_name}: Monthly"),
            },
            Page {
                id: "pg_3".into(),
                slug: format!("{slug}-gala"),
                name: "Spring Gala".into(),
            },
        ];
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            donors: Vec::new(),
            pages,
            data: Dataset::default(),
            next_donation: 0,
        }
    }

    fn donor(&mut self, n: usize) -> Donor {
        super::donors::donor(&mut self.rng, n)
    }
    fn next_donation_id(&mut self) -> String {
        self.next_donation += 1;
        format!("dn_{:07}", self.next_donation)
    }

    /// A one-time donation from a random donor at `at`, settled (fee known), not paid out.
    pub fn donation_at(&mut self, at: i64) -> Donation {
        if self.donors.is_empty() {
            let d = self.donor(0);
            self.donors.push(d);
        }
        let donor = pick(&mut self.rng, &self.donors).clone();
        let amount = *pick(&mut self.rng, AMOUNTS);
        let page = pick(&mut self.rng, &self.pages[..1]).clone();
        let source_code = self
            .rng
            .random_bool(0.5)
            .then(|| pick(&mut self.rng, SOURCE_CODES).to_string());
        Donation {
            id: self.next_donation_id(),
            created_at: at,
            offset_hours: 0,
            amount,
            fee: Some(processing_fee(amount)),
            donor,
            recurring: None,
            page,
            source_code,
            payout_id: None,
        }
    }

    /// `count` donations over `span_days` days ending at `end`, with their refunds,
    /// disputes and payouts.
    pub fn populate(&mut self, count: usize, end: i64, span_days: i64) {
        let start = end - span_days * DAY;
        let donor_count = (count / 3).max(5);
        for n in 1..=donor_count {
            let d = self.donor(n);
            self.donors.push(d);
        }
        let mut planned: Vec<Planned> = Vec::new();
        let mut subscription = 0;
        for donor in 0..donor_count {
            if planned.len() >= count * 2 / 5 {
                break;
            }
            if !self.rng.random_bool(0.25) {
                continue;
            }
            subscription += 1;
            let (interval, step) = if self.rng.random_bool(0.15) {
                ("weekly", 7 * DAY)
            } else {
                ("monthly", 30 * DAY)
            };
            let amount = *pick(&mut self.rng, &[500, 1_000, 2_500, 4_700]);
            let mut at = start + self.rng.random_range(0..(span_days * DAY / 2).max(1));
            let mut installment = 1;
            while at < end && planned.len() < count * 2 / 5 {
                planned.push((
                    at,
                    donor,
                    amount,
                    Some((format!("sub_{subscription:06}"), interval, installment)),
                    1,
                ));
                installment += 1;
                at += step;
            }
        }
        while planned.len() < count {
            let at = start + self.rng.random_range(0..span_days * DAY);
            let donor = self.rng.random_range(0..donor_count);
            let amount = *pick(&mut self.rng, AMOUNTS);
            let page = if self.rng.random_bool(0.2) { 2 } else { 0 };
            planned.push((at, donor, amount, None, page));
        }
        planned.sort_by_key(|p| p.0);
        // Some donations share a second with the one before: the cursor must break ties.
        for i in 1..planned.len() {
            if self.rng.random_bool(0.05) {
                planned[i].0 = planned[i - 1].0;
            }
        }
        for (at, donor, amount, recurring, page) in planned {
            let source_code = self
                .rng
                .random_bool(0.6)
                .then(|| pick(&mut self.rng, SOURCE_CODES).to_string());
            let offset_hours = *pick(&mut self.rng, &[0, 0, 0, 0, -4, -5]);
            let pending = at > end - 2 * DAY && self.rng.random_bool(0.5);
            let donation = Donation {
                id: self.next_donation_id(),
                created_at: at,
                offset_hours,
                amount,
                fee: (!pending).then(|| processing_fee(amount)),
                donor: self.donors[donor].clone(),
                recurring: recurring.map(|(subscription_id, interval, installment)| Recurring {
                    subscription_id,
                    interval,
                    installment,
                }),
                page: self.pages[page].clone(),
                source_code,
                payout_id: None,
            };
            self.data.donations.push(donation);
        }
        self.reversals(end);
        self.payouts(start, end);
        self.data.sort();
    }

    fn reversals(&mut self, end: i64) {
        let mut refunds = Vec::new();
        let mut chargebacks = Vec::new();
        for d in &self.data.donations {
            let roll = self.rng.random_range(0..100);
            if roll < 4 {
                let at = d.created_at + self.rng.random_range(DAY..20 * DAY);
                if at < end {
                    refunds.push((at, d.id.clone(), d.amount, d.donor.clone()));
                }
            } else if roll < 6 {
                let at = d.created_at + self.rng.random_range(3 * DAY..40 * DAY);
                if at < end {
                    chargebacks.push((at, d.id.clone(), d.amount, d.donor.clone()));
                }
            }
        }
        refunds.sort_by_key(|r| r.0);
        for (i, (at, donation_id, amount, donor)) in refunds.into_iter().enumerate() {
            let reason = pick(&mut self.rng, REFUND_REASONS).to_string();
            self.data.refunds.push(Refund {
                id: format!("rf_{:07}", i + 1),
                donation_id,
                created_at: at,
                amount,
                reason,
                payout_id: None,
                donor,
            });
        }
        chargebacks.sort_by_key(|c| c.0);
        let mut n = 0;
        let mut won = Vec::new();
        for (at, donation_id, amount, donor) in chargebacks {
            n += 1;
            let id = format!("dp_{n:07}");
            let reason = pick(&mut self.rng, DISPUTE_REASONS).to_string();
            if self.rng.random_bool(0.5) {
                let won_at = at + self.rng.random_range(10 * DAY..40 * DAY);
                if won_at < end {
                    won.push((
                        won_at,
                        id.clone(),
                        donation_id.clone(),
                        amount,
                        donor.clone(),
                        reason.clone(),
                    ));
                }
            }
            self.data.disputes.push(Dispute {
                id,
                kind: DisputeKind::Chargeback,
                donation_id: donation_id.clone(),
                reverses: donation_id,
                created_at: at,
                amount,
                fee: Some(DisputeFee {
                    id: format!("fe_{n:07}"),
                    amount: CHARGEBACK_FEE,
                }),
                payout_id: None,
                reason,
                donor,
            });
        }
        for (won_at, chargeback, donation_id, amount, donor, reason) in won {
            n += 1;
            self.data.disputes.push(Dispute {
                id: format!("dp_{n:07}"),
                kind: DisputeKind::Reversal,
                donation_id,
                reverses: chargeback,
                created_at: won_at,
                amount,
                fee: None,
                payout_id: None,
                reason,
                donor,
            });
        }
    }

    /// Weekly payouts, each settling what was recorded (and, for donations, settled) up to two
    /// days before it.
    fn payouts(&mut self, start: i64, end: i64) {
        let data = &mut self.data;
        let mut paid_at = start + 7 * DAY;
        let mut n = 0;
        while paid_at <= end {
            let cutoff = paid_at - 2 * DAY;
            n += 1;
            let id = format!("po_{n:06}");
            let mut transactions = Vec::new();
            for d in data
                .donations
                .iter_mut()
                .filter(|d| d.payout_id.is_none() && d.fee.is_some() && d.created_at <= cutoff)
            {
                d.payout_id = Some(id.clone());
                transactions.push(PayoutTransaction {
                    kind: "donation",
                    id: d.id.clone(),
                    created_at: d.created_at,
                    amount: d.amount,
                    fee: d.fee.unwrap_or(0),
                });
            }
            for r in data
                .refunds
                .iter_mut()
                .filter(|r| r.payout_id.is_none() && r.created_at <= cutoff)
            {
                r.payout_id = Some(id.clone());
                transactions.push(PayoutTransaction {
                    kind: "refund",
                    id: r.id.clone(),
                    created_at: r.created_at,
                    amount: -r.amount,
                    fee: 0,
                });
            }
            for c in data
                .disputes
                .iter_mut()
                .filter(|c| c.payout_id.is_none() && c.created_at <= cutoff)
            {
                c.payout_id = Some(id.clone());
                let (kind, amount) = match c.kind {
                    DisputeKind::Chargeback => ("chargeback", -c.amount),
                    DisputeKind::Reversal => ("chargeback_reversal", c.amount),
                };
                transactions.push(PayoutTransaction {
                    kind,
                    id: c.id.clone(),
                    created_at: c.created_at,
                    amount,
                    fee: 0,
                });
                if let Some(fee) = &c.fee {
                    transactions.push(PayoutTransaction {
                        kind: "chargeback_fee",
                        id: fee.id.clone(),
                        created_at: c.created_at,
                        amount: 0,
                        fee: fee.amount,
                    });
                }
            }
            if transactions.is_empty() {
                n -= 1;
            } else {
                transactions.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
                let gross = transactions.iter().map(|t| t.amount).sum();
                let fees = transactions.iter().map(|t| t.fee).sum();
                data.payouts.push(Payout {
                    id,
                    paid_at,
                    gross,
                    fees,
                    net: gross - fees,
                    transactions,
                    bank_last4: "6789".into(),
                });
            }
            paid_at += 7 * DAY;
        }
    }
}
