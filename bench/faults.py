#!/usr/bin/env python3
"""Load and faults against three replicas behind nginx; run by bench/faults.sh (stdlib only).

Agents request tokens at every tier and read secrets, approvers approve, deny and cancel, a
webhook receiver and SSE clients listen (two through nginx, one pinned to each replica), and a
prober measures availability. Meanwhile a random replica is killed (-9) every 20-30 s, while the
other two are ready (as a PodDisruptionBudget of one would allow), and started again; PostgreSQL
restarts once, mid-run, under all three. At the end the invariants are checked against the
database and what the listeners saw, and printed as "N passed, M failed".
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time

# Critical approvals step up with a passkey: the bench's approvers use the SDK tests' software passkey.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "tests"))
from softpasskey import SoftPasskey  # noqa: E402

SCHEMA = "ass_faults"
NS = "bench"          # approvers decide here
NS_IDLE = "benchidle"  # nobody decides here: its requests expire
CLIENT_IP = "127.0.0.2"      # clients reach nginx from this loopback address...
FORGED_IP = "203.0.113.9"    # ...and claim this one in X-Forwarded-For, which nginx overwrites
ADMIN_KEY = "ass_Faults" + secrets.token_hex(20)
STOP = threading.Event()         # the load
LISTEN_STOP = threading.Event()  # the listeners, once they have read everything
LOCK = threading.Lock()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- HTTP --------------------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.total = 0
        self.errors = 0
        self.kinds = {}

    def record(self, status):
        with LOCK:
            self.total += 1
            # Refusals the workflow expects (409: already decided, 404, 4xx) are answers, not errors.
            if status == 0 or status >= 500:
                self.errors += 1
                self.kinds[status] = self.kinds.get(status, 0) + 1


STATS = Stats()


def call(port, method, path, key=None, body=None, headers=None, timeout=30, source=CLIENT_IP, count=True):
    """One request on a fresh connection; (status, parsed JSON or None). Status 0: no answer."""
    h = {"Accept": "application/json", "X-Forwarded-For": FORGED_IP}
    if key:
        h["Authorization"] = "Bearer " + key
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    status, parsed = 0, None
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                       source_address=(source, 0) if source else None)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        status = r.status
        c.close()
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
    except (OSError, http.client.HTTPException):
        status = 0
    if count:
        STATS.record(status)
    return status, parsed


# --- The system under test ----------------------------------------------------------------------

class Replica:
    def __init__(self, name, port, args, env):
        self.name, self.port, self.args, self.env = name, port, args, env
        self.proc = None
        self.starts = 0

    def start(self):
        logf = open(os.path.join(self.args.work, f"{self.name}.log"), "a")
        env = dict(os.environ, **self.env, QUARKUS_HTTP_PORT=str(self.port))
        # C1 only: a replica is back sooner, which is what this run is about.
        self.proc = subprocess.Popen(["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                      "-jar", self.args.jar],
                                     env=env, stdout=logf, stderr=subprocess.STDOUT)
        self.starts += 1

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def ready(self):
        s, _ = call(self.port, "GET", "/q/health/ready", timeout=3, source=None, count=False)
        return s == 200

    def await_ready(self, limit=300):
        end = time.time() + limit
        while time.time() < end:
            if self.ready():
                return True
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited during start-up; see {self.args.work}/{self.name}.log")
            time.sleep(0.5)
        return False


class Pg:
    def __init__(self, args):
        self.args = args
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def restart(self):
        subprocess.run(self.prefix + [os.path.join(self.args.pg_bin, "pg_ctl"), "-D", self.args.pg_data,
                                      "-m", "fast", "-w", "restart"], check=True, stdout=subprocess.DEVNULL)

    def query(self, sql):
        out = subprocess.run([os.path.join(self.args.pg_bin, "psql"), "-h", "127.0.0.1", "-p", str(self.args.pg_port),
                              "-U", "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c",
                              f"set search_path to {SCHEMA}; {sql}"], check=True, capture_output=True, text=True)
        lines = [l for l in out.stdout.splitlines() if l != "SET"]
        return lines

    def value(self, sql):
        rows = self.query(sql)
        return rows[0] if rows else None


# --- Listeners ----------------------------------------------------------------------------------

class Receiver(http.server.BaseHTTPRequestHandler):
    """The webhook receiver: records each delivery once (by webhook-id), answers 204."""
    seen = {}

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with LOCK:
            Receiver.seen.setdefault(self.headers.get("webhook-id"), json.loads(body).get("event_id"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


class SseClient(threading.Thread):
    """Follows the feed, reconnecting with Last-Event-ID after the server's retry: hint."""

    def __init__(self, name, port, key, start_after, source):
        super().__init__(daemon=True)
        self.name_, self.port, self.key, self.source = name, port, key, source
        self.last = start_after
        self.seqs = []
        self.reconnects = 0
        self.retry_hints = 0

    def run(self):
        retry = 1.0
        while not LISTEN_STOP.is_set():
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                               source_address=(self.source, 0) if self.source else None)
                c.request("GET", "/v1/events/stream", headers={
                    "Authorization": "Bearer " + self.key, "Accept": "text/event-stream",
                    "Last-Event-ID": str(self.last)})
                r = c.getresponse()
                if r.status != 200:
                    r.read()
                    raise OSError(f"status {r.status}")
                while not LISTEN_STOP.is_set():
                    line = r.fp.readline()
                    if not line:
                        break
                    line = line.decode().rstrip("\r\n")
                    if line.startswith("id:"):
                        seq = int(line[3:].strip())
                        self.seqs.append(seq)
                        self.last = seq
                    elif line.startswith("retry:"):
                        self.retry_hints += 1
                        retry = int(line[6:].strip()) / 1000
                c.close()
            except (OSError, http.client.HTTPException, ValueError):
                pass
            if not LISTEN_STOP.is_set():
                self.reconnects += 1
                time.sleep(retry)


