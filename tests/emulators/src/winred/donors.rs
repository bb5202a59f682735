//! Donors with the messy input real donors type: initials and titles in the first name,
//! suffixes in the last name, ALL-CAPS, stray spaces, non-ASCII names, employer and
//! occupation variants, apartment lines, ZIP+4, lower-case states, "USA". Each donor carries
//! the normalized truth a correct plugin derives (see `plugins/winred/API.md`, "Names").

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generate::pick;
use super::model::*;

const FIRST: &[&str] = &[
    "Mary",
    "John",
    "Robert",
    "Patricia",
    "James",
    "Linda",
    "Michael",
    "Barbara",
    "William",
    "Elizabeth",
    "David",
    "Jennifer",
    "Richard",
    "Susan",
    "Thomas",
    "Margaret",
    "José",
    "Zoë",
    "François",
    "Björn",
    "Siobhán",
    "Renée",
    "Mary Ann",
    "Billy Joe",
    "Ngọc",
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
    "O'Neil",
    "McDonald",
    "Núñez",
    "de la Cruz",
    "Van Buren",
    "Müller",
    "Nguyễn",
    "St. John",
    "Hernández",
    "Lee",
    "Young",
    "Øster",
];
const MIDDLE: &[&str] = &["Ann", "Lee", "Marie", "Quincy", "J.", "R"];
const SUFFIXES: &[(&str, &str)] = &[
    ("Jr.", "Jr."),
    ("JR", "Jr."),
    ("jr", "Jr."),
    ("Sr.", "Sr."),
    ("III", "III"),
    ("II", "II"),
    ("iv", "IV"),
];
const TITLES: &[(&str, &str)] = &[
    ("Dr.", "Dr."),
    ("Mr", "Mr."),
    ("mrs.", "Mrs."),
    ("Rev.", "Rev."),
];
const EMPLOYERS: &[(&str, &str)] = &[
    ("Not employed", "Not Employed"),
    ("NOT EMPLOYED", "Not Employed"),
    ("not-employed", "Not Employed"),
    ("Unemployed", "Not Employed"),
    ("Retired", "Retired"),
    ("RETIRED", "Retired"),
    ("retired", "Retired"),
    ("Self employed", "Self-Employed"),
    ("self-employed", "Self-Employed"),
    ("SELF EMPLOYED", "Self-Employed"),
    ("Self", "Self-Employed"),
    ("Acme Corp", "Acme Corp"),
    (" Lockheed Martin ", "Lockheed Martin"),
    ("Mayo Clinic", "Mayo Clinic"),
    ("US Army", "US Army"),
    ("Smith & Wesson", "Smith & Wesson"),
    ("Information Requested", "Information Requested"),
];
const OCCUPATIONS_NOT_EMPLOYED: &[(&str, &str)] = &[
    ("Homemaker", "Homemaker"),
    ("Student", "Student"),
    ("NOT EMPLOYED", "Not Employed"),
];
const OCCUPATIONS_RETIRED: &[(&str, &str)] = &[
    ("Retired", "Retired"),
    ("RETIRED", "Retired"),
    ("retired teacher", "retired teacher"),
];
const OCCUPATIONS_SELF: &[(&str, &str)] = &[
    ("Consultant", "Consultant"),
    ("Farmer", "Farmer"),
    ("OWNER", "OWNER"),
];
const OCCUPATIONS: &[(&str, &str)] = &[
    ("Engineer", "Engineer"),
    ("NURSE", "NURSE"),
    ("Attorney", "Attorney"),
    ("Teacher ", "Teacher"),
];
const STREETS: &[&str] = &[
    "123 Main St",
    "4500 N Fairfax Dr",
    "77 Elm Street",
    "1600 Pennsylvania Ave NW",
    "PO Box 123",
    "12 Calle Sol",
];
const UNITS: &[&str] = &["Apt 4B", "Unit 12", "Suite 300", "#7", "Apt. 1203"];
const CITIES: &[(&str, &str, &str)] = &[
    ("Arlington", "VA", "22201"),
    ("Dallas", "TX", "75201"),
    ("Tampa", "FL", "33602"),
    ("Phoenix", "AZ", "85004"),
    ("Columbus", "OH", "43215"),
    ("Boise", "ID", "83702"),
    ("San Juan", "PR", "00901"),
];

