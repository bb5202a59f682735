"""HTTP through the host's `http` import, with answers mapped to the contract's errors.

A header value may hold `{{secret:KEY}}`: the host fills it on the way out, only for an
origin that secret may be sent to, so the plugin never holds the secret:

    answer = request.get(base + "/v1/charges", {"limit": "100"},
                         headers=[("authorization", request.bearer("secret_key"))])
    body = pages.json_object(answer)

Tests run natively with a fake transport: `request.transport = fake_send`, where
`fake_send(req)` returns an `http.Response` or raises `Err(http.HttpError_…)`.
"""

from typing import Callable, List, Optional, Sequence, Tuple
from urllib.parse import urlencode

from componentize_py_types import Err
from wit_world.imports import http

from . import errors

Headers = List[Tuple[str, str]]

# The host's `send`; a test replaces it.
transport: Callable[[http.Request], http.Response] = http.send


def secret(key: str) -> str:
    """The placeholder the host replaces with secret `key`."""
    return "{{secret:" + key + "}}"


def bearer(key: str) -> str:
    """An `authorization` value: `Bearer` and secret `key`."""
    return "Bearer " + secret(key)


def basic(user: str, key: str) -> str:
    """An `authorization` value: HTTP Basic for `user` with secret `key`, built by the host."""
    return "Basic {{basic:" + user + ":" + key + "}}"


def header(response: http.Response, name: str) -> Optional[str]:
    """The first value of header `name` (any case)."""
    wanted = name.lower()
    for key, value in response.headers:
        if key.lower() == wanted:
            return value
    return None


def _retry_after(response: http.Response) -> Optional[int]:
    value = header(response, "retry-after")
    if value is not None and value.strip().isdigit():
        return min(int(value.strip()), 2**32 - 1)
    return None


def _snippet(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace")


def check_status(response: http.Response, what: str) -> http.Response:
    """The response when 2xx, else the error kind its status means."""
    status = response.status
    if 200 <= status < 300:
        return response
    if status in (401, 403):
        raise errors.auth(f"{what}: refused with HTTP {status}: {_snippet(response.body)}")
    if status == 429:
        raise errors.rate_limited(_retry_after(response))
    if status >= 500:
        raise errors.transient(f"{what}: HTTP {status}: {_snippet(response.body)}")
    raise errors.invalid_data(f"{what}: unexpected HTTP {status}: {_snippet(response.body)}")


def send(
    method: str,
    url: str,
    headers: Sequence[Tuple[str, str]] = (),
    body: Optional[bytes] = None,
) -> http.Response:
    """One request; a transport failure becomes the error kind the host's refusal means."""
    try:
        return transport(http.Request(method, url, list(headers), body))
    except Err as failure:
        problem = failure.value
        if isinstance(problem, http.HttpError_Denied):
            raise errors.config(f"{method} {url}: the host refused it: {problem.value}")
        if isinstance(problem, http.HttpError_Timeout):
            raise errors.transient(f"{method} {url}: timed out")
        if isinstance(problem, http.HttpError_TooLarge):
            raise errors.invalid_data(f"{method} {url}: the response is over the host's cap")
        if isinstance(problem, http.HttpError_RequestLimit):
            raise errors.transient(f"{method} {url}: this call made too many requests")
        if isinstance(problem, http.HttpError_Failed):
            raise errors.transient(f"{method} {url}: {problem.value}")
        raise


def get(
    url: str,
    query: Sequence[Tuple[str, str]] = (),
    headers: Sequence[Tuple[str, str]] = (),
) -> http.Response:
    """GET `url` with `query` (pairs; a key may repeat) and a checked status."""
    full = url + ("?" + urlencode(list(query)) if query else "")
    return check_status(send("GET", full, headers), "GET " + url)
