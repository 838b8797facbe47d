"""Enrichment providers, without a workspace: the file provider reading CSV (any delimiter,
UTF-8 or Latin-1), JSON arrays and JSON Lines by domain or email, and ``load_provider`` finding
an installed provider by name; the errors each raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.workflows.enrich import (
    EnrichmentTarget,
    FileProvider,
    ProviderError,
    load_provider,
)


def test_file_provider_reads_semicolons_latin1_and_json_arrays(tmp_path: Path) -> None:
    """The file provider reads a Latin-1 CSV with ``;`` and a JSON array, keyed by domain
    (the key column's name in any case), and refuses a file without a key column, naming its
    columns."""
    csv_path = tmp_path / "eu.csv"
    csv_path.write_bytes("Website;Description\nwww.cafe.fr;Crème brûlée\n".encode("latin-1"))
    target = EnrichmentTarget("companies", "id", {"domains": ["cafe.fr"]})
    assert FileProvider(csv_path).lookup(target) == {"Description": "Crème brûlée"}

    json_path = tmp_path / "list.json"
    json_path.write_text(json.dumps([{"domain": "cafe.fr", "twitter": "@cafe"}]), "utf-8")
    assert FileProvider(json_path).lookup(target) == {"twitter": "@cafe"}
    elsewhere = EnrichmentTarget("companies", "id", {"domains": ["other.fr"]})
    assert FileProvider(json_path).lookup(elsewhere) is None

    with pytest.raises(InvalidInputError, match=r"no email or email_address.*columns are: domain"):
        FileProvider(json_path, key="email")
    with pytest.raises(InvalidInputError, match="unknown key 'phone': use domain or email"):
        FileProvider(json_path, key="phone")


def test_load_provider_finds_an_installed_provider_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package registering a provider in ``attio_bridge.enrichment_providers`` is found by
    name and made with the options given; an unknown name says which are installed."""
    (tmp_path / "acme_enrich.py").write_text(
        "class Provider:\n"
        "    def __init__(self, token):\n"
        "        self.name = 'Acme data (' + token + ')'\n"
        "    def lookup(self, target):\n"
        "        return {'description': 'from the plugin'}\n",
        encoding="utf-8",
    )
    info = tmp_path / "acme_enrich-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-enrich\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[attio_bridge.enrichment_providers]\nacme = acme_enrich:Provider\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    provider = load_provider("acme", token="t1")

    assert provider.name == "Acme data (t1)"
    target = EnrichmentTarget("companies", "id", {"domains": ["x.com"]})
    assert provider.lookup(target) == {"description": "from the plugin"}
    with pytest.raises(MissingError, match=r"no enrichment provider 'other'.*acme") as caught:
        load_provider("other")
    assert isinstance(caught.value, KeyError)  # as callers caught it before the error tree
    assert str(caught.value).startswith("no enrichment provider")  # prose, not a quoted key


def test_load_provider_says_what_is_wrong_with_a_named_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``module:attribute`` provider: a missing module or attribute is a ``MissingError``;
    options it does not take, or a class that is no provider, a ``ProviderError`` (bad input,
    also a ``TypeError``)."""
    (tmp_path / "own_provider.py").write_text(
        "class Good:\n"
        "    name = 'Own'\n"
        "    def lookup(self, target):\n"
        "        return None\n"
        "class NotOne:\n"
        "    pass\n"
        "class Refuses:\n"
        "    name = 'Refuses'\n"
        "    def __init__(self, token=''):\n"
        "        raise RuntimeError('upstream refused the token')\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert load_provider("own_provider:Good").name == "Own"
    with pytest.raises(MissingError, match="no module 'nowhere_at_all'"):
        load_provider("nowhere_at_all:Thing")
    with pytest.raises(MissingError, match="has no 'Missing'"):
        load_provider("own_provider:Missing")
    with pytest.raises(ProviderError, match=r"does not take the options given \(token\)") as bad:
        load_provider("own_provider:Good", token="x")
    assert isinstance(bad.value, InvalidInputError) and isinstance(bad.value, TypeError)
    with pytest.raises(ProviderError, match="did not make a provider"):
        load_provider("own_provider:NotOne")
    # The provider's own failure while being made is its error, not attio-bridge's bug.
    with pytest.raises(ProviderError, match="could not be made: RuntimeError: upstream refused"):
        load_provider("own_provider:Refuses", token="x")