# --- Actors -------------------------------------------------------------------------------------

class Counters:
    reads_ok = 0
    reads_tried = 0
    requests = {"standard": 0, "sensitive": 0, "critical": 0, "idle": 0}
    decisions = {"approve": 0, "deny": 0, "cancel": 0}


def agent(port, key):
    rnd = random.Random()
    while not STOP.is_set():
        tier = rnd.choices(["standard", "sensitive", "critical", "idle"], [4, 3, 3, 1])[0]
        ns = NS_IDLE if tier == "idle" else NS
        path = {"standard": "std", "sensitive": "sens", "critical": "crit", "idle": "sens"}[tier]
        s, r = call(port, "POST", "/v1/tokens", key, {"scope": f"secrets:read:{ns}/{path}/*", "ttl_seconds": 300,
                                                       "description": "faults bench"})
        if s not in (201, 202) or r is None:
            time.sleep(0.5)
            continue
        with LOCK:
            Counters.requests[tier] += 1
        token = r.get("value")
        if s == 202:
            token = wait_for_token(port, key, r["approval_request_id"], patience=20 if tier != "idle" else 0)
        if token:
            for _ in range(2):
                s, _ = call(port, "GET", f"/v1/secrets/{ns}/{path}/a", key, headers={"X-Secret-Token": token})
                with LOCK:
                    Counters.reads_tried += 1
                    Counters.reads_ok += s == 200
        time.sleep(rnd.uniform(0.05, 0.3))


def wait_for_token(port, key, request_id, patience):
    end = time.time() + patience
    while not STOP.is_set() and time.time() < end:
        s, r = call(port, "GET", f"/v1/approvals/{request_id}/wait?timeout_seconds=10", key, timeout=40)
        if s != 200 or r is None:
            time.sleep(0.5)
            continue
        if r["status"] == "approved":
            s, t = call(port, "GET", f"/v1/approvals/{request_id}/token", key)
            return t.get("value") if s == 200 and t else None
        if r["status"] in ("denied", "cancelled", "expired"):
            return None
    return None


def register_passkey(port, key):
    """A software passkey for the approver of ``key``: critical approvals need a fresh step-up."""
    passkey = SoftPasskey()
    s, options = call(port, "POST", "/v1/passkeys/registration-options", key)
    assert s == 200, (s, options)
    s, created = call(port, "POST", "/v1/passkeys", key, passkey.registration(options["challenge"]))
    assert s == 201, (s, created)
    return passkey


def approver(port, key, passkey):
    rnd = random.Random()
    while not STOP.is_set():
        status = rnd.choice(["pending", "pending", "delayed"])
        s, page = call(port, "GET", f"/v1/approvals?status={status}&namespace={NS}&limit=20", key)
        items = (page or {}).get("items") or []
        if not items:
            time.sleep(0.3)
            continue
        req = rnd.choice(items)
        if status == "delayed":
            # Now and then a critical request is cancelled inside its window.
            if rnd.random() < 0.2:
                act, body = "cancel", {"reason": "bench: changed my mind"}
            else:
                time.sleep(0.2)
                continue
        else:
            act, body = rnd.choices([("approve", {"comment": "ok"}), ("deny", {"reason": "bench: no"}),
                                     ("cancel", {"reason": "bench: cancel"})], [8, 1, 1])[0]
        if act == "approve" and req.get("step_up_required"):
            s, options = call(port, "POST", f"/v1/approvals/{req['id']}/step-up", key)
            if s != 200:
                continue
            body = {**body, "step_up": passkey.assertion(options["challenge"])}
        s, _ = call(port, "POST", f"/v1/approvals/{req['id']}/{act}", key, body)
        if s == 200:
            with LOCK:
                Counters.decisions[act] += 1
        time.sleep(rnd.uniform(0.1, 0.4))


