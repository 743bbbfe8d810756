"""Recorded Microsoft protocol exchanges and a small local HTTP(S) responder that replays them on loopback.

The JSON/XML files beside this module are Microsoft's documented examples (token endpoint, Graph delta query,
EWS SOAP), trimmed to what mailbot reads; tests route requests to them and record what the client sent.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent


def recording(name: str) -> Any:
    """A recorded JSON body, or the text of any other recorded file."""
    path = HERE / name
    return json.loads(path.read_text()) if path.suffix == ".json" else path.read_text()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/xml; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json"


Route = Callable[[Request, re.Match[str]], Reply]


class Responder:
    """Routes ``(METHOD, path regex)`` to handlers; keeps every request in ``requests``."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Route]] = []
        self.requests: list[Request] = []
        self.base_url = ""

    def route(self, method: str, pattern: str) -> Callable[[Route], Route]:
        def add(handler: Route) -> Route:
            self.routes.insert(0, (method, re.compile(pattern), handler))  # later routes win
            return handler

        return add

    def hits(self, method: str, pattern: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def handle(self, request: Request) -> Reply:
        self.requests.append(request)
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                return handler(request, match)
        return Reply(404, {"error": {"code": "NotFound", "message": request.path}})


def _handler_for(responder: Responder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Request(
                self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            reply = responder.handle(request)
            body, content_type = reply.encoded()
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                if key != "Content-Type":
                    self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serving(responder: Responder, cert: tuple[Path, Path] | None = None) -> Iterator[Responder]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(responder))
    scheme = "http"
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    responder.base_url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield responder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
