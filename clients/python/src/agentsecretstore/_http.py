"""A small HTTP/1.1 client on asyncio streams, with timeouts and a retry policy.

Why not urllib in a thread (``asyncio.to_thread``)? A long-poll of ``/wait`` may last 15 minutes.
In a thread it would hold one of the default executor's few workers for that long, and cancelling
the awaiting task would not stop it: the thread keeps waiting for the server. On asyncio streams a
waiting request costs one socket, and cancelling the task closes it at once. The subset of HTTP
needed here (one request per connection, ``Content-Length`` or chunked bodies) is small.

One connection per request (``Connection: close``): agents make few calls, most of them long
waits, so keep-alive pooling would add state for no gain. No proxy support (``HTTPS_PROXY`` is
not read).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import ssl
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union
from urllib.parse import urlencode, urlsplit

from .errors import AgentSecretStoreError, ConfigurationError, RequestTimeout, TransportError, error_from_response

__all__ = ["RetryPolicy", "Response", "HttpTransport"]

log = logging.getLogger("agentsecretstore")

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_HEADER_LINES = 200


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying an idempotent call again.

    Only idempotent calls are ever retried (reads, long-polls, token collection, revocation):
    a token request or an approval sent twice could be counted twice. They are retried on
    connection errors, timeouts and 5xx answers (except 501 and 505, which will not change), up
    to ``max_retries`` times, after ``backoff_factor * 2**n`` seconds (capped at ``max_backoff``,
    with "equal jitter": a random half of it), or after the server's ``Retry-After`` if it says
    so (also capped).
    """

    max_retries: int = 3
    backoff_factor: float = 0.25
    max_backoff: float = 8.0
    jitter: bool = True

    def delay(self, retry_number: int, retry_after: Optional[float] = None) -> float:
        """Seconds to sleep before retry ``retry_number`` (0 for the first retry)."""
        if retry_after is not None and retry_after >= 0:
            return min(self.max_backoff, retry_after)
        base = min(self.max_backoff, self.backoff_factor * (2 ** retry_number))
        if self.jitter:
            return base / 2 + random.uniform(0, base / 2)
        return base

    @staticmethod
    def retries_status(status: int) -> bool:
        return status >= 500 and status not in (501, 505)


@dataclass
class Response:
    status: int
    reason: str
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise TransportError(f"the service answered {self.status} with a body that is not JSON") from e


class _Retriable(TransportError):
    """A transport failure worth retrying (internal marker; callers get :meth:`public`)."""

    def public(self) -> TransportError:
        return TransportError(self.detail)


