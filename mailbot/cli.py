"""The commands of the contract: parse arguments, call the app, print. Exit 0 ok, 2 usage/config, 1 failure."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailbot import config

log = logging.getLogger("mailbot")


class UsageError(Exception):
    """Wrong arguments: exit 2 with one line."""


class Failure(Exception):
    """The command could not do its job: exit 1 with one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailbot", description="Privacy-request desk on a company mailbox.")
    parser.add_argument("--config", metavar="PATH", help="TOML settings (default: $MAILBOT_CONFIG, "
                        "then config/mailbot.toml, then the embedded defaults)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("classify", help="classify .eml files without touching any state")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("run", help="the bot: read new mail, handle it, send what may be sent")
    p.add_argument("--once", action="store_true", help="one full pass, then exit")
    p.add_argument("--since", metavar="DATE", help="never answer mail that arrived before this ISO date/time")

    p = sub.add_parser("requests", help="the register of requests")
    rs = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = rs.add_parser("list")
    q.add_argument("--status")
    q.add_argument("--json", action="store_true")
    q = rs.add_parser("show")
    q.add_argument("ref")
    q.add_argument("--json", action="store_true")
    q = rs.add_parser("import")
    q.add_argument("file", type=Path)
    for name in ("approve", "verify", "unflag", "discard", "complete", "withdraw"):
        q = rs.add_parser(name)
        q.add_argument("ref")
        q.add_argument("--by", required=True, metavar="NAME")
    q = rs.add_parser("reject")
    q.add_argument("ref")
    q.add_argument("--by", required=True, metavar="NAME")
    q.add_argument("--reason", required=True)
    q = rs.add_parser("extend")
    q.add_argument("ref")
    q.add_argument("--by", required=True, metavar="NAME")
    q.add_argument("--months", type=int, choices=(1, 2), default=2)
    q.add_argument("--reason", required=True)

    p = sub.add_parser("customers", help="known customers")
    cs = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = cs.add_parser("import")
    q.add_argument("file", type=Path)

    p = sub.add_parser("quarantine", help="mail that could not be handled, kept whole")
    qs = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = qs.add_parser("list")
    q.add_argument("--json", action="store_true")
    q = qs.add_parser("retry")
    q.add_argument("id", type=int)

    p = sub.add_parser("digest", help="the weekly digest")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--preview", action="store_true")
    g.add_argument("--send", action="store_true")

    p = sub.add_parser("staff", help="desk accounts")
    ss = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ss.add_parser("add")
    q.add_argument("name")
    q.add_argument("--role", choices=("staff", "approver"), required=True)
    q.add_argument("--email", default="", help="where approvers get the daily due-soon alert")
    ss.add_parser("list")
    q = ss.add_parser("disable")
    q.add_argument("name")
    q = ss.add_parser("password")
    q.add_argument("name")

    p = sub.add_parser("serve", help="the staff web desk")
    p.add_argument("--host")
    p.add_argument("--port", type=int)

    p = sub.add_parser("demo", help="the main job on the embedded default, with sample mail")
    p.add_argument("--no-serve", action="store_true", help="stop after the mail is handled")

    p = sub.add_parser("eval", help="classifier figures on a labelled corpus folder")
    p.add_argument("directory", type=Path)
    return parser


_opened: list[Any] = []


def _app(args: argparse.Namespace) -> Any:
    """The app for this command; main() closes it (and its database connections) on the way out."""
    from mailbot.app import App

    app = App(config.load(args.config))
    _opened.append(app)
    return app


# -- commands -------------------------------------------------------------------------------------------


def cmd_classify(args: argparse.Namespace) -> int:
    from mailbot.mail.parse import ParseError, parse
    from mailbot.understand.classify import classify

    settings = config.load(args.config)
    failed = False
    for name in args.files:
        path = Path(name)
        try:
            msg = parse(path.read_bytes())
        except (OSError, ParseError) as exc:
            problem = exc.strerror if isinstance(exc, OSError) else f"cannot parse: {exc}"
            _say(f"{path}: {problem}")
            if args.json:  # still one line per file, so a reader can pair output and input
                print(json.dumps({"file": str(path), "is_request": False, "types": [],
                                  "language": settings.company.language, "confidence": 0.0,
                                  "auto_generated": False, "evidence": [problem], "error": problem},
                                 ensure_ascii=False))
            failed = True
            continue
        verdict = classify(msg, default_language=settings.company.language)
        data = {
            "file": str(path), "is_request": verdict.is_request, "types": list(verdict.types),
            "language": verdict.language, "confidence": round(verdict.confidence, 3),
            "auto_generated": verdict.auto_generated, "evidence": list(verdict.evidence),
            "authority": verdict.authority, "withdrawal": verdict.withdrawal,
        }
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            label = ("machine mail" if verdict.auto_generated else
                     "request: " + ", ".join(verdict.types) if verdict.is_request else
                     "authority mail" if verdict.authority else "not a request")
            print(f"{path}: {label} [{verdict.language}, {verdict.confidence:.2f}]")
            for line in verdict.evidence:
                print(f"    {line}")
    return 1 if failed else 0


def _since(value: str | None, tz: Any) -> datetime | None:
    if value is None:
        return None
    from mailbot.pipeline import parse_since

    try:
        return parse_since(value, tz)
    except ValueError:
        raise UsageError(f"--since: not an ISO date or date-time: {value!r}") from None


def cmd_run(args: argparse.Namespace) -> int:
    from mailbot.runner import AlreadyRunning, Runner

    app = _app(args)
    since = _since(args.since, app.settings.company.tz)
    runner = Runner(app, since=since)
    try:
        runner.acquire()
    except AlreadyRunning as exc:
        raise Failure(str(exc)) from None
    if args.once:
        try:
            report = runner.pass_once()
        finally:
            runner.close()
        print(f"{len(report.outcomes)} mail(s) read: {report.count('request')} new request(s), "
              f"{report.count('joined')} follow-up(s), {report.count('quarantined')} quarantined; "
              f"{report.sent} mail(s) sent")
        return 0
    logging.getLogger("mailbot").setLevel(logging.INFO)
    runner.run_forever()
    return 0


def _days_left(due: datetime, tz: Any) -> int:
    from mailbot.deadlines import days_left

    return days_left(due, datetime.now(UTC), tz)


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def register_table(app: Any, requests: Sequence[Any]) -> str:
    tz = app.settings.company.tz
    rows: list[Sequence[str]] = [("REF", "STATUS", "TYPES", "LANG", "REQUESTER", "VERIFIED", "DUE", "DAYS LEFT")]
    for r in requests:
        rows.append((r.ref, r.status, ",".join(r.types), r.language, r.requester_email or "(anonymised)",
                     "yes" if r.sender_verified else "no", r.due_at.astimezone(tz).strftime("%Y-%m-%d"),
                     str(_days_left(r.due_at, tz)) if r.status in ("awaiting_identity", "pending_approval",
                                                                  "flagged") else "-"))
    return _table(rows)


def cmd_requests(args: argparse.Namespace) -> int:
    from mailbot.register import store

    app = _app(args)
    with app.session() as session:
        if args.action == "list":
            if args.status and args.status not in store.STATUSES:
                raise UsageError(f"--status must be one of {', '.join(store.STATUSES)}")
            requests = store.list_requests(session, status=args.status)
            if args.json:
                tz = app.settings.company.tz
                rows = [store.request_json(session, r, tz=tz) for r in requests]
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            elif requests:
                print(register_table(app, requests))
            else:
                print("The register is empty.")
            return 0
        if args.action == "import":
            from mailbot.register.imports import ImportError_, import_requests

            try:
                report = import_requests(session, app.settings, args.file)
            except ImportError_ as exc:
                raise Failure(str(exc)) from None
            session.commit()
            print(f"requests: {report}")
            return 0
        request = store.request_by_ref(session, args.ref)
        if request is None:
            raise Failure(f"no request {args.ref}")
        if args.action == "show":
            data = store.request_json(session, request, tz=app.settings.company.tz,
                                      full=True)
            print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else _show(data))
            return 0
        return _decide(app, session, request, args)


