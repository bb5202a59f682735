//! Field rules: printable ASCII cut to the FEC's lengths, amounts from cents, dates.

use deunicode::deunicode;

/// Printable ASCII (`^[ -~]*$`, the FEC schemas' pattern), at most `max` characters.
///
/// Accented letters are transliterated (`Pérez` → `Perez`, `Zoë` → `Zoe`) by `deunicode`
/// rather than dropped, since the name must still identify the donor; control characters,
/// the separator and anything else outside 32–126 become spaces; runs of spaces collapse and
/// the ends are trimmed, both before and after the cut.
pub fn text(value: &str, max: usize) -> String {
    let ascii = deunicode(value);
    let mut out = String::with_capacity(ascii.len().min(max));
    let mut space = false;
    for c in ascii.chars() {
        let c = if (' '..='~').contains(&c) { c } else { ' ' };
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    let cut: String = out.chars().take(max).collect();
    cut.trim_end().to_string()
}

/// [`text`] of an optional value; empty when absent.
pub fn opt(value: Option<&str>, max: usize) -> String {
    value.map(|v| text(v, max)).unwrap_or_default()
}

/// A ZIP as the FEC takes it: digits only, 5 or 9 (`22201-1234` → `222011234`).
pub fn zip(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    digits.chars().take(9).collect()
}

/// Cents as a plain decimal (`5000` → `50.00`, `-5` → `-0.05`), integer arithmetic only.
/// `None` when the text would not fit the FEC's 12-character amount column.
pub fn amount(cents: i64) -> Option<String> {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let text = format!("{sign}{}.{:02}", abs / 100, abs % 100);
    (text.len() <= 12).then_some(text)
}

/// `YYYYMMDD`.
pub fn date(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `C` followed by 8 digits.
pub fn is_committee_id(id: &str) -> bool {
    id.len() == 9 && id.starts_with('C') && id[1..].bytes().all(|b| b.is_ascii_digit())
}

/// 1–20 upper-case letters and digits.
pub fn is_transaction_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 20
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_transliterated_and_lengths_cut() {
        assert_eq!(text("Pérez", 30), "Perez");
        assert_eq!(text("  Zoë \t Ångström ", 30), "Zoe Angstrom");
        assert_eq!(text("abcdefghij", 4), "abcd");
        assert_eq!(text("ab cd", 3), "ab");
        assert_eq!(text("a\u{1c}b", 9), "a b");
    }

    #[test]
    fn amounts_are_plain_decimals() {
        assert_eq!(amount(5000).as_deref(), Some("50.00"));
        assert_eq!(amount(7).as_deref(), Some("0.07"));
        assert_eq!(amount(-5).as_deref(), Some("-0.05"));
        assert_eq!(amount(99_999_999_999).as_deref(), Some("999999999.99"));
        assert_eq!(amount(100_000_000_000), None);
        assert_eq!(amount(i64::MIN), None);
    }

    #[test]
    fn zips_keep_digits() {
        assert_eq!(zip("22201-1234"), "222011234");
        assert_eq!(zip("22201"), "22201");
    }
}
