"""Unit tests of the plugin, natively: `python -m unittest` (after generating the bindings).

`request.transport` is swapped for a fake that answers like the API and records requests.
"""

import json
import unittest

from componentize_py_types import Err
from wit_world.imports import http
from wit_world.imports import types as t

import app
from intake_plugin import money, request, timefmt

SETTINGS = [("api_base", "https://api.example.com")]
WINDOW = t.Window(since="2024-03-01T00:00:00Z", until="2024-04-01T00:00:00Z")


class FakeApi:
    """Answers `/v1/donations` from canned pages keyed by page token; records each request."""

    def __init__(self, pages, status=200):
        self.pages, self.status, self.requests = pages, status, []

    def __call__(self, req: http.Request) -> http.Response:
        self.requests.append(req)
        token = req.url.split("page_token=")[1] if "page_token=" in req.url else None
        body = json.dumps(self.pages[token]).encode()
        return http.Response(self.status, [("retry-after", "7")], body)


ROW = {"id": "d1", "amount": "25.50", "currency": "usd", "created_at": "2024-03-02T09:30:00-05:00",
       "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}


class FetchTest(unittest.TestCase):
    def tearDown(self):
        request.transport = http.send

    def test_a_page_becomes_donations_and_a_cursor(self):
        fake = FakeApi({None: {"donations": [ROW], "next_page_token": "p2"},
                        "p2": {"donations": [], "next_page_token": None}})
        request.transport = fake
        page = app.Processor().fetch(SETTINGS, WINDOW, None)
        self.assertEqual([d.id for d in page.donations], ["d1"])
        self.assertEqual(page.donations[0].amount, t.Money(2550, "USD"))
        self.assertEqual(page.donations[0].received_at, "2024-03-02T14:30:00Z")
        # The secret is a placeholder the host fills: the plugin never holds it.
        self.assertIn(("authorization", "Bearer {{secret:api_key}}"), fake.requests[0].headers)
        last = app.Processor().fetch(SETTINGS, WINDOW, page.next_cursor)
        self.assertEqual(last.donations, [])
        self.assertIsNone(last.next_cursor)
        self.assertIn("page_token=p2", fake.requests[1].url)

    def test_a_429_is_rate_limited_with_its_retry_after(self):
        request.transport = FakeApi({None: {}}, status=429)
        with self.assertRaises(Err) as raised:
            app.Processor().fetch(SETTINGS, WINDOW, None)
        self.assertEqual(raised.exception.value, t.Error_RateLimited(7))

    def test_a_foreign_cursor_is_a_config_error(self):
        with self.assertRaises(Err) as raised:
            app.Processor().fetch(SETTINGS, WINDOW, "garbage")
        self.assertIsInstance(raised.exception.value, t.Error_Config)


class HelperTest(unittest.TestCase):
    def test_money_without_floats(self):
        self.assertEqual(money.to_minor_units("0.29", "USD"), 29)  # float(0.29)*100 is 28.99…
        self.assertEqual(money.to_minor_units("$1,000.10", "usd"), 100010)
        self.assertEqual(money.to_minor_units("500", "JPY"), 500)
        with self.assertRaises(Err) as raised:
            money.to_minor_units("1.005", "USD")
        self.assertEqual(raised.exception.value,
                         t.Error_InvalidData("'1.005' has more decimals than USD allows"))

    def test_time_round_trips_in_utc(self):
        self.assertEqual(timefmt.to_rfc3339(1709294400), "2024-03-01T12:00:00Z")
        self.assertEqual(timefmt.from_rfc3339("2024-03-01T07:00:00-05:00"), 1709294400)
        with self.assertRaises(Err):
            timefmt.from_rfc3339("2024-03-01T07:00:00")  # no offset: refused, not guessed


if __name__ == "__main__":
    unittest.main()
