"""Time as the contract writes it: RFC 3339 in UTC, to the second ("2024-03-01T12:00:00Z").

    to_rfc3339(1709294400) == "2024-03-01T12:00:00Z"
    from_rfc3339("2024-03-01T07:00:00-05:00") == 1709294400
"""

from datetime import datetime, timezone
from typing import Optional, Tuple

from . import errors


def to_rfc3339(unix: int) -> str:
    """Unix seconds as RFC 3339 UTC with a `Z`."""
    try:
        moment = datetime.fromtimestamp(unix, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise errors.invalid_data(f"not a time: {unix!r}")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def from_rfc3339(text: str) -> int:
    """RFC 3339 with an offset (or `Z`) to Unix seconds; fractions are dropped.

    A time without an offset is refused: guessing the zone would move money between days.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise errors.invalid_data(f"not an RFC 3339 time: {text!r}")
    if moment.tzinfo is None:
        raise errors.invalid_data(f"{text!r} has no UTC offset")
    return int(moment.timestamp() // 1)


def window_bounds(window, now: int) -> Tuple[int, int]:
    """A window's (since, until) in Unix seconds, `until` defaulting to `now`.

    A bad bound is a `config` error: the window comes from the operator, not the processor.
    """
    try:
        since = from_rfc3339(window.since)
        until: Optional[int] = None if window.until is None else from_rfc3339(window.until)
    except Exception:
        raise errors.config(f"window is not RFC 3339: {window.since!r}..{window.until!r}")
    return since, now if until is None else until
