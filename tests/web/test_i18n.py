"""The pages' languages: catalogues complete and compiled (``scripts/i18n.py --check``), Arabic's
six plural forms, right-to-left layout with logical CSS only, the language negotiated from the
browser, dates and numbers formatted for the language."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from attio_bridge.web.i18n import Languages, direction, negotiate

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "src" / "attio_bridge" / "web" / "static" / "pages.css"
TEMPLATES = ROOT / "src" / "attio_bridge" / "web" / "templates" / "pages"


@pytest.fixture(scope="module")
def i18n_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_script"] = module
    spec.loader.exec_module(module)
    return module


def test_the_catalogues_hold_every_string_translated_and_compiled(i18n_script: ModuleType) -> None:
    assert i18n_script.problems() == []
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_script.extract() if m.id}
    assert "Import selected" in extracted and "%(num)d record imported." in extracted
    assert (
        "Attio refused this API key. Check that it was copied whole and has not been revoked."
        in extracted
    )


def test_a_string_missing_from_a_catalogue_is_reported(
    i18n_script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = i18n_script.extract

    def with_a_new_string() -> object:
        catalog = real()
        catalog.add("A string nobody translated yet")
        return catalog

    monkeypatch.setattr(i18n_script, "extract", with_a_new_string)
    found = i18n_script.problems()
    assert "fr: 'A string nobody translated yet' is not in the catalogue" in found
    assert "ar: 'A string nobody translated yet' is not in the catalogue" in found


def _env() -> Languages:
    source = (
        "{{ ngettext('%(num)d record imported.', '%(num)d records imported.', n) }}"
        "|{{ when | datetime }}|{{ amount | number }}"
    )
    return Languages(jinja2.DictLoader({"t.html": source}))


def test_arabic_has_six_plural_forms_and_french_its_own() -> None:
    languages = _env()
    template = languages.template("ar", "t.html")
    forms = [template.render(n=n, when=None, amount=0).split("|")[0] for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(forms)) == 6
    assert forms[1] == "تم استيراد سجل واحد."
    assert forms[3] == "تم استيراد 3 سجلات."
    french = languages.template("fr", "t.html")
    assert french.render(n=1, when=None, amount=0).startswith("1 fiche importée.")
    assert french.render(n=2, when=None, amount=0).startswith("2 fiches importées.")
    english = languages.template("en", "t.html")
    assert english.render(n=2, when=None, amount=0).startswith("2 records imported.")


def test_dates_and_numbers_are_formatted_for_the_language() -> None:
    languages = _env()
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    en = languages.template("en", "t.html").render(n=1, when=when, amount=12345.5).split("|")
    fr = languages.template("fr", "t.html").render(n=1, when=when, amount=12345.5).split("|")
    assert en[1].startswith("Mar 4, 2026") and en[2] == "12,345.5"
    assert fr[1].startswith("4 mars 2026") and fr[2] == "12\u202f345,5"


def test_arabic_is_right_to_left() -> None:
    assert direction("ar") == "rtl"
    assert direction("fr") == direction("en") == "ltr"


def test_the_css_uses_logical_properties_only() -> None:
    css = CSS.read_text()
    assert not re.search(r"\b(left|right)\b", css)
    assert "margin-inline-start" in css and "text-align: start" in css


def test_the_templates_have_no_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), template.name
        assert "<style" not in html and " style=" not in html, template.name
        assert not re.search(r"\son[a-z]+=", html), template.name


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de-DE,ar;q=0.7,fr;q=0.3", "ar"),
        (None, "en;q=0.2,fr;q=0.9", "fr"),
        (None, "de,ja", "en"),
        (None, None, "en"),
        ("ar", "fr", "ar"),
        ("xx", "fr", "fr"),
        (None, "fr;q=0,ar", "ar"),
    ],
)
def test_the_language_is_negotiated(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate(cookie, header) == expected
