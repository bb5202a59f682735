//! One way to read donor names, for every plugin: a full name in one cell ("Dr. Mary Ann
//! Smith, Jr.", "Smith, Mary Ann") with [`split_full_name`], and a form's separate fields with
//! what donors type into the wrong one moved to its place with [`from_fields`].
//!
//! The rules (the union of what the Stripe and WinRed plugins did before, where they agreed;
//! where they disagreed the choice is noted):
//! - Case is kept as typed; runs of whitespace collapse.
//! - Known titles and suffixes are written in one canonical form ("dr" → "Dr.",
//!   "jr" → "Jr.", "iii" → "III"), as WinRed did; Stripe kept them as typed. Unknown ones are
//!   never guessed.
//! - Several leading titles ("Rev. Dr.") and trailing suffixes ("Jr. MD") are all kept.
//! - A title is taken whenever a word is left after it ("Mr. Jones": title and last name),
//!   as Stripe did; WinRed made "Mr." the first name there.
//! - A suffix is taken only when two words are left before it, so "John V" keeps "V" as the
//!   last name (both agreed). After a comma ("Smith, Jr.") it is always a suffix, as Stripe
//!   did; WinRed made "Jr." the first name there.
//! - "Last, First Middle" is read as such; "Public, John, Jr." and "John Public, Jr." too.
//! - Particles after the first name start the last name ("Ludwig van Beethoven",
//!   "Maria de la Cruz"); both lists are merged.
//! - A single word is the last name (an FEC report cannot do without one).

/// A person's name in the contract's parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameParts {
    /// "Dr.", "Ms."…
    pub prefix: Option<String>,
    /// Given name.
    pub first: String,
    /// Middle names or initials.
    pub middle: Option<String>,
    /// Family name; never empty for a name with any word.
    pub last: String,
    /// "Jr.", "III"…
    pub suffix: Option<String>,
}

/// Trimmed, inner runs of whitespace collapsed; None when blank.
pub fn clean(text: Option<&str>) -> Option<String> {
    let joined = text?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

fn bare(word: &str) -> String {
    word.trim_matches(['.', ',']).to_lowercase()
}

/// The canonical form of a suffix ("jr" → "Jr.", "iii" → "III", "phd" → "PhD"), if `word`
/// is one.
pub fn suffix(word: &str) -> Option<&'static str> {
    Some(match bare(word).as_str() {
        "jr" => "Jr.",
        "sr" => "Sr.",
        "ii" => "II",
        "iii" => "III",
        "iv" => "IV",
        "v" => "V",
        "md" => "MD",
        "phd" => "PhD",
        "esq" => "Esq.",
        "dds" => "DDS",
        "cpa" => "CPA",
        "ret" => "Ret.",
        _ => return None,
    })
}

/// The canonical form of a title ("dr" → "Dr."), if `word` is one.
pub fn prefix(word: &str) -> Option<&'static str> {
    Some(match bare(word).as_str() {
        "mr" => "Mr.",
        "mrs" => "Mrs.",
        "ms" => "Ms.",
        "miss" => "Miss",
        "mx" => "Mx.",
        "dr" => "Dr.",
        "rev" => "Rev.",
        "hon" => "Hon.",
        "prof" => "Prof.",
        "sen" => "Sen.",
        "rep" => "Rep.",
        "gov" => "Gov.",
        _ => return None,
    })
}

const PARTICLES: &[&str] = &[
    "van", "von", "de", "del", "della", "der", "den", "da", "di", "du", "la", "le", "st", "st.",
    "ter", "ten", "dos", "das", "bin", "ibn", "al",
];

fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word.to_lowercase().as_str())
}

/// A single initial: "Q" or "Q.".
fn is_initial(word: &str) -> bool {
    let mut chars = word.strip_suffix('.').unwrap_or(word).chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

fn words(text: &str) -> Vec<&str> {
    text.split([' ', ',']).filter(|w| !w.is_empty()).collect()
}

/// Canonical titles taken from the front while more than `keep` words remain.
fn take_prefixes(words: &mut Vec<&str>, keep: usize) -> Vec<&'static str> {
    let mut taken = Vec::new();
    while words.len() > keep
        && let Some(p) = words.first().and_then(|w| prefix(w))
    {
        taken.push(p);
        words.remove(0);
    }
    taken
}

