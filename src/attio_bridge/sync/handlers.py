"""Braintree into Attio: webhook handlers for subscription and payment notifications.

Imported by the service (``load_handlers(["attio_bridge.sync.handlers"])``), this module
registers on the default router, by Braintree kind:

- ``subscription_*`` (charged successfully, went active, canceled, went past due, expired,
  trial ended, charged unsuccessfully): the customer's company gets its subscription status,
  plan and revenue (``subscription_status``, ``subscription_plan``, ``subscription_revenue``,
  plus ``braintree_customer_id`` and ``braintree_subscription_id`` for the next time). The
  attributes are created on the companies object when missing (``ensure_billing_attributes``,
  idempotent).
- ``subscription_charged_unsuccessfully`` also adds a note on the company and a task for its
  account owner (the actor-reference attribute ``owner`` when the workspace has one; else the
  task is unassigned), once per notification however often the job runs.

The customer's company is found by the notification's customer id (``braintree_customer_id``),
else its email's domain, else the subscription id (``braintree_subscription_id``). A
notification naming no company we can find is acknowledged with the effect ``"no company"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..values import domain_from
from ..webhooks import Event, HandlerContext, on

__all__ = ["BILLING_ATTRIBUTES", "STATUS_OF", "ensure_billing_attributes", "subscription_changed"]

# Braintree's kind -> the status shown in Attio.
STATUS_OF = {
    "subscription_charged_successfully": "Active",
    "subscription_went_active": "Active",
    "subscription_trial_ended": "Active",
    "subscription_canceled": "Canceled",
    "subscription_went_past_due": "Past Due",
    "subscription_expired": "Expired",
    "subscription_charged_unsuccessfully": "Past Due",
}
# slug -> (title, type)
BILLING_ATTRIBUTES = {
    "braintree_customer_id": ("Braintree customer ID", "text"),
    "braintree_subscription_id": ("Braintree subscription ID", "text"),
    "subscription_status": ("Subscription status", "text"),
    "subscription_plan": ("Subscription plan", "text"),
    "subscription_revenue": ("Subscription revenue", "number"),
}
OWNER_ATTRIBUTE = "owner"
_DONE = "braintree-failed-payments"


async def ensure_billing_attributes(ctx: HandlerContext) -> list[str]:
    """Create the billing attributes missing on companies; the slugs created (none the second
    time)."""
    schema = await ctx.services.schema.get()
    companies = schema.object("companies")
    assert companies is not None, "every Attio workspace has the companies object"
    created = []
    client = ctx.services.context.client
    for slug, (title, kind) in BILLING_ATTRIBUTES.items():
        if companies.attribute(slug) is not None:
            continue
        body = {
            "title": title,
            "description": "Kept by attio-bridge from Braintree notifications.",
            "api_slug": slug,
            "type": kind,
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
        }
        await client.attributes.create("objects", "companies", body)
        created.append(slug)
    if created:
        ctx.services.schema.invalidate()
    return created


def _subscription(event: Event) -> Mapping[str, Any]:
    subject = event.payload.get("subject") or {}
    found = subject.get("subscription") if isinstance(subject, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _customer(sub: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The customer id and email the notification's transactions name."""
    for tx in sub.get("transactions") or []:
        customer = tx.get("customer") if isinstance(tx, Mapping) else None
        if isinstance(customer, Mapping) and (customer.get("id") or customer.get("email")):
            return customer.get("id") or None, customer.get("email") or None
    return None, None


def _revenue(sub: Mapping[str, Any]) -> float | None:
    """The subscription's price, else the amount of its latest successful transaction."""
    candidates = [sub.get("price")]
    for tx in sub.get("transactions") or []:
        if isinstance(tx, Mapping) and tx.get("status") not in ("failed", "processor_declined"):
            candidates.append(tx.get("amount"))
    for value in candidates:
        try:
            if value not in (None, ""):
                return float(Decimal(str(value)))
        except InvalidOperation:
            continue
    return None


