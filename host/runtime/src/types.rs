//! The records of the contract, owned by the host: what `Host` returns and takes, whatever
//! contract version the plugin was built against. Names follow the WIT (`plugins/sdk/wit/plugin.wit`),
//! whose comments are the full specification.

use serde::{Deserialize, Serialize};

/// An amount in the currency's minor unit (cents for USD); negative for money going back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The count of minor units.
    pub minor_units: i64,
    /// ISO 4217, upper case, e.g. "USD".
    pub currency: String,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// First line.
    pub line1: String,
    /// Second line, if any.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// State or province code, e.g. "VA".
    pub region: String,
    /// As the donor gave it: "22201" or "22201-1234".
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. "US".
    pub country: String,
}

/// A donor, with the fields an FEC itemized receipt needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// "Dr.", "Ms."…
    pub prefix: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub last_name: String,
    /// "Jr.", "III"…
    pub suffix: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<PostalAddress>,
    /// Employer, as the donor gave it.
    pub employer: Option<String>,
    /// Occupation, as the donor gave it.
    pub occupation: Option<String>,
    /// The processor's own id for this donor (a Stripe customer, a WinRed donor id).
    pub processor_donor_id: Option<String>,
}

/// What a donation record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DonationKind {
    /// Money received from a donor.
    Contribution,
    /// Money returned to a donor; `reverses` names the contribution.
    Refund,
    /// Money taken back by the donor's bank; `reverses` names the contribution.
    Chargeback,
    /// A chargeback the committee won back; `reverses` names the chargeback.
    ChargebackReversal,
}

/// A contribution a conduit (WinRed, ActBlue) forwards to the committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earmark {
    /// The conduit's name.
    pub conduit_name: String,
    /// The conduit's FEC id.
    pub conduit_fec_id: Option<String>,
    /// The conduit's address.
    pub conduit_address: Option<PostalAddress>,
    /// The committee the donor earmarked the money for.
    pub recipient_fec_id: Option<String>,
}

/// How often a recurring gift repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Interval {
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every year.
    Yearly,
    /// Some other schedule.
    Other,
}

/// Marks a donation as one installment of a recurring gift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// How often it repeats.
    pub interval: Interval,
    /// 1 for the first installment, where the processor says.
    pub installment: Option<u32>,
    /// The processor's id for the subscription.
    pub subscription_id: Option<String>,
}

/// One transaction: a contribution or its reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donation {
    /// The processor's stable id for this transaction: unique per plugin and account.
    pub id: String,
    /// What it is.
    pub kind: DonationKind,
    /// For a refund, chargeback or reversal: the id of the entry it reverses.
    pub reverses: Option<String>,
    /// Gross amount; negative for refunds and chargebacks.
    pub amount: Money,
    /// Processing fee as a positive amount, where the processor says.
    pub fee: Option<Money>,
    /// Amount minus fee, where the processor says.
    pub net: Option<Money>,
    /// When the processor or conduit received it: RFC 3339, UTC.
    pub received_at: String,
    /// Who gave it.
    pub donor: Person,
    /// Set for an installment of a recurring gift.
    pub recurrence: Option<Recurrence>,
    /// Set for a conduit's earmarked contribution.
    pub earmark: Option<Earmark>,
    /// The donation page, form or source code it came through.
    pub source: Option<String>,
    /// The payout that settled it, where known.
    pub payout_id: Option<String>,
    /// Live money, not a test transaction.
    pub livemode: bool,
    /// Processor fields with no place above, kept for audit.
    pub extra: Vec<(String, String)>,
}

/// Money the processor charged the committee outside any one donation's fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEntry {
    /// The processor's id for it.
    pub id: String,
    /// The fee, positive.
    pub amount: Money,
    /// When it was charged: RFC 3339, UTC.
    pub charged_at: String,
    /// The donation it relates to, where known.
    pub donation_id: Option<String>,
    /// The payout that settled it, where known.
    pub payout_id: Option<String>,
    /// What it is for.
    pub description: String,
}

/// One transfer to the committee's bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// The processor's id for it.
    pub id: String,
    /// When it was paid out: RFC 3339, UTC.
    pub paid_at: String,
    /// Sum of the donations it settles, refunds negative.
    pub gross: Money,
    /// Fees withheld, positive.
    pub fees: Money,
    /// What reached the bank: gross minus fees.
    pub net: Money,
    /// The donations (and refunds) it settles.
    pub donation_ids: Vec<String>,
    /// Fee entries it settles.
    pub fee_ids: Vec<String>,
    /// Live money, not a test transfer.
    pub livemode: bool,
    /// Processor fields with no place above, kept for audit.
    pub extra: Vec<(String, String)>,
}

