//! The rules for messy donor input: employer variants and countries, documented in API.md
//! ("Employer and occupation"). Names are read by the SDK's one splitter
//! (`intake_plugin_sdk::names`, API.md "Names").

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