class Prober(threading.Thread):
    """A cheap database-backed read through nginx every 200 ms: (time, ok)."""

    def __init__(self, port, key):
        super().__init__(daemon=True)
        self.port, self.key, self.samples = port, key, []

    def run(self):
        while not STOP.is_set():
            s, _ = call(self.port, "GET", f"/v1/approvals?namespace={NS}&limit=1", self.key, timeout=10, count=False)
            self.samples.append((time.time(), s == 200))
            time.sleep(0.2)


# --- The run ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    for a in ("--duration", "--port", "--pg-port"):
        ap.add_argument(a, type=int, required=True)
    for a in ("--pg-bin", "--pg-data", "--work", "--jar"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    pg = Pg(args)
    port = args.port

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    env = {
        "QUARKUS_DATASOURCE_REACTIVE_URL": f"postgresql://127.0.0.1:{args.pg_port}/postgres",
        "QUARKUS_DATASOURCE_JDBC_URL": f"jdbc:postgresql://127.0.0.1:{args.pg_port}/postgres",
        "QUARKUS_DATASOURCE_USERNAME": "postgres",
        "ASS_DB_SCHEMA": SCHEMA,
        "ASS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ASS_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "ASS_WEBHOOKS_ALLOW_PRIVATE": "true",
        "ASS_WEBHOOKS_RETRY_SCHEDULE": ",".join(["0s", "500ms"] + ["1s"] * 60),
        "ASS_WEBHOOKS_TIMEOUT": "5s",
        "ASS_APPROVALS_JOB_INTERVAL": "1s",
        "ASS_EVENTS_HEARTBEAT": "5s",
        "ASS_SHUTDOWN_DELAY": "0s",
        # Client addresses from nginx, and only from it (see bench/nginx.conf).
        "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING": "true",
        "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED": "true",
        "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES": "127.0.0.1",
        "QUARKUS_LOG_FILE_ENABLED": "false",
    }
    replicas = [Replica(f"replica{i}", port + i, args, env) for i in (1, 2, 3)]
    # The first replica migrates alone; the other two then start together.
    replicas[0].start()
    replicas[0].await_ready()
    for r in replicas[1:]:
        r.start()
    for r in replicas[1:]:
        r.await_ready()
    log("three replicas ready behind nginx")

    # Setup through the balancer.
    def admin(method, path, body=None):
        s, r = call(port, method, path, ADMIN_KEY, body)
        if s not in (200, 201):
            raise SystemExit(f"setup: {method} {path} -> {s} {r}")
        return r

    admin("PUT", f"/v1/namespaces/{NS}/policy", {"default_tier": "standard", "path_overrides": [
        {"pattern": f"{NS}/sens/**", "tier": "sensitive", "required_approvals": 1},
        {"pattern": f"{NS}/crit/**", "tier": "critical", "required_approvals": 2, "approval_delay_seconds": 4}]})
    admin("PUT", f"/v1/namespaces/{NS_IDLE}/policy", {"default_tier": "sensitive", "request_ttl_seconds": 15})
    for p in ("std", "sens", "crit"):
        admin("PUT", f"/v1/secrets/{NS}/{p}/a", {"value": "v-" + secrets.token_hex(8)})
    admin("PUT", f"/v1/secrets/{NS_IDLE}/sens/a", {"value": "v-" + secrets.token_hex(8)})
    agents = [admin("POST", "/v1/principals", {"name": f"agent-{i}", "role": "agent", "namespaces": [NS, NS_IDLE]})["api_key"]
              for i in range(4)]
    approvers = [admin("POST", "/v1/principals", {"name": f"approver-{i}", "role": "approver", "namespaces": [NS]})["api_key"]
                 for i in range(3)]
    start_seq = int(pg.value("select coalesce(max(seq), 0) from event"))
    admin("POST", "/v1/webhooks", {"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                                   "events": ["approval.requested", "approval.progress", "approval.approved",
                                              "approval.denied", "approval.cancelled", "approval.expired",
                                              "token.issued"]})

    listeners = [SseClient(f"nginx-{i}", port, ADMIN_KEY, start_seq, CLIENT_IP) for i in range(2)]
    listeners += [SseClient(f"pinned-{r.name}", r.port, ADMIN_KEY, start_seq, None) for r in replicas]
    prober = Prober(port, ADMIN_KEY)
    threads = [threading.Thread(target=agent, args=(port, k), daemon=True) for k in agents]
    threads += [threading.Thread(target=approver, args=(port, k, register_passkey(port, k)), daemon=True) for k in approvers]
    for t in listeners + [prober] + threads:
        t.start()

    # Faults.
    t0 = time.time()
    pg_at = t0 + args.duration / 2
    pg_window = None
    recovered = {}
    listening = [0, 0]
    kills = 0
    next_kill = t0 + random.uniform(20, 30)
    log(f"load for {args.duration} s; PostgreSQL restarts at +{args.duration // 2} s")
    while time.time() < t0 + args.duration:
        now = time.time()
        if pg_window is None and now >= pg_at:
            # Restart PostgreSQL under all three replicas (waiting a while for late starters),
            # so that each has to recover by itself.
            wait_until = time.time() + 120
            while time.time() < wait_until and not all(r.ready() for r in replicas):
                time.sleep(1)
            up = [r for r in replicas if r.ready()]
            a = time.time()
            pg.restart()
            b = time.time()
            pg_window = (a, b)
            log(f"PostgreSQL restarted ({b - a:.1f} s); replicas up then: {[r.name for r in up]}")
            # No kills while the replicas that lived through the restart recover on their own.
            for r in up:
                while time.time() < b + 60:
                    s, _ = call(r.port, "GET", f"/v1/approvals?namespace={NS}&limit=1", ADMIN_KEY, timeout=5,
                                source=None, count=False)
                    if s == 200:
                        recovered[r.name] = time.time() - b
                        break
                    time.sleep(0.2)
                else:
                    recovered[r.name] = None
            # Each replica's LISTEN connection (events and credential changes) is back too.
            relisten_until = time.time() + 60
            while time.time() < relisten_until:
                listening[0] = int(pg.value("select count(*) from pg_stat_activity where query ilike 'listen %'"))
                if listening[0] >= len(up):
                    break
                time.sleep(0.5)
            listening[1] = len(up)
            log(f"LISTEN sessions after the restart: {listening[0]} for {len(up)} replicas")
            log("recovered without restart: " + ", ".join(
                f"{n} {'after %.1f s' % t if t is not None else 'NOT'}" for n, t in recovered.items()))
            next_kill = max(next_kill, time.time() + 5)
        elif now >= next_kill:
            # Like a PodDisruptionBudget of one: a replica dies only while the other two serve.
            victim = random.choice(replicas)
            if all(r.ready() for r in replicas):
                victim.kill()
                kills += 1
                victim.start()
                log(f"kill -9 {victim.name}; started again")
                next_kill = now + random.uniform(20, 30)
            else:
                next_kill = now + 1
        time.sleep(0.2)
    STOP.set()
    log("load stopped; letting the system settle")

    # Settle: every replica up, no request left in its cancel window, the outbox drained.
    for r in replicas:
        if r.proc.poll() is not None:
            r.start()
        r.await_ready()
    end = time.time() + 120
    while time.time() < end:
        open_ = int(pg.value("select count(*) from approval_request where status = 'delayed'"))
        backlog = int(pg.value("select count(*) from webhook_delivery where status in ('pending', 'sending')"))
        if open_ == 0 and backlog == 0:
            break
        time.sleep(1)
    # The listeners follow until they have read the last event (or a minute has passed).
    last_seq = int(pg.value("select coalesce(max(seq), 0) from event"))
    end = time.time() + 60
    while time.time() < end and any(l.last < last_seq for l in listeners):
        time.sleep(0.5)
    LISTEN_STOP.set()

    results = check(pg, listeners, recovered, listening, start_seq)
    errors_pct = 100.0 * STATS.errors / max(1, STATS.total)
    print()
    print(f"requests: {STATS.total} through nginx, {STATS.errors} errors ({errors_pct:.2f} %): {STATS.kinds}")
    print(f"token requests {Counters.requests}, decisions {Counters.decisions}, "
          f"secret reads {Counters.reads_ok}/{Counters.reads_tried}, kills {kills}, "
          f"SSE reconnects {sum(l.reconnects for l in listeners)}, webhook deliveries {len(Receiver.seen)}")
    if pg_window:
        a, b = pg_window
        print(f"PostgreSQL restart: {b - a:.1f} s; longest unavailability around it (no successful read "
              f"through nginx): {longest_gap(prober.samples, a - 5, b + 60):.1f} s")
    passed = sum(1 for _, ok, _ in results if ok)
    for name, ok, detail in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    print(f"{passed} passed, {len(results) - passed} failed")
    for r in replicas:
        r.kill()
    return 0 if passed == len(results) else 1


