"""Helpers for Intake plugins written in Python (componentize-py).

The generated bindings (`wit_world`, from `componentize-py -d wit -w plugin bindings .`) give
the contract's types; this package adds what every plugin writes again otherwise:

- `errors`: raise the contract's error kinds (`raise errors.config("api_base is missing")`);
- `money`: decimal strings to integer minor units, never through a float;
- `timefmt`: RFC 3339 (UTC) to and from Unix seconds, and a window's bounds;
- `request`: HTTP through the host's `http` import, with `{{secret:KEY}}` placeholders and
  status codes mapped to error kinds; a test swaps the transport for a fake;
- `pages`: JSON bodies read into dicts with typed errors, and a setting lookup.
"""

from . import errors, money, pages, request, timefmt

__all__ = ["errors", "money", "pages", "request", "timefmt"]
