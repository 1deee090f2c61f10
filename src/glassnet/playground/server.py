"""The playground's web server: the standard library, no dependency.

Why the standard library and not a web framework in a ``playground`` extra: the
page needs four things, and ``http.server`` gives each in a few lines.

- Live updates: server-sent events (``text/event-stream``) are plain HTTP
  writes, and ``ThreadingHTTPServer`` gives each open stream its own thread, so
  the stream's thread is also the trainer of its tab (no extra worker pool).
- Several tabs: each page asks for a session (``POST /api/session``) and gets its
  own :class:`~glassnet.playground.session.Session`: its own data and network.
- Static files: the page, one script and one style sheet, served from a fixed
  table built at start-up from the package's ``static`` folder, so no request
  path can name another file (no path traversal, nothing to normalise).
- Clean Ctrl-C: ``serve_forever`` returns on KeyboardInterrupt, a stop event
  ends every stream loop, threads are daemons, the socket is closed.

A framework would add an install step and a dependency to keep current for none
of these. Every request body is a small JSON object, validated by
:func:`~glassnet.playground.session.check_settings`; a malformed or out-of-range
one is answered 400 with a message, and no request can stop the server.

API (JSON): ``POST /api/session`` (settings) → ``{"id"}``;
``GET /api/session/ID/events`` the stream of snapshots;
``POST /api/session/ID/settings`` (changed settings, resets the network);
``POST /api/session/ID/play`` · ``/pause`` · ``/step`` · ``/reset``;
``GET /api/article?sample=N`` the article's numbers for sample N.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from glassnet.playground.session import Session, article_sample, check_settings

__all__ = ["PlaygroundServer", "make_server"]

MAX_BODY = 64 * 1024
MAX_SESSIONS = 32
#: At most this many snapshots a second per tab; epochs run in between.
FRAME_INTERVAL = 1 / 30
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def _static_files() -> dict[str, tuple[bytes, str]]:
    """URL path → (content, type) for every file shipped in ``static/``."""
    folder = resources.files("glassnet.playground") / "static"
    table = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in _TYPES:
            table["/static/" + entry.name] = (entry.read_bytes(), _TYPES[suffix])
    table["/"] = table["/static/index.html"]
    return table


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server holding the tabs' sessions and the static files."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.files = _static_files()
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.sessions_lock = threading.Lock()
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def new_session(self, settings: dict) -> str:
        session = Session(settings)
        key = secrets.token_hex(8)
        with self.sessions_lock:
            self.sessions[key] = session
            while len(self.sessions) > MAX_SESSIONS:  # the oldest tab goes
                self.sessions.popitem(last=False)
        return key

    def stop(self) -> None:
        """End every event stream and stop serving (from another thread)."""
        self.stopping.set()
        for session in list(self.sessions.values()):
            with session.lock:
                session.changed.notify_all()
        self.shutdown()


def make_server(host: str = "127.0.0.1", port: int = 8000) -> PlaygroundServer:
    """A playground server bound to ``host:port`` (port 0: any free port)."""
    return PlaygroundServer((host, port))


class _BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: the CLI prints the address, not every request

    # ------------------------------------------------------------ responses
    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json({"error": message}, status)

    def _body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length > MAX_BODY or length < 0:
            self.close_connection = True
            raise _BadRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body must be at most {MAX_BODY} bytes. Received: {length}",
            )
        raw = self.rfile.read(length) if length else b"{}"
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _BadRequest(
                HTTPStatus.BAD_REQUEST, f"the body must be JSON: {error}"
            ) from None

    def _session(self, key: str) -> Session:
        session = self.server.sessions.get(key)
        if session is None:
            raise _BadRequest(
                HTTPStatus.NOT_FOUND, f"no session {key[:40]!r}: reload the page"
            )
        return session

    def _guarded(self, handler) -> None:
        try:
            handler()
        except _BadRequest as error:
            self._error(error.status, str(error))
        except ValueError as error:
            self._error(HTTPStatus.BAD_REQUEST, str(error))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ------------------------------------------------------------------ GET
    def do_GET(self) -> None:  # noqa: N802
        self._guarded(self._get)

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path in self.server.files:
            body, kind = self.server.files[path]
            self._send(HTTPStatus.OK, body, kind)
        elif path == "/api/article":
            query = parse_qs(url.query)
            text = query.get("sample", ["0"])[0]
            try:
                index = int(text)
            except ValueError:
                raise ValueError(
                    f"sample must be an integer. Received: sample={text[:40]!r}"
                ) from None
            self._json(article_sample(index))
        elif path.startswith("/api/session/") and path.endswith("/events"):
            self._events(self._session(path.split("/")[3]))
        else:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"not found: {path[:80]}")

    def _events(self, session: Session) -> None:
        """Stream snapshots: one now, one per change, ~30 a second while playing."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        sent = -1
        stopping = self.server.stopping
        while not stopping.is_set():
            frame_start = time.perf_counter()
            with session.lock:
                if not session.playing and session.version == sent:
                    session.changed.wait(timeout=10.0)
                if stopping.is_set():
                    break
                if session.playing:
                    deadline = frame_start + FRAME_INTERVAL * 0.5
                    session.train_epoch()
                    while session.playing and time.perf_counter() < deadline:
                        session.train_epoch()
                if session.version == sent and not session.playing:
                    payload = b": keep-alive\n\n"
                else:
                    payload = b"data: " + json.dumps(session.snapshot()).encode()
                    payload += b"\n\n"
                    sent = session.version
            self.wfile.write(payload)
            self.wfile.flush()
            pause = FRAME_INTERVAL - (time.perf_counter() - frame_start)
            if session.playing and pause > 0:
                stopping.wait(pause)

    # ----------------------------------------------------------------- POST
    def do_POST(self) -> None:  # noqa: N802
        self._guarded(self._post)

    def _post(self) -> None:
        path = urlsplit(self.path).path
        body = self._body()
        if path == "/api/session":
            key = self.server.new_session(check_settings(body))
            self._json({"id": key})
            return
        parts = path.split("/")
        if len(parts) != 5 or parts[:3] != ["", "api", "session"]:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"not found: {path[:80]}")
        session, action = self._session(parts[3]), parts[4]
        if action == "settings":
            with session.lock:
                settings = check_settings(body, session.settings)
                session.reset(settings)
                session.touch()
        elif action in ("play", "pause"):
            with session.lock:
                session.playing = action == "play"
                session.touch()
        elif action == "step":
            with session.lock:
                session.playing = False
                session.train_epoch()
                session.touch()
        elif action == "reset":
            with session.lock:
                session.playing = False
                session.reset(session.settings)
                session.touch()
        else:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"no action {action[:40]!r}")
        self._json({"ok": True})
