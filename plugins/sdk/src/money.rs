//! Amounts as people and exports write them, read into minor units without floats, and
//! summed with checked arithmetic: processor data that overflows `i64` is
//! [`Error::InvalidData`], never a wrap or a panic.

use crate::Error;

fn overflow(what: &str) -> Error {
    Error::InvalidData(format!("{what} overflows a 64-bit amount of minor units"))
}

/// `a + b`, or [`Error::InvalidData`] saying which sum (`what`) overflowed.
pub fn add(a: i64, b: i64, what: &str) -> Result<i64, Error> {
    a.checked_add(b).ok_or_else(|| overflow(what))
}

/// `a - b`, or [`Error::InvalidData`] saying which difference (`what`) overflowed.
pub fn sub(a: i64, b: i64, what: &str) -> Result<i64, Error> {
    a.checked_sub(b).ok_or_else(|| overflow(what))
}

/// The sum of `amounts`, or [`Error::InvalidData`] saying which sum (`what`) overflowed.
pub fn sum(amounts: impl IntoIterator<Item = i64>, what: &str) -> Result<i64, Error> {
    amounts
        .into_iter()
        .try_fold(0i64, |total, a| total.checked_add(a))
        .ok_or_else(|| overflow(what))
}

/// `-a` (a refund or chargeback of a processor's positive amount), or
/// [`Error::InvalidData`] for `i64::MIN`, which has no positive twin.
pub fn neg(a: i64, what: &str) -> Result<i64, Error> {
    a.checked_neg().ok_or_else(|| overflow(what))
}

/// `|a|`, or [`Error::InvalidData`] for `i64::MIN` (which has no positive twin).
pub fn abs(a: i64, what: &str) -> Result<i64, Error> {
    a.checked_abs().ok_or_else(|| overflow(what))
}

/// Reads "$1,234.56", "1234.5", "-$5.00", "($5.00)", "USD 20" into cents.
/// None when it is not an amount or has more than two decimals.
pub fn parse_cents(text: &str) -> Option<i64> {
    let mut s = text.trim();
    // At most one sign: a leading or trailing-currency "-", or accounting parentheses.
    let mut signs = 0;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        signs += 1;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        signs += 1;
        s = rest.trim_start();
    }
    s = s.strip_prefix("USD").unwrap_or(s).trim_start();
    s = s.strip_prefix('$').unwrap_or(s).trim_start();
    if let Some(rest) = s.strip_prefix('-') {
        signs += 1;
        s = rest;
    }
    if signs > 1 {
        return None;
    }
    let negative = signs == 1;
    let digits: String = s.chars().filter(|c| *c != ',').collect();
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -cents } else { cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_refuse_overflow_naming_the_sum() {
        assert_eq!(sum([1, 2, -4], "payout gross").unwrap(), -1);
        assert_eq!(sum([], "nothing").unwrap(), 0);
        for r in [
            sum([i64::MAX, 1], "payout gross"),
            add(i64::MAX, 1, "payout gross"),
            sub(i64::MIN, 1, "payout gross"),
            abs(i64::MIN, "payout gross"),
            neg(i64::MIN, "payout gross"),
        ] {
            assert!(
                matches!(&r, Err(Error::InvalidData(m)) if m == "payout gross overflows a 64-bit amount of minor units"),
                "{r:?}"
            );
        }
        assert_eq!(sub(5, 7, "net").unwrap(), -2);
        assert_eq!(abs(-5, "fee").unwrap(), 5);
        assert_eq!(neg(700, "refund").unwrap(), -700);
        assert_eq!(neg(i64::MAX, "refund").unwrap(), i64::MIN + 1);
    }

    #[test]
    fn reads_the_ways_exports_write_money() {
        assert_eq!(parse_cents("$1,234.56"), Some(123_456));
        assert_eq!(parse_cents("1234.5"), Some(123_450));
        assert_eq!(parse_cents("25"), Some(2_500));
        assert_eq!(parse_cents("-$5.00"), Some(-500));
        assert_eq!(parse_cents("$-5.00"), Some(-500));
        assert_eq!(parse_cents("($5.00)"), Some(-500));
        assert_eq!(parse_cents(" USD 20 "), Some(2_000));
        assert_eq!(parse_cents(".99"), Some(99));
        assert_eq!(parse_cents("0"), Some(0));
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in [
            "",
            "$",
            "abc",
            "1.234",
            "12a",
            "1.2.3",
            "--5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad:?}");
        }
    }
}