async def _company(ctx: HandlerContext, sub: Mapping[str, Any]) -> Any:
    """The customer's company record, or None."""
    customer_id, email = _customer(sub)
    client = ctx.services.context.client
    for slug, value in (
        ("braintree_customer_id", customer_id),
        ("braintree_subscription_id", sub.get("id")),
    ):
        if value:
            found = await client.records.query("companies", filter={slug: str(value)}, limit=1)
            if found:
                return found[0]
            if slug == "braintree_customer_id" and email:
                domain = domain_from(email.rpartition("@")[2])
                if domain:
                    by_domain = await ctx.services.records.find_by("companies", "domains", domain)
                    if by_domain is not None:
                        return by_domain
    return None


async def subscription_changed(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Keep the customer's company's subscription status, plan and revenue; on a failed
    charge, add a note and a task for the account owner (module docstring)."""
    status = STATUS_OF.get(event.type)
    sub = _subscription(event)
    if status is None or not sub.get("id"):
        return {"action": "ignored", "kind": event.type}
    await ensure_billing_attributes(ctx)
    company = await _company(ctx, sub)
    customer_id, _ = _customer(sub)
    if company is None:
        return {"action": "no company", "subscription": sub.get("id"), "customer": customer_id}
    values: dict[str, Any] = {
        "subscription_status": status,
        "braintree_subscription_id": str(sub["id"]),
    }
    if customer_id:
        values["braintree_customer_id"] = str(customer_id)
    if sub.get("plan_id"):
        values["subscription_plan"] = str(sub["plan_id"])
    revenue = _revenue(sub)
    if revenue is not None and event.type != "subscription_charged_unsuccessfully":
        values["subscription_revenue"] = revenue
    # The record as updated: fresher than a cached copy (the owner may have changed since).
    company = await ctx.services.records.update("companies", company.record_id, values)
    effect: dict[str, Any] = {
        "action": "subscription updated",
        "company": company.record_id,
        "status": status,
    }
    if event.type == "subscription_charged_unsuccessfully":
        effect |= await _failed_payment(event, ctx, company, sub)
    return effect


# Braintree's kinds hold underscores, which the router's family globs do not split on.
for _kind in STATUS_OF:
    on(_kind)(subscription_changed)


async def _failed_payment(
    event: Event, ctx: HandlerContext, company: Any, sub: Mapping[str, Any]
) -> dict[str, Any]:
    """A note and a task, once per notification (kept in the state store)."""
    key = f"{ctx.tenant.name}:{event.delivery_id}"
    done = ctx.store.get(_DONE, key) or {}
    amounts = [tx.get("amount") for tx in sub.get("transactions") or [] if isinstance(tx, Mapping)]
    amount = next((a for a in amounts if a), "an unknown amount")
    text = f"Braintree could not charge {amount} for subscription {sub['id']} ({event.type})."
    if "note_id" not in done:
        note = await ctx.services.notes.create(
            "companies", company.record_id, "Payment failed", text
        )
        done["note_id"] = note.id["note_id"]
        ctx.store.put(_DONE, key, done)
    if "task_id" not in done:
        owner = _owner(company)
        task = await ctx.services.tasks.create(
            f"Follow up the failed payment: {text}",
            linked_records=[("companies", company.record_id)],
            assignees=[owner] if owner else [],
        )
        done["task_id"] = task.id["task_id"]
        ctx.store.put(_DONE, key, done)
    return {"note": done["note_id"], "task": done["task_id"]}


def _owner(company: Any) -> str | None:
    """The workspace member id of the company's account owner, if it has one."""
    for value in company.values.get(OWNER_ATTRIBUTE) or []:
        if value.get("referenced_actor_type") == "workspace-member":
            found = value.get("referenced_actor_id")
            return str(found) if found else None
    return None
