"""The snapshot pages in-process against the sandbox's data: Connect, Browse (tabs, search,
pages, the imported badge), Import selected with its progress, Imports with each record's
history; languages and the security headers on every page."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attio_bridge.web.snapshots import load_settings

from ._pages import KEY, Site, browser, csrf, make_site, row_ids
from ._snapshot_fake import fake_backend


def _names(html: str) -> list[str]:
    import re

    cells = re.findall(r'<td class="name">(.*?)</td>', html, re.S)
    return [re.sub(r"</?bdi>", "", re.sub(r"\s*<span.*", "", cell)).strip() for cell in cells]


def _company_ids(site: Site, client: TestClient, *names: str) -> list[str]:
    html = client.get("/snapshots/browse/companies?limit=100").text
    found = dict(zip(_names(html), row_ids(html), strict=True))
    return [found[name] for name in names]


def _wait_done(client: TestClient, job_html: str) -> str:
    import re

    job = re.search(r'hx-get="/snapshots/jobs/([^"]+)"', job_html)
    deadline = time.monotonic() + 10
    html = job_html
    while job and 'data-state="running"' in html:
        assert time.monotonic() < deadline, "the import did not finish within 10 s"
        time.sleep(0.02)
        html = client.get(f"/snapshots/jobs/{job.group(1)}", headers={"HX-Request": "true"}).text
    return html


def _import(client: TestClient, kind: str, ids: list[str], list_slug: str = "") -> str:
    page = client.get(f"/snapshots/browse/{kind}").text
    response = client.post(
        "/snapshots/import",
        data={"kind": kind, "id": ids, "list": list_slug},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf(page)},
    )
    assert response.status_code == 202, response.text
    return _wait_done(client, response.text)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def test_browse_shows_the_sandbox_companies_with_a_checkbox_a_link_and_select_all(
    site: Site,
) -> None:
    with browser(site) as client:
        response = client.get("/snapshots/browse/companies")
    assert response.status_code == 200
    html = response.text
    assert "Northwind Logistics" in _names(html)
    assert len(row_ids(html)) == 8
    assert html.count('class="row-pick"') == 8
    assert 'id="select-all"' in html
    assert 'href="https://app.attio.com/sandbox/company/' in html
    assert "northwind-logistics.eu" in html
    assert "Import selected" in html


def test_the_start_page_leads_to_browse_when_connected_and_to_connect_when_not(
    tmp_path: Path,
) -> None:
    with browser(make_site(tmp_path / "a")) as client:
        assert client.get("/snapshots/").url.path == "/snapshots/browse/companies"
    with browser(make_site(tmp_path / "b", connected=False)) as client:
        assert client.get("/snapshots/").url.path == "/snapshots/connect"
        assert client.get("/snapshots/browse/people").url.path == "/snapshots/connect"


def test_search_filters_companies_by_name_or_domain_and_people_by_email(site: Site) -> None:
    with browser(site) as client:
        by_name = client.get("/snapshots/browse/companies", params={"q": "cobalt"}).text
        by_domain = client.get("/snapshots/browse/companies", params={"q": "northwind-log"}).text
        by_email = client.get("/snapshots/browse/people", params={"q": "amara.okafor@"}).text
        nothing = client.get("/snapshots/browse/people", params={"q": "zzzz-nobody"}).text
    assert _names(by_name) == ["Cobalt Analytics"]
    assert _names(by_domain) == ["Northwind Logistics"]
    assert _names(by_email) == ["Amara Okafor"]
    assert row_ids(nothing) == [] and "Nothing matches" in nothing


def test_pages_of_rows_follow_limit_and_offset(site: Site) -> None:
    with browser(site) as client:
        everyone = row_ids(client.get("/snapshots/browse/people?limit=100").text)
        first = client.get("/snapshots/browse/people?limit=25").text
        later = client.get("/snapshots/browse/people?limit=25&offset=15").text
    assert len(everyone) == 20
    assert row_ids(first) == everyone and 'rel="next"' not in first
    assert row_ids(later) == everyone[15:]
    assert 'rel="prev"' in later


def test_the_next_link_shows_on_a_full_page(site: Site) -> None:
    with TestClient(site.emulator, headers={"Authorization": f"Bearer {KEY}"}) as api:
        for n in range(20):
            api.post(
                "/v2/objects/companies/records", json={"data": {"values": {"name": f"Extra {n}"}}}
            ).raise_for_status()
    with browser(site) as client:
        first = client.get("/snapshots/browse/companies?limit=25").text
        second = client.get("/snapshots/browse/companies?limit=25&offset=25").text
    assert len(row_ids(first)) == 25 and 'rel="next"' in first
    assert 'href="/snapshots/browse/companies?limit=25&amp;offset=25"' in first
    assert len(row_ids(second)) == 3 and 'rel="next"' not in second


def test_the_lists_tab_shows_a_lists_entries_named_after_their_records(site: Site) -> None:
    with browser(site) as client:
        html = client.get("/snapshots/browse/list-entries?list=sales_pipeline").text
        searched = client.get(
            "/snapshots/browse/list-entries", params={"list": "sales_pipeline", "q": "harbor"}
        ).text
    assert "Cobalt Analytics" in _names(html)
    assert "Negotiation" in html
    assert _names(searched) == ["Harbor Health"]


def test_import_selected_runs_with_progress_then_shows_the_badge_and_the_imports(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, backend=fake_backend(step_delay=0.05))
    with browser(site) as client:
        ids = _company_ids(site, client, "Northwind Logistics", "Cobalt Analytics")
        page = client.get("/snapshots/browse/companies").text
        started = client.post(
            "/snapshots/import",
            data={"kind": "companies", "id": ids},
            headers={"HX-Request": "true", "X-CSRF-Token": csrf(page)},
        )
        assert started.status_code == 202
        assert 'data-state="running"' in started.text and "<progress" in started.text
        done = _wait_done(client, started.text)
        browse = client.get("/snapshots/browse/companies").text
        imports = client.get("/snapshots/imports").text
        history = client.get(
            f"/snapshots/imports/{ids[0]}/history", headers={"HX-Request": "true"}
        ).text
    assert 'data-state="done"' in done
    assert "2 records imported." in done
    assert browse.count("already imported") == 2
    assert set(row_ids(imports)) == set(ids)
    assert "synced" in imports and "attio/companies/" in imports
    assert "import Northwind Logistics" in history


def test_an_import_names_what_failed(site: Site) -> None:
    with browser(site) as client:
        (good,) = _company_ids(site, client, "Harbor Health")
        done = _import(client, "companies", [good, "00000000-0000-0000-0000-000000000000"])
    assert 'data-state="done"' in done
    assert "1 record imported." in done
    assert "1 record failed:" in done
    assert "00000000-0000-0000-0000-000000000000" in done


def test_list_entries_are_imported_from_the_lists_tab(site: Site) -> None:
    with browser(site) as client:
        html = client.get("/snapshots/browse/list-entries?list=sales_pipeline").text
        entry = row_ids(html)[0]
        done = _import(client, "list-entries", [entry], "sales_pipeline")
        after = client.get("/snapshots/browse/list-entries?list=sales_pipeline").text
    assert "1 record imported." in done
    assert after.count("already imported") == 1


def test_an_import_page_without_htmx_is_a_page_of_its_own(site: Site) -> None:
    with browser(site) as client:
        (good,) = _company_ids(site, client, "Harbor Health")
        page = client.get("/snapshots/browse/companies").text
        response = client.post(
            "/snapshots/import", data={"kind": "companies", "id": [good], "csrf": csrf(page)}
        )
    assert response.status_code == 200
    assert response.url.path.startswith("/snapshots/jobs/")
    assert "<html" in response.text and 'id="job-status"' in response.text


def test_an_import_of_nothing_is_refused(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/snapshots/browse/companies").text
        response = client.post(
            "/snapshots/import",
            data={"kind": "companies"},
            headers={"HX-Request": "true", "X-CSRF-Token": csrf(page)},
        )
    assert response.status_code == 400
    assert "Select at least one record" in response.text


def test_connect_tests_a_key_and_saves_it_readable_by_the_user_only(tmp_path: Path) -> None:
    site = make_site(tmp_path, connected=False)
    with browser(site) as client:
        page = client.get("/snapshots/connect").text
        assert 'type="password"' in page
        wrong = client.post(
            "/snapshots/connect",
            data={
                "api_key": "not-the-key-9d1e",
                "base_url": "http://emulator.test",
                "csrf": csrf(page),
            },
        )
        tested = client.post(
            "/snapshots/connect",
            data={"api_key": KEY, "base_url": "http://emulator.test", "csrf": csrf(page)},
        )
        assert load_settings(site.project) is None  # tested, not saved
        saved = client.post(
            "/snapshots/connect",
            data={
                "api_key": KEY,
                "base_url": "http://emulator.test",
                "action": "save",
                "csrf": csrf(page),
            },
        )
        browse = client.get("/snapshots/browse/companies")
    assert "Attio refused this API key" in wrong.text
    assert "not-the-key-9d1e" not in wrong.text
    assert "Connected to the workspace" in tested.text
    assert "Connected to the workspace" in saved.text and "is saved in" in saved.text
    for response in (wrong, tested, saved):
        assert KEY not in response.text
    settings = site.project / ".attio-bridge" / "settings.toml"
    assert stat.S_IMODE(os.stat(settings).st_mode) == 0o600
    assert (site.project / ".attio-bridge" / ".gitignore").read_text().splitlines()[-1] == "*"
    found = load_settings(site.project)
    assert found is not None and found.api_key == KEY
    assert KEY not in repr(found)
    assert browse.status_code == 200 and len(row_ids(browse.text)) == 8


def test_connect_says_when_the_api_cannot_be_reached(tmp_path: Path) -> None:
    site = make_site(tmp_path, connected=False)
    site.pages.config.transport = None  # a real connection, to a port nothing listens on
    with browser(site) as client:
        page = client.get("/snapshots/connect").text
        response = client.post(
            "/snapshots/connect",
            data={"api_key": KEY, "base_url": "http://127.0.0.1:9", "csrf": csrf(page)},
        )
    assert "Cannot reach the Attio API" in response.text
    assert KEY not in response.text


def test_the_sandbox_key_is_connected_from_the_start(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/snapshots/connect").text
        page_csrf = csrf(page)
        tested = client.post("/snapshots/connect", data={"csrf": page_csrf})
    assert "This project is connected." in page
    assert KEY not in page
    assert "Connected to the workspace" in tested.text


def test_pages_carry_the_security_headers(site: Site) -> None:
    with browser(site) as client:
        response = client.get("/snapshots/browse/companies")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    cookie = response.headers["set-cookie"].lower()  # cookie attributes ignore case (RFC 6265)
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_language_follows_the_browser_and_the_switch(site: Site) -> None:
    with browser(site, **{"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}) as client:
        french = client.get("/snapshots/browse/companies").text
        switched = client.get("/snapshots/lang/ar", params={"next": "/snapshots/browse/companies"})
        arabic = switched.text
        elsewhere = client.get("/snapshots/lang/en", params={"next": "https://evil.test/"})
    assert '<html lang="fr" dir="ltr">' in french and "Importer la sélection" in french
    assert switched.url.path == "/snapshots/browse/companies"
    assert '<html lang="ar" dir="rtl">' in arabic and "استيراد المحدد" in arabic
    # The standard attributes' column titles are translated too, not shown as slugs.
    assert "<th>Domaines</th>" in french and "<th>Effectif</th>" in french
    assert "<th>النطاقات</th>" in arabic and "employee" not in arabic.split("<tbody")[0]
    assert elsewhere.url.host == "127.0.0.1"
    assert elsewhere.url.path == "/snapshots/browse/companies"


def test_a_folder_that_is_not_a_repository_is_made_one_when_asked(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.rmtree(site.project / ".git")
    with browser(site) as client:
        refused = client.get("/snapshots/browse/companies")
        made = client.post("/snapshots/init", data={"csrf": csrf(refused.text)})
    assert refused.status_code == 409
    assert "is not a git repository" in refused.text and 'id="init-project"' in refused.text
    assert made.status_code == 200 and made.url.path == "/snapshots/browse/companies"
    assert (site.project / ".git").exists()
