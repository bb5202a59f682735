//! Money moving after a charge: balance transactions, refunds, disputes and daily payouts.

use std::collections::BTreeMap;

use rand::Rng;

use super::{DAY, Generator};
use crate::stripe::objects::*;

impl Generator {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn balance_transaction(
        &mut self,
        created: i64,
        amount: i64,
        fee: i64,
        kind: &str,
        category: &str,
        source: &str,
        fee_description: Option<&str>,
    ) -> String {
        let id = self.id("txn");
        let available_on = (created / DAY + 2) * DAY;
        let description = match category {
            "charge" => Some("Donation".to_string()),
            "refund" => Some("REFUND FOR CHARGE (Donation)".to_string()),
            "dispute" => Some(format!("Chargeback withdrawal for {source}")),
            "dispute_reversal" => Some(format!("Chargeback reversal for {source}")),
            "payout" => Some("STRIPE PAYOUT".to_string()),
            _ => None,
        };
        self.data.balance_transactions.push(BalanceTransaction {
            id: id.clone(),
            object: "balance_transaction".into(),
            amount,
            available_on,
            created,
            currency: "usd".into(),
            description,
            exchange_rate: None,
            fee,
            fee_details: if fee != 0 {
                vec![FeeDetail {
                    amount: fee,
                    application: None,
                    currency: "usd".into(),
                    description: fee_description.map(str::to_string),
                    kind: "stripe_fee".into(),
                }]
            } else {
                Vec::new()
            },
            net: amount - fee,
            reporting_category: category.into(),
            source: Some(source.into()),
            status: "available".into(),
            kind: kind.into(),
        });
        id
    }

    pub(super) fn refund(&mut self, charge: &mut Charge, amount: i64, end: i64) {
        let amount = amount.min(charge.amount - charge.amount_refunded);
        let created = charge.created + self.rng.random_range(3_600..30 * DAY);
        if amount <= 0 || created >= end {
            return;
        }
        let id = self.id("re");
        let txn = self.balance_transaction(created, -amount, 0, "refund", "refund", &id, None);
        let refund = Refund {
            id,
            object: "refund".into(),
            amount,
            balance_transaction: Some(txn),
            charge: Some(charge.id.clone()),
            created,
            currency: charge.currency.clone(),
            metadata: Metadata::new(),
            payment_intent: charge.payment_intent.clone(),
            reason: Some(
                self.pick(&["requested_by_customer", "duplicate", "fraudulent"])
                    .into(),
            ),
            receipt_number: None,
            source_transfer_reversal: None,
            status: Some("succeeded".into()),
            transfer_reversal: None,
        };
        charge.amount_refunded += amount;
        charge.refunded = charge.amount_refunded == charge.amount;
        charge.refunds.data.insert(0, refund.clone());
        self.data.refunds.push(refund);
    }

    pub(super) fn dispute(&mut self, charge: &mut Charge, end: i64) {
        let created = charge.created + self.rng.random_range(DAY..60 * DAY);
        if created >= end {
            return;
        }
        charge.disputed = true;
        let id = self.id("dp");
        let roll: f64 = self.rng.random();
        let mut status = if roll < 0.2 {
            "warning_needs_response"
        } else if roll < 0.5 {
            "won"
        } else if roll < 0.8 {
            "lost"
        } else {
            "needs_response"
        };
        let mut balance_transactions = Vec::new();
        if status != "warning_needs_response" {
            let txn = self.balance_transaction(
                created,
                -charge.amount,
                1500,
                "adjustment",
                "dispute",
                &id,
                Some("Dispute fee"),
            );
            balance_transactions.push(self.data.balance_transaction(&txn).unwrap().clone());
        }
        if status == "won" {
            let reinstated = created + self.rng.random_range(10 * DAY..40 * DAY);
            if reinstated < end {
                let txn = self.balance_transaction(
                    reinstated,
                    charge.amount,
                    0,
                    "adjustment",
                    "dispute_reversal",
                    &id,
                    None,
                );
                balance_transactions.push(self.data.balance_transaction(&txn).unwrap().clone());
            } else {
                status = "under_review";
            }
        }
        let dispute = Dispute {
            id,
            object: "dispute".into(),
            amount: charge.amount,
            balance_transactions,
            charge: charge.id.clone(),
            created,
            currency: charge.currency.clone(),
            evidence: Evidence::default(),
            evidence_details: EvidenceDetails {
                due_by: Some(created + 21 * DAY),
                has_evidence: status == "won" || status == "lost",
                past_due: false,
                submission_count: i64::from(status == "won" || status == "lost"),
            },
            is_charge_refundable: false,
            livemode: self.livemode,
            metadata: Metadata::new(),
            payment_intent: charge.payment_intent.clone(),
            reason: self
                .pick(&["fraudulent", "product_not_received", "general", "duplicate"])
                .into(),
            status: status.into(),
        };
        self.data.disputes.push(dispute);
    }

    /// Daily automatic payouts of what became available, paid the next day.
    pub(super) fn payouts(&mut self, end: i64) {
        let mut by_day: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
        for bt in &self.data.balance_transactions {
            by_day
                .entry(bt.available_on)
                .or_default()
                .push((bt.id.clone(), bt.net));
        }
        let mut pending: Vec<(String, i64)> = Vec::new();
        for (day, txns) in by_day {
            pending.extend(txns);
            let created = day + 3 * 3_600;
            let arrival_date = day + DAY;
            if arrival_date > end {
                break;
            }
            let amount: i64 = pending.iter().map(|(_, net)| net).sum();
            if amount <= 0 {
                continue; // carried to the next payout
            }
            let id = self.id("po");
            let txn = self.balance_transaction(created, -amount, 0, "payout", "payout", &id, None);
            if let Some(bt) = self
                .data
                .balance_transactions
                .iter_mut()
                .find(|b| b.id == txn)
            {
                bt.available_on = created;
            }
            self.data
                .payout_members
                .insert(id.clone(), pending.drain(..).map(|(id, _)| id).collect());
            self.data.payouts.push(Payout {
                id,
                object: "payout".into(),
                amount,
                arrival_date,
                automatic: true,
                balance_transaction: Some(txn),
                created,
                currency: "usd".into(),
                description: Some("STRIPE PAYOUT".into()),
                destination: Some("ba_1OPCdVLkdIwHu7ixtOfcUcPC".into()),
                failure_balance_transaction: None,
                failure_code: None,
                failure_message: None,
                livemode: self.livemode,
                metadata: Metadata::new(),
                method: "standard".into(),
                source_type: "card".into(),
                statement_descriptor: None,
                status: "paid".into(),
                kind: "bank_account".into(),
            });
        }
        // What is not paid out yet is still pending.
        let paid: std::collections::HashSet<&String> =
            self.data.payout_members.values().flatten().collect();
        let unpaid: Vec<String> = self
            .data
            .balance_transactions
            .iter()
            .filter(|b| b.kind != "payout" && !paid.contains(&b.id) && b.available_on > end)
            .map(|b| b.id.clone())
            .collect();
        for bt in self
            .data
            .balance_transactions
            .iter_mut()
            .filter(|b| unpaid.contains(&b.id))
        {
            bt.status = "pending".into();
        }
        // Disputes embed their balance transactions: keep the copies equal.
        let current: BTreeMap<String, BalanceTransaction> = self
            .data
            .balance_transactions
            .iter()
            .map(|b| (b.id.clone(), b.clone()))
            .collect();
        for d in &mut self.data.disputes {
            for bt in &mut d.balance_transactions {
                *bt = current[&bt.id].clone();
            }
        }
    }
}
