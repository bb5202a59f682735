//! Stripe objects to the contract's records.
//!
//! - A `succeeded`, captured charge is a contribution of `amount_captured`; pending and failed
//!   charges are not money received and give nothing.
//! - A refund is its own entry (`re_…`, negative, `reverses` the charge), dated when it was
//!   made; a dispute that withdrew funds is a chargeback (`dp_…`, negative, `reverses` the
//!   charge) dated when it was opened, and its dispute fee a fee entry; a won dispute's
//!   reinstatement is a chargeback reversal (its balance transaction's `txn_…` id, `reverses`
//!   the dispute). An inquiry that moved no money gives nothing.
//! - Fee and net come from the balance transaction when it is there (expanded); with
//!   asynchronous capture it can still be `null`, and then they are left out, never estimated.
//! - The donor: billing details first, then the customer; employer and occupation from the
//!   charge's metadata, then the customer's, under the configured keys.
//! - A charge paid by a subscription invoice is recurring: interval from the invoice line's
//!   price, installment 1 when the invoice created the subscription (later ones: unknown).

use intake_plugin_sdk::money as sdk_money;
use intake_plugin_sdk::names::split_full_name;
use intake_plugin_sdk::time::unix_to_rfc3339;
use intake_plugin_sdk::{
    Donation, DonationKind, Error, FeeEntry, Interval, Money, Person, PostalAddress, Recurrence,
    Result,
};

use crate::config::Config;
use crate::wire::{
    Address, BalanceTransaction, BillingDetails, Charge, Customer, Dispute, Expandable, Invoice,
    Metadata, Refund,
};

/// ISO 4217 upper case, from Stripe's lower case.
pub fn currency(code: &str) -> Result<String> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(Error::InvalidData(format!(
            "`{code}` is not a currency code"
        )))
    }
}

fn money(minor_units: i64, code: &str) -> Result<Money> {
    Ok(Money {
        minor_units,
        currency: currency(code)?,
    })
}

/// Fee and net from an expanded balance transaction; none while Stripe has not settled it
/// (`null`) or it was not expanded: never estimated.
fn fee_and_net(
    bt: &Option<Expandable<BalanceTransaction>>,
) -> Result<(Option<Money>, Option<Money>)> {
    match bt.as_ref().and_then(|b| b.object()) {
        Some(bt) => Ok((
            Some(money(bt.fee, &bt.currency)?),
            Some(money(bt.net, &bt.currency)?),
        )),
        None => Ok((None, None)),
    }
}

fn check_mode(livemode: bool, config: &Config) -> Result<()> {
    if livemode == config.livemode {
        Ok(())
    } else {
        Err(config.wrong_mode())
    }
}

