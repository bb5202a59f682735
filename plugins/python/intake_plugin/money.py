"""Money as integer minor units, read from decimal strings without ever using a float.

    to_minor_units("25.50", "USD") == 2550
    to_minor_units("-1,000", "USD") == -100000
    to_minor_units("100", "JPY") == 100      # no minor unit
"""

from decimal import Decimal, InvalidOperation

from . import errors

# ISO 4217 currencies whose minor unit is not 1/100 (the common ones).
_EXPONENT = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

# Beyond an s64 the host cannot carry it.
_MAX = 2**63 - 1


def exponent(currency: str) -> int:
    """Digits after the decimal point in `currency` (2 unless listed)."""
    return _EXPONENT.get(currency.upper(), 2)


def to_minor_units(text: str, currency: str) -> int:
    """A decimal amount ("25.50", "$1,000.00", "-3") in minor units of `currency`.

    Raises the contract's `invalid-data` error for anything that is not an exact amount:
    a float's rounding error, more digits than the currency has, or an empty string.
    """
    cleaned = text.strip().replace(",", "").replace("$", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise errors.invalid_data(f"not an amount: {text!r}")
    if not amount.is_finite():
        raise errors.invalid_data(f"not an amount: {text!r}")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise errors.invalid_data(
            f"{text!r} has more decimals than {currency.upper()} allows"
        )
    minor = int(scaled)
    if abs(minor) > _MAX:
        raise errors.invalid_data(f"{text!r} is out of range")
    return minor


def from_minor_units(minor: int, currency: str) -> str:
    """Minor units back to a decimal string: 2550, "USD" -> "25.50"."""
    places = exponent(currency)
    return str(Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places)))
