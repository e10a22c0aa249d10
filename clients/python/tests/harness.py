"""Runs the real service for the integration tests.

``require_service()`` starts ``java -jar <repo>/target/quarkus-app/quarkus-run.jar`` (or
``$ASS_JAR``) once per test run, on a free port, in a PostgreSQL schema of its own
(``ass_pytest_<random>``, dropped at exit when ``psql`` is available), with a random master key and
bootstrap admin key, logging to ``build/test-service.log``, and seeds it (policies, secrets, principals) through the admin API. The
database is the local PostgreSQL the service defaults to (``QUARKUS_DATASOURCE_*`` override it).

No jar: the integration tests are skipped with a message, unless ``CI=true``, where a missing jar
is a failure (CI must never pass by skipping them).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

CLIENT_ROOT = Path(__file__).resolve().parent.parent  # clients/python
REPO_ROOT = CLIENT_ROOT.parent.parent
DEFAULT_JAR = REPO_ROOT / "target" / "quarkus-app" / "quarkus-run.jar"
START_TIMEOUT_SECONDS = 120
ISSUER_SCRIPT = REPO_ROOT / "bench" / "k8s_issuer.py"

#: The reference page's policy, with a 1 s delay instead of 300 s so that tests stay quick.
REFERENCE_POLICY = {
    "default_tier": "standard",
    "path_overrides": [
        {"pattern": "production/stripe/*", "tier": "critical", "required_approvals": 2, "approval_delay_seconds": 1},
        {"pattern": "production/openai/*", "tier": "sensitive", "required_approvals": 1},
    ],
}


def jar_path() -> Path:
    return Path(os.environ.get("ASS_JAR") or DEFAULT_JAR)


def _alnum(n: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Principal:
    id: str
    name: str
    api_key: str = field(repr=False)


@dataclass
class Seed:
    """What the harness created; secret values are random per run."""

    agent: Principal
    example_agent: Principal
    alice: Principal
    bob: Principal
    #: Software passkeys of alice and bob, by name: critical approvals step up with them.
    passkeys: Dict[str, Any]
    values: Dict[str, str] = field(repr=False)


class Service:
    def __init__(self, jar: Path) -> None:
        self.jar = jar
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.schema = "ass_pytest_" + secrets.token_hex(4)
        self.admin_key = "ass_" + _alnum(43)
        # One log per run, replaced by the next run (build/ is git-ignored).
        self.log_path = str(CLIENT_ROOT / "build" / "test-service.log")
        self.process: Optional[subprocess.Popen] = None
        self.seed: Optional[Seed] = None
        # A stand-in Kubernetes issuer (bench/k8s_issuer.py: discovery + JWKS of an openssl RSA key),
        # so that agents can also authenticate with service-account tokens (ASS_KUBERNETES_ISSUERS).
        self.issuer_port = free_port()
        self.issuer = f"http://127.0.0.1:{self.issuer_port}"
        self.issuer_key = str(CLIENT_ROOT / "build" / "issuer-key.pem")
        self.issuer_process: Optional[subprocess.Popen] = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "Service":
        env = {k: v for k, v in os.environ.items() if k not in ("ASS_MASTER_KEYS", "ASS_ACTIVE_MASTER_KEY")}
        env.update({
            "QUARKUS_HTTP_PORT": str(self.port),
            "ASS_DB_SCHEMA": self.schema,
            "ASS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ASS_BOOTSTRAP_ADMIN_KEY": self.admin_key,
            "ASS_APPROVALS_JOB_INTERVAL": "1s",
            # The webhook test's receiver listens on loopback.
            "ASS_WEBHOOKS_ALLOW_PRIVATE": "true",
            "ASS_WEBHOOKS_POLL_INTERVAL": "1s",
            "ASS_KUBERNETES_ISSUERS": self.issuer,
        })
        os.makedirs(os.path.dirname(self.issuer_key), exist_ok=True)
        subprocess.run(["openssl", "genrsa", "-out", self.issuer_key, "2048"], check=True, capture_output=True)
        self.issuer_process = subprocess.Popen([sys.executable, str(ISSUER_SCRIPT), "serve", self.issuer_key, self.issuer,
                                                str(self.issuer_port)], stdin=subprocess.DEVNULL)
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", str(self.jar)],
                                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=tempfile.gettempdir())
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited during start-up (code {self.process.returncode}):\n{self.log_tail()}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the service was not ready within {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + "/q/health/ready", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def service_account_token(self, namespace: str, service_account: str) -> str:
        """A projected-style token of the stand-in issuer for ``namespace/service_account``."""
        return subprocess.run([sys.executable, str(ISSUER_SCRIPT), "token", self.issuer_key, self.issuer, namespace,
                               service_account], check=True, capture_output=True, text=True).stdout.strip()

    def stop(self) -> None:
        if self.issuer_process and self.issuer_process.poll() is None:
            self.issuer_process.terminate()
            self.issuer_process.wait()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if shutil.which("psql"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q",
                            "-c", f"drop schema if exists {self.schema} cascade"],
                           env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    def log_tail(self, lines: int = 40) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:]) + f"(full log: {self.log_path})"

    def log_text(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    # --- admin API (synchronous: used outside event loops, in set-up) --------------------------

    def call(self, method: str, path: str, body: Any = None, key: Optional[str] = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + (key or self.admin_key))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status}: {answer}")
        return answer

    def principal(self, name: str, role: str, namespaces: List[str]) -> Principal:
        created = self.admin("POST", "/v1/principals", {"name": name, "role": role, "namespaces": namespaces})
        return Principal(created["id"], created["name"], created["api_key"])

    def register_passkey(self, who: Principal) -> "SoftPasskey":
        """Registers a software passkey for ``who`` (critical approvals need one: the passkey step-up)."""
        from softpasskey import SoftPasskey
        passkey = SoftPasskey()
        status, options = self.call("POST", "/v1/passkeys/registration-options", key=who.api_key)
        assert status == 200, (status, options)
        status, created = self.call("POST", "/v1/passkeys", passkey.registration(options["challenge"]), key=who.api_key)
        assert status == 201, (status, created)
        return passkey

    def set_policy(self, namespace: str, policy: Dict[str, Any]) -> None:
        self.admin("PUT", f"/v1/namespaces/{namespace}/policy", policy)

    def seed_fixtures(self) -> Seed:
        suffix = _alnum(12)
        values = {
            "production/config/service-url": "https://internal.example/" + suffix,
            "production/openai/api-key": "sk-openai-" + suffix,
            "production/stripe/api-key": "sk_live_" + suffix,
            "ephemeral/db/password": "pw-" + suffix,
        }
        self.set_policy("production", REFERENCE_POLICY)
        # Requests here expire after 1 s without approval.
        self.set_policy("ephemeral", {"default_tier": "sensitive", "request_ttl_seconds": 1})
        for path, value in values.items():
            self.admin("PUT", "/v1/secrets/" + path, {"value": value})
        namespaces = ["production", "ephemeral"]
        alice = self.principal("alice", "approver", namespaces)
        bob = self.principal("bob", "approver", namespaces)
        return Seed(
            agent=self.principal("agent-orchestrator", "agent", namespaces),
            example_agent=self.principal("reference-example", "agent", ["production"]),
            alice=alice,
            bob=bob,
            passkeys={"alice": self.register_passkey(alice), "bob": self.register_passkey(bob)},
            values=values,
        )


_service: Optional[Service] = None
_failure: Optional[BaseException] = None
_lock = threading.Lock()


def require_service() -> Service:
    """The running, seeded service (started on first use); SkipTest when there is no jar outside CI."""
    global _service, _failure
    jar = jar_path()
    if not jar.is_file():
        message = (f"service jar not found at {jar}; build it with `./mvnw package -DskipTests` in the repository "
                   "root, or point ASS_JAR at one")
        if os.environ.get("CI") == "true":
            raise RuntimeError(message + " (CI=true: integration tests must run, so this is a failure)")
        raise unittest.SkipTest("integration tests skipped: " + message)
    with _lock:
        if _failure is not None:
            raise RuntimeError("the service failed to start earlier in this run") from _failure
        if _service is None:
            service = Service(jar)
            atexit.register(service.stop)
            try:
                service.start()
                service.seed = service.seed_fixtures()
            except BaseException as e:
                _failure = e
                service.stop()
                raise
            _service = service
    return _service


# --- Helpers for tests that need an HTTP endpoint of their own -----------------------------------


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class WebhookReceiver:
    """Accepts webhook deliveries on loopback and keeps (headers, raw body) of each."""

    def __init__(self) -> None:
        self.deliveries: List[Tuple[Dict[str, str], bytes]] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._arrived:
                    receiver.deliveries.append((dict(self.headers.items()), body))
                    receiver._arrived.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/approvals"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, predicate, timeout: float = 15.0) -> Tuple[Dict[str, str], bytes]:
        """The first delivery for which ``predicate(headers, body)`` holds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self.deliveries:
                    if predicate(*delivery):
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching webhook delivery within {timeout} s "
                                         f"({len(self.deliveries)} other deliveries)")
                self._arrived.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RecordingProxy:
    """A pass-through HTTP proxy in front of the service that records (method, path, status) of
    every call, to see what an unmodified program (the reference example) actually did."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}

    def __init__(self, target_port: int) -> None:
        self.calls: List[Tuple[str, str, int]] = []
        proxy = self
        import http.client

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in self.HOP_BY_HOP | {"host"}}
                upstream = http.client.HTTPConnection("127.0.0.1", target_port, timeout=960)
                try:
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                    proxy.calls.append((self.command, self.path, answer.status))
                    self.send_response(answer.status)
                    for k, v in answer.getheaders():
                        if k.lower() not in self.HOP_BY_HOP:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload)
                finally:
                    upstream.close()

            HOP_BY_HOP = RecordingProxy.HOP_BY_HOP
            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