class HttpTransport:
    """Sends requests to one base URL. Holds the ``Authorization`` value and never shows it."""

    def __init__(
        self,
        base_url: str,
        authorization: Union[str, Callable[[], str]],
        *,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        ssl_context: Optional[ssl.SSLContext],
        user_agent: str,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base URL must be http(s)://host[:port][/path], got {base_url!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigurationError("base URL must not carry a query, a fragment or credentials")
        self.scheme = parts.scheme
        self.host = parts.hostname
        try:
            self.port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as e:
            raise ConfigurationError(f"base URL has an invalid port: {base_url!r}") from e
        self.base_path = parts.path.rstrip("/")
        default_port = 443 if parts.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.host_header = host if self.port == default_port else f"{host}:{self.port}"
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retry = retry
        self.user_agent = user_agent
        self._authorization = authorization
        if parts.scheme == "https":
            self._ssl: Optional[ssl.SSLContext] = ssl_context or ssl.create_default_context()
        else:
            self._ssl = None

    def __repr__(self) -> str:
        return f"HttpTransport({self.scheme}://{self.host_header}{self.base_path})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotent: bool = False,
        extra_timeout: float = 0.0,
    ) -> Response:
        """Sends one call, retrying it per the policy if ``idempotent``; raises on any error answer."""
        target = self.base_path + path
        if query:
            clean = {k: v for k, v in query.items() if v is not None}
            if clean:
                target += "?" + urlencode(clean)
        payload = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        retry_number = 0
        while True:
            started = time.monotonic()
            try:
                response = await self._send(method, target, payload, headers, self.timeout + extra_timeout)
            except _Retriable as e:
                if idempotent and retry_number < self.retry.max_retries:
                    pause = self.retry.delay(retry_number)
                    log.warning("%s %s failed (%s); retry %d in %.2f s", method, target, e.detail, retry_number + 1, pause)
                    await asyncio.sleep(pause)
                    retry_number += 1
                    continue
                raise e.public() from None
            log.debug("%s %s -> %d (%.0f ms)", method, target, response.status, (time.monotonic() - started) * 1000)
            if response.status < 300:
                return response
            if response.status < 400:
                # Redirects are not followed: the Authorization header must not travel to another URL.
                raise AgentSecretStoreError(
                    f"redirected to {response.headers.get('location', '?')}; set the base URL to the service itself",
                    status=response.status, title=response.reason or None)
            if idempotent and RetryPolicy.retries_status(response.status) and retry_number < self.retry.max_retries:
                pause = self.retry.delay(retry_number, _retry_after(response.headers.get("retry-after")))
                log.warning("%s %s answered %d; retry %d in %.2f s", method, target, response.status, retry_number + 1, pause)
                await asyncio.sleep(pause)
                retry_number += 1
                continue
            raise error_from_response(response.status, response.reason, response.headers, response.body)

    async def _send(
        self, method: str, target: str, payload: Optional[bytes], headers: Optional[Mapping[str, str]], timeout: float
    ) -> Response:
        try:
            return await asyncio.wait_for(self._exchange(method, target, payload, headers), timeout)
        except asyncio.TimeoutError:
            raise _RetriableTimeout(f"no answer within {timeout:g} s") from None

    async def _exchange(
        self, method: str, target: str, payload: Optional[bytes], headers: Optional[Mapping[str, str]]
    ) -> Response:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.host, self.port, ssl=self._ssl, server_hostname=self.host if self._ssl else None
                ),
                self.connect_timeout,
            )
        except asyncio.TimeoutError:
            raise _RetriableTimeout(f"could not connect to {self.host_header} within {self.connect_timeout:g} s") from None
        except ssl.SSLCertVerificationError as e:
            # A certificate problem will not fix itself: not retried.
            raise TransportError(f"TLS certificate of {self.host_header} not trusted: {e.verify_message}") from None
        except OSError as e:
            raise _Retriable(f"could not connect to {self.host_header}: {e.strerror or e.__class__.__name__}") from None
        try:
            writer.write(self._head(method, target, payload, headers))
            if payload:
                writer.write(payload)
            await writer.drain()
            return await _read_response(reader, method)
        except (OSError, EOFError) as e:
            raise _Retriable(f"connection to {self.host_header} failed: {e.__class__.__name__}") from None
        finally:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError, ssl.SSLError):
                pass

    def _head(self, method: str, target: str, payload: Optional[bytes], headers: Optional[Mapping[str, str]]) -> bytes:
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {self.host_header}",
            f"User-Agent: {self.user_agent}",
            "Accept: application/json, application/problem+json",
            "Accept-Encoding: identity",
            "Connection: close",
            f"Authorization: {self._authorization() if callable(self._authorization) else self._authorization}",
        ]
        if payload is not None:
            lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(payload)}")
        elif method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: 0")
        for name, value in (headers or {}).items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ConfigurationError(f"header {name!r} contains a line break")
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _RetriableTimeout(_Retriable, RequestTimeout):
    def public(self) -> TransportError:
        return RequestTimeout(self.detail)


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


async def _read_response(reader: asyncio.StreamReader, method: str) -> Response:
    while True:
        status, reason = await _read_status(reader)
        headers = await _read_headers(reader)
        if not 100 <= status < 200:
            break  # skip interim answers (100 Continue)
    if method == "HEAD" or status in (204, 304):
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError:
            raise TransportError("invalid Content-Length in the answer") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise TransportError(f"answer body too large ({length} bytes)")
        body = await reader.readexactly(length)
    else:
        body = await reader.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise TransportError("answer body too large")
    return Response(status, reason, headers, body)


async def _read_status(reader: asyncio.StreamReader) -> Tuple[int, str]:
    line = await _read_line(reader)
    if not line:
        raise EOFError("connection closed before an answer")
    parts = line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise TransportError("the answer is not HTTP/1.x")
    return int(parts[1]), parts[2] if len(parts) > 2 else ""


async def _read_headers(reader: asyncio.StreamReader) -> Dict[str, str]:
    headers: Dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await _read_line(reader)
        if not line:
            return headers
        name, sep, value = line.partition(":")
        if not sep:
            raise TransportError("malformed header line in the answer")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    raise TransportError("too many header lines in the answer")


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    total = 0
    while True:
        size_line = await _read_line(reader)
        try:
            size = int(size_line.split(";", 1)[0].strip(), 16)
        except ValueError:
            raise TransportError("malformed chunk size in the answer") from None
        if size == 0:
            while await _read_line(reader):
                pass  # trailers
            return b"".join(chunks)
        total += size
        if total > MAX_BODY_BYTES:
            raise TransportError("answer body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)  # CRLF after the chunk


async def _read_line(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readline()
    except ValueError:  # LimitOverrunError: a line longer than the reader's limit
        raise TransportError("header line too long in the answer") from None
    if raw and not raw.endswith(b"\n"):
        raise EOFError("connection closed in the middle of the answer")
    return raw.decode("latin-1").rstrip("\r\n")
