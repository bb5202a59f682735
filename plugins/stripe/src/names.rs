//! Stripe keeps one `name`; the contract wants its parts. "Dr. Mary Ann Smith, Jr." becomes
//! prefix "Dr.", first "Mary", middle "Ann", last "Smith", suffix "Jr."; "Smith, Mary" is read
//! as last, first; "Ludwig van Beethoven" keeps "van Beethoven" as the last name; a single
//! word is the last name (what an FEC report cannot do without).

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameParts {
    pub prefix: Option<String>,
    pub first: String,
    pub middle: Option<String>,
    pub last: String,
    pub suffix: Option<String>,
}

const PREFIXES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "rev", "hon", "prof", "sen", "rep", "gov",
];
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq", "dds", "cpa", "ret",
];
const PARTICLES: &[&str] = &[
    "van", "von", "de", "del", "della", "der", "den", "da", "di", "du", "la", "le", "st", "st.",
    "bin", "ibn", "al",
];

fn bare(word: &str) -> String {
    word.trim_matches(|c: char| c == '.' || c == ',')
        .to_lowercase()
}

fn is_prefix(word: &str) -> bool {
    PREFIXES.contains(&bare(word).as_str())
}

/// "V" alone is a suffix only after a last name, never a first or middle initial: callers
/// only ask about the final word of a name with at least two others.
fn is_suffix(word: &str) -> bool {
    SUFFIXES.contains(&bare(word).as_str())
}

pub fn split(name: &str) -> NameParts {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts = NameParts::default();
    // "Last, First Middle" or "First Last, Jr." (the comma before a suffix).
    let (main, after_comma) = match name.split_once(',') {
        Some((a, b)) => (a.trim().to_string(), Some(b.trim().to_string())),
        None => (name.clone(), None),
    };
    let mut words: Vec<String> = main
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(rest) = after_comma.filter(|r| !r.is_empty()) {
        let rest_words: Vec<&str> = rest.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        if rest_words.iter().all(|w| is_suffix(w)) {
            parts.suffix = Some(rest_words.join(" "));
        } else if !words.is_empty() {
            // Last, First Middle [Suffix]
            let last = words.join(" ");
            words = rest_words.iter().map(|w| w.to_string()).collect();
            if words.len() > 1 && is_suffix(words.last().unwrap()) {
                parts.suffix = words.pop();
            }
            if words.len() > 1 && is_prefix(&words[0]) {
                parts.prefix = Some(words.remove(0));
            }
            parts.last = last;
            parts.first = words.first().cloned().unwrap_or_default();
            parts.middle = (words.len() > 1).then(|| words[1..].join(" "));
            return parts;
        }
    }
    if words.len() > 1 && is_prefix(&words[0]) {
        parts.prefix = Some(words.remove(0));
    }
    if parts.suffix.is_none() && words.len() > 2 && is_suffix(words.last().unwrap()) {
        parts.suffix = words.pop();
    }
    match words.len() {
        0 => {}
        1 => parts.last = words.remove(0),
        _ => {
            let mut start = words.len() - 1;
            while start > 1 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
                start -= 1;
            }
            parts.last = words[start..].join(" ");
            parts.first = words[0].clone();
            parts.middle = (start > 1).then(|| words[1..start].join(" "));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(
        prefix: Option<&str>,
        first: &str,
        middle: Option<&str>,
        last: &str,
        suffix: Option<&str>,
    ) -> NameParts {
        NameParts {
            prefix: prefix.map(str::to_string),
            first: first.into(),
            middle: middle.map(str::to_string),
            last: last.into(),
            suffix: suffix.map(str::to_string),
        }
    }

    #[test]
    fn splits_the_usual_shapes() {
        assert_eq!(split("Mary Smith"), p(None, "Mary", None, "Smith", None));
        assert_eq!(
            split("  Mary   Ann  Smith "),
            p(None, "Mary", Some("Ann"), "Smith", None)
        );
        assert_eq!(
            split("Dr. Mary Ann Smith, Jr."),
            p(Some("Dr."), "Mary", Some("Ann"), "Smith", Some("Jr."))
        );
        assert_eq!(
            split("James R. O'Brien III"),
            p(None, "James", Some("R."), "O'Brien", Some("III"))
        );
        assert_eq!(
            split("Robert Jones Sr."),
            p(None, "Robert", None, "Jones", Some("Sr."))
        );
        assert_eq!(
            split("Smith, Mary Ann"),
            p(None, "Mary", Some("Ann"), "Smith", None)
        );
        assert_eq!(
            split("Ludwig van Beethoven"),
            p(None, "Ludwig", None, "van Beethoven", None)
        );
        assert_eq!(split("José García"), p(None, "José", None, "García", None));
    }

    #[test]
    fn few_words_are_kept_not_guessed() {
        assert_eq!(split("Cher"), p(None, "", None, "Cher", None));
        assert_eq!(split(""), NameParts::default());
        // Two words: the second is a surname even when it looks like a suffix.
        assert_eq!(split("John V"), p(None, "John", None, "V", None));
        assert_eq!(split("Mr. Jones"), p(Some("Mr."), "", None, "Jones", None));
    }
}
