//! Records of contract 0.1 to and from the host's own types. Field names are the same on both
//! sides; `Lift` carries the conversion through `Option`, `Vec` and tuples.

use super::intake::plugin::types as wit;
use crate::types;

/// A field-wise conversion between the two sides.
trait Lift<T> {
    fn lift(self) -> T;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl Lift<$t> for $t {
            fn lift(self) -> $t { self }
        }
    )*};
}
same!(String, i64, u32, bool);

impl<A: Lift<B>, B> Lift<Option<B>> for Option<A> {
    fn lift(self) -> Option<B> {
        self.map(Lift::lift)
    }
}

impl<A: Lift<B>, B> Lift<Vec<B>> for Vec<A> {
    fn lift(self) -> Vec<B> {
        self.into_iter().map(Lift::lift).collect()
    }
}

impl<A: Lift<C>, B: Lift<D>, C, D> Lift<(C, D)> for (A, B) {
    fn lift(self) -> (C, D) {
        (self.0.lift(), self.1.lift())
    }
}

/// `From` both ways for records whose fields are named alike.
macro_rules! records {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl From<wit::$name> for types::$name {
            fn from(v: wit::$name) -> Self {
                types::$name { $($field: v.$field.lift()),* }
            }
        }
        impl From<types::$name> for wit::$name {
            fn from(v: types::$name) -> Self {
                wit::$name { $($field: v.$field.lift()),* }
            }
        }
        impl Lift<types::$name> for wit::$name {
            fn lift(self) -> types::$name { self.into() }
        }
        impl Lift<wit::$name> for types::$name {
            fn lift(self) -> wit::$name { self.into() }
        }
    )*};
}

/// `From` both ways for enums whose cases are named alike.
macro_rules! enums {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl From<wit::$name> for types::$name {
            fn from(v: wit::$name) -> Self {
                match v { $(wit::$name::$case => types::$name::$case),* }
            }
        }
        impl From<types::$name> for wit::$name {
            fn from(v: types::$name) -> Self {
                match v { $(types::$name::$case => wit::$name::$case),* }
            }
        }
        impl Lift<types::$name> for wit::$name {
            fn lift(self) -> types::$name { self.into() }
        }
        impl Lift<wit::$name> for types::$name {
            fn lift(self) -> wit::$name { self.into() }
        }
    )*};
}

records! {
    Money { minor_units, currency }
    PostalAddress { line1, line2, city, region, postal_code, country }
    Person { prefix, first_name, middle_name, last_name, suffix, email, phone, address,
        employer, occupation, processor_donor_id }
    Earmark { conduit_name, conduit_fec_id, conduit_address, recipient_fec_id }
    Recurrence { interval, installment, subscription_id }
    Donation { id, kind, reverses, amount, fee, net, received_at, donor, recurrence, earmark,
        source, payout_id, livemode, extra }
    FeeEntry { id, amount, charged_at, donation_id, payout_id, description }
    Payout { id, paid_at, gross, fees, net, donation_ids, fee_ids, livemode, extra }
    Setting { key, label, help, secret, sent_to, required, default_value, choices }
    Organization { name, fec_id, address }
    PluginInfo { id, name, version, settings, outbound, capabilities, organization }
    Account { id, name, livemode }
    Window { since, until }
    Page { donations, fees, next_cursor }
    PayoutPage { payouts, next_cursor }
    RowError { line, message }
    FileImport { donations, fees, payouts, rejected }
}

enums! {
    DonationKind { Contribution, Refund, Chargeback, ChargebackReversal }
    Interval { Weekly, Monthly, Quarterly, Yearly, Other }
}

/// Flag for flag: the two sets name the same capabilities.
const FLAGS: [(wit::Capabilities, types::Capabilities); 5] = [
    (wit::Capabilities::FETCH, types::Capabilities::FETCH),
    (wit::Capabilities::WEBHOOK, types::Capabilities::WEBHOOK),
    (
        wit::Capabilities::FILE_IMPORT,
        types::Capabilities::FILE_IMPORT,
    ),
    (
        wit::Capabilities::DONATION_LINK,
        types::Capabilities::DONATION_LINK,
    ),
    (wit::Capabilities::PAYOUTS, types::Capabilities::PAYOUTS),
];

impl From<wit::Capabilities> for types::Capabilities {
    fn from(v: wit::Capabilities) -> Self {
        FLAGS
            .iter()
            .filter(|(w, _)| v.contains(*w))
            .fold(types::Capabilities::empty(), |set, (_, t)| set | *t)
    }
}

impl From<types::Capabilities> for wit::Capabilities {
    fn from(v: types::Capabilities) -> Self {
        FLAGS
            .iter()
            .filter(|(_, t)| v.contains(*t))
            .fold(wit::Capabilities::empty(), |set, (w, _)| set | *w)
    }
}

impl Lift<types::Capabilities> for wit::Capabilities {
    fn lift(self) -> types::Capabilities {
        self.into()
    }
}

impl Lift<wit::Capabilities> for types::Capabilities {
    fn lift(self) -> wit::Capabilities {
        self.into()
    }
}

impl From<wit::Error> for types::PluginError {
    fn from(v: wit::Error) -> Self {
        match v {
            wit::Error::Config(m) => types::PluginError::Config(m),
            wit::Error::Auth(m) => types::PluginError::Auth(m),
            wit::Error::RateLimited(s) => types::PluginError::RateLimited(s),
            wit::Error::Transient(m) => types::PluginError::Transient(m),
            wit::Error::InvalidData(m) => types::PluginError::InvalidData(m),
            wit::Error::Unsupported => types::PluginError::Unsupported,
        }
    }
}

impl From<types::PluginError> for wit::Error {
    fn from(v: types::PluginError) -> Self {
        match v {
            types::PluginError::Config(m) => wit::Error::Config(m),
            types::PluginError::Auth(m) => wit::Error::Auth(m),
            types::PluginError::RateLimited(s) => wit::Error::RateLimited(s),
            types::PluginError::Transient(m) => wit::Error::Transient(m),
            types::PluginError::InvalidData(m) => wit::Error::InvalidData(m),
            types::PluginError::Unsupported => wit::Error::Unsupported,
        }
    }
}
