//! Seeded data: a committee's Stripe account with one-off and subscription donations, full and
//! partial refunds, disputes (won, lost, open, inquiries), missing billing details, employer
//! and occupation in metadata, daily payouts, and money that moves after the charge is made:
//! asynchronous capture (the balance transaction a few seconds later), authorizations captured
//! days later (up to 7, or not yet), and ACH-style debits pending at creation that clear days
//! later (or not yet). A charge's balance transaction is made when its money moves: its
//! `created` is where the charge belongs ([`Dataset::settled_at`]). The same seed and size
//! give the same objects.

use std::collections::BTreeMap;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::objects::*;

const DAY: i64 = 86_400;

/// One mode's objects (live or test), each list oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    pub livemode: bool,
    pub charges: Vec<Charge>,
    pub refunds: Vec<Refund>,
    pub disputes: Vec<Dispute>,
    pub balance_transactions: Vec<BalanceTransaction>,
    pub customers: Vec<Customer>,
    pub invoices: Vec<Invoice>,
    pub payouts: Vec<Payout>,
    /// For each payout, the balance transactions it settles (not its own).
    pub payout_members: BTreeMap<String, Vec<String>>,
    /// How each donor `name` was composed.
    pub names: BTreeMap<String, NameParts>,
}

impl Dataset {
    pub fn charge(&self, id: &str) -> Option<&Charge> {
        self.charges.iter().find(|c| c.id == id)
    }

    pub fn balance_transaction(&self, id: &str) -> Option<&BalanceTransaction> {
        self.balance_transactions.iter().find(|b| b.id == id)
    }

    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }

    pub fn invoice(&self, id: &str) -> Option<&Invoice> {
        self.invoices.iter().find(|c| c.id == id)
    }

    /// When a charge's money moved (its balance transaction's `created`): the window a sync
    /// should bring it in. None while it is not money yet (failed, an authorization not
    /// captured, a debit still pending).
    pub fn settled_at(&self, charge: &Charge) -> Option<i64> {
        if charge.status != "succeeded" || !charge.captured {
            return None;
        }
        let bt = self.balance_transaction(charge.balance_transaction.as_deref()?)?;
        Some(bt.created)
    }
}

/// How a charge's money moves after it is made.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Settle {
    /// Captured at once; the balance transaction at once, or a few seconds later (async).
    Now(i64),
    /// An authorization captured later.
    LateCapture(i64),
    /// An ACH-style debit, pending at creation, that clears later.
    Clears(i64),
}

mod later;
mod money;
mod people;

use people::{AMOUNTS, PLACES};

/// A subscription the generator bills from time to time.
#[derive(Debug, Clone)]
struct Subscription {
    id: String,
    customer: String,
    price: Price,
    invoices: u32,
}

/// Makes objects for one mode; kept by the server to add charges at run time.
#[derive(Debug)]
pub struct Generator {
    rng: ChaCha8Rng,
    livemode: bool,
    subscriptions: Vec<Subscription>,
    pub data: Dataset,
}

