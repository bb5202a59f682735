"""A Stripe plugin in Python, built with the `intake_plugin` helpers.

It reads charges (`GET /v1/charges`): each succeeded, captured charge is a contribution of
the amount captured, received at its `created` time. Refunds, disputes, fees and payouts are
left to the Rust Stripe plugin: this one shows the kit, not Stripe's whole ledger.

The cursor is `{"v": 1, "since", "until", "after"}`: the window's bounds pinned at the first
page (so a pass started "until now" ends where it began) and the last charge read. Charges
are listed newest first; a charge created during the pass is after `until` and comes with the
next window. A cursor from another window or version is a `config` error.
"""

import json
import time
from typing import Any, Dict, List, Optional, Tuple

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import log, secrets
from wit_world.imports import types as t

from intake_plugin import errors, pages, request, timefmt

PAGE = 100
# Signatures older than this are refused: a replayed delivery.
TOLERANCE_SECONDS = 300


def _api_base(settings) -> str:
    base = pages.setting(settings, "api_base", "https://api.stripe.com").rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise errors.config(f"api_base must be an http(s) URL, not {base!r}")
    return base


def _key(settings) -> str:
    mode = pages.setting(settings, "mode", "test")
    if mode not in ("test", "live"):
        raise errors.config(f"mode must be test or live, not {mode!r}")
    return f"{mode}_secret_key"


def _auth(settings) -> List[Tuple[str, str]]:
    return [("authorization", request.bearer(_key(settings)))]


def _person(charge: Dict[str, Any]) -> t.Person:
    billing = charge.get("billing_details") or {}
    name = (billing.get("name") or "").strip()
    first, _, last = name.rpartition(" ") if " " in name else ("", "", name)
    address = billing.get("address") or {}
    postal = None
    if any(address.get(k) for k in ("line1", "city", "state", "postal_code")):
        postal = t.PostalAddress(
            line1=address.get("line1") or "",
            line2=address.get("line2"),
            city=address.get("city") or "",
            region=address.get("state") or "",
            postal_code=address.get("postal_code") or "",
            country=address.get("country") or "",
        )
    customer = charge.get("customer")
    return t.Person(
        prefix=None,
        first_name=first,
        middle_name=None,
        last_name=last,
        suffix=None,
        email=billing.get("email"),
        phone=billing.get("phone"),
        address=postal,
        employer=None,
        occupation=None,
        processor_donor_id=customer if isinstance(customer, str) else None,
    )


def _donation(charge: Dict[str, Any]) -> Optional[t.Donation]:
    """The contribution a charge is, or None when no money moved (failed, uncaptured)."""
    where = f"charge {charge.get('id')!r}"
    cid = pages.field(charge, "id", str, where)
    if charge.get("status") != "succeeded" or charge.get("captured") is not True:
        return None
    amount = pages.field(charge, "amount_captured", int, where)
    currency = pages.field(charge, "currency", str, where).upper()
    created = pages.field(charge, "created", int, where)
    return t.Donation(
        id=cid,
        kind=t.DonationKind.CONTRIBUTION,
        reverses=None,
        amount=t.Money(amount, currency),
        fee=None,
        net=None,
        received_at=timefmt.to_rfc3339(created),
        donor=_person(charge),
        recurrence=None,
        earmark=None,
        source=charge.get("description"),
        payout_id=None,
        livemode=charge.get("livemode") is True,
        extra=[],
    )


def _read_cursor(cursor: Optional[str], since: int, until: int) -> Tuple[int, Optional[str]]:
    """(the pinned `until`, the last charge read) from a cursor of this window."""
    if cursor is None:
        return until, None
    try:
        state = json.loads(cursor)
        ok = (
            isinstance(state, dict)
            and state.get("v") == 1
            and state.get("since") == since
            and isinstance(state.get("until"), int)
            and isinstance(state.get("after"), str)
        )
    except ValueError:
        ok = False
    if not ok:
        raise errors.config("the cursor is not one this plugin gave for this window")
    return state["until"], state["after"]


