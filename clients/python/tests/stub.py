"""A scripted local HTTP server for unit tests: answers from a function, records every request."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


_KINDS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 409: "conflict",
          422: "validation-failed", 429: "rate-limited", 500: "internal-error", 503: "service-unavailable"}


def problem(status: int, title: str, detail: str, errors: Optional[list] = None, kind: Optional[str] = None,
            **extensions) -> Reply:
    """A problem+json answer as the service writes it: ``type`` by kind, then extension members."""
    kind = kind or _KINDS.get(status, "http-error")
    body = {"type": "https://agentsecretstore.dev/problems/" + kind, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extensions)
    return Reply(status, body, {"Content-Type": "application/problem+json"})


class StubServer:
    """``StubServer(fn)``: ``fn(seen, n)`` returns the :class:`Reply` to the n-th request (0-based)."""

    def __init__(self, answer: Callable[[Seen, int], Reply]) -> None:
        self.answer = answer
        self.seen: List[Seen] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                            {k.lower(): v for k, v in self.headers.items()}, body)
                with stub._lock:
                    n = len(stub.seen)
                    stub.seen.append(seen)
                reply = stub.answer(seen, n)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.payload()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                if reply.chunked:
                    for i in range(0, len(payload), 7):
                        piece = payload[i:i + 7]
                        self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
                else:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that time out or cancel hang up on purpose; not a test failure

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def paths(self) -> List[str]:
        return [f"{s.method} {s.path}" for s in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def view(id: str = "apr_1", status: str = "pending", **extra: Any) -> Dict[str, Any]:
    """An approval request view as the service shows it."""
    body = {
        "id": id, "status": status, "approved": status == "approved", "requested_by": "agent-1",
        "requester_id": "agt_1", "namespace": "production", "scope": "secrets:read:production/stripe/*",
        "secret_paths": ["production/stripe/api-key"], "tier": "critical", "required_approvals": 2,
        "received_approvals": 0, "approval_delay_seconds": 300, "description": "run #1",
        "created_at": "2025-01-15T10:30:00Z", "expires_at": "2025-01-15T11:00:00.123456789Z",
        "approvals": [], "approve_url": "http://localhost:8080/dashboard/approvals/" + id,
    }
    body.update(extra)
    return body
