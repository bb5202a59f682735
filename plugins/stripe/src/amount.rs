//! Amounts as the Dashboard writes them ("1,234.56"), in a currency's minor units: the
//! exponent from the ISO 4217 table of `iso_currency` (USD 2, JPY 0, KWD 3).
//!
//! Stripe's API amounts are already in minor units; only files need this. (The SDK's
//! `parse_cents` assumes two decimals; this is the currency-aware variant, kept here until the
//! SDK has one.)

use iso_currency::Currency;

/// ISO 4217 minor-unit exponent of `code` (upper case): 2 for USD, 0 for JPY, 3 for KWD.
pub fn exponent(code: &str) -> Option<u32> {
    Currency::from_code(code)?.exponent().map(u32::from)
}

/// `text` ("1,234.56", "-5", "$27.00") in minor units of a currency with `exponent`
/// decimals; None if it is not such an amount (more decimals than the currency has, unless
/// they are zeros; letters; overflow).
pub fn parse_minor(text: &str, exponent: u32) -> Option<i64> {
    let mut s = text.trim();
    let negative = if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        s = inner.trim();
        true
    } else if let Some(rest) = s.strip_prefix('-') {
        s = rest.trim_start();
        true
    } else {
        false
    };
    s = s.strip_prefix('$').unwrap_or(s);
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(&whole) || !digits(frac) {
        return None;
    }
    let places = exponent as usize;
    let (kept, beyond) = frac.split_at(frac.len().min(places));
    if beyond.bytes().any(|b| b != b'0') {
        return None;
    }
    let scale = 10i64.checked_pow(exponent)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let kept_value: i64 = if kept.is_empty() {
        0
    } else {
        kept.parse().ok()?
    };
    let pad = 10i64.checked_pow(u32::try_from(places - kept.len()).ok()?)?;
    let value = whole
        .checked_mul(scale)?
        .checked_add(kept_value.checked_mul(pad)?)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_come_from_iso_4217() {
        assert_eq!(exponent("USD"), Some(2));
        assert_eq!(exponent("JPY"), Some(0));
        assert_eq!(exponent("KWD"), Some(3));
        assert_eq!(exponent("XAU"), None, "gold has no minor unit");
        assert_eq!(exponent("ZZZ"), None);
    }

    #[test]
    fn reads_major_units_into_minor_units_by_exponent() {
        assert_eq!(parse_minor("1,234.56", 2), Some(123_456));
        assert_eq!(parse_minor("27", 2), Some(2_700));
        assert_eq!(parse_minor("27.5", 2), Some(2_750));
        assert_eq!(parse_minor("$-", 2), None);
        assert_eq!(parse_minor("-5.00", 2), Some(-500));
        assert_eq!(parse_minor("(5.00)", 2), Some(-500));
        assert_eq!(parse_minor(".99", 2), Some(99));
        // Yen: no minor unit; "1,000" is a thousand yen, not ten.
        assert_eq!(parse_minor("1,000", 0), Some(1_000));
        assert_eq!(
            parse_minor("1000.00", 0),
            Some(1_000),
            "zeros past the exponent"
        );
        assert_eq!(
            parse_minor("1000.5", 0),
            None,
            "half a yen is not an amount"
        );
        // Kuwaiti dinar: three decimals (fils).
        assert_eq!(parse_minor("1.250", 3), Some(1_250));
        assert_eq!(parse_minor("12.5", 3), Some(12_500));
        assert_eq!(parse_minor("0.001", 3), Some(1));
        assert_eq!(parse_minor("1.2345", 3), None);
        for bad in ["", "five", "1.2.3", "1e5", "--5", "99999999999999999999"] {
            assert_eq!(parse_minor(bad, 2), None, "{bad}");
        }
    }
}
