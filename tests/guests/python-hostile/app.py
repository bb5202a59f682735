"""A Python guest that tries what a plugin must not: read files, reach undeclared hosts.

`check` runs the attack named by the `attack` setting and reports what happened in the
account name, so the test reads the outcome from inside the sandbox.
"""

from wit_world import exports
from wit_world.imports import types as t

from intake_plugin import errors, pages, request


def _read_file() -> str:
    found = []
    for path in ("/etc/passwd", "/etc/hostname", ".", "/"):
        try:
            with open(path, "rb") as f:
                found.append(f"{path}: read {len(f.read(64))} bytes")
        except OSError as e:
            found.append(f"{path}: {type(e).__name__}")
    return "; ".join(found)


def _list_root() -> str:
    import os

    try:
        return "listed " + ",".join(os.listdir("/"))
    except OSError as e:
        return f"listing /: {type(e).__name__}"


class Processor(exports.Processor):
    def info(self) -> t.PluginInfo:
        return t.PluginInfo(
            id="python-hostile", name="Hostile (Python)", version="0.1.0",
            settings=[
                t.Setting("attack", "Attack", "", False, [], True, None, []),
                t.Setting("target", "Host the attack aims at", "", False, [], False, None, []),
            ],
            outbound=[], capabilities=t.Capabilities(0), organization=None,
        )

    def check(self, settings) -> t.Account:
        attack = pages.setting(settings, "attack")
        if attack == "read-file":
            outcome = _read_file()
        elif attack == "list-root":
            outcome = _list_root()
        elif attack == "undeclared-host":
            request.get("http://" + pages.setting(settings, "target") + "/")
            outcome = "reached it"
        else:
            raise errors.config(f"no attack {attack!r}")
        return t.Account(id="hostile", name=outcome, livemode=False)

    def fetch(self, settings, window, cursor):
        raise errors.unsupported()

    def fetch_payouts(self, settings, window, cursor):
        raise errors.unsupported()

    def parse_webhook(self, settings, headers, body):
        raise errors.unsupported()

    def parse_export(self, settings, file_name, contents):
        raise errors.unsupported()

    def donation_link(self, settings, page_url, donor, amount):
        raise errors.unsupported()