fn text(value: Option<&String>) -> Option<String> {
    value
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn address(a: &Address) -> Option<PostalAddress> {
    let any = [&a.line1, &a.line2, &a.city, &a.state, &a.postal_code]
        .iter()
        .any(|f| text(f.as_ref()).is_some());
    any.then(|| PostalAddress {
        line1: text(a.line1.as_ref()).unwrap_or_default(),
        line2: text(a.line2.as_ref()),
        city: text(a.city.as_ref()).unwrap_or_default(),
        region: text(a.state.as_ref()).unwrap_or_default(),
        postal_code: text(a.postal_code.as_ref()).unwrap_or_default(),
        country: text(a.country.as_ref())
            .map(|c| c.to_ascii_uppercase())
            .unwrap_or_default(),
    })
}

/// Who paid: billing details first, then the customer.
pub fn donor(
    billing: &BillingDetails,
    customer: Option<&Expandable<Customer>>,
    metadata: &Metadata,
    receipt_email: Option<&String>,
    config: &Config,
) -> Person {
    let customer_object = customer
        .and_then(|c| c.object())
        .filter(|c| c.deleted != Some(true));
    let from_customer =
        |f: fn(&Customer) -> Option<&String>| customer_object.and_then(|c| text(f(c)));
    let name = text(billing.name.as_ref())
        .or_else(|| from_customer(|c| c.name.as_ref()))
        .unwrap_or_default();
    let parts = split_full_name(&name);
    let work = |key: &str| {
        text(metadata.get(key)).or_else(|| customer_object.and_then(|c| text(c.metadata.get(key))))
    };
    Person {
        prefix: parts.prefix,
        first_name: parts.first,
        middle_name: parts.middle,
        last_name: parts.last,
        suffix: parts.suffix,
        email: text(billing.email.as_ref())
            .or_else(|| from_customer(|c| c.email.as_ref()))
            .or_else(|| text(receipt_email)),
        phone: text(billing.phone.as_ref()).or_else(|| from_customer(|c| c.phone.as_ref())),
        address: billing.address.as_ref().and_then(address).or_else(|| {
            customer_object
                .and_then(|c| c.address.as_ref())
                .and_then(address)
        }),
        employer: work(&config.employer_key),
        occupation: work(&config.occupation_key),
        processor_donor_id: customer
            .map(|c| c.id().to_string())
            .filter(|id| !id.is_empty()),
    }
}

fn charge_donor(charge: &Charge, config: &Config) -> Person {
    donor(
        &charge.billing_details,
        charge.customer.as_ref(),
        &charge.metadata,
        charge.receipt_email.as_ref(),
        config,
    )
}

fn unknown_donor() -> Person {
    Person {
        prefix: None,
        first_name: String::new(),
        middle_name: None,
        last_name: String::new(),
        suffix: None,
        email: None,
        phone: None,
        address: None,
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}

/// Recurrence when the invoice (expanded) belongs to a subscription.
pub fn recurrence(invoice: &Invoice) -> Option<Recurrence> {
    let lines = invoice
        .lines
        .as_ref()
        .map(|l| l.data.as_slice())
        .unwrap_or_default();
    let subscription = invoice
        .subscription
        .as_ref()
        .or_else(|| lines.iter().find_map(|l| l.subscription.as_ref()))
        .map(|s| s.id().to_string());
    let recurring = lines.iter().find_map(|l| {
        l.price
            .as_ref()
            .and_then(|p| p.recurring.clone())
            .or_else(|| l.plan.clone())
    });
    if subscription.is_none() && recurring.is_none() {
        return None; // a one-off invoice
    }
    let interval = match recurring
        .as_ref()
        .map(|r| (r.interval.as_str(), r.interval_count))
    {
        Some(("week", 1)) => Interval::Weekly,
        Some(("month", 1)) => Interval::Monthly,
        Some(("month", 3)) => Interval::Quarterly,
        Some(("year", 1)) => Interval::Yearly,
        _ => Interval::Other,
    };
    let installment =
        (invoice.billing_reason.as_deref() == Some("subscription_create")).then_some(1);
    Some(Recurrence {
        interval,
        installment,
        subscription_id: subscription,
    })
}

fn push(extra: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        extra.push((key.to_string(), v.to_string()));
    }
}

/// A succeeded, captured charge as a contribution; None for anything else. Fee and net from
/// the charge's balance transaction when it is expanded (webhooks carry only its id).
pub fn contribution(charge: &Charge, config: &Config) -> Result<Option<Donation>> {
    let settled = charge.balance_transaction.as_ref().and_then(|b| b.object());
    settled_contribution(charge, settled, config)
}

/// The contribution of `charge`, whose money moved in `settled` (its balance transaction,
/// read from the balance-transaction list with the charge expanded as its source).
///
/// `received_at` stays the charge's `created` (when the donor gave: the date on their
/// receipt, in the Dashboard export and in webhooks), even when the money moved days later
/// (a late capture, an ACH debit that cleared); when it moved is the balance transaction's
/// `created`, kept in `extra` as `settled_at`.
pub fn settled_contribution(
    charge: &Charge,
    settled: Option<&BalanceTransaction>,
    config: &Config,
) -> Result<Option<Donation>> {
    if charge.status != "succeeded" || charge.captured == Some(false) {
        return Ok(None);
    }
    check_mode(charge.livemode, config)?;
    let amount = money(
        charge.amount_captured.unwrap_or(charge.amount),
        &charge.currency,
    )?;
    let (fee, net) = match settled {
        Some(bt) => (
            Some(money(bt.fee, &bt.currency)?),
            Some(money(bt.net, &bt.currency)?),
        ),
        None => (None, None),
    };
    let mut extra = Vec::new();
    push(
        &mut extra,
        "payment_intent",
        charge.payment_intent.as_ref().map(|p| p.id()),
    );
    push(&mut extra, "description", charge.description.as_deref());
    push(
        &mut extra,
        "invoice",
        charge.invoice.as_ref().map(|i| i.id()),
    );
    push(
        &mut extra,
        "customer",
        charge.customer.as_ref().map(|c| c.id()),
    );
    push(
        &mut extra,
        "balance_transaction",
        settled
            .map(|b| b.id.as_str())
            .or(charge.balance_transaction.as_ref().map(|b| b.id())),
    );
    if let Some(bt) = settled {
        push(
            &mut extra,
            "settled_at",
            Some(&unix_to_rfc3339(bt.created)?),
        );
    }
    push(
        &mut extra,
        "statement_descriptor",
        charge.statement_descriptor.as_deref(),
    );
    if let Some(pm) = &charge.payment_method_details {
        push(&mut extra, "payment_method_type", pm.kind.as_deref());
        if let Some(card) = &pm.card {
            push(&mut extra, "card_brand", card.brand.as_deref());
            push(&mut extra, "card_last4", card.last4.as_deref());
        }
    }
    for (k, v) in &charge.metadata {
        if *k != config.employer_key && *k != config.occupation_key {
            push(&mut extra, &format!("metadata.{k}"), Some(v));
        }
    }
    Ok(Some(Donation {
        id: charge.id.clone(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount,
        fee,
        net,
        received_at: unix_to_rfc3339(charge.created)?,
        donor: charge_donor(charge, config),
        recurrence: charge
            .invoice
            .as_ref()
            .and_then(|i| i.object())
            .and_then(recurrence),
        earmark: None,
        source: None,
        payout_id: None,
        livemode: charge.livemode,
        extra,
    }))
}

/// A refund that went (or is going) back to the donor; None for failed or canceled ones.
/// `charge` is the refunded charge when the refund does not embed it.
pub fn refund(
    refund: &Refund,
    charge: Option<&Charge>,
    config: &Config,
) -> Result<Option<Donation>> {
    if !matches!(
        refund.status.as_deref(),
        None | Some("succeeded") | Some("pending")
    ) {
        return Ok(None);
    }
    let charge = refund.charge.as_ref().and_then(|c| c.object()).or(charge);
    let livemode = charge.map(|c| c.livemode).unwrap_or(config.livemode);
    check_mode(livemode, config)?;
    let charge_id = refund
        .charge
        .as_ref()
        .map(|c| c.id().to_string())
        .or_else(|| charge.map(|c| c.id.clone()));
    let (fee, net) = fee_and_net(&refund.balance_transaction)?;
    let mut extra = Vec::new();
    push(&mut extra, "reason", refund.reason.as_deref());
    push(&mut extra, "status", refund.status.as_deref());
    push(
        &mut extra,
        "payment_intent",
        refund.payment_intent.as_ref().map(|p| p.id()),
    );
    push(
        &mut extra,
        "balance_transaction",
        refund.balance_transaction.as_ref().map(|b| b.id()),
    );
    Ok(Some(Donation {
        id: refund.id.clone(),
        kind: DonationKind::Refund,
        reverses: charge_id,
        amount: money(
            sdk_money::neg(refund.amount, "the refund amount")?,
            &refund.currency,
        )?,
        fee,
        net,
        received_at: unix_to_rfc3339(refund.created)?,
        donor: charge
            .map(|c| charge_donor(c, config))
            .unwrap_or_else(unknown_donor),
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode,
        extra,
    }))
}

fn is_withdrawal(bt: &BalanceTransaction) -> bool {
    match bt.reporting_category.as_deref() {
        Some(category) => category == "dispute",
        None => bt.amount < 0,
    }
}

pub fn is_reinstatement(bt: &BalanceTransaction) -> bool {
    match bt.reporting_category.as_deref() {
        Some(category) => category == "dispute_reversal",
        None => bt.amount > 0,
    }
}

fn fee_entry(bt: &BalanceTransaction, donation_id: &str, fallback: &str) -> Result<FeeEntry> {
    Ok(FeeEntry {
        id: bt.id.clone(),
        amount: money(bt.fee, &bt.currency)?,
        charged_at: unix_to_rfc3339(bt.created)?,
        donation_id: Some(donation_id.to_string()),
        payout_id: None,
        description: bt
            .fee_details
            .iter()
            .find_map(|f| f.description.clone())
            .unwrap_or_else(|| fallback.to_string()),
    })
}

fn dispute_donor(dispute: &Dispute, config: &Config) -> Person {
    dispute
        .charge
        .object()
        .map(|c| charge_donor(c, config))
        .unwrap_or_else(unknown_donor)
}

/// The chargeback a dispute made, with its dispute fee; nothing while it moved no money.
pub fn chargeback(dispute: &Dispute, config: &Config) -> Result<(Option<Donation>, Vec<FeeEntry>)> {
    check_mode(dispute.livemode, config)?;
    let withdrawals: Vec<&BalanceTransaction> = dispute
        .balance_transactions
        .iter()
        .filter(|b| is_withdrawal(b))
        .collect();
    if withdrawals.is_empty() {
        return Ok((None, Vec::new()));
    }
    let fees = withdrawals
        .iter()
        .filter(|b| b.fee != 0)
        .map(|b| fee_entry(b, &dispute.id, "Stripe dispute fee"))
        .collect::<Result<Vec<_>>>()?;
    let mut extra = Vec::new();
    push(&mut extra, "reason", dispute.reason.as_deref());
    push(&mut extra, "status", Some(&dispute.status));
    for bt in &withdrawals {
        push(&mut extra, "balance_transaction", Some(&bt.id));
    }
    let donation = Donation {
        id: dispute.id.clone(),
        kind: DonationKind::Chargeback,
        reverses: Some(dispute.charge.id().to_string()),
        amount: money(
            sdk_money::neg(dispute.amount, "the dispute amount")?,
            &dispute.currency,
        )?,
        fee: None,
        net: None,
        received_at: unix_to_rfc3339(dispute.created)?,
        donor: dispute_donor(dispute, config),
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: dispute.livemode,
        extra,
    };
    Ok((Some(donation), fees))
}

/// A won dispute's reinstatement (`bt`) as a chargeback reversal.
pub fn reversal(
    bt: &BalanceTransaction,
    dispute: &Dispute,
    config: &Config,
) -> Result<(Donation, Option<FeeEntry>)> {
    check_mode(dispute.livemode, config)?;
    let fee = if bt.fee != 0 {
        Some(fee_entry(bt, &bt.id, "Stripe dispute fee returned")?)
    } else {
        None
    };
    let mut extra = Vec::new();
    push(&mut extra, "charge", Some(dispute.charge.id()));
    push(&mut extra, "status", Some(&dispute.status));
    let donation = Donation {
        id: bt.id.clone(),
        kind: DonationKind::ChargebackReversal,
        reverses: Some(dispute.id.clone()),
        amount: money(bt.amount, &bt.currency)?,
        fee: None,
        net: None,
        received_at: unix_to_rfc3339(bt.created)?,
        donor: dispute_donor(dispute, config),
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: dispute.livemode,
        extra,
    };
    Ok((donation, fee))
}

/// Every money movement a dispute shows now (chargeback, then any reversal), for webhooks.
pub fn dispute_entries(
    dispute: &Dispute,
    config: &Config,
) -> Result<(Vec<Donation>, Vec<FeeEntry>)> {
    let (chargeback, mut fees) = chargeback(dispute, config)?;
    let mut donations: Vec<Donation> = chargeback.into_iter().collect();
    if !donations.is_empty() {
        for bt in dispute
            .balance_transactions
            .iter()
            .filter(|b| is_reinstatement(b))
        {
            let (d, fee) = reversal(bt, dispute, config)?;
            donations.push(d);
            fees.extend(fee);
        }
    }
    Ok((donations, fees))
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
