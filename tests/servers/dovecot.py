"""A real Dovecot IMAP server on a loopback port, with its own config, users and mail in a temporary folder.

Dovecot itself runs unprivileged: as the current user, or as ``nobody`` when the tests run as root, so a test
can never touch the machine's mail. Mail survives ``restart()``; ``stop()`` ends it.

With ``introspection_url`` it also takes OAuth2 bearer tokens (SASL XOAUTH2 / OAUTHBEARER) through Dovecot 2.3's
``oauth2`` passdb, which asks that RFC 7662 endpoint (``introspection_mode = post``) about every token; the
password login the test's own client uses keeps working beside it.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from tests.servers import Account, free_port, give_to, self_signed_cert, unprivileged_account

DOVECOT = "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
instance_name = mailbot-test-{port}
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = {ssl}
{ssl_files}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
imap_idle_notify_interval = 1 secs
mailbox_idle_check_interval = 1 secs
{oauth2_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
{password_mechanisms}}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
service imap-login {{
  chroot =
  user = {user}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
service imap {{
  user = {user}
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
service log {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""

# Only in OAuth2 mode: XOAUTH2 beside PLAIN, tokens checked by the introspection endpoint, and refusals answered
# at once (no 2-second failure delay, no growing per-IP penalty) so the tests that want a refusal stay quick.
OAUTH2_PASSDB = """\
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""

# Key names as in Dovecot 2.3's PasswordDatabase.oauth2 and /usr/share/dovecot/dovecot-oauth2.conf.ext.
OAUTH2_CONF = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
debug = yes
"""


class Dovecot:
    """One throwaway Dovecot; ``user``/``password`` can log in; ``port`` is plain IMAP (STARTTLS when ``tls``).

    ``introspection_url`` (off by default) switches on OAuth2: ``user`` may then also log in with any bearer token
    that endpoint calls active for that user.
    """

    def __init__(
        self, root: Path, *, user: str = "info@itsb.nu", password: str = "secret", tls: bool = False,
        introspection_url: str | None = None,
    ):
        self.root = root
        self.user = user
        self.password = password
        self.host = "127.0.0.1"
        self.port = free_port()
        self.ssl_port = free_port()
        self.tls = tls
        self.introspection_url = introspection_url
        self.cert: Path | None = None
        self.account: Account = unprivileged_account()
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        ssl_files = ""
        if self.tls:
            self.cert, key = self_signed_cert(self.root)
            ssl_files = f"ssl_cert = <{self.cert}\nssl_key = <{key}"
        oauth2_passdb = password_mechanisms = ""
        if self.introspection_url is not None:
            (self.root / "dovecot-oauth2.conf.ext").write_text(OAUTH2_CONF.format(url=self.introspection_url))
            oauth2_passdb = OAUTH2_PASSDB.format(root=self.root)
            password_mechanisms = "  mechanisms = plain login\n"  # a token is never checked as a password
        acct = self.account
        (self.root / "passwd").write_text(
            f"{self.user}:{self.password}:{acct.uid}:{acct.gid}::{self.root}/mail/{self.user}::\n"
        )
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root, port=self.port, ssl_port=self.ssl_port if self.tls else 0,
                user=acct.name, group=_group_name(acct.gid), uid=acct.uid, gid=acct.gid,
                ssl="yes" if self.tls else "no", ssl_files=ssl_files, oauth2_passdb=oauth2_passdb,
                password_mechanisms=password_mechanisms,
            )
        )
        give_to(acct, self.root)

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        kwargs: dict[str, object] = {}
        if self.account.drops_privileges:
            kwargs = {"user": self.account.uid, "group": self.account.gid, "extra_groups": []}
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
            **kwargs,  # type: ignore[arg-type]
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                raise RuntimeError(f"dovecot did not start: {err}\n{self.log}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}\n{self.log}")

    def stop(self) -> None:
        """End the master and every process of this instance, so clients see their connections drop."""
        process, self._process = self._process, None
        if process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # imap processes left behind by the master
        if process.stderr:
            process.stderr.close()

    def restart(self, downtime: float = 0.0) -> None:
        self.stop()
        time.sleep(downtime)
        self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # --- a plain IMAP client for the test's side of things (stdlib, so it shares nothing with mailbot) ---

    @contextmanager
    def client(self, folder: str = "INBOX") -> Iterator[imaplib.IMAP4]:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            imap.login(self.user, self.password)
            imap.select(_quote(folder))
            yield imap
        finally:
            with suppress(OSError, imaplib.IMAP4.error):
                imap.logout()

    def append(self, raw: bytes, folder: str = "INBOX", *, when: datetime | None = None, flags: str = "") -> int:
        """Deliver one mail the way a server does (APPEND with INTERNALDATE); returns its UID."""
        with self.client(folder) as imap:
            typ, data = imap.append(
                _quote(folder), f"({flags})" if flags else None,
                imaplib.Time2Internaldate(when) if when else None, raw,
            )
            if typ != "OK":
                raise RuntimeError(f"APPEND failed: {data}")
            code = imap.response("APPENDUID")[1]
            return int(code[0].split()[1])

    def append_many(self, raws: Iterator[bytes], folder: str = "INBOX") -> int:
        """Fast bulk delivery over one connection (benchmarks)."""
        count = 0
        with self.client(folder) as imap:
            for raw in raws:
                imap.append(_quote(folder), None, None, raw)
                count += 1
        return count

    def create(self, folder: str) -> None:
        with self.client() as imap:
            imap.create(_quote(folder))

    def recreate(self, folder: str = "INBOX") -> None:
        """Make the folder forget its UIDs (a new UIDVALIDITY), keeping none of its mail."""
        path = self.root / "mail" / self.user
        if folder != "INBOX":
            path = path / f".{folder}"
        for name in ("dovecot-uidlist", "dovecot.index", "dovecot.index.log", "dovecot.index.cache"):
            (path / name).unlink(missing_ok=True)

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        with self.client(folder) as imap:
            typ, data = imap.uid("FETCH", str(uid), "(FLAGS)")
            if typ != "OK" or not data or data[0] is None:
                raise KeyError(uid)
            return {flag.decode() for flag in imaplib.ParseFlags(data[0])}

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client(folder) as imap:
            _, data = imap.uid("SEARCH", "ALL")
            return [int(x) for x in data[0].split()]


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def available() -> bool:
    return os.path.exists(DOVECOT) and shutil.which("doveconf") is not None


@contextmanager
def running_dovecot(root: Path, **kwargs: object) -> Iterator[Dovecot]:
    server = Dovecot(root, **kwargs)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()
