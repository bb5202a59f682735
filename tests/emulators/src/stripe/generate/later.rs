//! Money that moves after the charge is made, on demand: an authorization captured later, an
//! ACH-style debit that clears later. Each makes the charge's balance transaction at that
//! moment, as Stripe does.

use super::Generator;
use crate::stripe::objects::*;

impl Generator {
    /// A new one-off charge created at `created`, authorized only (`captured: false`, no
    /// balance transaction), as a donor's card held for capture.
    pub fn authorization(&mut self, created: i64) -> Charge {
        self.unsettled(created, |c| {
            c.captured = false;
            c.amount_captured = 0;
        })
    }

    /// A new one-off ACH-style debit created at `created`, still `pending` (no balance
    /// transaction until it clears).
    pub fn pending_debit(&mut self, created: i64) -> Charge {
        self.unsettled(created, |c| {
            c.status = "pending".into();
            c.paid = false;
            c.outcome = None;
        })
    }

    fn unsettled(&mut self, created: i64, shape: impl FnOnce(&mut Charge)) -> Charge {
        let mut charge = self.live_charge(created);
        let bt = charge.balance_transaction.take();
        self.data
            .balance_transactions
            .retain(|b| Some(&b.id) != bt.as_ref());
        shape(&mut charge);
        self.replace(&charge);
        charge
    }

    /// The money of charge `id` moves at `at`: an authorization is captured in full, a
    /// pending debit succeeds. None when `id` is not such a charge.
    pub fn settle(&mut self, id: &str, at: i64) -> Option<Charge> {
        let mut charge = self.data.charge(id)?.clone();
        let unsettled = charge.balance_transaction.is_none()
            && (charge.status == "pending" || (charge.status == "succeeded" && !charge.captured));
        if !unsettled || at < charge.created {
            return None;
        }
        let fee = charge.amount * 22 / 1000 + 30;
        let txn = self.balance_transaction(
            at,
            charge.amount,
            fee,
            "charge",
            "charge",
            id,
            Some("Stripe processing fees"),
        );
        charge.status = "succeeded".into();
        charge.captured = true;
        charge.paid = true;
        charge.amount_captured = charge.amount;
        charge.balance_transaction = Some(txn);
        self.replace(&charge);
        self.sort();
        Some(charge)
    }

    fn replace(&mut self, charge: &Charge) {
        if let Some(slot) = self.data.charges.iter_mut().find(|c| c.id == charge.id) {
            *slot = charge.clone();
        }
    }
}