/// One setting a plugin asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// Its key.
    pub key: String,
    /// What a form shows.
    pub label: String,
    /// A sentence of help.
    pub help: String,
    /// A secret is kept by the host and only ever referenced by key.
    pub secret: bool,
    /// For a secret: the origins it may be sent to, e.g. "https://api.stripe.com:443".
    pub sent_to: Vec<String>,
    /// Whether it must be given.
    pub required: bool,
    /// Its value when not given.
    pub default_value: Option<String>,
    /// Allowed values, when the setting is a choice.
    pub choices: Vec<String>,
}

bitflags::bitflags! {
    /// What a plugin offers. Serializes as the WIT spells the flags: `["fetch", "webhook"]`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Capabilities: u8 {
        /// `fetch`.
        const FETCH = 1;
        /// `parse-webhook`.
        const WEBHOOK = 1 << 1;
        /// `parse-export`.
        const FILE_IMPORT = 1 << 2;
        /// `donation-link`.
        const DONATION_LINK = 1 << 3;
        /// `fetch-payouts`.
        const PAYOUTS = 1 << 4;
    }
}

/// Flag names as the WIT spells them.
const CAPABILITY_NAMES: [(Capabilities, &str); 5] = [
    (Capabilities::FETCH, "fetch"),
    (Capabilities::WEBHOOK, "webhook"),
    (Capabilities::FILE_IMPORT, "file-import"),
    (Capabilities::DONATION_LINK, "donation-link"),
    (Capabilities::PAYOUTS, "payouts"),
];

impl Capabilities {
    /// The names of the flags set, in contract order.
    pub fn names(self) -> Vec<&'static str> {
        CAPABILITY_NAMES
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
            .collect()
    }
}

impl Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

impl<'de> Deserialize<'de> for Capabilities {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        names.iter().try_fold(Capabilities::empty(), |set, name| {
            CAPABILITY_NAMES
                .iter()
                .find(|(_, n)| n == name)
                .map(|(flag, _)| set | *flag)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown capability `{name}`")))
        })
    }
}

/// A record the CRM keeps for the processor itself (e.g. the WinRed PAC conduit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Its name.
    pub name: String,
    /// Its FEC id.
    pub fec_id: Option<String>,
    /// Its address.
    pub address: Option<PostalAddress>,
}

/// What a plugin says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Stable, lower case: "winred", "stripe".
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The plugin's own semver.
    pub version: String,
    /// The settings it asks for.
    pub settings: Vec<Setting>,
    /// Origins the plugin may call, as "scheme://host:port".
    pub outbound: Vec<String>,
    /// What it offers.
    pub capabilities: Capabilities,
    /// The processor as an organization, where the CRM keeps one.
    pub organization: Option<Organization>,
}

/// The account a set of credentials opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The processor's id for it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Live credentials, not test ones.
    pub livemode: bool,
}

/// A time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// RFC 3339 lower bound, inclusive.
    pub since: String,
    /// RFC 3339 upper bound, exclusive; none means now.
    pub until: Option<String>,
}

/// One page of donations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Donations and their reversals.
    pub donations: Vec<Donation>,
    /// Fees charged outside any donation.
    pub fees: Vec<FeeEntry>,
    /// Opaque; hand it back with the same window to continue. None when exhausted.
    pub next_cursor: Option<String>,
}

/// One page of payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutPage {
    /// The payouts.
    pub payouts: Vec<Payout>,
    /// Opaque; hand it back with the same window to continue. None when exhausted.
    pub next_cursor: Option<String>,
}

/// A row of an export file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based line of the file, counting the header.
    pub line: u32,
    /// Why.
    pub message: String,
}

/// What an export file held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileImport {
    /// Donations and their reversals.
    pub donations: Vec<Donation>,
    /// Fees charged outside any donation.
    pub fees: Vec<FeeEntry>,
    /// Payouts.
    pub payouts: Vec<Payout>,
    /// Every row that could not be read, with why.
    pub rejected: Vec<RowError>,
}

/// A plugin's own error: says whether retrying can help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PluginError {
    /// A setting is missing or invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The credentials were refused.
    #[error("authentication: {0}")]
    Auth(String),
    /// Slow down; seconds to wait where known.
    #[error("rate limited{}", .0.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    RateLimited(Option<u32>),
    /// A temporary failure: retrying later may succeed.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The processor sent something the plugin cannot read.
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// The plugin does not offer this.
    #[error("unsupported")]
    Unsupported,
}