/// Canonical suffixes taken from the end while more than `keep` words remain.
fn take_suffixes(words: &mut Vec<&str>, keep: usize) -> Vec<&'static str> {
    let mut taken = Vec::new();
    while words.len() > keep
        && let Some(s) = words.last().and_then(|w| suffix(w))
    {
        taken.insert(0, s);
        words.pop();
    }
    taken
}

fn joined(parts: Vec<&str>) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// "Dr. Mary Ann" → title, first name, middle names.
fn given(mut words: Vec<&str>, name: &mut NameParts) {
    let titles = take_prefixes(&mut words, 1);
    name.prefix = joined(titles);
    if let Some((first, middle)) = words.split_first() {
        name.first = first.to_string();
        name.middle = joined(middle.to_vec());
    }
}

/// A name from one full-name cell: "[Title…] First [Middle…] Last [Suffix…]" or
/// "Last[ Suffix], [Title] First [Middle…][, Suffix]" (rules in the module docs).
pub fn split_full_name(full: &str) -> NameParts {
    let full = clean(Some(full)).unwrap_or_default();
    let mut name = NameParts::default();
    if let Some((before, after)) = full.split_once(',') {
        let mut after_words = words(after);
        if !after_words.is_empty() && after_words.iter().all(|w| suffix(w).is_some()) {
            // "John Public, Jr." or "Smith, Jr.": everything after the comma is a suffix.
            let mut inner = split_full_name(before);
            let mut suffixes: Vec<&str> = inner.suffix.iter().map(String::as_str).collect();
            suffixes.extend(after_words.iter().filter_map(|w| suffix(w)));
            inner.suffix = joined(suffixes);
            return inner;
        }
        // "Last[ Suffix], [Title] First [Middle…][ Suffix]".
        let mut last_words = words(before);
        let mut suffixes = take_suffixes(&mut last_words, 1);
        suffixes.extend(take_suffixes(&mut after_words, 1));
        given(after_words, &mut name);
        name.last = last_words.join(" ");
        name.suffix = joined(suffixes);
        return name;
    }
    let mut words = words(&full);
    name.prefix = joined(take_prefixes(&mut words, 1));
    name.suffix = joined(take_suffixes(&mut words, 2));
    match words.len() {
        0 => {}
        1 => name.last = words[0].to_string(),
        n => {
            // The last name starts at the earliest particle after the first name.
            let mut start = n - 1;
            while start > 1 && is_particle(words[start - 1]) {
                start -= 1;
            }
            name.last = words[start..].join(" ");
            name.first = words[0].to_string();
            name.middle = joined(words[1..start].to_vec());
        }
    }
    name
}

/// A name from a form's separate fields, with what donors type into the wrong field moved to
/// its place: a title leading the first name, an initial trailing it, a suffix trailing the
/// last name. A field that was given wins over what was typed in another.
pub fn from_fields(
    prefix_field: Option<&str>,
    first: Option<&str>,
    middle: Option<&str>,
    last: Option<&str>,
    suffix_field: Option<&str>,
) -> NameParts {
    let canonical = |text: Option<&str>, f: fn(&str) -> Option<&'static str>| {
        clean(text).map(|t| f(&t).map(str::to_string).unwrap_or(t))
    };
    let first = clean(first).unwrap_or_default();
    let last = clean(last).unwrap_or_default();
    let mut first_words = words(&first);
    let mut last_words = words(&last);
    let mut name = NameParts {
        prefix: canonical(prefix_field, prefix),
        middle: clean(middle),
        suffix: canonical(suffix_field, suffix),
        ..NameParts::default()
    };
    if name.prefix.is_none() {
        name.prefix = joined(take_prefixes(&mut first_words, 1));
    }
    if name.middle.is_none()
        && first_words.len() > 1
        && first_words.last().is_some_and(|w| is_initial(w))
    {
        name.middle = first_words.pop().map(str::to_string);
    }
    if name.suffix.is_none() {
        name.suffix = joined(take_suffixes(&mut last_words, 1));
    }
    name.first = first_words.join(" ");
    name.last = last_words.join(" ");
    name
}

#[cfg(test)]
mod tests;
