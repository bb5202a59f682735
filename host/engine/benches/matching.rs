//! Donor matching at a campaign's scale: 100,000 kept contacts, 10,000 incoming donors (a
//! mix of returning donors written differently and new people), matched through the store's
//! blocking keys, against the baseline of scoring every contact for each donor.
//!
//! Run: `cargo bench -p intake-engine --bench matching` (INTAKE_BENCH_CONTACTS and
//! INTAKE_BENCH_DONORS change the sizes; Postgres is measured too when a throwaway cluster
//! can be started, as the tests do). BENCHMARKS.md keeps the figures.

use std::time::{Duration, Instant};

use intake_engine::matching::score_candidates;
use intake_engine::store::Backend;
use intake_host::types::{Person, PostalAddress};

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
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
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Margaret",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Dorothy",
    "Steven",
    "Sandra",
    "Andrew",
    "Ashley",
    "Kenneth",
    "Kimberly",
    "Joshua",
    "Donna",
    "Kevin",
    "Emily",
    "Brian",
    "Carol",
    "George",
    "Michelle",
    "Edward",
    "Amanda",
    "Ronald",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ana",
    "José",
    "Luis",
    "María",
    "Carmen",
    "Wei",
    "Mei",
    "Priya",
    "Aarav",
    "Fatima",
];
/// Nicknames a returning donor may give instead (paired by index with FIRST's first names).
const NICK: &[&str] = &[
    "Jim", "Molly", "Bob", "Patty", "Jack", "Jen", "Mike", "Lindy", "Bill", "Liz", "Dave", "Barb",
    "Rick", "Sue", "Joe", "Jess", "Tom", "Sally", "Chuck", "Kari",
];
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
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Avenue",
    "Elm Street",
    "Pine Rd",
    "Maple Dr",
    "Cedar Ln",
];

/// A small deterministic generator (splitmix64): the same people on every run.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn contact(i: usize, rng: &mut Rng) -> Person {
    let first = FIRST[rng.below(FIRST.len())];
    let last = LAST[rng.below(LAST.len())];
    Person {
        prefix: None,
        first_name: first.into(),
        middle_name: None,
        last_name: last.into(),
        suffix: None,
        email: (rng.below(10) < 8).then(|| format!("{}.{}{i}@example.com", first, last)),
        phone: (rng.below(10) < 3).then(|| format!("(202) 555-{:04}", i % 10_000)),
        address: Some(PostalAddress {
            line1: format!(
                "{} {}",
                1 + rng.below(9_000),
                STREETS[rng.below(STREETS.len())]
            ),
            line2: None,
            city: "Springfield".into(),
            region: "VA".into(),
            // 3,000 ZIPs: about 33 contacts share each.
            postal_code: format!("{:05}", 20_000 + rng.below(3_000)),
            country: "US".into(),
        }),
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}

/// An incoming donor: most are returning donors written another way, the rest new.
fn donor(contacts: &[Person], rng: &mut Rng) -> Person {
    let known = &contacts[rng.below(contacts.len())];
    let mut p = known.clone();
    match rng.below(5) {
        // Same email, name in capitals.
        0 => p.first_name = p.first_name.to_uppercase(),
        // A nickname at the same address, no email.
        1 => {
            if let Some(i) = FIRST
                .iter()
                .position(|f| *f == p.first_name)
                .filter(|i| *i < NICK.len())
            {
                p.first_name = NICK[i].into();
            }
            p.email = None;
        }
        // ZIP+4 and another email.
        2 => {
            p.email = Some(format!("new{}@example.org", rng.below(1_000_000)));
            if let Some(a) = p.address.as_mut() {
                a.postal_code = format!("{}-{:04}", a.postal_code, rng.below(10_000));
            }
        }
        // A new person in a known ZIP.
        _ => {
            p = contact(contacts.len() + rng.below(1_000_000), rng);
            p.email = Some(format!("first.time{}@example.net", rng.below(1_000_000)));
        }
    }
    p
}

/// Seconds to find candidates for every donor through the store; candidates found.
fn through_store(store: &dyn Backend, donors: &[Person]) -> (Duration, usize) {
    let started = Instant::now();
    let mut found = 0;
    for d in donors {
        found += store.candidates(d, 5).expect("candidates").len();
    }
    (started.elapsed(), found)
}

fn measure(name: &str, store: &dyn Backend, contacts: &[Person], donors: &[Person]) {
    let started = Instant::now();
    for c in contacts {
        store.add_contact(c).expect("add contact");
    }
    let loaded = started.elapsed();
    // Warm the caches once, then the median of three passes.
    through_store(store, &donors[..donors.len().min(500)]);
    let mut passes: Vec<(Duration, usize)> = (0..3).map(|_| through_store(store, donors)).collect();
    passes.sort();
    let (took, found) = passes[1];

    // Baseline: every contact scored for each donor, on a sample, scaled to all donors.
    let all: Vec<(i64, Person)> = store
        .contacts()
        .expect("contacts")
        .into_iter()
        .map(|c| (c.id, c.person))
        .collect();
    let sample = donors.len().min(100);
    let started = Instant::now();
    for d in &donors[..sample] {
        std::hint::black_box(score_candidates(d, all.iter().cloned(), 5));
    }
    let scan = started.elapsed().as_secs_f64() * donors.len() as f64 / sample as f64;

    println!(
        "{name}: {} contacts loaded in {:.1} s; {} donors matched in {:.2} s ({:.0} us each, {} candidates); \
         scanning every contact instead: {:.0} s ({:.0}x slower)",
        contacts.len(),
        loaded.as_secs_f64(),
        donors.len(),
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / donors.len() as f64,
        found,
        scan,
        scan / took.as_secs_f64(),
    );
}

fn main() {
    let n_contacts = env_number("INTAKE_BENCH_CONTACTS", 100_000);
    let n_donors = env_number("INTAKE_BENCH_DONORS", 10_000);
    let mut rng = Rng(2026);
    let contacts: Vec<Person> = (0..n_contacts).map(|i| contact(i, &mut rng)).collect();
    let donors: Vec<Person> = (0..n_donors).map(|_| donor(&contacts, &mut rng)).collect();

    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = intake_engine::SqliteStore::open(dir.path().join("bench.db")).expect("sqlite");
    measure("SQLite", &sqlite, &contacts, &donors);

    match intake_test_postgres::database() {
        Some(db) => {
            let pg = intake_engine::PgStore::connect(&db.url).expect("postgres");
            measure("Postgres", &pg, &contacts, &donors);
        }
        None => println!("Postgres: skipped (INTAKE_SKIP_POSTGRES)"),
    }
}
