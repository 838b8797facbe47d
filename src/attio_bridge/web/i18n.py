"""The pages' languages: English, French and Arabic, through Babel's gettext catalogues.

``LOCALES`` are the languages served; ``negotiate(cookie, accept_language)`` picks one (the
``lang`` cookie the language links set, else the browser's ``Accept-Language``, else English).
``Languages`` holds one Jinja2 environment per language, each with ``jinja2.ext.i18n`` and that
language's compiled catalogue installed (``newstyle``: ``_()`` and ``ngettext()`` escape what they
are given), plus the filters that format dates and numbers for the language (Babel).
Catalogues live in ``web/locale/<lang>/LC_MESSAGES/messages.po``, compiled to ``.mo`` by
``scripts/i18n.py`` (committed; a test checks they are complete and up to date). Arabic pages
are laid out right to left: ``direction(lang)`` is what ``<html dir>`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

__all__ = ["DEFAULT", "LOCALES", "LOCALE_DIR", "Languages", "direction", "negotiate"]

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("en", "fr", "ar")
"""The languages the pages speak; English is the source language (no catalogue)."""
DEFAULT = "en"
NAMES = {"en": "English", "fr": "Français", "ar": "العربية"}
"""Each language named in itself, for the language switch."""


def direction(lang: str) -> str:
    """``rtl`` for a language written right to left (Arabic), else ``ltr``."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def _accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the cookie's when it is one of ``LOCALES``, else the best
    match of the browser's ``Accept-Language``, else English."""
    if cookie in LOCALES:
        return cookie
    for tag in _accepted(accept_language or ""):
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in LOCALES:
            return base
    return DEFAULT


def _translations(lang: str) -> NullTranslations:
    if lang == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


class Languages:
    """One template environment per language, sharing the template folders."""

    def __init__(
        self,
        loader: jinja2.BaseLoader,
        *,
        filters: dict[str, Callable[..., Any]] | None = None,
        locales: Sequence[str] = LOCALES,
    ) -> None:
        self.envs: dict[str, jinja2.Environment] = {}
        self.translations: dict[str, NullTranslations] = {}
        for lang in locales:
            env = jinja2.Environment(loader=loader, autoescape=True, extensions=["jinja2.ext.i18n"])
            translations = _translations(lang)
            env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            env.filters.update(filters or {})
            env.filters["datetime"] = _datetime_filter(lang)
            env.filters["number"] = _number_filter(lang)
            env.globals.update(lang=lang, dir=direction(lang), languages=NAMES)
            self.envs[lang] = env
            self.translations[lang] = translations

    def template(self, lang: str, name: str) -> jinja2.Template:
        """The template ``name`` in language ``lang``."""
        return self.envs[lang].get_template(name)


def _datetime_filter(lang: str) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if isinstance(value, datetime):
            return format_datetime(value, format="medium", locale=lang)
        if isinstance(value, int | float):
            return format_datetime(datetime.fromtimestamp(value), format="medium", locale=lang)
        return "" if value is None else str(value)

    return fmt


def _number_filter(lang: str) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if isinstance(value, int | float):
            return format_decimal(value, locale=lang)
        return "" if value is None else str(value)

    return fmt
