"""The signature checks, as pure functions over raw bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from attio_bridge.webhooks import (
    SignatureError,
    decode_hubspot_uri,
    parse_braintree,
    sign_attio,
    sign_hubspot,
    verify_attio,
    verify_hubspot,
    verify_zoho,
)

from .conftest import (
    ATTIO_NEXT_SECRET,
    ATTIO_SECRET,
    BRAINTREE,
    HUBSPOT_SECRET,
    ZOHO_TOKEN,
    braintree,
    braintree_sample,
)

BODY = b'{"webhook_id":"w1","events":[{"event_type":"record.created"}]}'
SECRETS = (ATTIO_SECRET, ATTIO_NEXT_SECRET)


def reason(exc: pytest.ExceptionInfo[SignatureError]) -> str:
    return exc.value.reason


# -- Attio -----------------------------------------------------------------------------------------
def test_attio_signature_is_the_hex_hmac_of_the_raw_body() -> None:
    expected = hmac.new(ATTIO_SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign_attio(ATTIO_SECRET, BODY) == expected
    verify_attio(BODY, {"Attio-Signature": expected}, SECRETS)
    verify_attio(BODY, {"x-attio-signature": expected}, SECRETS)


@pytest.mark.parametrize("secret", SECRETS)
def test_each_secret_of_a_rotation_is_accepted(secret: str) -> None:
    verify_attio(BODY, {"Attio-Signature": sign_attio(secret, BODY)}, SECRETS)


def test_a_signature_with_a_secret_not_configured_is_refused() -> None:
    with pytest.raises(SignatureError) as exc:
        verify_attio(BODY, {"Attio-Signature": sign_attio("c" * 64, BODY)}, SECRETS)
    assert reason(exc) == "mismatch"
    assert ATTIO_SECRET not in str(exc.value) and ATTIO_NEXT_SECRET not in str(exc.value)


def test_a_signature_for_another_body_or_a_truncated_body_is_refused() -> None:
    signature = sign_attio(ATTIO_SECRET, BODY)
    other = BODY.replace(b"created", b"deleted")
    for body in (other, BODY[:-1], BODY[: len(BODY) // 2]):
        with pytest.raises(SignatureError) as exc:
            verify_attio(body, {"Attio-Signature": signature}, SECRETS)
        assert reason(exc) == "mismatch"


def test_a_missing_or_garbled_signature_is_refused() -> None:
    with pytest.raises(SignatureError) as missing:
        verify_attio(BODY, {"Content-Type": "application/json"}, SECRETS)
    assert reason(missing) == "missing"
    assert "Attio-Signature" in str(missing.value)
    with pytest.raises(SignatureError) as garbled:
        verify_attio(BODY, {"Attio-Signature": "sha256=abc"}, SECRETS)
    assert reason(garbled) == "malformed"
    with pytest.raises(SignatureError) as none_configured:
        verify_attio(BODY, {"Attio-Signature": sign_attio(ATTIO_SECRET, BODY)}, ())
    assert reason(none_configured) == "missing"


# -- HubSpot ---------------------------------------------------------------------------------------
URL = "https://hooks.example.com/webhooks/hubspot/acme?x=1"
HS_BODY = b'[{"eventId":1,"subscriptionType":"contact.creation","portalId":62515,"objectId":123}]'


def hubspot_headers(stamp_ms: int, url: str = URL, body: bytes = HS_BODY) -> dict[str, str]:
    stamp = str(stamp_ms)
    return {
        "X-HubSpot-Signature-v3": sign_hubspot(
            method="POST", url=url, body=body, timestamp=stamp, client_secret=HUBSPOT_SECRET
        ),
        "X-HubSpot-Request-Timestamp": stamp,
    }


def test_hubspot_v3_signature_follows_hubspots_recipe() -> None:
    now = time.time()
    stamp = str(int(now * 1000))
    source = f"POST{URL}".encode() + HS_BODY + stamp.encode()
    digest = hmac.new(HUBSPOT_SECRET.encode(), source, hashlib.sha256).digest()
    headers = {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
    }
    verify_hubspot(
        method="POST", url=URL, body=HS_BODY, headers=headers, client_secret=HUBSPOT_SECRET, now=now
    )


def test_hubspot_decodes_only_the_characters_it_lists() -> None:
    assert decode_hubspot_uri("https://h.test/a%3Ab%2Fc%40d?q=%2a%20%2B") == (
        "https://h.test/a:b/c@d?q=*%20%2B"
    )
    # HubSpot signs the decoded URI, so a request to the encoded one verifies.
    now = time.time()
    headers = hubspot_headers(int(now * 1000), url="https://h.test/a:b")
    verify_hubspot(
        method="POST",
        url="https://h.test/a%3Ab",
        body=HS_BODY,
        headers=headers,
        client_secret=HUBSPOT_SECRET,
        now=now,
    )


def test_hubspot_refuses_an_expired_timestamp_even_with_a_good_signature() -> None:
    now = time.time()
    headers = hubspot_headers(int((now - 301) * 1000))
    with pytest.raises(SignatureError) as exc:
        verify_hubspot(
            method="POST",
            url=URL,
            body=HS_BODY,
            headers=headers,
            client_secret=HUBSPOT_SECRET,
            now=now,
        )
    assert reason(exc) == "expired"
    # The window is configurable.
    verify_hubspot(
        method="POST",
        url=URL,
        body=HS_BODY,
        headers=headers,
        client_secret=HUBSPOT_SECRET,
        now=now,
        window=600,
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"url": URL + "&y=2"}, "mismatch"),
        ({"body": HS_BODY[:-2]}, "mismatch"),
        ({"method": "PUT"}, "mismatch"),
        ({"client_secret": "another-secret"}, "mismatch"),
    ],
)
def test_hubspot_refuses_a_signature_for_another_request(
    change: dict[str, object], expected: str
) -> None:
    now = time.time()
    args: dict[str, object] = {
        "method": "POST",
        "url": URL,
        "body": HS_BODY,
        "headers": hubspot_headers(int(now * 1000)),
        "client_secret": HUBSPOT_SECRET,
        "now": now,
    }
    with pytest.raises(SignatureError) as exc:
        verify_hubspot(**(args | change))  # type: ignore[arg-type]
    assert reason(exc) == expected
    assert HUBSPOT_SECRET not in str(exc.value)


def test_hubspot_refuses_missing_headers() -> None:
    now = time.time()
    headers = hubspot_headers(int(now * 1000))
    for drop in headers:
        partial = {k: v for k, v in headers.items() if k != drop}
        with pytest.raises(SignatureError) as exc:
            verify_hubspot(
                method="POST",
                url=URL,
                body=HS_BODY,
                headers=partial,
                client_secret=HUBSPOT_SECRET,
                now=now,
            )
        assert reason(exc) == "missing"
        assert drop in str(exc.value)


# -- Braintree -------------------------------------------------------------------------------------
def test_braintree_sample_notification_is_parsed_by_the_sdk() -> None:
    made = braintree_sample()
    notification = parse_braintree(
        signature=made["bt_signature"], payload=made["bt_payload"], keys=BRAINTREE
    )
    assert notification["kind"] == "subscription_went_past_due"
    assert notification["subject"]["subscription"]["id"] == "sub_42"
    assert isinstance(notification["timestamp"], str)


def test_braintree_refuses_a_payload_signed_with_other_keys_or_changed() -> None:
    made = braintree_sample()
    other = type(BRAINTREE)("sandbox", "merchant", "pub", "another-private-key")
    with pytest.raises(SignatureError) as wrong_key:
        parse_braintree(signature=made["bt_signature"], payload=made["bt_payload"], keys=other)
    assert reason(wrong_key) == "mismatch"
    assert "another-private-key" not in str(wrong_key.value)
    canceled = braintree.WebhookNotification.Kind.SubscriptionCanceled
    changed = braintree_sample(canceled)["bt_payload"]
    with pytest.raises(SignatureError) as swapped:
        parse_braintree(signature=made["bt_signature"], payload=changed, keys=BRAINTREE)
    assert reason(swapped) == "mismatch"
    with pytest.raises(SignatureError) as missing:
        parse_braintree(signature="", payload=made["bt_payload"], keys=BRAINTREE)
    assert reason(missing) == "missing"
    with pytest.raises(SignatureError) as garbled:
        parse_braintree(signature=made["bt_signature"], payload="<xml/>", keys=BRAINTREE)
    assert reason(garbled) == "malformed"


# -- Zoho ------------------------------------------------------------------------------------------
def test_zoho_token_in_the_body_must_be_the_channels() -> None:
    good = b'{"module":"Contacts","operation":"insert","ids":["1"],"token":"%s"}' % (
        ZOHO_TOKEN.encode()
    )
    assert verify_zoho(body=good, token=ZOHO_TOKEN)["module"] == "Contacts"
    wrong = good.replace(ZOHO_TOKEN.encode(), b"TOKEN_OF_ANOTHER_CHANNEL")
    with pytest.raises(SignatureError) as exc:
        verify_zoho(body=wrong, token=ZOHO_TOKEN)
    assert reason(exc) == "mismatch"
    assert ZOHO_TOKEN not in str(exc.value)
    with pytest.raises(SignatureError) as missing:
        verify_zoho(body=b'{"module":"Contacts"}', token=ZOHO_TOKEN)
    assert reason(missing) == "missing"
