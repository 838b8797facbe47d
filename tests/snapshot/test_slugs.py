"""Slugs: safe file names on every file system, distinct for distinct records."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from attio_bridge.snapshot import slugify, unique_slug
from attio_bridge.snapshot.slugs import MAX_SLUG, RESERVED_NAMES

SAFE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@given(st.text())
def test_every_slug_is_a_safe_file_name(name: str) -> None:
    slug = slugify(name)
    assert SAFE.fullmatch(slug), slug
    assert 0 < len(slug) <= MAX_SLUG
    assert slug not in RESERVED_NAMES
    assert slug == slugify(name)  # the same name, the same slug


@given(st.text(), st.text(min_size=1), st.sets(st.text(max_size=90), max_size=20))
def test_a_unique_slug_is_safe_and_not_taken(name: str, record_id: str, taken: set[str]) -> None:
    slug = unique_slug(name, record_id, taken)
    assert slug not in taken
    assert SAFE.fullmatch(slug), slug
    assert len(slug) <= MAX_SLUG


@given(st.text(), st.lists(st.uuids().map(str), min_size=2, max_size=30, unique=True))
def test_records_with_one_name_get_distinct_slugs(name: str, ids: list[str]) -> None:
    taken: set[str] = set()
    for record_id in ids:
        taken.add(unique_slug(name, record_id, taken))
    assert len(taken) == len(ids)


def test_path_tricks_and_reserved_names_become_plain_words() -> None:
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("..\\..\\windows\\system32") == "windows-system32"
    assert slugify(".hidden") == "hidden"
    assert slugify("a\x00b/c") == "a-b-c"
    assert slugify("...") == "record"
    assert slugify("") == "record"
    assert slugify("CON") == "con-record"
    assert slugify("lpt9") == "lpt9-record"
    assert slugify("com10") == "com10"


def test_unicode_is_folded_to_ascii() -> None:
    assert slugify("Sofía Martínez") == "sofia-martinez"
    assert slugify("Jürgen Müller") == "jurgen-muller"
    assert slugify("Ｆｕｌｌｗｉｄｔｈ ①") == "fullwidth-1"
    assert slugify("東京") == "record"


def test_a_long_name_is_cut() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= MAX_SLUG
    assert not slug.endswith("-")


def test_a_collision_takes_part_of_the_record_id() -> None:
    taken = {"ada-lovelace"}
    assert unique_slug("Ada Lovelace", "7F3A9C21-0000-4000", taken) == "ada-lovelace-7f3a9c21"
    assert unique_slug("Ada Lovelace", "7F3A9C21-0000-4000", set()) == "ada-lovelace"
