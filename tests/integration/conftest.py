"""Fixtures that start real servers: ``dovecot`` (IMAP) and ``smtp_server`` (aiosmtpd); skip when missing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import dovecot as dovecot_server
from tests.servers.smtp import SmtpServer


class MemoryCursor:
    """The register's cursor store, as far as a mailbox can tell."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value


@pytest.fixture
def cursor() -> MemoryCursor:
    return MemoryCursor()


@pytest.fixture
def server_root() -> Iterator[Path]:
    # Not pytest's tmp_path: that is private to root, and Dovecot runs as an unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(server_root: Path) -> Iterator[dovecot_server.Dovecot]:
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed (Debian package dovecot-imapd)")
    with dovecot_server.running_dovecot(server_root) as server:
        yield server


@pytest.fixture
def dovecot_tls(server_root: Path) -> Iterator[dovecot_server.Dovecot]:
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed (Debian package dovecot-imapd)")
    with dovecot_server.running_dovecot(server_root, tls=True) as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
