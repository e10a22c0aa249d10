#!/usr/bin/env python3
"""Notification latency: from the approve call's response to the SSE event and to the webhook.

Run by bench/notify-latency.sh against a service it starts; standard library only. Needs
ASS_BENCH_BASE (e.g. http://127.0.0.1:8080) and ASS_BENCH_ADMIN_KEY; optional
ASS_BENCH_REQUESTS (200), ASS_BENCH_WARMUP (20), ASS_BENCH_TIMEOUT (seconds to wait for one
request's notifications, 10) and ASS_BENCH_DEADLINE (seconds for the whole run, 150).

For each request, one at a time: the agent asks for a token in namespace "bench" (sensitive:
one approval), the approver approves it, and t0 is taken right after the approve response has
been read in full. The approver's SSE client and its webhook receiver timestamp the
"approval.approved" event for that request on arrival; latency = arrival - t0. A notification
may arrive before the client has finished reading the HTTP response (the event is published on
commit, the response is written after it), so a latency can be negative: it is kept as is.
"""

import http.client
import http.server
import json
import math
import os
import socket
import sys
import threading
import time
import urllib.parse

GOAL_SSE_P99_MS = 100.0
GOAL_WEBHOOK_P99_MS = 250.0
EVENT = "approval.approved"


class Api:
    """One keep-alive HTTP/1.1 connection per principal; requests are sequential."""

    def __init__(self, host, port, key):
        self.host, self.port, self.key = host, port, key
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def call(self, method, path, body=None, expect=(200,)):
        headers = {"Authorization": "Bearer " + self.key, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        done = time.perf_counter()
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {resp.status}: {raw[:500]!r}")
        return (json.loads(raw) if raw else None), done

    def close(self):
        self.conn.close()


class Arrivals:
    """First arrival time of (channel, event, approval_request_id), with a condition to wait on."""

    def __init__(self):
        self.cond = threading.Condition()
        self.seen = {}
        self.counts = {}

    def record(self, channel, event, request_id, t):
        with self.cond:
            key = (channel, event, request_id)
            self.counts[key] = self.counts.get(key, 0) + 1
            if key not in self.seen:
                self.seen[key] = t
                self.cond.notify_all()

    def wait(self, keys, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                missing = [k for k in keys if k not in self.seen]
                left = end - time.monotonic()
                if not missing or left <= 0:
                    return {k: self.seen.get(k) for k in keys}
                self.cond.wait(left)


def start_receiver(arrivals):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a production receiver

        def do_POST(self):
            t = time.perf_counter()  # request line and headers are in
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                payload = json.loads(body)
                arrivals.record("webhook", payload.get("event"), payload.get("approval_request_id"), t)
            except ValueError:
                pass
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True).start()
    return server


class SseClient:
    """GET /v1/events/stream, parsed line by line in a thread; each event is timestamped when the
    blank line that ends it arrives."""

    def __init__(self, host, port, key, arrivals):
        self.arrivals = arrivals
        self.connected = threading.Event()
        self.error = None
        self.conn = http.client.HTTPConnection(host, port, timeout=None)
        self.conn.request("GET", "/v1/events/stream",
                          headers={"Authorization": "Bearer " + key, "Accept": "text/event-stream"})
        self.thread = threading.Thread(target=self._run, name="sse-client", daemon=True)
        self.thread.start()

    def _run(self):
        try:
            resp = self.conn.getresponse()
            if resp.status != 200:
                raise RuntimeError(f"SSE: HTTP {resp.status}: {resp.read()[:300]!r}")
            self.connected.set()
            event, data = None, []
            while True:
                line = resp.readline()
                if not line:
                    raise RuntimeError("SSE stream ended")
                t = time.perf_counter()
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        try:
                            payload = json.loads("\n".join(data))
                            self.arrivals.record("sse", event or payload.get("event"),
                                                 payload.get("approval_request_id"), t)
                        except ValueError:
                            pass
                    event, data = None, []
                elif line.startswith(":"):
                    continue  # heartbeat comment
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event = value
                    elif field == "data":
                        data.append(value)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.connected.set()

    def close(self):
        try:
            self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def main():
    base = urllib.parse.urlsplit(os.environ["ASS_BENCH_BASE"])
    host, port = base.hostname, base.port
    admin_key = os.environ["ASS_BENCH_ADMIN_KEY"]
    n = int(os.environ.get("ASS_BENCH_REQUESTS", "200"))
    warmup = int(os.environ.get("ASS_BENCH_WARMUP", "20"))
    per_request_timeout = float(os.environ.get("ASS_BENCH_TIMEOUT", "10"))
    deadline = time.monotonic() + float(os.environ.get("ASS_BENCH_DEADLINE", "150"))
    load_before = os.getloadavg()

    admin = Api(host, port, admin_key)
    admin.call("PUT", "/v1/namespaces/bench/policy", {"default_tier": "sensitive"})
    admin.call("PUT", "/v1/secrets/bench/app/key", {"value": "x"}, expect=(200, 201))
    stamp = str(int(time.time()))
    agent_p, _ = admin.call("POST", "/v1/principals",
                            {"name": "bench-agent-" + stamp, "role": "agent", "namespaces": ["bench"]},
                            expect=(200, 201))
    approver_p, _ = admin.call("POST", "/v1/principals",
                               {"name": "bench-approver-" + stamp, "role": "approver", "namespaces": ["bench"]},
                               expect=(200, 201))
    admin.close()
    agent = Api(host, port, agent_p["api_key"])
    approver = Api(host, port, approver_p["api_key"])

    arrivals = Arrivals()
    receiver = start_receiver(arrivals)
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    approver.call("POST", "/v1/webhooks", {"url": hook_url, "events": [EVENT]}, expect=(200, 201))

    sse = SseClient(host, port, approver_p["api_key"], arrivals)
    if not sse.connected.wait(15) or sse.error:
        raise RuntimeError(f"SSE stream did not open: {sse.error}")

    sse_ms, hook_ms, approve_ms, missing = [], [], [], []
    sse_sent_ms, hook_sent_ms = [], []  # the same arrivals, measured from when the approve call was sent

    def one(measure):
        body, _ = agent.call("POST", "/v1/tokens",
                             {"scope": "secrets:read:bench/app/*", "ttl_seconds": 60, "description": "bench"},
                             expect=(202,))
        rid = body["approval_request_id"]
        t_send = time.perf_counter()
        approver.call("POST", f"/v1/approvals/{rid}/approve", {"comment": "bench"})
        t0 = time.perf_counter()  # the approve response has been read in full
        keys = [("sse", EVENT, rid), ("webhook", EVENT, rid)]
        got = arrivals.wait(keys, per_request_timeout)
        if sse.error:
            raise RuntimeError(f"SSE client failed: {sse.error}")
        if not measure:
            return
        approve_ms.append((t0 - t_send) * 1000)
        if got[keys[0]] is None or got[keys[1]] is None:
            missing.append((rid, [k[0] for k in keys if got[k] is None]))
        if got[keys[0]] is not None:
            sse_ms.append((got[keys[0]] - t0) * 1000)
            sse_sent_ms.append((got[keys[0]] - t_send) * 1000)
        if got[keys[1]] is not None:
            hook_ms.append((got[keys[1]] - t0) * 1000)
            hook_sent_ms.append((got[keys[1]] - t_send) * 1000)

    started = time.monotonic()
    for _ in range(warmup):
        one(False)
    done = 0
    for _ in range(n):
        if time.monotonic() > deadline:
            print(f"stopped at the deadline after {done} requests", file=sys.stderr)
            break
        one(True)
        done += 1
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()

    duplicates = sum(1 for (ch, ev, _), c in arrivals.counts.items() if ch == "webhook" and c > 1)

    print()
    print(f"Notification latency: approve response read -> {EVENT} arrives "
          f"({done} sequential requests after {warmup} warm-up, {elapsed:.1f} s)")
    print(f"machine: {os.cpu_count()} CPUs; load average (1/5/15 min) before "
          f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after "
          f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print()
    header = f"{'path (ms)':<27}{'count':>6}{'min':>9}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  {'goal (p99)':<12}{'<0':>4}"
    print(header)
    print("-" * len(header))
    for name, values, goal in (("SSE event", sse_ms, GOAL_SSE_P99_MS),
                               ("webhook", hook_ms, GOAL_WEBHOOK_P99_MS),
                               ("approve call RTT", approve_ms, None),
                               ("SSE, from approve sent", sse_sent_ms, None),
                               ("webhook, from approve sent", hook_sent_ms, None)):
        s = sorted(values)
        p99 = percentile(s, 99)
        verdict = ""
        if goal is not None:
            met = bool(s) and p99 < goal
            verdict = f"< {goal:.0f} {'met' if met else 'MISSED'}"
        neg = sum(1 for v in s if v < 0) if goal is not None else ""
        row = (f"{name:<27}{len(s):>6}" + "".join(
            f"{v:>9.1f}" for v in (s[0] if s else float('nan'), percentile(s, 50), percentile(s, 90), p99,
                                   s[-1] if s else float('nan'))))
        print(f"{row}  {verdict:<12}{neg:>4}")
    print()
    print("Percentiles by nearest rank. '<0' = notifications that arrived before the client had finished "
          "reading the approve response (kept as negative latencies).")
    print("For scale, not against the goals: 'approve call RTT' = the approve request's own round trip; the")
    print("last two rows measure the same arrivals from the moment the approve request was sent (never negative).")
    if missing:
        print(f"MISSING within {per_request_timeout:.0f} s: {len(missing)} requests, e.g. {missing[:3]}")
    if duplicates:
        print(f"webhook received more than once for {duplicates} requests")

    sse.close()
    receiver.shutdown()
    agent.close()
    approver.close()
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main())