def _show(data: dict[str, Any]) -> str:
    lines = [f"{data['ref']}  {data['status']}  {', '.join(data['types'])}  ({data['language']})",
             f"requester: {data['requester_name']} <{data['requester_email']}>  customer: {data['customer_id']}  "
             f"verified: {data['sender_verified']} ({data['identity']})",
             f"received: {data['received_at']}  due: {data['due_at']}", "", "mails:"]
    lines += [f"  {m['received_at']}  {m['from']}  {m['subject']}  [{m['outcome']}]" for m in data["mails"]]
    lines += ["", "replies:"]
    lines += [f"  #{r['id']} {r['kind']} to {r['to']}: {r['status']} {r['sent_at'] or ''}" for r in data["replies"]]
    lines += ["", "evidence:"] + [f"  {e}" for e in data["evidence"]]
    lines += ["", "history:"]
    lines += [f"  {h['at']}  {h['actor']}: {h['action']} {h['detail']}" for h in data["history"]]
    return "\n".join(lines)


def _decide(app: Any, session: Any, request: Any, args: argparse.Namespace) -> int:
    """The staff decisions of the desk; on the command line there is no preview, so mail goes out at once."""
    from mailbot import decisions

    common = (session, app.settings, app.composer, request, args.by)

    def approve() -> Any:
        # With drafts waiting, approve sends them; a request in the queue with nothing drafted yet is approved
        # as a whole: its completion is drafted from the templates and sent, as "Afhandelen" then approve does.
        if decisions.drafts_of(session, request) or request.status != "pending_approval":
            return decisions.approve(*common)
        return decisions.complete(*common, send=True)

    actions: dict[str, Callable[[], Any]] = {
        "approve": approve,
        "reject": lambda: decisions.reject(*common, args.reason, send=True),
        "verify": lambda: decisions.verify_identity(*common),
        "unflag": lambda: decisions.unflag(*common),
        "discard": lambda: decisions.discard(*common),
        "extend": lambda: decisions.extend(*common, months=args.months, reason=args.reason, send=True),
        "complete": lambda: decisions.complete(*common, send=True),
        "withdraw": lambda: decisions.withdraw(*common),
    }
    try:
        actions[args.action]()
    except decisions.DecisionError as exc:
        raise Failure(f"{request.ref}: {exc}") from None
    session.commit()
    from mailbot.replies import outbox

    sent = outbox.drain(app.engine, app.settings, app.transport())
    print(f"{request.ref}: {request.status}" + (f"; {sent} mail(s) sent" if sent else ""))
    return 0