class Processor(exports.Processor):
    def info(self) -> t.PluginInfo:
        secret = lambda key, label: t.Setting(
            key, label, "A restricted key with read access to charges.", True,
            ["https://api.stripe.com:443"], False, None, [],
        )
        return t.PluginInfo(
            id="stripe-python",
            name="Stripe (Python)",
            version="0.1.0",
            settings=[
                t.Setting("mode", "Mode", "Which keys to use.", False, [], False, "test",
                          ["test", "live"]),
                t.Setting("api_base", "API base", "For testing against an emulator.", False,
                          [], False, "https://api.stripe.com", []),
                secret("test_secret_key", "Test secret key"),
                secret("live_secret_key", "Live secret key"),
                t.Setting("webhook_secret", "Webhook signing secret",
                          "The endpoint's whsec_… secret.", True, [], False, None, []),
            ],
            outbound=["https://api.stripe.com:443"],
            capabilities=t.Capabilities.FETCH | t.Capabilities.WEBHOOK,
            organization=None,
        )

    def check(self, settings) -> t.Account:
        answer = request.get(_api_base(settings) + "/v1/account", headers=_auth(settings))
        body = pages.json_object(answer)
        where = "the account"
        profile = body.get("business_profile") or {}
        name = profile.get("name") if isinstance(profile, dict) else None
        return t.Account(
            id=pages.field(body, "id", str, where),
            name=name if isinstance(name, str) else pages.field(body, "id", str, where),
            livemode=_key(settings) == "live_secret_key",
        )

    def fetch(self, settings, window: t.Window, cursor: Optional[str]) -> t.Page:
        since, until = timefmt.window_bounds(window, int(time.time()))
        until, after = _read_cursor(cursor, since, until)
        query = [("limit", str(PAGE)), ("created[gte]", str(since)), ("created[lt]", str(until))]
        if after is not None:
            query.append(("starting_after", after))
        answer = request.get(_api_base(settings) + "/v1/charges", query, _auth(settings))
        charges, has_more = pages.list_page(pages.json_object(answer), "the charges page")
        donations = [d for d in map(_donation, charges) if d is not None]
        next_cursor = None
        if has_more and charges:
            last = pages.field(charges[-1], "id", str, "the charges page")
            next_cursor = json.dumps({"v": 1, "since": since, "until": until, "after": last})
        log.log(log.Level.DEBUG, f"{len(charges)} charges, {len(donations)} contributions")
        return t.Page(donations=donations, fees=[], next_cursor=next_cursor)

    def fetch_payouts(self, settings, window, cursor) -> t.PayoutPage:
        raise errors.unsupported()

    def parse_webhook(self, settings, headers, body: bytes) -> List[t.Donation]:
        signature = next((v for k, v in headers if k.lower() == "stripe-signature"), None)
        if signature is None:
            raise errors.auth("no Stripe-Signature header")
        stamp, sigs = None, []
        for part in signature.split(","):
            name, _, value = part.strip().partition("=")
            if name == "t" and value.isdigit():
                stamp = int(value)
            elif name == "v1":
                try:
                    sigs.append(bytes.fromhex(value))
                except ValueError:
                    pass
        if stamp is None or not sigs:
            raise errors.auth("the Stripe-Signature header has no timestamp or v1 signature")
        try:
            valid = secrets.verify_hmac_sha256(
                "webhook_secret", str(stamp).encode() + b"." + bytes(body), sigs
            )
        except Err as missing:
            raise errors.config(f"webhook_secret: {missing.value}")
        if not valid:
            raise errors.auth("the webhook signature does not match webhook_secret")
        if abs(int(time.time()) - stamp) > TOLERANCE_SECONDS:
            raise errors.auth(f"the webhook was signed at {stamp}, too long ago: a replay?")
        event = pages.json_object(body)
        if event.get("type") != "charge.succeeded":
            return []
        data = pages.field(event, "data", dict, "the event")
        charge = pages.field(data, "object", dict, "the event's data")
        donation = _donation(charge)
        return [] if donation is None else [donation]

    def parse_export(self, settings, file_name, contents) -> t.FileImport:
        raise errors.unsupported()

    def donation_link(self, settings, page_url, donor, amount) -> str:
        raise errors.unsupported()