pub fn donor(rng: &mut ChaCha8Rng, n: usize) -> Donor {
    let first = *pick(rng, FIRST);
    let last = *pick(rng, LAST);
    let mut wire_first = first.to_string();
    let mut wire_middle = None;
    let mut wire_last = last.to_string();
    let mut wire_suffix = None;
    let mut wire_prefix = None;
    let (mut t_first, mut t_middle, mut t_last) =
        (first.to_string(), None::<String>, last.to_string());
    let (mut t_suffix, mut t_prefix) = (None::<String>, None::<String>);
    match rng.random_range(0..100) {
        0..35 => {}
        35..45 => {
            let m = *pick(rng, MIDDLE);
            wire_middle = Some(m.to_string());
            t_middle = Some(m.to_string());
        }
        45..55 => {
            let letter = (b'A' + rng.random_range(0..26u8)) as char;
            let initial = if rng.random_bool(0.5) {
                format!("{letter}.")
            } else {
                letter.to_string()
            };
            wire_first = format!("{first} {initial}");
            t_middle = Some(initial);
        }
        55..63 => {
            let (w, t) = *pick(rng, SUFFIXES);
            wire_last = if rng.random_bool(0.3) {
                format!("{last}, {w}")
            } else {
                format!("{last} {w}")
            };
            t_suffix = Some(t.to_string());
        }
        63..68 => {
            let (w, t) = *pick(rng, SUFFIXES);
            wire_suffix = Some(w.to_string());
            t_suffix = Some(t.to_string());
        }
        68..80 => {
            wire_first = first.to_uppercase();
            wire_last = last.to_uppercase();
            t_first = wire_first.clone();
            t_last = wire_last.clone();
            if rng.random_bool(0.3) {
                wire_last = format!("{wire_last} JR");
                t_suffix = Some("Jr.".into());
            }
        }
        80..85 => {
            let (w, t) = *pick(rng, TITLES);
            if rng.random_bool(0.5) {
                wire_first = format!("{w} {first}");
            } else {
                wire_prefix = Some(w.to_string());
            }
            t_prefix = Some(t.to_string());
        }
        _ => {
            wire_first = format!("  {first} ");
            wire_last = format!("{last}  ");
        }
    }
    let (employer_w, employer_t) = *pick(rng, EMPLOYERS);
    let occupations = match employer_t {
        "Not Employed" => OCCUPATIONS_NOT_EMPLOYED,
        "Retired" => OCCUPATIONS_RETIRED,
        "Self-Employed" => OCCUPATIONS_SELF,
        _ => OCCUPATIONS,
    };
    let (occupation_w, occupation_t) = *pick(rng, occupations);
    let (city, state, zip) = *pick(rng, CITIES);
    let zip = if rng.random_bool(0.3) {
        format!("{zip}-{:04}", rng.random_range(0..10_000))
    } else {
        zip.to_string()
    };
    let unit = if rng.random_bool(0.3) {
        Some(pick(rng, UNITS).to_string())
    } else if rng.random_bool(0.1) {
        Some(String::new())
    } else {
        None
    };
    let wire_state = if rng.random_bool(0.1) {
        state.to_lowercase()
    } else {
        state.to_string()
    };
    let country = *pick(rng, &["US", "US", "US", "US", "USA", "United States"]);
    let street = pick(rng, STREETS).to_string();
    let address = Address {
        address1: street.clone(),
        address2: unit.clone(),
        city: city.into(),
        state: wire_state,
        zip: zip.clone(),
        country: country.into(),
    };
    let phone = match rng.random_range(0..4) {
        0 => None,
        1 => Some(format!("(703) 555-{:04}", n % 10_000)),
        2 => Some(format!("703-555-{:04}", n % 10_000)),
        _ => Some(format!("+1703555{:04}", n % 10_000)),
    };
    let email = Some(format!("donor{n}@example.com"));
    let id = format!("dr_{n:06}");
    let truth = Person {
        prefix: t_prefix,
        first_name: t_first,
        middle_name: t_middle,
        last_name: t_last,
        suffix: t_suffix,
        email: email.clone(),
        phone: phone.clone(),
        address: Some(TruthAddress {
            line1: street,
            line2: unit.filter(|u| !u.is_empty()),
            city: city.into(),
            region: state.into(),
            postal_code: zip,
            country: "US".into(),
        }),
        employer: Some(employer_t.into()),
        occupation: Some(occupation_t.into()),
        processor_donor_id: Some(id.clone()),
    };
    Donor {
        id,
        prefix: wire_prefix,
        first_name: wire_first,
        middle_name: wire_middle,
        last_name: wire_last,
        suffix: wire_suffix,
        email,
        phone,
        address: Some(address),
        employer: employer_w.into(),
        occupation: occupation_w.into(),
        truth,
    }
}
