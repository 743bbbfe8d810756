"""The staff web desk: server-rendered Starlette pages over the register; every decision goes through decisions.py.

Nothing is shown without login; every form carries a CSRF token; search terms travel in POST bodies so no
personal data ends up in URLs, browser history or access logs. Approved mail is sent right after the
response, by the same outbox the runner drains.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailbot import anonymise, deadlines, decisions
from mailbot.app import App
from mailbot.backends.base import Transport
from mailbot.decisions import DecisionError
from mailbot.desk import accounts, mailview
from mailbot.desk.auth import COOKIE, LOGIN_COOKIE, LoginLimiter, Sessions, User, csrf_ok, secret_key
from mailbot.desk.queue import PAGE_SIZE, Filters, counters, page
from mailbot.desk.texts import LANGUAGES, Texts, texts
from mailbot.register import store
from mailbot.register.models import Customer, InboundRecord, Quarantine, Reply, Request, utcnow
from mailbot.replies import outbox

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "desk_lang"
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """CSP and friends on every response: even sanitised mail HTML may neither run nor load anything."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class Desk:
    def __init__(self, app: App, clock: Callable[[], float], transport: Callable[[], Transport] | None) -> None:
        self.app = app
        self.settings = app.settings
        self.sessions = Sessions(secret_key(app.settings.desk.secret_key, app.engine),
                                 app.settings.desk.session_minutes, clock)
        self.limiter = LoginLimiter()
        self.templates = Jinja2Templates(directory=HERE / "templates")
        tz = app.settings.company.tz
        self.templates.env.filters["local"] = lambda d: d.astimezone(tz).strftime("%Y-%m-%d %H:%M") if d else ""
        self.templates.env.filters["day"] = lambda d: d.astimezone(tz).strftime("%Y-%m-%d") if d else ""
        self._transport = transport or app.transport
        self._send_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------------------

    def _drain(self) -> None:
        """Send what was just approved; one drain at a time in this process."""
        with self._send_lock:
            transport = self._transport()
            try:
                outbox.drain(self.app.engine, self.settings, transport)
            finally:
                transport.close()
            with self.app.session() as session:
                if anonymise.scrub_sent(session):
                    session.commit()

    def lang(self, request: HttpRequest) -> str:
        chosen = request.cookies.get(LANG_COOKIE, "")
        return chosen if chosen in LANGUAGES else self.settings.desk.language

    def t(self, request: HttpRequest) -> Texts:
        return texts(self.lang(request))

    def user(self, request: HttpRequest) -> User | None:
        return self.sessions.user(request.cookies.get(COOKIE), self.app.engine)

    def render(self, request: HttpRequest, name: str, context: dict[str, Any], status: int = 200,
               user: User | None = None) -> HTMLResponse:
        values = {"t": self.t(request), "lang": self.lang(request), "user": user,
                  "company": self.settings.company, "tz": self.settings.company.tz, **context}
        return self.templates.TemplateResponse(request, name, values, status_code=status)

    def to_login(self, request: HttpRequest, expired: bool = False) -> Response:
        response = RedirectResponse("/login?expired=1" if expired else "/login", status_code=303)
        if expired:
            response.delete_cookie(COOKIE)
        return response

    async def form(self, request: HttpRequest, user: User) -> FormData | None:
        form = await request.form()
        token = form.get("csrf")
        return form if csrf_ok(user, token if isinstance(token, str) else None) else None

    async def posted(self, request: HttpRequest) -> tuple[User, FormData] | Response:
        """A logged-in user's form with a valid CSRF token, or the response that turns it away."""
        user = self.user(request)
        if user is None:
            return self.to_login(request, expired=COOKIE in request.cookies)
        form = await self.form(request, user)
        if form is None:
            return self.forbidden(request, user)
        return user, form

    def forbidden(self, request: HttpRequest, user: User | None) -> HTMLResponse:
        return self.render(request, "message.html", {"message": self.t(request)["csrf_failed"]}, 403, user)

    # -- login ------------------------------------------------------------------------------------------

    async def login_page(self, request: HttpRequest) -> Response:
        return self._login_form(request, "session_expired" if request.query_params.get("expired") else "")

    def _login_form(self, request: HttpRequest, error: str, status: int = 200) -> Response:
        token, cookie = self.sessions.login_token()
        response = self.render(request, "login.html", {"csrf": token, "error": error}, status)
        response.set_cookie(LOGIN_COOKIE, cookie, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=3600)
        return response

    async def login(self, request: HttpRequest) -> Response:
        form = await request.form()
        name, password, token = (str(form.get(k) or "") for k in ("name", "password", "csrf"))
        if not self.sessions.login_token_ok(request.cookies.get(LOGIN_COOKIE), token):
            return self._login_form(request, "csrf_failed", 403)
        keys = (f"ip:{request.client.host if request.client else '?'}",
                "name:" + hashlib.sha256(name.strip().lower().encode()).hexdigest())
        if self.limiter.blocked(*keys):
            return self._login_form(request, "login_limited", 429)
        staff = accounts.authenticate(self.app.engine, name, password)
        if staff is None:
            self.limiter.failed(*keys)
            return self._login_form(request, "login_failed", 401)
        self.limiter.succeeded(*keys)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self.sessions.issue(staff), httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=self.sessions.max_age)
        response.delete_cookie(LOGIN_COOKIE)
        return response

    async def logout(self, request: HttpRequest) -> Response:
        user = self.user(request)
        if user is not None and await self.form(request, user) is None:
            return self.forbidden(request, user)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    async def set_lang(self, request: HttpRequest) -> Response:
        lang = request.path_params["lang"]
        response = RedirectResponse("/", status_code=303)
        if lang in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, samesite="strict", max_age=365 * 86400)
        return response

    # -- pages ------------------------------------------------------------------------------------------

    async def queue(self, request: HttpRequest) -> Response:
        user = self.user(request)
        if user is None:
            return self.to_login(request, expired=COOKIE in request.cookies)
        # Links carry only status, type and page; a search term (a name, an address) only ever comes by POST.
        values: Any = {k: v for k, v in request.query_params.items() if k in ("status", "type", "page")}
        if request.method == "POST":
            values = await self.form(request, user)
            if values is None:
                return self.forbidden(request, user)
        filters = Filters.parse(values)
        with self.app.session() as session:
            rows, total = page(session, self.settings, filters, utcnow())
            counts = counters(session)
        pages = max(1, -(-total // PAGE_SIZE))
        return self.render(request, "queue.html", {"rows": rows, "total": total, "filters": filters,
                                                   "pages": pages, "counts": counts}, user=user)

    def _request_context(self, session: Session, req: Request, now: datetime) -> dict[str, Any]:
        tz = self.settings.company.tz
        mails = [(m, mailview.view(m.raw)) for m in store.mails_of(session, req)]
        customer = session.get(Customer, req.customer_pk) if req.customer_pk else None
        if customer is None and not req.anonymised:
            customer = store.find_customer(session, req.requester_email)
        can_extend = (req.status in ("pending_approval", "awaiting_identity") and not req.extended
                      and now <= req.due_at and deadlines.can_extend(now, req.received_at, tz))
        return {
            "req": req, "mails": mails, "customer": customer, "replies": store.replies_of(session, req),
            "history": store.history_of(session, req), "days_left": deadlines.days_left(req.due_at, now, tz),
            "can_extend": can_extend, "open": req.status in store.OPEN_STATUSES,
            "draft_kinds": decisions.DRAFT_KINDS,
        }

    async def request_page(self, request: HttpRequest) -> Response:
        user = self.user(request)
        if user is None:
            return self.to_login(request, expired=COOKIE in request.cookies)
        return self._show(request, user, request.path_params["ref"], done=request.query_params.get("done", ""))

    def _show(self, request: HttpRequest, user: User, ref: str, *, done: str = "", error: str = "",
              status: int = 200) -> Response:
        with self.app.session() as session:
            req = store.request_by_ref(session, ref)
            if req is None:
                return self.render(request, "message.html", {"message": "404"}, 404, user)
            context = self._request_context(session, req, utcnow())
        done = done if done in ACTIONS or done == "edit" else ""
        return self.render(request, "request.html", {**context, "done": done, "error": error}, status, user)

    async def decide(self, request: HttpRequest) -> Response:
        checked = await self.posted(request)
        if isinstance(checked, Response):
            return checked
        user, form = checked
        ref, action = request.path_params["ref"], request.path_params["action"]
        if action not in ACTIONS:
            return self.render(request, "message.html", {"message": "404"}, 404, user)
        with self.app.session() as session:
            req = store.request_by_ref(session, ref)
            if req is None:
                return self.render(request, "message.html", {"message": "404"}, 404, user)
            try:
                ACTIONS[action](self, session, req, user, form)
                session.commit()
            except DecisionError as exc:
                session.rollback()
                return self._show(request, user, ref, error=str(exc), status=409)
        task = BackgroundTask(self._drain) if action == "approve" else None
        return RedirectResponse(f"/requests/{req.ref}?done={action}", status_code=303, background=task)

    async def edit(self, request: HttpRequest) -> Response:
        checked = await self.posted(request)
        if isinstance(checked, Response):
            return checked
        user, form = checked
        ref = request.path_params["ref"]
        with self.app.session() as session:
            req = store.request_by_ref(session, ref)
            reply = session.get(Reply, request.path_params["reply"])
            if req is None or reply is None or reply.request_id != req.id:
                return self.render(request, "message.html", {"message": "404"}, 404, user)
            try:
                decisions.edit_reply(session, self.settings, self.app.composer, req, reply, user.name,
                                     subject=str(form.get("subject") or ""), text=str(form.get("text") or ""),
                                     role=user.role)
                session.commit()
            except DecisionError as exc:
                session.rollback()
                return self._show(request, user, ref, error=str(exc), status=409)
        return RedirectResponse(f"/requests/{req.ref}?done=edit#reply-{reply.id}", status_code=303)

    async def preview(self, request: HttpRequest) -> Response:
        user = self.user(request)
        if user is None:
            return self.to_login(request, expired=COOKIE in request.cookies)
        with self.app.session() as session:
            req = store.request_by_ref(session, request.path_params["ref"])
            reply = session.get(Reply, request.path_params["reply"])
            if req is None or reply is None or reply.request_id != req.id:
                return self.render(request, "message.html", {"message": "404"}, 404, user)
            raw = reply.raw if reply.status != "draft" and reply.raw else decisions.preview(
                session, self.settings, req, reply)
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        headers = [(k, str(v)) for k, v in msg.items() if k.lower() not in ("content-type", "mime-version",
                                                                           "content-transfer-encoding")]
        parts = mailview.view(raw)
        html = ""
        for part in msg.walk():
            if part.get_content_type() == "text/html" and part.get_content_disposition() != "attachment":
                html = str(part.get_content())  # our own template, shown unaltered in a sandbox
                break
        return self.render(request, "preview.html", {"req": req, "reply": reply, "headers": headers,
                                                     "text": parts.text, "html": html,
                                                     "attachments": parts.attachments}, user=user)

    async def other_mail(self, request: HttpRequest) -> Response:
        user = self.user(request)
        if user is None:
            return self.to_login(request, expired=COOKIE in request.cookies)
        which = request.path_params["which"]
        with self.app.session() as session:
            if which == "quarantine":
                rows: list[Any] = list(session.exec(select(Quarantine).where(Quarantine.status == "held")
                                                    .order_by(Quarantine.received_at.desc()).limit(200)).all())
            elif which == "authority":
                rows = list(session.exec(select(InboundRecord).where(InboundRecord.outcome == "authority")
                                         .order_by(InboundRecord.received_at.desc()).limit(200)).all())
            else:
                return self.render(request, "message.html", {"message": "404"}, 404, user)
        items = [(row, mailview.view(row.raw)) for row in rows]
        return self.render(request, "other_mail.html", {"which": which, "items": items}, user=user)


# -- decisions as form actions ------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _approve(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.approve(s, d.settings, d.app.composer, r, u.name, role=u.role, reply_id=_int(f.get("reply")))


def _reject(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.reject(s, d.settings, d.app.composer, r, u.name, _text(f, "reason"), role=u.role)


def _verify(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.verify_identity(s, d.settings, d.app.composer, r, u.name, role=u.role, note=_text(f, "note"))


def _unflag(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.unflag(s, d.settings, d.app.composer, r, u.name, role=u.role, note=_text(f, "note"))


def _discard(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.discard(s, d.settings, d.app.composer, r, u.name, role=u.role, note=_text(f, "note"))


def _extend(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.extend(s, d.settings, d.app.composer, r, u.name, months=_int(f.get("months")) or 0,
                     reason=_text(f, "reason"), role=u.role)


def _complete(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.complete(s, d.settings, d.app.composer, r, u.name, role=u.role)


def _withdraw(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.withdraw(s, d.settings, d.app.composer, r, u.name, role=u.role, note=_text(f, "note"))


def _draft(d: Desk, s: Session, r: Request, u: User, f: FormData) -> None:
    decisions.draft(s, d.settings, d.app.composer, r, u.name, _text(f, "kind"), role=u.role,
                    reason=_text(f, "reason"))


ACTIONS: dict[str, Callable[[Desk, Session, Request, User, FormData], None]] = {
    "approve": _approve, "reject": _reject, "verify": _verify, "unflag": _unflag, "discard": _discard,
    "extend": _extend, "complete": _complete, "withdraw": _withdraw, "draft": _draft,
}


def create_app(app: App, *, clock: Callable[[], float] = time.time,
               transport: Callable[[], Transport] | None = None) -> Starlette:
    """The desk for ``app``'s register; ``transport`` makes the sender (default ``app.transport``)."""
    desk = Desk(app, clock, transport)
    handler = Callable[[HttpRequest], Awaitable[Response]]
    routes: list[tuple[str, handler, list[str]]] = [
        ("/login", desk.login_page, ["GET"]),
        ("/login", desk.login, ["POST"]),
        ("/logout", desk.logout, ["POST"]),
        ("/lang/{lang}", desk.set_lang, ["GET"]),
        ("/", desk.queue, ["GET", "POST"]),
        ("/requests/{ref}", desk.request_page, ["GET"]),
        ("/requests/{ref}/replies/{reply:int}", desk.edit, ["POST"]),
        ("/requests/{ref}/replies/{reply:int}/preview", desk.preview, ["GET"]),
        ("/requests/{ref}/{action}", desk.decide, ["POST"]),
        ("/mail/{which}", desk.other_mail, ["GET"]),
    ]
    starlette = Starlette(routes=[
        *(Route(path, endpoint, methods=methods) for path, endpoint, methods in routes),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ])
    starlette.add_middleware(SecurityHeaders)
    starlette.state.desk = desk
    return starlette


def serve(app: App, host: str | None = None, port: int | None = None) -> None:
    """`mailbot serve`: the desk on desk.host:desk.port (loopback by default; put TLS in front for more)."""
    import uvicorn

    uvicorn.run(create_app(app), host=host or app.settings.desk.host, port=port or app.settings.desk.port,
                log_level="info", proxy_headers=True)
