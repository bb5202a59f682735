//! The rules for messy donor input: names, suffixes, employer variants. Documented in API.md
//! ("Names", "Employer and occupation"). Case is kept as the donor typed it.

/// A person's name in the contract's parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    pub prefix: Option<String>,
    pub first: String,
    pub middle: Option<String>,
    pub last: String,
    pub suffix: Option<String>,
}

/// Trimmed, inner runs of whitespace collapsed; None when blank.
pub fn clean(text: Option<&str>) -> Option<String> {
    let text = text?;
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        None
    } else {
        Some(joined)
    }
}

/// The canonical form of a generational suffix, if `token` is one.
pub fn suffix(token: &str) -> Option<&'static str> {
    let t = token.trim_end_matches(['.', ',']).to_ascii_lowercase();
    Some(match t.as_str() {
        "jr" => "Jr.",
        "sr" => "Sr.",
        "ii" => "II",
        "iii" => "III",
        "iv" => "IV",
        "v" => "V",
        _ => return None,
    })
}

/// The canonical form of a title, if `token` is one.
pub fn prefix(token: &str) -> Option<&'static str> {
    let t = token.trim_end_matches('.').to_ascii_lowercase();
    Some(match t.as_str() {
        "mr" => "Mr.",
        "mrs" => "Mrs.",
        "ms" => "Ms.",
        "miss" => "Miss",
        "dr" => "Dr.",
        "rev" => "Rev.",
        "hon" => "Hon.",
        _ => return None,
    })
}

