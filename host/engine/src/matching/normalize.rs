//! Donor fields reduced to what two spellings of one person share: accents, case and
//! punctuation dropped (Pérez = PEREZ), suffixes and titles off names, ZIP+4 to ZIP5, phones to
//! ten digits, street words to their postal abbreviations.

use intake_host::types::Person;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower case, accents dropped (NFKD, combining marks removed), every run of other
/// characters than letters and digits one space, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c != '\'' {
            // O'Neil = ONeil = oneil: an apostrophe joins, other marks separate.
            space = true;
        }
    }
    out
}

const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq"];
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "rev", "hon", "prof", "sen", "rep",
];

/// A last name without its suffix ("Smith Jr." = "smith"), spaces kept out ("de la Cruz" =
/// "delacruz", "Van Buren" = "vanburen").
pub fn last_name(person: &Person) -> String {
    let folded = fold(&person.last_name);
    let words: Vec<&str> = folded.split(' ').collect();
    let keep = words
        .iter()
        .rposition(|w| !SUFFIXES.contains(w))
        .map_or(0, |i| i + 1);
    words[..keep].concat()
}

/// A first name without titles or trailing initials: "Dr. John Q." = "john", "J." = "j".
pub fn first_name(person: &Person) -> String {
    let folded = fold(&person.first_name);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !TITLES.contains(w))
        .collect();
    match words.as_slice() {
        [] => String::new(),
        // "Mary Ann" stays whole; "John Q" loses its middle initial.
        [first, rest @ ..] if rest.iter().all(|w| w.len() == 1) => (*first).to_string(),
        all => all.concat(),
    }
}

/// The first five digits of a US ZIP ("22201-1234" = "22201"); None when there are fewer.
pub fn zip5(person: &Person) -> Option<String> {
    let code = &person.address.as_ref()?.postal_code;
    let digits: String = code.chars().filter(char::is_ascii_digit).take(5).collect();
    (digits.len() == 5).then_some(digits)
}

/// The last ten digits of a phone ("+1 (703) 555-0100" = "7035550100"); None when shorter.
pub fn phone(person: &Person) -> Option<String> {
    let digits: Vec<char> = person
        .phone
        .as_deref()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() >= 10).then(|| digits[digits.len() - 10..].iter().collect())
}

/// An email, trimmed and lower-cased; None when it has no `@`.
pub fn email(person: &Person) -> Option<String> {
    let email = person.email.as_deref()?.trim().to_lowercase();
    email.contains('@').then_some(email)
}

/// USPS abbreviations for the words streets are written with both ways.
const STREET_WORDS: &[(&str, &str)] = &[
    ("street", "st"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("road", "rd"),
    ("drive", "dr"),
    ("boulevard", "blvd"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("terrace", "ter"),
    ("parkway", "pkwy"),
    ("highway", "hwy"),
    ("circle", "cir"),
    ("square", "sq"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("southeast", "se"),
    ("southwest", "sw"),
];

/// Words that start the unit part of a line ("Apt 4B", "Suite 300", "#7"): dropped, as donors
/// give the unit or leave it out.
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "unit",
    "suite",
    "ste",
    "fl",
    "floor",
    "rm",
];

/// The street line reduced to number and street ("123 Main Street Apt 4" = "123 main st");
/// None without an address or a street number.
pub fn street(person: &Person) -> Option<String> {
    let line = &person.address.as_ref()?.line1;
    // "#7" starts a unit too, but fold turns '#' into a separator: cut it first.
    let line = line.split('#').next().unwrap_or("");
    let folded = fold(line);
    let mut words = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        if UNIT_WORDS.contains(&word) {
            break;
        }
        let word = STREET_WORDS
            .iter()
            .find(|(long, _)| *long == word)
            .map_or(word, |(_, short)| short);
        words.push(word);
    }
    let numbered = words
        .first()
        .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()));
    (numbered && words.len() >= 2).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_host::types::PostalAddress;

    fn person(first: &str, last: &str) -> Person {
        Person {
            prefix: None,
            first_name: first.into(),
            middle_name: None,
            last_name: last.into(),
            suffix: None,
            email: None,
            phone: None,
            address: None,
            employer: None,
            occupation: None,
            processor_donor_id: None,
        }
    }

    fn at(line1: &str, zip: &str) -> Person {
        Person {
            address: Some(PostalAddress {
                line1: line1.into(),
                line2: None,
                city: "Arlington".into(),
                region: "VA".into(),
                postal_code: zip.into(),
                country: "US".into(),
            }),
            ..person("Ana", "Pérez")
        }
    }

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(fold("Pérez"), "perez");
        assert_eq!(fold("PEREZ"), "perez");
        assert_eq!(fold("Nguyễn"), "nguyen");
        assert_eq!(fold("  O'Neil "), "oneil");
        assert_eq!(fold("Zoë-Ann"), "zoe ann");
    }

    #[test]
    fn names_lose_suffixes_titles_and_initials() {
        assert_eq!(last_name(&person("John", "Smith Jr.")), "smith");
        assert_eq!(last_name(&person("John", "SMITH, III")), "smith");
        assert_eq!(last_name(&person("Maria", "de la Cruz")), "delacruz");
        assert_eq!(first_name(&person("Dr. John Q.", "Smith")), "john");
        assert_eq!(first_name(&person("J.", "Smith")), "j");
        assert_eq!(first_name(&person("Mary Ann", "Lee")), "maryann");
    }

    #[test]
    fn zip_phone_email_and_street_reduce_to_their_core() {
        assert_eq!(
            zip5(&at("1 Main St", "22201-1234")).as_deref(),
            Some("22201")
        );
        assert_eq!(zip5(&at("1 Main St", "222")), None);
        let mut p = person("A", "B");
        p.phone = Some("+1 (703) 555-0100".into());
        assert_eq!(phone(&p).as_deref(), Some("7035550100"));
        p.email = Some(" Ana@Example.COM ".into());
        assert_eq!(email(&p).as_deref(), Some("ana@example.com"));
        assert_eq!(
            street(&at("123 Main Street", "22201")).as_deref(),
            Some("123 main st")
        );
        assert_eq!(
            street(&at("123 MAIN ST., Apt 4B", "22201")).as_deref(),
            Some("123 main st")
        );
        assert_eq!(
            street(&at("4500 North Fairfax Drive #7", "22201")).as_deref(),
            Some("4500 n fairfax dr")
        );
        assert_eq!(street(&at("PO Box 123", "22201")), None);
    }
}
