"""JSON bodies and settings read with typed errors instead of KeyError or ValueError."""

import json
from typing import Any, Dict, List, Optional, Tuple

from . import errors


def json_object(response_or_body: Any) -> Dict[str, Any]:
    """A JSON object from a response (or raw bytes); anything else is `invalid-data`."""
    body = getattr(response_or_body, "body", response_or_body)
    try:
        value = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError) as e:
        raise errors.invalid_data(f"the body is not JSON: {e}")
    if not isinstance(value, dict):
        raise errors.invalid_data("the body is not a JSON object")
    return value


def field(obj: Dict[str, Any], key: str, kind: type, where: str) -> Any:
    """`obj[key]` when it is of `kind`, else `invalid-data` naming `where` and the key."""
    value = obj.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise errors.invalid_data(f"{where}: `{key}` is missing or not {kind.__name__}")
    return value


def optional(obj: Dict[str, Any], key: str, kind: type, where: str) -> Optional[Any]:
    """`obj[key]` when present and not null, checked like `field`."""
    if obj.get(key) is None:
        return None
    return field(obj, key, kind, where)


def list_page(obj: Dict[str, Any], where: str) -> Tuple[List[Dict[str, Any]], bool]:
    """A `{"data": [...], "has_more": bool}` page: its objects and whether more follow."""
    data = field(obj, "data", list, where)
    if not all(isinstance(item, dict) for item in data):
        raise errors.invalid_data(f"{where}: `data` holds something other than objects")
    return data, field(obj, "has_more", bool, where)


def setting(settings: List[Tuple[str, str]], key: str, default: Optional[str] = None) -> str:
    """A setting's value; missing and no default is a `config` error naming the key."""
    for name, value in settings:
        if name == key:
            return value
    if default is None:
        raise errors.config(f"the setting `{key}` is missing")
    return default