/// A single initial: "Q" or "Q.".
fn is_initial(token: &str) -> bool {
    let t = token.strip_suffix('.').unwrap_or(token);
    let mut chars = t.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

const PARTICLES: &[&str] = &[
    "de", "del", "della", "da", "di", "du", "van", "von", "der", "den", "le", "la", "st.", "st",
    "ter", "ten", "dos", "das",
];

fn is_particle(token: &str) -> bool {
    PARTICLES.contains(&token.to_lowercase().as_str())
}

/// Names from a form's separate fields, with what donors type into the wrong field moved to
/// its place: a title leading the first name, an initial trailing it, a suffix trailing the
/// last name.
pub fn from_fields(
    prefix_field: Option<&str>,
    first: Option<&str>,
    middle: Option<&str>,
    last: Option<&str>,
    suffix_field: Option<&str>,
) -> Name {
    let mut name = Name {
        prefix: clean(prefix_field).map(|p| prefix(&p).map(str::to_string).unwrap_or(p)),
        first: clean(first).unwrap_or_default(),
        middle: clean(middle),
        last: clean(last).unwrap_or_default(),
        suffix: clean(suffix_field).map(|s| suffix(&s).map(str::to_string).unwrap_or(s)),
    };
    let mut first_tokens: Vec<&str> = name.first.split(' ').filter(|t| !t.is_empty()).collect();
    let mut taken_prefix = None;
    if name.prefix.is_none()
        && first_tokens.len() > 1
        && let Some(p) = prefix(first_tokens[0])
    {
        taken_prefix = Some(p.to_string());
        first_tokens.remove(0);
    }
    let mut taken_middle = None;
    if name.middle.is_none()
        && first_tokens.len() > 1
        && is_initial(first_tokens[first_tokens.len() - 1])
    {
        taken_middle = first_tokens.pop().map(str::to_string);
    }
    let first_joined = first_tokens.join(" ");
    let mut last_tokens: Vec<&str> = name.last.split(' ').filter(|t| !t.is_empty()).collect();
    let mut taken_suffix = None;
    if name.suffix.is_none()
        && last_tokens.len() > 1
        && let Some(s) = suffix(last_tokens[last_tokens.len() - 1])
    {
        taken_suffix = Some(s.to_string());
        last_tokens.pop();
    }
    let last_joined = last_tokens.join(" ").trim_end_matches(',').to_string();
    name.first = first_joined;
    name.last = last_joined;
    name.prefix = name.prefix.or(taken_prefix);
    name.middle = name.middle.or(taken_middle);
    name.suffix = name.suffix.or(taken_suffix);
    name
}

/// A name from one full-name cell: "Last, First Middle[, Suffix]" or
/// "[Prefix] First [Middle…] Last [Suffix]", last-name particles kept with the last name.
pub fn from_full(full: &str) -> Name {
    let full = clean(Some(full)).unwrap_or_default();
    if let Some((before, after)) = full.split_once(',') {
        // "Smith, John Q." or "Smith, John, Jr." or "John Smith, Jr."
        let after_parts: Vec<&str> = after
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if after_parts.len() == 1 && suffix(after_parts[0]).is_some() && before.contains(' ') {
            let mut name = from_full(before);
            if name.suffix.is_none() {
                name.suffix = suffix(after_parts[0]).map(str::to_string);
            }
            return name;
        }
        let mut last_tokens: Vec<&str> = before.split(' ').filter(|t| !t.is_empty()).collect();
        let mut suffix_found = None;
        if last_tokens.len() > 1
            && let Some(s) = last_tokens.last().and_then(|t| suffix(t))
        {
            suffix_found = Some(s.to_string());
            last_tokens.pop();
        }
        let mut rest: Vec<&str> = Vec::new();
        for part in &after_parts {
            match suffix(part) {
                Some(s) if suffix_found.is_none() && !rest.is_empty() => {
                    suffix_found = Some(s.to_string())
                }
                _ => rest.extend(part.split(' ')),
            }
        }
        let mut name = split_given(&rest);
        name.last = last_tokens.join(" ");
        name.suffix = name.suffix.or(suffix_found);
        return name;
    }
    let mut tokens: Vec<&str> = full.split(' ').filter(|t| !t.is_empty()).collect();
    let mut suffix_found = None;
    if tokens.len() > 2
        && let Some(s) = tokens.last().and_then(|t| suffix(t))
    {
        suffix_found = Some(s.to_string());
        tokens.pop();
    }
    let mut prefix_found = None;
    if tokens.len() > 2
        && let Some(p) = prefix(tokens[0])
    {
        prefix_found = Some(p.to_string());
        tokens.remove(0);
    }
    if tokens.len() <= 1 {
        return Name {
            last: tokens.join(""),
            suffix: suffix_found,
            prefix: prefix_found,
            ..Name::default()
        };
    }
    // The last name starts at the earliest particle after the first name, else the last token.
    let mut start = tokens.len() - 1;
    for i in (1..tokens.len() - 1).rev() {
        if is_particle(tokens[i]) {
            start = i;
        } else {
            break;
        }
    }
    let last = tokens[start..].join(" ");
    let mut name = split_given(&tokens[..start]);
    name.last = last;
    name.prefix = name.prefix.or(prefix_found);
    name.suffix = suffix_found;
    name
}

/// "Dr. John Quincy" → prefix, first, middle names.
fn split_given(tokens: &[&str]) -> Name {
    let mut tokens: Vec<&str> = tokens.iter().copied().filter(|t| !t.is_empty()).collect();
    let mut name = Name::default();
    if tokens.len() > 1
        && let Some(p) = prefix(tokens[0])
    {
        name.prefix = Some(p.to_string());
        tokens.remove(0);
    }
    if let Some((first, middle)) = tokens.split_first() {
        name.first = first.to_string();
        if !middle.is_empty() {
            name.middle = Some(middle.join(" "));
        }
    }
    name
}

/// Employer or occupation: the clear variants of "not employed", "retired" and
/// "self-employed" in the FEC-friendly form; anything else as typed, trimmed.
pub fn employment(text: Option<&str>) -> Option<String> {
    let text = clean(text)?;
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let canonical = match key.as_str() {
        "notemployed" | "unemployed" | "notcurrentlyemployed" => "Not Employed",
        "retired" => "Retired",
        "self" | "selfemployed" => "Self-Employed",
        _ => return Some(text),
    };
    Some(canonical.to_string())
}

/// "USA", "United States", blank → "US"; a two-letter code upper-cased; else as given.
pub fn country(text: Option<&str>) -> String {
    let Some(text) = clean(text) else {
        return "US".into();
    };
    let key: String = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    match key.as_str() {
        "us" | "usa" | "unitedstates" | "unitedstatesofamerica" => "US".into(),
        _ if text.len() == 2 => text.to_ascii_uppercase(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(
        prefix: Option<&str>,
        first: &str,
        middle: Option<&str>,
        last: &str,
        suffix: Option<&str>,
    ) -> Name {
        Name {
            prefix: prefix.map(Into::into),
            first: first.into(),
            middle: middle.map(Into::into),
            last: last.into(),
            suffix: suffix.map(Into::into),
        }
    }

    #[test]
    fn fields_move_typed_initials_suffixes_and_titles() {
        assert_eq!(
            from_fields(None, Some("John Q."), None, Some("Smith Jr."), None),
            n(None, "John", Some("Q."), "Smith", Some("Jr."))
        );
        assert_eq!(
            from_fields(None, Some("JOHN Q"), None, Some("SMITH JR"), None),
            n(None, "JOHN", Some("Q"), "SMITH", Some("Jr."))
        );
        assert_eq!(
            from_fields(None, Some("Mary Ann"), None, Some("O'Neil"), None),
            n(None, "Mary Ann", None, "O'Neil", None)
        );
        assert_eq!(
            from_fields(None, Some("Dr. Jane"), None, Some("Adams III"), None),
            n(Some("Dr."), "Jane", None, "Adams", Some("III"))
        );
        assert_eq!(
            from_fields(
                None,
                Some(" José "),
                Some("  "),
                Some("Núñez  de la Cruz"),
                Some("jr")
            ),
            n(None, "José", None, "Núñez de la Cruz", Some("Jr."))
        );
        // Given fields win over what is typed in the wrong one.
        assert_eq!(
            from_fields(None, Some("John Q"), Some("Quincy"), Some("Adams"), None),
            n(None, "John Q", Some("Quincy"), "Adams", None)
        );
        // A lone "V" or "Jr" is a last name, not a suffix.
        assert_eq!(
            from_fields(None, Some("Anna"), None, Some("V"), None),
            n(None, "Anna", None, "V", None)
        );
    }

    #[test]
    fn full_names_split() {
        assert_eq!(
            from_full("John Q. Public Jr."),
            n(None, "John", Some("Q."), "Public", Some("Jr."))
        );
        assert_eq!(
            from_full("Public, John Q."),
            n(None, "John", Some("Q."), "Public", None)
        );
        assert_eq!(
            from_full("Public, John, Jr."),
            n(None, "John", None, "Public", Some("Jr."))
        );
        assert_eq!(
            from_full("John Public, Jr."),
            n(None, "John", None, "Public", Some("Jr."))
        );
        assert_eq!(
            from_full("MARIA DE LA CRUZ"),
            n(None, "MARIA", None, "DE LA CRUZ", None)
        );
        assert_eq!(
            from_full("Dr. Martin Luther King Jr"),
            n(Some("Dr."), "Martin", Some("Luther"), "King", Some("Jr."))
        );
        assert_eq!(from_full("Zoë  Ñúñez"), n(None, "Zoë", None, "Ñúñez", None));
        assert_eq!(from_full("Cher"), n(None, "", None, "Cher", None));
        assert_eq!(
            from_full("Ludwig van Beethoven"),
            n(None, "Ludwig", None, "van Beethoven", None)
        );
    }

    #[test]
    fn employment_variants() {
        for v in [
            "Not employed",
            "NOT EMPLOYED",
            "not-employed",
            "Unemployed",
            " not currently employed ",
        ] {
            assert_eq!(employment(Some(v)).as_deref(), Some("Not Employed"), "{v}");
        }
        for v in ["retired", "RETIRED", "Retired."] {
            assert_eq!(employment(Some(v)).as_deref(), Some("Retired"), "{v}");
        }
        for v in [
            "self",
            "Self employed",
            "self-employed",
            "SELF EMPLOYED",
            "Selfemployed",
        ] {
            assert_eq!(employment(Some(v)).as_deref(), Some("Self-Employed"), "{v}");
        }
        assert_eq!(
            employment(Some(" Acme  Corp ")).as_deref(),
            Some("Acme Corp")
        );
        assert_eq!(employment(Some("None")).as_deref(), Some("None"));
        assert_eq!(employment(Some("  ")), None);
    }

    #[test]
    fn countries() {
        assert_eq!(country(None), "US");
        assert_eq!(country(Some("U.S.A.")), "US");
        assert_eq!(country(Some("United States")), "US");
        assert_eq!(country(Some("ca")), "CA");
        assert_eq!(country(Some("Canada")), "Canada");
    }
}