def cmd_customers(args: argparse.Namespace) -> int:
    from mailbot.register.imports import ImportError_, import_customers

    app = _app(args)
    with app.session() as session:
        try:
            report = import_customers(session, args.file)
        except ImportError_ as exc:
            raise Failure(str(exc)) from None
        session.commit()
    print(f"customers: {report}")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from mailbot.backends.base import InboundMail
    from mailbot.register.models import Quarantine
    from mailbot.runner import Runner

    app = _app(args)
    with app.session() as session:
        if args.action == "list":
            held = session.exec(select(Quarantine).where(Quarantine.status == "held").order_by(Quarantine.id)).all()
            if args.json:
                print(json.dumps([{"id": q.id, "reason": q.reason, "received_at": q.received_at.isoformat(),
                                   "message_id": q.message_id or None} for q in held], ensure_ascii=False, indent=2))
            elif held:
                print(_table([("ID", "RECEIVED", "MESSAGE-ID", "REASON")] +
                             [(str(q.id), q.received_at.strftime("%Y-%m-%d %H:%M"), q.message_id or "-", q.reason)
                              for q in held]))
            else:
                print("Nothing in quarantine.")
            return 0
        item = session.get(Quarantine, args.id)
        if item is None or item.status != "held":
            raise Failure(f"no quarantined mail {args.id}")
        item.status = "retried"
        session.add(item)
        session.commit()
    runner = Runner(app, since=datetime.min.replace(tzinfo=UTC))
    outcome = runner.handle(InboundMail(key=f"quarantine/{args.id}", raw=item.raw, received_at=item.received_at))
    if outcome.kind == "quarantined":
        print(f"still cannot handle it: {outcome.reason} (kept in quarantine)")
        return 1
    from mailbot.replies import outbox

    sent = outbox.drain(app.engine, app.settings, app.transport())
    print(f"{args.id}: {outcome.kind} {outcome.reason}" + (f"; {sent} mail(s) sent" if sent else ""))
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from mailbot import digest

    app = _app(args)
    if args.preview:
        print(digest.preview(app))
        return 0
    digest.send_now(app, app.transport())
    print(f"digest sent to {', '.join(app.settings.digest.recipients)}")
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    from mailbot.desk import accounts

    app = _app(args)
    try:
        if args.action == "list":
            staff = accounts.list_accounts(app.engine)
            rows = [("NAME", "ROLE", "EMAIL", "ACTIVE")] + [
                (s.name, s.role, s.email or "-", "no" if s.disabled else "yes") for s in staff]
            print(_table(rows) if staff else "No desk accounts yet: mailbot staff add NAME --role approver")
        elif args.action == "disable":
            accounts.disable(app.engine, args.name)
            print(f"{args.name}: disabled")
        else:
            password = _read_password()
            if args.action == "add":
                accounts.add(app.engine, args.name, args.role, password, email=args.email)
                print(f"{args.name}: added as {args.role}")
            else:
                accounts.set_password(app.engine, args.name, password)
                print(f"{args.name}: password changed")
    except accounts.AccountError as exc:
        raise Failure(str(exc)) from None
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise Failure("the passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise Failure("no password on standard input")
    return line


def cmd_serve(args: argparse.Namespace) -> int:
    from mailbot.desk import serve

    app = _app(args)
    serve(app, host=args.host or app.settings.desk.host, port=args.port or app.settings.desk.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(config.load(args.config), serve=not args.no_serve)


def cmd_eval(args: argparse.Namespace) -> int:
    from mailbot.evaluate import evaluate_dir

    if not args.directory.is_dir():
        raise UsageError(f"{args.directory}: not a folder")
    print(evaluate_dir(args.directory).render())
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "classify": cmd_classify, "run": cmd_run, "requests": cmd_requests, "customers": cmd_customers,
    "quarantine": cmd_quarantine, "digest": cmd_digest, "staff": cmd_staff, "serve": cmd_serve,
    "demo": cmd_demo, "eval": cmd_eval,
}


def _say(message: str) -> None:
    """Errors are one line on stderr, however many lines the underlying library wrote."""
    print("mailbot: " + " ".join(message.split()), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its one line
        return 0 if exc.code == 0 else 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from mailbot.register.database import DatabaseError

    try:
        return COMMANDS[args.command](args)
    except (config.ConfigError, UsageError) as exc:
        _say(str(exc))
        return 2
    except (DatabaseError, Failure) as exc:
        _say(str(exc))
        return 1
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # the contract: one clear line, no traceback
        log.debug("failure", exc_info=True)
        _say(f"{type(exc).__name__}: {exc} (run with -v for details)")
        return 1
    finally:
        while _opened:
            _opened.pop().close()