impl Generator {
    pub fn new(seed: u64, livemode: bool) -> Generator {
        let salt = if livemode { 0x11FE } else { 0x7E57 };
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed ^ salt),
            livemode,
            subscriptions: Vec::new(),
            data: Dataset {
                livemode,
                ..Dataset::default()
            },
        }
    }

    /// `count` charges spread over `[end - span_days, end)`, with their refunds, disputes and
    /// payouts, none later than `end`.
    pub fn populate(&mut self, count: usize, end: i64, span_days: i64) {
        let start = end - span_days.max(1) * DAY;
        let mut times: Vec<i64> = (0..count)
            .map(|_| self.rng.random_range(start..end))
            .collect();
        times.sort();
        let subs = (count / 15).max(1);
        for _ in 0..subs {
            self.new_subscription(start);
        }
        for created in times {
            self.charge(created, end, true);
        }
        self.payouts(end);
        self.sort();
    }

    /// A new one-off charge created at `created`, as a donor paying right now.
    pub fn live_charge(&mut self, created: i64) -> Charge {
        let charge = self.charge(created, created, false);
        self.sort();
        charge
    }

    pub(super) fn sort(&mut self) {
        let d = &mut self.data;
        d.charges.sort_by_key(|c| c.created);
        d.refunds.sort_by_key(|c| c.created);
        d.disputes.sort_by_key(|c| c.created);
        d.balance_transactions.sort_by_key(|c| c.created);
        d.customers.sort_by_key(|c| c.created);
        d.invoices.sort_by_key(|c| c.created);
        d.payouts.sort_by_key(|c| c.created);
    }

    fn id(&mut self, prefix: &str) -> String {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let tail: String = (0..24)
            .map(|_| ALNUM[self.rng.random_range(0..ALNUM.len())] as char)
            .collect();
        format!("{prefix}_{tail}")
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).expect("non-empty")
    }

    /// One charge at `created`; with `extras`, maybe a refund or dispute no later than `end`.
    fn charge(&mut self, created: i64, end: i64, extras: bool) -> Charge {
        let id = self.id("ch");
        let pi = self.id("pi");
        let roll: f64 = self.rng.random();
        let status = if !extras || roll < 0.90 {
            "succeeded"
        } else if roll < 0.96 {
            "failed"
        } else {
            "pending"
        };
        let settle = if status != "succeeded" || !extras {
            Settle::Now(0)
        } else {
            let roll: f64 = self.rng.random();
            if roll < 0.04 {
                Settle::LateCapture(self.rng.random_range(3_600..7 * DAY))
            } else if roll < 0.07 {
                Settle::Clears(self.rng.random_range(3 * DAY..5 * DAY))
            } else if roll < 0.12 {
                Settle::Now(self.rng.random_range(1..120))
            } else {
                Settle::Now(0)
            }
        };
        // Money that has not moved by `end`: an open authorization, a debit still pending.
        let (status, captured) = match settle {
            Settle::LateCapture(after) if created + after >= end => ("succeeded", false),
            Settle::Clears(after) if created + after >= end => ("pending", true),
            _ => (status, status == "succeeded"),
        };
        let settled_at = match settle {
            Settle::Now(after) => (created + after).min(end - 1).max(created),
            Settle::LateCapture(after) | Settle::Clears(after) => created + after,
        };
        let late = !matches!(settle, Settle::Now(_));
        let subscription = if extras && self.chance(0.25) && !self.subscriptions.is_empty() {
            let i = self.rng.random_range(0..self.subscriptions.len());
            Some(i)
        } else {
            None
        };

        let mut amount = self.pick(AMOUNTS);
        if self.chance(0.2) {
            amount = self.rng.random_range(100..300_000);
        }
        let mut metadata = Metadata::new();
        let mut billing = BillingDetails::default();
        let mut customer = None;
        let mut invoice = None;
        let description;

        if let Some(i) = subscription {
            let sub = self.subscriptions[i].clone();
            amount = sub.price.unit_amount.unwrap_or(amount);
            customer = Some(sub.customer.clone());
            // Subscription payments carry the card holder only; who they are is on the customer.
            billing.name = self
                .chance(0.5)
                .then(|| {
                    self.data
                        .customer(&sub.customer)
                        .and_then(|c| c.name.clone())
                })
                .flatten();
            description = Some("Subscription update".into());
            if status == "succeeded" {
                self.subscriptions[i].invoices += 1;
                let reason = if self.subscriptions[i].invoices == 1 {
                    "subscription_create"
                } else {
                    "subscription_cycle"
                };
                invoice = Some(self.invoice(&sub, created, amount, &id, &pi, reason));
            }
        } else {
            let shape: f64 = self.rng.random();
            if shape < 0.80 {
                let name = self.name();
                billing.email = Some(self.email(&name));
                billing.name = Some(name);
                billing.phone = self.phone();
                billing.address = self.address();
            } else if shape < 0.92 {
                // Checkout collecting only what the card needs.
                let name = self.name();
                billing.email = Some(self.email(&name));
                billing.name = Some(name);
                billing.address = Address {
                    country: Some("US".into()),
                    postal_code: Some(self.pick(PLACES).2.into()),
                    ..Address::default()
                };
            } // else: nothing at all, only the customer (if any) says who paid.
            if shape >= 0.92 || self.chance(0.3) {
                customer = Some(self.customer(created, false).id);
            }
            if self.chance(0.75) {
                metadata = self.work();
            }
            if self.chance(0.3) {
                metadata.insert(
                    "source".into(),
                    self.pick(&["homepage", "email-0412", "sms"]).into(),
                );
            }
            description = self.chance(0.5).then(|| "Donation".to_string());
        }

        let succeeded = status == "succeeded";
        let balance_transaction = if succeeded && captured {
            let fee = amount * 22 / 1000 + 30;
            Some(self.balance_transaction(
                settled_at,
                amount,
                fee,
                "charge",
                "charge",
                &id,
                Some("Stripe processing fees"),
            ))
        } else {
            None
        };
        let card_last4 = format!("{:04}", self.rng.random_range(0..9999));
        let brand = self.pick(&["visa", "mastercard", "amex", "discover"]);
        let mut charge = Charge {
            id: id.clone(),
            object: "charge".into(),
            amount,
            amount_captured: if succeeded && captured { amount } else { 0 },
            amount_refunded: 0,
            application: None,
            application_fee: None,
            application_fee_amount: None,
            balance_transaction,
            billing_details: billing,
            calculated_statement_descriptor: Some("FRIENDS OF JANE DOE".into()),
            captured: succeeded && captured,
            created,
            currency: "usd".into(),
            customer,
            description,
            disputed: false,
            failure_balance_transaction: None,
            failure_code: (status == "failed").then(|| "card_declined".to_string()),
            failure_message: (status == "failed").then(|| "Your card was declined.".to_string()),
            fraud_details: Metadata::new(),
            invoice,
            livemode: self.livemode,
            metadata,
            on_behalf_of: None,
            outcome: Some(Outcome {
                network_status: Some(
                    if status == "failed" {
                        "declined_by_network"
                    } else {
                        "approved_by_network"
                    }
                    .into(),
                ),
                reason: (status == "failed").then(|| "generic_decline".to_string()),
                risk_level: "normal".into(),
                risk_score: self.rng.random_range(0..60),
                seller_message: if status == "failed" {
                    "The bank did not return any further details with this decline."
                } else {
                    "Payment complete."
                }
                .into(),
                kind: if status == "failed" {
                    "issuer_declined"
                } else {
                    "authorized"
                }
                .into(),
            }),
            paid: succeeded,
            payment_intent: Some(pi),
            payment_method: Some(self.id("pm")),
            payment_method_details: Some(PaymentMethodDetails {
                card: Card {
                    brand: brand.into(),
                    checks: CardChecks {
                        address_line1_check: None,
                        address_postal_code_check: Some("pass".into()),
                        cvc_check: Some("pass".into()),
                    },
                    country: "US".into(),
                    exp_month: self.rng.random_range(1..13),
                    exp_year: self.rng.random_range(2026..2032),
                    fingerprint: self.id("fp")[3..19].to_string(),
                    funding: "credit".into(),
                    last4: card_last4,
                    network: brand.into(),
                    three_d_secure: None,
                    wallet: None,
                },
                kind: "card".into(),
            }),
            receipt_email: None,
            receipt_number: None,
            receipt_url: Some(format!(
                "https://pay.stripe.com/receipts/payment/{}",
                &id[3..]
            )),
            refunded: false,
            refunds: List::new(Vec::new(), format!("/v1/charges/{id}/refunds")),
            review: None,
            shipping: None,
            source_transfer: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            status: status.into(),
            transfer_data: None,
            transfer_group: None,
        };

        if extras && succeeded && captured && !late {
            let roll: f64 = self.rng.random();
            if roll < 0.05 {
                let all = charge.amount;
                self.refund(&mut charge, all, end);
            } else if roll < 0.08 {
                let first = charge.amount / 3;
                self.refund(&mut charge, first.max(1), end);
                if self.chance(0.5) {
                    let second = (charge.amount / 4).max(1);
                    self.refund(&mut charge, second, end);
                }
            } else if roll < 0.10 {
                self.dispute(&mut charge, end);
            }
        }
        self.data.charges.push(charge.clone());
        charge
    }
    fn invoice(
        &mut self,
        sub: &Subscription,
        created: i64,
        amount: i64,
        charge: &str,
        pi: &str,
        reason: &str,
    ) -> String {
        let id = self.id("in");
        let customer = self.data.customer(&sub.customer).cloned();
        let period_end = created + 30 * DAY;
        let line = InvoiceLine {
            id: self.id("il"),
            object: "line_item".into(),
            amount,
            currency: "usd".into(),
            description: Some(format!(
                "1 × Recurring donation (at ${}.{:02} / {})",
                amount / 100,
                amount % 100,
                sub.price.recurring.as_ref().unwrap().interval
            )),
            livemode: self.livemode,
            metadata: Metadata::new(),
            period: Period {
                end: period_end,
                start: created,
            },
            price: Some(sub.price.clone()),
            proration: false,
            quantity: Some(1),
            subscription: Some(sub.id.clone()),
            kind: "subscription".into(),
        };
        let invoice = Invoice {
            id: id.clone(),
            object: "invoice".into(),
            account_country: Some("US".into()),
            amount_due: amount,
            amount_paid: amount,
            amount_remaining: 0,
            attempt_count: 1,
            attempted: true,
            billing_reason: Some(reason.into()),
            charge: Some(charge.into()),
            collection_method: "charge_automatically".into(),
            created,
            currency: "usd".into(),
            customer: Some(sub.customer.clone()),
            customer_email: customer.as_ref().and_then(|c| c.email.clone()),
            customer_name: customer.as_ref().and_then(|c| c.name.clone()),
            lines: List::new(vec![line], format!("/v1/invoices/{id}/lines")),
            livemode: self.livemode,
            metadata: Metadata::new(),
            number: Some(format!(
                "{}-{:04}",
                customer.map(|c| c.invoice_prefix).unwrap_or_default(),
                sub.invoices
            )),
            paid: true,
            payment_intent: Some(pi.into()),
            period_end,
            period_start: created,
            status: Some("paid".into()),
            subscription: Some(sub.id.clone()),
            subtotal: amount,
            total: amount,
        };
        self.data.invoices.push(invoice);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_every_shape_present() {
        let end = 1_717_200_000;
        let mut a = Generator::new(7, false);
        a.populate(2_000, end, 180);
        let mut b = Generator::new(7, false);
        b.populate(2_000, end, 180);
        assert_eq!(a.data, b.data);
        let d = &a.data;
        assert_eq!(d.charges.len(), 2_000);
        assert!(d.charges.iter().all(|c| c.created < end && !c.livemode));
        assert!(d.charges.iter().any(|c| c.status == "failed"));
        // Money that moved later than the charge was made, and money not moved yet.
        let late = |c: &&Charge| d.settled_at(c).is_some_and(|at| at >= c.created + DAY);
        assert!(d.charges.iter().filter(late).count() >= 40);
        assert!(d.charges.iter().any(|c| {
            d.settled_at(c)
                .is_some_and(|at| at > c.created && at < c.created + 120)
        }));
        assert!(
            d.charges
                .iter()
                .any(|c| c.status == "succeeded" && !c.captured && c.balance_transaction.is_none())
        );
        assert!(
            d.charges
                .iter()
                .filter(|c| c.status == "pending")
                .all(|c| c.balance_transaction.is_none() && d.settled_at(c).is_none())
        );
        assert!(
            d.charges
                .iter()
                .filter_map(|c| d.settled_at(c))
                .all(|at| at < end)
        );
        assert!(
            d.charges
                .iter()
                .filter(|c| c.status == "succeeded" && c.captured)
                .all(|c| d.settled_at(c).is_some())
        );
        assert!(d.charges.iter().any(|c| c.invoice.is_some()));
        assert!(d.charges.iter().any(|c| c.billing_details.name.is_none()));
        assert!(
            d.charges.iter().any(|c| c.refunded)
                && d.charges
                    .iter()
                    .any(|c| !c.refunded && c.amount_refunded > 0)
        );
        assert!(
            d.disputes
                .iter()
                .any(|x| x.status == "won" && x.balance_transactions.len() == 2)
        );
        assert!(d.refunds.iter().all(|r| r.created < end));
        // Every payout pays exactly the net of what it settles.
        for p in &d.payouts {
            let net: i64 = d.payout_members[&p.id]
                .iter()
                .map(|id| d.balance_transaction(id).unwrap().net)
                .sum();
            assert_eq!(net, p.amount, "{}", p.id);
        }
        assert!(!d.payouts.is_empty());
    }

    #[test]
    fn live_and_test_differ() {
        let mut t = Generator::new(1, false);
        t.populate(50, 1_717_200_000, 30);
        let mut l = Generator::new(1, true);
        l.populate(50, 1_717_200_000, 30);
        assert!(l.data.charges.iter().all(|c| c.livemode));
        assert_ne!(t.data.charges[0].id, l.data.charges[0].id);
    }
}