def longest_gap(samples, start, end):
    """Longest time between successful probes in [start, end] (a failure at both ends counts)."""
    last_ok = None
    worst = 0.0
    for t, ok in samples:
        if t < start:
            if ok:
                last_ok = t
            continue
        if t > end:
            break
        if ok:
            if last_ok is not None:
                worst = max(worst, t - last_ok)
            last_ok = t
    return worst


def check(pg, listeners, recovered, listening, start_seq):
    res = []

    def inv(name, ok, detail):
        res.append((name, bool(ok), detail))

    n = int(pg.value("select count(*) from approval_request r where r.status = 'approved' "
                     "and (select count(*) from token t where t.request_id = r.id) <> 1"))
    total = int(pg.value("select count(*) from approval_request where status = 'approved'"))
    inv("every approved request issued exactly one token", n == 0, f"{total} approved, {n} without exactly one")
    by = dict(l.split("|") for l in pg.query("select status, count(*) from approval_request group by status"))
    n = int(pg.value("select count(*) from token t join approval_request r on r.id = t.request_id "
                     "where r.status <> 'approved'"))
    inv("no token for a denied, cancelled, expired (or undecided) request", n == 0, f"requests by status {by}; {n} such tokens")
    n = int(pg.value("select count(*) from token t join approval_request r on r.id = t.request_id "
                     "where r.tier = 'critical' and (r.issue_at is null or t.issued_at < r.issue_at)"))
    crit = int(pg.value("select count(*) from token t join approval_request r on r.id = t.request_id where r.tier = 'critical'"))
    inv("no critical token before its issue_at", n == 0, f"{crit} critical tokens, {n} early")

    expected = set(pg.query(f"select id from event where seq > {start_seq}"))
    got = set(Receiver.seen.values())
    missing = expected - got
    inv("every event reached the webhook receiver (deduplicated on webhook-id)", not missing and expected,
        f"{len(expected)} events, {len(got)} received, {len(missing)} missing")
    undelivered = int(pg.value("select count(*) from webhook_delivery where status <> 'delivered'"))
    inv("every webhook delivery recorded as delivered", undelivered == 0, f"{undelivered} not delivered")

    seqs = [int(s) for s in pg.query(f"select seq from event where seq > {start_seq} order by seq")]
    for l in listeners:
        ok = l.seqs == seqs
        detail = f"{len(l.seqs)}/{len(seqs)} events, {l.reconnects} reconnects, {l.retry_hints} retry hints"
        if not ok:
            dup = len(l.seqs) - len(set(l.seqs))
            order = all(a < b for a, b in zip(l.seqs, l.seqs[1:]))
            detail += f"; missing {len(set(seqs) - set(l.seqs))}, duplicates {dup}, in order {order}"
        inv(f"SSE client {l.name_} saw every event in order, no gaps", ok, detail)

    s, v = call(listeners[0].port, "GET", "/v1/audit/verify", ADMIN_KEY, timeout=120, count=False)
    inv("/v1/audit/verify is valid", s == 200 and v and v.get("valid") is True, f"{s} {v}")
    audited = int(pg.value("select count(*) from audit_entry where action = 'secret.read' and outcome = 'success'"))
    inv("every secret read audited", Counters.reads_ok <= audited <= Counters.reads_tried,
        f"{Counters.reads_ok} reads answered 200, {audited} audited, {Counters.reads_tried} tried")
    ips = pg.query("select coalesce(source_ip, '-'), count(*) from audit_entry where action = 'secret.read' group by 1")
    inv("client address taken from nginx only (forged X-Forwarded-For ignored)",
        [i.split("|")[0] for i in ips] == [CLIENT_IP], f"source_ip of reads: {ips}")
    inv("replicas recovered from the PostgreSQL restart by themselves",
        recovered and all(t is not None for t in recovered.values()),
        ", ".join(f"{k}: {'%.1f s' % t if t is not None else 'no'}" for k, t in recovered.items()))
    inv("every replica LISTENs again after the PostgreSQL restart", listening[1] and listening[0] >= listening[1],
        f"{listening[0]} LISTEN sessions for {listening[1]} replicas")
    return res


if __name__ == "__main__":
    sys.exit(main())
