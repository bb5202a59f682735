"""The contract's error kinds as exceptions to raise from an export.

componentize-py turns `raise Err(Error_Config("..."))` into the `config` error of a
`result<_, error>`; these constructors spell that once:

    raise errors.config("the setting `api_base` is missing")
    raise errors.rate_limited(30)   # seconds to wait, or None
"""

from typing import Optional

from componentize_py_types import Err
from wit_world.imports import types as t


def config(message: str) -> Err:
    """A setting is missing or invalid: not retried until fixed."""
    return Err(t.Error_Config(message))


def auth(message: str) -> Err:
    """The credentials were refused: not retried until fixed."""
    return Err(t.Error_Auth(message))


def rate_limited(seconds: Optional[int]) -> Err:
    """Slow down; `seconds` to wait where the processor said."""
    return Err(t.Error_RateLimited(seconds))


def transient(message: str) -> Err:
    """A temporary failure: the host may retry later."""
    return Err(t.Error_Transient(message))


def invalid_data(message: str) -> Err:
    """The processor sent something the plugin cannot read."""
    return Err(t.Error_InvalidData(message))


def unsupported() -> Err:
    """The plugin does not offer this export."""
    return Err(t.Error_Unsupported())
