"""The pages' defences: CSRF tokens on every form, record names escaped, a login and separate
projects when served beyond loopback, a path-traversal record name kept inside the project, and
signed sessions that cannot be forged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.state import open_store
from attio_bridge.web import create_app
from attio_bridge.web.security import Users
from attio_bridge.web.sync_pages import ConflictPages

from ._pages import KEY, Site, browser, csrf, library_backend, make_site, row_ids
from ._support import make_service
from .test_pages import _import, _wait_done

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _company(site: Site, name: str, domain: str | None = None) -> str:
    values: dict[str, object] = {"name": name}
    if domain:
        values["domains"] = [domain]
    with TestClient(site.emulator, headers={"Authorization": f"Bearer {KEY}"}) as api:
        made = api.post("/v2/objects/companies/records", json={"data": {"values": values}})
    made.raise_for_status()
    return str(made.json()["data"]["id"]["record_id"])


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/snapshots/import", {"kind": "companies", "id": "x"}),
        ("/snapshots/connect", {"api_key": "k", "action": "save"}),
        ("/snapshots/logout", {}),
    ],
)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_form_post_without_the_sessions_csrf_token_is_refused(
    site: Site, path: str, data: dict[str, str], token: str | None
) -> None:
    with browser(site) as client:
        client.get("/snapshots/browse/companies")  # the session and its token exist
        sent = dict(data, csrf=token) if token else data
        response = client.post(path, data=sent, headers={"Origin": "https://evil.test"})
    assert response.status_code == 403
    assert "came from another site" in response.text
    assert not (site.project / ".attio-bridge").exists()


def test_a_cross_site_post_with_no_session_at_all_is_refused(site: Site) -> None:
    with browser(site) as client:
        response = client.post(
            "/snapshots/import", data={"kind": "companies", "id": "x", "csrf": "guess"}
        )
    assert response.status_code == 403


def test_the_token_of_another_session_is_refused(site: Site) -> None:
    with browser(site) as first:
        token = csrf(first.get("/snapshots/browse/companies").text)
    with TestClient(site.app, base_url="http://127.0.0.1") as second:
        second.get("/snapshots/browse/companies")
        response = second.post(
            "/snapshots/import", data={"kind": "companies", "id": "x", "csrf": token}
        )
    assert response.status_code == 403


def test_an_xss_record_name_is_shown_escaped_on_every_page(site: Site) -> None:
    record_id = _company(site, XSS, "xss-name-test.com")
    with browser(site) as client:
        browse = client.get("/snapshots/browse/companies", params={"q": "xss-name-test.com"}).text
        done = _import(client, "companies", [record_id])
        imports = client.get("/snapshots/imports").text
        searched = client.get("/snapshots/browse/companies", params={"q": XSS}).text
    for html in (browse, imports, searched):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in browse
    assert "&lt;script&gt;" in imports
    assert "1 record imported." in done


def test_a_link_is_never_a_javascript_url(site: Site) -> None:
    from attio_bridge.web.snapshots import _safe_url

    assert _safe_url("javascript:alert(1)") == ""
    assert _safe_url("https://app.attio.com/x/company/1") == "https://app.attio.com/x/company/1"


def test_a_tampered_session_cookie_is_an_empty_session(tmp_path: Path) -> None:
    site = make_site(tmp_path, require_login=True)
    Users(site.store).add("alice", "correct horse battery")
    with browser(site) as client:
        token = csrf(client.get("/snapshots/login").text)
        client.post(
            "/snapshots/login",
            data={"user": "alice", "password": "correct horse battery", "csrf": token},
        )
        cookie = client.cookies.get("attio_bridge_session")
        assert cookie
        assert client.get("/snapshots/imports").url.path == "/snapshots/imports"
        client.cookies.set("attio_bridge_session", cookie[:-4] + "AAAA")
        assert client.get("/snapshots/imports").url.path == "/snapshots/login"


def _login(client: TestClient, name: str, password: str) -> int:
    token = csrf(client.get("/snapshots/login").text)
    response = client.post(
        "/snapshots/login", data={"user": name, "password": password, "csrf": token}
    )
    return response.status_code


def test_beyond_loopback_the_pages_need_a_login(tmp_path: Path) -> None:
    site = make_site(tmp_path, require_login=True)
    Users(site.store).add("alice", "correct horse battery")
    with browser(site) as client:
        assert client.get("/snapshots/browse/companies").url.path == "/snapshots/login"
        unauthorised = client.get("/snapshots/imports", headers={"HX-Request": "true"})
        assert unauthorised.status_code == 401
        assert unauthorised.headers["hx-redirect"] == "/snapshots/login"
        assert _login(client, "alice", "wrong password!") == 401
        assert _login(client, "nobody", "correct horse battery") == 401
        assert _login(client, "alice", "correct horse battery") == 200
        page = client.get("/snapshots/browse/companies")
        assert page.url.path == "/snapshots/browse/companies" and "alice" in page.text
        client.post("/snapshots/logout", data={"csrf": csrf(page.text)})
        assert client.get("/snapshots/imports").url.path == "/snapshots/login"


def test_beyond_loopback_the_events_and_conflicts_pages_need_the_same_login(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, require_login=True)
    Users(site.store).add("alice", "correct horse battery")

    async def never(conflict_id: str, take: str) -> Any:
        raise AssertionError("nothing is resolved here")

    app = create_app(make_service(), pages=site.pages, sync_pages=ConflictPages(site.store, never))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for path in ("/", "/events/feed", "/sync/conflicts", "/sync"):
            assert client.get(path).url.path == "/snapshots/login", path
        feed = client.get("/events/feed", headers={"HX-Request": "true"})
        assert feed.status_code == 401 and feed.headers["hx-redirect"] == "/snapshots/login"
        refused = client.post("/sync/conflicts/c1/resolve", data={"take": "attio"})
        assert refused.url.path == "/snapshots/login"
        assert _login(client, "alice", "correct horse battery") == 200
        for path in ("/", "/sync/conflicts"):
            page = client.get(path)
            assert page.status_code == 200 and page.url.path == path, path
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-frame-options"] == "DENY"
            assert "<style>" not in page.text and "<script>" not in page.text
    site.store.close()


def test_on_loopback_the_events_page_needs_no_login_and_carries_the_headers(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/")
        assert page.status_code == 200 and "Events" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert client.get("/static/events.css").status_code == 200
        # Typed without its slash, the snapshot pages' address still leads there.
        moved = client.get("/snapshots", follow_redirects=False)
        assert moved.status_code == 307 and moved.headers["location"] == "/snapshots/"


def test_a_second_user_cannot_see_the_first_users_projects(tmp_path: Path) -> None:
    site = make_site(tmp_path, require_login=True)
    users = Users(site.store)
    users.add("alice", "alice's password")
    users.add("bob", "bob's password!")
    with browser(site) as alice:
        assert _login(alice, "alice", "alice's password") == 200
        page = alice.get("/snapshots/imports").text
        alice.post("/snapshots/projects", data={"name": "personas", "csrf": csrf(page)})
        ids = row_ids(alice.get("/snapshots/browse/companies").text)[:2]
        token = csrf(alice.get("/snapshots/browse/companies").text)
        started = alice.post(
            "/snapshots/import",
            data={"kind": "companies", "id": ids},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        _wait_done(alice, started.text)
        job_path = "/snapshots/jobs/" + started.text.split("/snapshots/jobs/")[1].split('"')[0]
        alices = alice.get("/snapshots/imports").text
    assert set(row_ids(alices)) == set(ids) and "personas" in alices

    with TestClient(site.app, base_url="http://127.0.0.1") as bob:
        assert _login(bob, "bob", "bob's password!") == 200
        bobs = bob.get("/snapshots/imports").text
        token = csrf(bobs)
        chosen = bob.post("/snapshots/projects/select", data={"project": "personas", "csrf": token})
        job = bob.get(job_path)
        history = bob.get(f"/snapshots/imports/{ids[0]}/history")
        browse = bob.get("/snapshots/browse/companies").text
    assert row_ids(bobs) == []
    assert "personas" not in bobs
    assert chosen.status_code == 404
    assert job.status_code == 404
    assert history.status_code == 404
    assert "already imported" not in browse
    assert (tmp_path / "projects" / "alice" / "personas" / ".git").exists()
    assert not (tmp_path / "projects" / "bob" / "personas").exists()


def test_users_are_kept_as_argon2_hashes_never_the_password(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    users = Users(store)
    assert users.add("carol", "a long password") is True
    assert users.add("carol", "another password") is False
    stored = store.get("web-users", "carol")
    assert stored is not None and stored["hash"].startswith("$argon2")
    assert "password" not in str(stored)
    assert users.verify("carol", "another password")
    assert not users.verify("carol", "a long password")
    assert users.names() == ["carol"]
    with pytest.raises(ValueError, match="not a user name"):
        users.add("../etc", "a long password")
    with pytest.raises(ValueError, match="too short"):
        users.add("dave", "short")
    store.close()


def test_a_path_traversal_record_name_ends_up_as_a_safe_file(tmp_path: Path) -> None:
    backend = library_backend()
    if backend is None:
        pytest.skip("the file names are the snapshot library's: it is merged beside the pages")
    site = make_site(tmp_path, backend=backend)
    record_id = _company(site, "../../etc/passwd", "traversal-test.com")
    with browser(site) as client:
        done = _import(client, "companies", [record_id])
    assert "1 record imported." in done
    written = [p for p in (site.project / "attio").rglob("*.json")]
    assert len(written) == 1
    path = written[0].resolve()
    assert path.is_relative_to((site.project / "attio" / "companies").resolve())
    assert ".." not in path.name and "/" not in path.name
    assert not (tmp_path / "etc").exists()


def test_the_session_cookie_is_secure_only_over_https(site: Site) -> None:
    with TestClient(site.app, base_url="https://127.0.0.1") as client:
        secure = client.get("/snapshots/browse/companies").headers["set-cookie"].lower()
    with browser(site) as client:
        plain = client.get("/snapshots/browse/companies").headers["set-cookie"].lower()
    assert "; secure" in secure and "httponly" in secure
    assert "; secure" not in plain and "httponly" in plain
