"""The desk in a real browser: login, the queue, a request, editing and approving a reply, mail at the server."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path
from typing import Any

import pytest

from mailbot.register import store
from tests.desk.conftest import STAFF, Desk, login
from tests.desk.factory import add_customer, open_request
from tests.mailmaker import FAIL

pytestmark = pytest.mark.browser


def test_login_queue_request_edit_approve_sends_the_edited_mail(desk: Desk, page: Any) -> None:
    add_customer(desk.app)
    ref = open_request(desk.app)
    forged = open_request(desk.app, sender="Eve <jan@example.nl>", subject="Verwijder mijn gegevens",
                          body="Verwijder al mijn gegevens.", auth=FAIL)

    page.goto(desk.url + f"/requests/{ref}")
    assert page.url.endswith("/login"), "nothing without login"
    login(page, desk.url)
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert page.locator(f"tr.row-flagged >> text={forged}").count() == 1
    assert "1 gemarkeerd" in page.inner_text("section.glance")

    page.click(f"text={ref}")
    assert "Inzage in mijn gegevens" in page.inner_text("article.mail")
    assert "dmarc=pass" in page.inner_text("article.mail")
    page.click("button:has-text('Afhandelen')")
    draft = page.locator("article.reply.draft")
    assert draft.count() == 1
    page.fill("article.reply.draft textarea[name=text]",
              page.input_value("article.reply.draft textarea[name=text]") + "\nMet een persoonlijke noot van Anna.\n")
    page.click("article.reply.draft button:has-text('Wijzigingen opslaan')")
    assert "persoonlijke noot van Anna" in page.input_value("article.reply.draft textarea[name=text]")

    page.click("article.reply.draft >> text=Voorbeeld zoals verzonden")
    assert "persoonlijke noot van Anna" in page.inner_text("pre.body")
    assert f"[{ref}]" in page.inner_text("table.headers")
    assert "gegevens-" + ref + ".json" in page.inner_text("main")
    page.go_back()

    page.click("article.reply.draft button:has-text('Goedkeuren en versturen')")
    assert "Afgehandeld" in page.inner_text("h1")

    got = desk.smtp.wait_for(2)  # the acknowledgement the pipeline queued, then the approved completion
    mails = [email.message_from_bytes(m.data, policy=policy.default) for m in got]
    [completion] = [m for m in mails if "afgehandeld" in m["Subject"]]
    assert completion["To"] == "jan@example.nl"
    assert f"[{ref}]" in completion["Subject"]
    body = completion.get_body(("plain",))
    assert body is not None and "persoonlijke noot van Anna" in body.get_content()
    files = {part.get_filename(): part.get_content() for part in completion.iter_attachments()}
    exported = json.loads(files[f"gegevens-{ref}.json"])
    assert exported["customer"]["customer_id"] == "C-1001"
    assert any(p["name"] == "Mollie" for p in exported["processors"])

    with desk.app.session() as session:
        request = store.request_by_ref(session, ref)
        assert request is not None and request.status == "completed"
        actions = [(e.actor, e.action) for e in store.history_of(session, request)]
    assert ("anna", "approved") in actions and ("anna", "reply edited") in actions


def test_staff_role_can_draft_but_not_send(desk: Desk, page: Any) -> None:
    add_customer(desk.app)
    ref = open_request(desk.app)
    login(page, desk.url, STAFF)
    page.click(f"text={ref}")
    assert page.locator("button:has-text('Goedkeuren en versturen')").count() == 0
    page.select_option("select[name=kind]", "completion")
    page.click("button:has-text('Opstellen')")
    assert page.locator("article.reply.draft").count() == 1
    assert "goedkeurder" in page.inner_text("section.decisions")


def test_hostile_mail_runs_nothing_in_the_browser(desk: Desk, page: Any) -> None:
    raw = (Path(__file__).resolve().parents[1] / "mails" / "hostile-html.eml").read_bytes()
    ref = open_request(desk.app, raw=raw)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, desk.url)
    page.click(f"text={ref}")
    page.click("article.mail summary")
    frame = page.frame_locator("iframe.mailhtml")
    assert "Verwijder al mijn gegevens" in frame.locator("body").inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert not [u for u in requests if "evil.example" in u]
    assert "SCRIPT-LEAK" not in frame.locator("body").inner_text()
    assert page.title().endswith("IT Services Best")
