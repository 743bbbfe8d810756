"""Fixtures shared by the whole suite: a project folder on the embedded default, and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("MAILBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every server the tests need is installed and started by .ci/run, so a skip is a failure."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI that is a failure", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with config/mailbot.toml on the embedded default (Maildir, .eml outbox, SQLite)."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "mailbot.toml").write_text(
        '[mailbox]\nbackend = "maildir"\npath = "../var/mail"\n'
        '[outgoing]\nbackend = "file"\npath = "../var/outbox"\n'
        '[database]\nurl = "sqlite:///../var/mailbot.db"\n',
        encoding="utf-8",
    )
    for name in list(os.environ):
        if name.startswith("MAILBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _pg_available() -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not _pg_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"mailbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The register's URL on each supported database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    return request.getfixturevalue("pg_url")
