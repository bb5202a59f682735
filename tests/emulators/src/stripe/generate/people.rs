//! Donors: names (and how each was composed), emails, addresses, employers, customers and
//! the subscriptions they keep.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::{Generator, Subscription};
use crate::stripe::objects::*;

const FIRST: &[&str] = &[
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Nguyen",
    "Aisha",
    "José",
    "Zoë",
];
const MIDDLE: &[&str] = &["Ann", "Lee", "J.", "Marie", "R.", "Quincy"];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "O'Brien",
    "Nguyen",
    "Washington",
    "Kim",
    "Patel",
    "Müller",
];
const SUFFIX: &[&str] = &["Jr.", "Sr.", "II", "III"];
const PREFIX: &[&str] = &["Dr.", "Mrs.", "Mr.", "Ms."];
const EMPLOYERS: &[&str] = &[
    "Self-employed",
    "Acme Corp",
    "Arlington Public Schools",
    "Retired",
    "Inova Health",
    "Not employed",
];
const OCCUPATIONS: &[&str] = &[
    "Teacher",
    "Engineer",
    "Retired",
    "Nurse",
    "Attorney",
    "Homemaker",
    "Consultant",
];
pub(super) const PLACES: &[(&str, &str, &str)] = &[
    ("Arlington", "VA", "22201"),
    ("Richmond", "VA", "23219"),
    ("Columbus", "OH", "43215"),
    ("Austin", "TX", "78701"),
    ("Des Moines", "IA", "50309"),
    ("Phoenix", "AZ", "85004"),
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Wilson Blvd",
    "Elm St",
    "Maple Dr",
    "Lee Hwy",
];
pub(super) const AMOUNTS: &[i64] = &[
    500, 1000, 2000, 2500, 2700, 5000, 10_000, 25_000, 50_000, 100_000, 330_000,
];

impl Generator {
    pub(super) fn name(&mut self) -> String {
        let parts = NameParts {
            prefix: self.chance(0.05).then(|| self.pick(PREFIX).to_string()),
            first: self.pick(FIRST).to_string(),
            middle: self.chance(0.2).then(|| self.pick(MIDDLE).to_string()),
            last: self.pick(LAST).to_string(),
            suffix: self.chance(0.08).then(|| self.pick(SUFFIX).to_string()),
        };
        let mut words: Vec<&str> = Vec::new();
        words.extend(parts.prefix.as_deref());
        words.push(&parts.first);
        words.extend(parts.middle.as_deref());
        words.push(&parts.last);
        let mut name = words.join(" ");
        if let Some(s) = &parts.suffix {
            // Both ways people type it: "Smith Jr." and "Smith, Jr."
            name.push_str(if self.rng.random_bool(0.5) { ", " } else { " " });
            name.push_str(s);
        }
        self.data.names.insert(name.clone(), parts);
        name
    }

    pub(super) fn email(&mut self, name: &str) -> String {
        let local: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(".")
            .to_lowercase();
        let n = self.rng.random_range(1..999);
        format!("{local}{n}@example.com")
    }

    pub(super) fn address(&mut self) -> Address {
        let (city, state, zip) = self.pick(PLACES);
        let number = self.rng.random_range(1..9999);
        let street = self.pick(STREETS);
        let postal_code = if self.chance(0.2) {
            format!("{zip}-{:04}", self.rng.random_range(0..9999))
        } else {
            zip.into()
        };
        Address {
            city: Some(city.into()),
            country: Some("US".into()),
            line1: Some(format!("{number} {street}")),
            line2: self
                .chance(0.15)
                .then(|| format!("Apt {}", self.rng.random_range(1..500))),
            postal_code: Some(postal_code),
            state: Some(state.into()),
        }
    }

    pub(super) fn phone(&mut self) -> Option<String> {
        self.chance(0.4)
            .then(|| format!("+1703555{:04}", self.rng.random_range(0..9999)))
    }

    pub(super) fn work(&mut self) -> Metadata {
        let mut m = Metadata::new();
        m.insert("employer".into(), self.pick(EMPLOYERS).into());
        m.insert("occupation".into(), self.pick(OCCUPATIONS).into());
        m
    }

    pub(super) fn customer(&mut self, created: i64, with_work: bool) -> Customer {
        let name = self.name();
        let email = self.email(&name);
        let customer = Customer {
            id: self.id("cus"),
            object: "customer".into(),
            address: self.chance(0.7).then(|| self.address()),
            balance: 0,
            created,
            currency: Some("usd".into()),
            default_source: None,
            delinquent: false,
            description: None,
            email: Some(email),
            invoice_prefix: format!("{:08X}", self.rng.random::<u32>()),
            livemode: self.livemode,
            metadata: if with_work {
                self.work()
            } else {
                Metadata::new()
            },
            name: Some(name),
            phone: self.phone(),
            preferred_locales: vec!["en-US".into()],
            shipping: None,
            tax_exempt: "none".into(),
        };
        self.data.customers.push(customer.clone());
        customer
    }

    pub(super) fn new_subscription(&mut self, created: i64) {
        let customer = self.customer(created, true);
        let (interval, count) = *[
            ("month", 1),
            ("month", 1),
            ("month", 1),
            ("month", 3),
            ("year", 1),
            ("week", 1),
        ]
        .choose(&mut self.rng)
        .unwrap();
        let amount = self.pick(&[500, 1000, 2500, 5000]);
        let price = Price {
            id: self.id("price"),
            object: "price".into(),
            active: true,
            currency: "usd".into(),
            livemode: self.livemode,
            metadata: Metadata::new(),
            nickname: Some(format!(
                "{} recurring",
                if interval == "month" {
                    "Monthly"
                } else {
                    "Regular"
                }
            )),
            product: self.id("prod"),
            recurring: Some(Recurring {
                aggregate_usage: None,
                interval: interval.into(),
                interval_count: count,
                usage_type: "licensed".into(),
            }),
            kind: "recurring".into(),
            unit_amount: Some(amount),
        };
        let id = self.id("sub");
        self.subscriptions.push(Subscription {
            id,
            customer: customer.id,
            price,
            invoices: 0,
        });
    }
}
