"""The Braintree stand-in's model: one merchant's customers and subscriptions, kept minimal; no
HTTP.

What a subscription notification carries is all it keeps: per customer its id, email and name;
per subscription its customer, plan, price, status, failure count and transactions (newest
first). ``notify(change)`` applies one notification kind the way Braintree's recurring billing
does (a charge adds a transaction, a failed one turns the subscription ``Past Due`` ...) and
returns the ``Notification`` to send: a snapshot, so later changes do not alter it.

A fresh merchant holds one customer and one subscription, ``juniper-growth``, whose customer's
email is at ``juniperpay.finance``: the domain of a company in the emulator's ``sandbox`` seed,
so a notification about it lands on that company in the sandbox.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ...clock import new_id, now_ts, parse_ts

# kind -> (the subscription's status afterwards, the transaction it adds: None, or its status)
KINDS: dict[str, tuple[str | None, str | None]] = {
    "subscription_charged_successfully": ("Active", "submitted_for_settlement"),
    "subscription_charged_unsuccessfully": ("Past Due", "processor_declined"),
    "subscription_went_active": ("Active", None),
    "subscription_went_past_due": ("Past Due", None),
    "subscription_canceled": ("Canceled", None),
    "subscription_expired": ("Expired", None),
    "subscription_trial_ended": ("Active", None),
    "subscription_billing_skipped": ("Active", None),
    "check": (None, None),  # the Control Panel's "Check URL": no subscription
}
# Braintree's ids: letters, digits, dashes and underscores, at most 36.
_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
_DECLINE = ("2001", "Insufficient Funds")
_APPROVED = ("1000", "Approved")


@dataclass(slots=True)
class Customer:
    """A Braintree customer, as a transaction names it."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None


@dataclass(slots=True)
class Transaction:
    """One charge of a subscription."""

    id: str
    status: str
    amount: Decimal
    created: datetime
    response: tuple[str, str]  # processor response code and text


@dataclass(slots=True)
class Subscription:
    """A recurring-billing subscription; ``transactions`` newest first, as Braintree lists them."""

    id: str
    customer_id: str
    plan_id: str
    price: Decimal
    status: str
    created: datetime
    updated: datetime
    failure_count: int = 0
    transactions: list[Transaction] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Change:
    """One notification asked for: its kind and the subscription it is about, with what to
    change first (a customer id, email, plan or price given; None: as kept)."""

    kind: str
    subscription_id: str | None = None
    customer_id: str | None = None
    email: str | None = None
    plan_id: str | None = None
    price: Decimal | None = None

    @classmethod
    def parse(cls, body: Any) -> Change:
        """A change from a control-plane body; ``ValueError`` naming what is wrong."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        kind = body.get("kind")
        if kind not in KINDS:
            raise ValueError(f'"kind" must be one of {", ".join(KINDS)}, not {kind!r}')
        sub = _ident(body, "subscription_id") if kind != "check" else None
        if kind != "check" and sub is None:
            raise ValueError('"subscription_id" is required: the subscription notified about')
        email = body.get("email")
        if email is not None and (not isinstance(email, str) or "@" not in email):
            raise ValueError(f'"email" must be an email address, not {email!r}')
        plan = _ident(body, "plan_id")
        return cls(kind, sub, _ident(body, "customer_id"), email, plan, _price(body.get("price")))

    def as_params(self) -> dict[str, Any]:
        """The change as logged (``--database``) and parsed back by ``parse``."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("subscription_id", "customer_id", "email", "plan_id"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.price is not None:
            out["price"] = str(self.price)
        return out


@dataclass(frozen=True, slots=True)
class Notification:
    """What one webhook notification says: its kind, time and subject (a snapshot)."""

    kind: str
    timestamp: datetime
    subscription: Subscription | None
    customer: Customer | None


def _ident(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(
            f'"{name}" must be a Braintree id (letters, digits, - and _, at most 36), not {value!r}'
        )
    return value


def _price(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or price < 0:
        raise ValueError(f'"price" must be an amount such as "49.99", not {value!r}')
    return price.quantize(Decimal("0.01"))


def _short_id() -> str:
    """A Braintree-like id (8 lowercase characters), from the emulator's taped ids."""
    return new_id().replace("-", "")[:8]


SEED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class BraintreeModel:
    """One Braintree merchant's customers and subscriptions, seeded."""

    def __init__(self, merchant_id: str, *, seed: bool = True) -> None:
        self.merchant_id = merchant_id
        self.customers: dict[str, Customer] = {}
        self.subscriptions: dict[str, Subscription] = {}
        if seed:
            self.customers["juniper-pay"] = Customer(
                "juniper-pay",
                "sofia.martinez@juniperpay.finance",
                "Sofia",
                "Martinez",
                "Juniper Pay",
            )
            first = Transaction("seedtx01", "settled", Decimal("499.00"), SEED_TIME, _APPROVED)
            self.subscriptions["juniper-growth"] = Subscription(
                "juniper-growth", "juniper-pay", "growth-monthly", Decimal("499.00"), "Active",
                SEED_TIME, SEED_TIME, transactions=[first],
            )  # fmt: skip

    def notify(self, change: Change) -> Notification:
        """Apply ``change`` and return the notification it makes (module docstring).

        A subscription not kept yet is made, for the customer given (made too, when new);
        ``ValueError`` when a new subscription misses its customer, plan or price.
        """
        now = parse_ts(now_ts())
        if change.subscription_id is None:  # check
            return Notification(change.kind, now, None, None)
        sub = self.subscriptions.get(change.subscription_id)
        customer_id = change.customer_id or (sub.customer_id if sub is not None else None)
        if sub is None and (customer_id is None or change.plan_id is None or change.price is None):
            # Checked before anything changes: a refused change is not logged (``--database``).
            raise ValueError(
                f"subscription {change.subscription_id!r} is new: give its customer_id, plan_id "
                "and price"
            )
        assert customer_id is not None  # a kept subscription names its customer
        customer = self.customers.setdefault(customer_id, Customer(customer_id))
        if change.email is not None:
            customer.email = change.email
        if sub is None:
            assert change.plan_id is not None and change.price is not None
            sub = Subscription(
                change.subscription_id,
                customer.id,
                change.plan_id,
                change.price,
                "Active",
                now,
                now,
            )
            self.subscriptions[sub.id] = sub
        sub.customer_id = customer.id
        sub.plan_id = change.plan_id or sub.plan_id
        sub.price = change.price if change.price is not None else sub.price
        status, charge = KINDS[change.kind]
        if charge is not None:
            declined = charge == "processor_declined"
            tx = Transaction(
                _short_id(), charge, sub.price, now, _DECLINE if declined else _APPROVED
            )
            sub.transactions.insert(0, tx)
            sub.failure_count = sub.failure_count + 1 if declined else 0
        sub.status = status or sub.status
        sub.updated = now
        return Notification(change.kind, now, copy.deepcopy(sub), copy.deepcopy(customer))

    def render(self) -> dict[str, Any]:
        """The merchant's state as plain JSON (the control plane's view)."""
        return {
            "merchant_id": self.merchant_id,
            "customers": [
                {"id": c.id, "email": c.email, "company": c.company}
                for c in self.customers.values()
            ],
            "subscriptions": [
                {
                    "id": s.id,
                    "customer_id": s.customer_id,
                    "plan_id": s.plan_id,
                    "price": str(s.price),
                    "status": s.status,
                    "failure_count": s.failure_count,
                    "transactions": [
                        {"id": t.id, "status": t.status, "amount": str(t.amount)}
                        for t in s.transactions
                    ],
                }
                for s in self.subscriptions.values()
            ],
        }
