"""A separate process that spends a shared rate budget, for ``test_rate_budget.py``.

    python _budget_worker.py take FINGERPRINT RATE TRIES
        try TRIES write permits, without waiting, from a sqlite budget of RATE per long window;
        print how many were granted
    python _budget_worker.py assert BASE_URL API_KEY COUNT PREFIX
        assert COUNT people with a sync AttioClient on the default (sqlite) budget; print COUNT

Run as a script (not imported by pytest), so each worker has its own interpreter and its own
in-process budget registry: only the budget file can coordinate them.
"""

from __future__ import annotations

import sys

from attio_bridge.client import AttioClient, RateBudget

# A window far longer than the test, and no spreading, so "at most RATE granted" does not depend
# on timing.
LONG_WINDOW_MS = 600_000


def take(fingerprint: str, rate: int, tries: int) -> int:
    """How many of ``tries`` write permits the shared sqlite budget granted."""
    budget = RateBudget(
        fingerprint,
        read_rate=0,
        write_rate=rate,
        backend="sqlite",
        margin_ms=LONG_WINDOW_MS,
        spread=False,
    )
    return sum(budget.try_take(True) for _ in range(tries))


def assert_people(base_url: str, api_key: str, count: int, prefix: str) -> int:
    """Assert ``count`` people one after another; how many succeeded."""
    with AttioClient(api_key=api_key, base_url=base_url, rate_limit_backend="sqlite") as attio:
        for i in range(count):
            email = f"{prefix}-{i}@example.com"
            attio.records.assert_record("people", "email_addresses", {"email_addresses": [email]})
    return count


def main(argv: list[str]) -> int:
    """Run one mode and print its figure."""
    mode, *args = argv
    if mode == "take":
        print(take(args[0], int(args[1]), int(args[2])))
    elif mode == "assert":
        print(assert_people(args[0], args[1], int(args[2]), args[3]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
