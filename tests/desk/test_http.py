"""The desk over HTTP: login, roles, CSRF, session expiry, rate limit, hostile mail, no personal data in URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mailbot.app import App
from mailbot.desk import accounts, create_app
from mailbot.register import store
from tests.desk.conftest import APPROVER, STAFF, Served
from tests.desk.factory import add_customer, make_app, open_request

MAILS = Path(__file__).resolve().parents[1] / "mails"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(tmp_path: Path) -> App:
    app = make_app(tmp_path, desk={"session_minutes": 30})
    accounts.add(app.engine, APPROVER[0], "approver", APPROVER[1])
    accounts.add(app.engine, STAFF[0], "staff", STAFF[1])
    add_customer(app)
    return app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(app: App, clock: Clock) -> Iterator[httpx.Client]:
    sent: list[int] = []

    class NoTransport:
        def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
            sent.append(len(raw))

        def close(self) -> None:
            pass

    with Served(create_app(app, clock=clock, transport=NoTransport)) as url, httpx.Client(base_url=url) as c:
        yield c


def login(client: httpx.Client, who: tuple[str, str] = APPROVER) -> str:
    """Logs in; returns the session's CSRF token as the pages carry it."""
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/login", data={"name": who[0], "password": who[1], "csrf": token.group(1)})
    assert response.status_code == 303, response.text
    queue = client.get("/")
    assert queue.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', queue.text)
    assert found is not None
    return found.group(1)


def status_of(app: App, ref: str) -> str:
    with app.session() as session:
        request = store.request_by_ref(session, ref)
        assert request is not None
        return request.status


def test_nothing_without_login(client: httpx.Client, app: App) -> None:
    ref = open_request(app)
    for path in ("/", f"/requests/{ref}", "/mail/quarantine", "/mail/authority"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    response = client.post(f"/requests/{ref}/complete", data={})
    assert response.status_code == 303
    assert status_of(app, ref) == "pending_approval"


def test_login_with_wrong_password_fails_and_session_cookie_is_hardened(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = client.post("/login", data={"name": "anna", "password": "wrong-wrong-wrong", "csrf": token})
    assert bad.status_code == 401
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    good = client.post("/login", data={"name": "anna", "password": APPROVER[1], "csrf": token})
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "anna" not in good.headers["set-cookie"]


def test_login_form_without_its_token_is_refused(client: httpx.Client) -> None:
    response = client.post("/login", data={"name": "anna", "password": APPROVER[1], "csrf": "forged"})
    assert response.status_code == 403
    assert "desk_session" not in response.headers.get("set-cookie", "")


def test_every_form_needs_the_csrf_token(client: httpx.Client, app: App) -> None:
    ref = open_request(app)
    token = login(client)
    assert client.post(f"/requests/{ref}/complete", data={}).status_code == 403
    assert client.post(f"/requests/{ref}/complete", data={"csrf": "x" * len(token)}).status_code == 403
    assert status_of(app, ref) == "pending_approval"
    with app.session() as session:
        request = store.request_by_ref(session, ref)
        assert request is not None
        assert [r.kind for r in store.replies_of(session, request)] == ["acknowledgement"]
    assert client.post(f"/requests/{ref}/complete", data={"csrf": token}).status_code == 303
    with app.session() as session:
        request = store.request_by_ref(session, ref)
        assert request is not None
        assert [r.kind for r in store.replies_of(session, request)] == ["acknowledgement", "completion"]


def test_staff_may_draft_and_edit_but_only_approvers_send(client: httpx.Client, app: App) -> None:
    ref = open_request(app)
    token = login(client, STAFF)
    assert client.post(f"/requests/{ref}/draft", data={"csrf": token, "kind": "completion"}).status_code == 303
    with app.session() as session:
        request = store.request_by_ref(session, ref)
        assert request is not None
        draft = store.replies_of(session, request)[-1]
    edited = client.post(f"/requests/{ref}/replies/{draft.id}",
                         data={"csrf": token, "subject": "Afgehandeld", "text": "Beste Jan,\n\nKlaar."})
    assert edited.status_code == 303
    for action, data in (("approve", {}), ("reject", {"reason": "nee"}), ("complete", {}),
                         ("extend", {"months": "1", "reason": "druk"}), ("withdraw", {})):
        response = client.post(f"/requests/{ref}/{action}", data={"csrf": token, **data})
        assert response.status_code == 409, action
        assert "approver" in response.text
    assert status_of(app, ref) == "pending_approval"


def test_session_expires(client: httpx.Client, clock: Clock) -> None:
    login(client)
    clock.now += 29 * 60
    assert client.get("/").status_code == 200
    clock.now += 2 * 60
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login?expired=1"


def test_password_change_and_disabling_end_sessions(client: httpx.Client, app: App) -> None:
    login(client)
    accounts.set_password(app.engine, "anna", "een-nieuw-wachtwoord")
    assert client.get("/").status_code == 303
    login(client, ("anna", "een-nieuw-wachtwoord"))
    accounts.disable(app.engine, "anna")
    assert client.get("/").status_code == 303


def test_login_rate_limit(client: httpx.Client) -> None:
    for _ in range(5):
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        assert client.post("/login", data={"name": "anna", "password": "guess-guess", "csrf": token}).status_code == 401
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    blocked = client.post("/login", data={"name": "anna", "password": APPROVER[1], "csrf": token})
    assert blocked.status_code == 429


def test_hostile_html_is_sanitised_and_sandboxed(client: httpx.Client, app: App) -> None:
    ref = open_request(app, raw=(MAILS / "hostile-html.eml").read_bytes())
    login(client)
    page = client.get(f"/requests/{ref}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    frames = re.findall(r"<iframe[^>]*>", page.text)
    assert frames and all('sandbox=""' in f for f in frames)
    srcdoc = " ".join(re.findall(r'srcdoc="([^"]*)"', page.text))
    assert "Verwijder al mijn gegevens" in srcdoc
    for leak in ("&lt;script", "onerror", "onload", "javascript:", "&lt;iframe", "&lt;object", "&lt;meta",
                 "&lt;style", "SCRIPT-LEAK", "data:text/html"):
        assert leak not in srcdoc, leak
    assert "<script" not in page.text.lower()


def test_search_only_by_post_so_no_personal_data_in_urls(client: httpx.Client, app: App) -> None:
    ref = open_request(app)
    other = open_request(app, sender="Emma Smith <emma@example.co.uk>", subject="Access request",
                         body="Please send me a copy of all personal data you hold about me.")
    token = login(client)
    found = client.post("/", data={"csrf": token, "q": "emma", "status": "open"})
    assert other in found.text and ref not in found.text
    ignored = client.get("/?q=emma")
    assert ref in ignored.text and other in ignored.text
    assert 'method="get"' not in found.text.lower()


def test_queue_shows_processing_stopped_and_counters(client: httpx.Client, app: App) -> None:
    ref = open_request(app, subject="Bezwaar", body="Ik maak bezwaar tegen de verwerking van mijn gegevens.")
    login(client)
    page = client.get("/")
    assert ref in page.text
    assert "Verwerking gestaakt" in page.text
    detail = client.get(f"/requests/{ref}")
    assert "Verwerking gestaakt" in detail.text


def test_english_interface(client: httpx.Client, app: App) -> None:
    open_request(app)
    login(client)
    client.get("/lang/en")
    assert "Awaiting approval" in client.get("/").text
