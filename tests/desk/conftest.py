"""The desk served for real (uvicorn on a loopback port) with a recording SMTP server behind its outbox."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mailbot.app import App
from mailbot.desk import accounts, create_app
from tests.desk.factory import make_app
from tests.servers import free_port
from tests.servers.smtp import SmtpServer, running_smtp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
APPROVER = ("anna", "anna-wachtwoord-1")
STAFF = ("bert", "bert-wachtwoord-1")


@dataclass
class Desk:
    url: str
    app: App
    smtp: SmtpServer


class Served:
    """uvicorn in a thread; stopped by flag, joined, so no port or thread outlives the test."""

    def __init__(self, asgi: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=self.port, log_level="warning",
                                                   ws="none", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the desk did not start")
            self.thread.join(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture
def desk_app(tmp_path: Path, smtp: SmtpServer) -> App:
    app = make_app(tmp_path, outgoing={"backend": "smtp", "host": smtp.host, "port": smtp.port,
                                       "security": "none", "auth": "none"},
                   digest={"desk_url": "http://desk.example"})
    accounts.add(app.engine, APPROVER[0], "approver", APPROVER[1])
    accounts.add(app.engine, STAFF[0], "staff", STAFF[1])
    return app


@pytest.fixture
def desk(desk_app: App, smtp: SmtpServer) -> Iterator[Desk]:
    with Served(create_app(desk_app)) as url:
        yield Desk(url, desk_app, smtp)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian's chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10000)
    yield tab
    context.close()


def login(page: Any, url: str, who: tuple[str, str] = APPROVER) -> None:
    page.goto(url + "/")
    page.fill("input[name=name]", who[0])
    page.fill("input[name=password]", who[1])
    page.click("form.login button[type=submit]")
    page.wait_for_selector("table.queue, p.muted")
