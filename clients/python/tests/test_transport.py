"""The HTTP layer against a scripted local server: retries, timeouts, long-poll chunks, encoding."""

import _path  # noqa: F401

import asyncio
import logging
import socket
import time
import unittest

from agentsecretstore import (
    AgentSecretStoreError,
    AgentVault,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalPending,
    Conflict,
    NotFound,
    RequestTimeout,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
)
from stub import Reply, StubServer, problem, view

FAST = RetryPolicy(max_retries=3, backoff_factor=0.01, max_backoff=0.05)
KEY = "ass_UnitTestKey0000000000000000000000000000000"


def unavailable() -> Reply:
    return problem(503, "Service Unavailable", "try again")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StubTestCase(unittest.IsolatedAsyncioTestCase):
    def stub(self, answer) -> StubServer:
        server = StubServer(answer)
        self.addCleanup(server.close)
        return server

    def vault(self, server: StubServer, **kwargs) -> AgentVault:
        kwargs.setdefault("retry", FAST)
        return AgentVault(api_key=KEY, base_url=server.url, **kwargs)


class RetryPolicyTest(unittest.TestCase):
    def test_delays_grow_exponentially_up_to_the_cap(self):
        policy = RetryPolicy(backoff_factor=0.5, max_backoff=3.0, jitter=False)
        self.assertEqual([policy.delay(n) for n in range(5)], [0.5, 1.0, 2.0, 3.0, 3.0])

    def test_jitter_keeps_at_least_half_of_the_delay(self):
        policy = RetryPolicy(backoff_factor=1.0, max_backoff=10.0)
        for _ in range(50):
            self.assertTrue(2.0 <= policy.delay(2) <= 4.0)

    def test_retry_after_is_honoured_but_capped(self):
        policy = RetryPolicy(max_backoff=5.0)
        self.assertEqual(policy.delay(0, retry_after=2.0), 2.0)
        self.assertEqual(policy.delay(0, retry_after=60.0), 5.0)

    def test_only_transient_server_errors_are_retried(self):
        self.assertTrue(all(RetryPolicy.retries_status(s) for s in (500, 502, 503, 504)))
        self.assertFalse(any(RetryPolicy.retries_status(s) for s in (400, 401, 403, 404, 409, 422, 501, 505)))


class RetryTest(StubTestCase):
    async def test_get_is_retried_after_503_and_then_succeeds(self):
        server = self.stub(lambda seen, n: unavailable() if n == 0 else Reply(200, view()))
        result = await self.vault(server).get_approval("apr_1")
        self.assertEqual(result.id, "apr_1")
        self.assertEqual(server.paths(), ["GET /v1/approvals/apr_1"] * 2)

    async def test_get_gives_up_after_max_retries(self):
        server = self.stub(lambda seen, n: unavailable())
        with self.assertRaises(ServerError) as caught:
            await self.vault(server).get_approval("apr_1")
        self.assertEqual(caught.exception.status, 503)
        self.assertEqual(len(server.seen), 1 + FAST.max_retries)

    async def test_token_request_post_is_never_retried(self):
        server = self.stub(lambda seen, n: unavailable())
        with self.assertRaises(ServerError):
            await self.vault(server).request_token("secrets:read:production/stripe/*", 300, "run")
        self.assertEqual(server.paths(), ["POST /v1/tokens"])

    async def test_approve_is_never_retried(self):
        server = self.stub(lambda seen, n: problem(502, "Bad Gateway", "upstream"))
        with self.assertRaises(ServerError):
            await self.vault(server).approve("apr_1", comment="ok")
        self.assertEqual(server.paths(), ["POST /v1/approvals/apr_1/approve"])

    async def test_client_errors_are_not_retried(self):
        server = self.stub(lambda seen, n: problem(404, "Not Found", "No such approval request."))
        with self.assertRaises(NotFound):
            await self.vault(server).get_approval("apr_1")
        self.assertEqual(len(server.seen), 1)

    async def test_revocation_is_idempotent_and_retried(self):
        token = {"id": "tok_1", "scope": "secrets:read:a/b", "revoked_at": "2025-01-15T10:30:00Z"}
        server = self.stub(lambda seen, n: unavailable() if n == 0 else Reply(200, token))
        info = await self.vault(server).revoke_token("tok_1")
        self.assertTrue(info.revoked)
        self.assertEqual(len(server.seen), 2)

    async def test_refused_connection_is_retried_for_get_then_raised(self):
        vault = AgentVault(api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}", retry=FAST)
        with self.assertLogs("agentsecretstore", logging.WARNING) as logs:
            with self.assertRaises(TransportError):
                await vault.get_approval("apr_1")
        self.assertEqual(len(logs.records), FAST.max_retries)

    async def test_refused_connection_is_not_retried_for_post(self):
        vault = AgentVault(api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}", retry=FAST)
        records = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append
        logging.getLogger("agentsecretstore").addHandler(handler)
        self.addCleanup(logging.getLogger("agentsecretstore").removeHandler, handler)
        with self.assertRaises(TransportError):
            await vault.request_token("secrets:read:production/x", 60, "run")
        self.assertEqual(records, [])


class TimeoutTest(StubTestCase):
    async def test_slow_answer_raises_request_timeout(self):
        server = self.stub(lambda seen, n: Reply(200, view(), delay=2.0))
        vault = self.vault(server, timeout=0.2, retry=RetryPolicy(max_retries=0))
        started = time.monotonic()
        with self.assertRaises(RequestTimeout):
            await vault.get_approval("apr_1")
        self.assertLess(time.monotonic() - started, 1.5)

    async def test_timed_out_post_is_not_sent_again(self):
        server = self.stub(lambda seen, n: Reply(201, {"status": "approved"}, delay=0.6))
        with self.assertRaises(RequestTimeout):
            await self.vault(server, timeout=0.2).request_token("secrets:read:a/b", 60, "x")
        await asyncio.sleep(0.5)
        self.assertEqual(len(server.seen), 1)


class WireFormatTest(StubTestCase):
    async def test_get_secret_sends_key_and_token_headers_and_version(self):
        secret = {"path": "production/stripe/api-key", "version": 2, "tier": "critical", "value": "sk_live_1"}
        server = self.stub(lambda seen, n: Reply(200, secret))
        result = await self.vault(server).get_secret("production/stripe/api-key", token="ast_abc", version=2)
        self.assertEqual((result.path, result.version, result.value), ("production/stripe/api-key", 2, "sk_live_1"))
        seen = server.seen[0]
        self.assertEqual(seen.path, "/v1/secrets/production/stripe/api-key")
        self.assertEqual(seen.query, {"version": "2"})
        self.assertEqual(seen.headers["authorization"], "Bearer " + KEY)
        self.assertEqual(seen.headers["x-secret-token"], "ast_abc")

    async def test_ids_are_percent_encoded_so_they_cannot_change_the_path(self):
        server = self.stub(lambda seen, n: problem(404, "Not Found", "no"))
        with self.assertRaises(NotFound):
            await self.vault(server).get_approval("../principals")
        self.assertEqual(server.seen[0].path, "/v1/approvals/..%2Fprincipals")

    async def test_base_url_path_prefix_is_kept(self):
        server = self.stub(lambda seen, n: Reply(200, view()))
        vault = AgentVault(api_key=KEY, base_url=server.url + "/vault/", retry=FAST)
        await vault.get_approval("apr_1")
        self.assertEqual(server.seen[0].path, "/vault/v1/approvals/apr_1")

    async def test_token_request_body_is_the_reference_json(self):
        pending = {"status": "pending", "approval_request_id": "apr_1", "tier": "critical",
                   "required_approvals": 2, "expires_at": "2025-01-15T11:00:00Z"}
        server = self.stub(lambda seen, n: Reply(202, pending))
        result = await self.vault(server).request_token(
            scope="secrets:read:production/stripe/*", ttl_seconds=300, description="Payment processing run #4821")
        self.assertEqual(result.status, "pending")
        self.assertEqual(result.approval_request_id, "apr_1")
        self.assertEqual(result.required_approvals, 2)
        self.assertEqual(server.seen[0].json(), {"scope": "secrets:read:production/stripe/*", "ttl_seconds": 300,
                                                 "description": "Payment processing run #4821"})
        self.assertEqual(server.seen[0].headers["content-type"], "application/json")

    async def test_redirects_are_not_followed(self):
        server = self.stub(lambda seen, n: Reply(301, b"", {"Location": "https://elsewhere.example/v1/approvals/apr_1"}))
        with self.assertRaisesRegex(AgentSecretStoreError, "redirected to https://elsewhere.example") as caught:
            await self.vault(server).get_approval("apr_1")
        self.assertEqual(caught.exception.status, 301)
        self.assertEqual(len(server.seen), 1)

    async def test_chunked_answers_are_read(self):
        server = self.stub(lambda seen, n: Reply(200, view(description="x" * 100), chunked=True))
        result = await self.vault(server).get_approval("apr_1")
        self.assertEqual(result.description, "x" * 100)

    async def test_problem_details_reach_the_exception(self):
        errors = [{"field": "scope", "message": "must look like secrets:read:<path glob>"}]
        server = self.stub(lambda seen, n: problem(422, "Validation Failed", "The request has invalid fields.", errors))
        with self.assertRaises(ValidationError) as caught:
            await self.vault(server).request_token("bad", 60, "x")
        e = caught.exception
        self.assertEqual((e.status, e.title, e.detail), (422, "Validation Failed", "The request has invalid fields."))
        self.assertEqual(e.errors[0].field, "scope")


class CollectTokenTest(StubTestCase):
    def collecting(self, status: str, **extra):
        def answer(seen, n):
            if seen.path.endswith("/token"):
                return problem(409, "Conflict", f"The request is {status}; there is no token to collect.",
                               kind="no-token-to-collect", approval_status=status)
            return Reply(200, view(status=status, **extra))
        return self.stub(answer)

    async def test_denied_request_raises_approval_denied_with_the_denial(self):
        denial = {"by_id": "prn_1", "by_name": "alice", "reason": "Unexpected access pattern", "at": "2025-01-15T10:31:00Z"}
        server = self.collecting("denied", denial=denial)
        with self.assertRaises(ApprovalDenied) as caught:
            await self.vault(server).get_approved_token("apr_1")
        self.assertIsInstance(caught.exception, Conflict)
        self.assertEqual(caught.exception.approval.denial.reason, "Unexpected access pattern")
        self.assertIn("alice", str(caught.exception))

    async def test_pending_request_raises_approval_pending(self):
        with self.assertRaises(ApprovalPending):
            await self.vault(self.collecting("delayed")).get_approved_token("apr_1")

    async def test_cancelled_request_raises_approval_cancelled(self):
        with self.assertRaises(ApprovalCancelled):
            await self.vault(self.collecting("cancelled")).get_approved_token("apr_1")

    async def test_approved_request_gives_the_value(self):
        collected = {"status": "approved", "value": "ast_v", "token_id": "tok_1", "approval_request_id": "apr_1",
                     "scope": "secrets:read:a/*", "tier": "sensitive", "expires_at": "2025-01-15T11:00:00Z"}
        server = self.stub(lambda seen, n: Reply(200, collected))
        self.assertEqual(await self.vault(server).get_approved_token("apr_1"), "ast_v")


class WaitForApprovalTest(StubTestCase):
    def holding(self, final_after: int = 10 ** 6, status: str = "approved", max_wait: int = 900):
        """A /wait endpoint that holds each call for timeout_seconds (like the service), turning
        ``status`` on call number ``final_after``."""
        def answer(seen, n):
            timeout = int(seen.query.get("timeout_seconds", "30"))
            if timeout > max_wait:
                return problem(422, "Validation Failed", "The request has invalid fields.", [
                    {"field": "timeout_seconds", "message": f"must be a whole number between 0 and {max_wait}"}],
                    max_wait_seconds=max_wait)
            if n >= final_after:
                return Reply(200, view(status=status), delay=0.1)
            return Reply(200, view(status="pending"), delay=timeout)
        return self.stub(answer)

    async def test_returns_as_soon_as_the_request_is_final(self):
        server = self.holding(final_after=0)
        started = time.monotonic()
        result = await self.vault(server).wait_for_approval("apr_1", timeout_seconds=600)
        self.assertTrue(result.approved)
        self.assertEqual(result.status, "approved")
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(server.seen[0].path, "/v1/approvals/apr_1/wait")
        self.assertEqual(server.seen[0].query, {"timeout_seconds": "600"})

    async def test_long_wait_is_split_in_chunks_of_the_server_maximum(self):
        server = self.holding()
        vault = self.vault(server, max_wait_chunk_seconds=1)
        started = time.monotonic()
        result = await vault.wait_for_approval("apr_1", timeout_seconds=2.5)
        elapsed = time.monotonic() - started
        self.assertEqual((result.status, result.approved, result.is_final), ("pending", False, False))
        self.assertEqual([s.query["timeout_seconds"] for s in server.seen], ["1", "1", "1"])
        self.assertTrue(2.5 <= elapsed < 4.5, elapsed)

    async def test_chunks_never_exceed_900_seconds(self):
        server = self.holding(final_after=0)
        await self.vault(server).wait_for_approval("apr_1", timeout_seconds=3600)
        self.assertEqual(server.seen[0].query["timeout_seconds"], "900")

    async def test_adapts_to_a_service_with_a_shorter_maximum(self):
        server = self.holding(final_after=1, max_wait=2)
        result = await self.vault(server).wait_for_approval("apr_1", timeout_seconds=60)
        self.assertTrue(result.approved)
        self.assertEqual([s.query["timeout_seconds"] for s in server.seen], ["60", "2"])

    async def test_denial_is_returned_not_raised(self):
        server = self.holding(final_after=0, status="denied")
        result = await self.vault(server).wait_for_approval("apr_1", timeout_seconds=10)
        self.assertFalse(result.approved)
        self.assertEqual(result.status, "denied")
        with self.assertRaises(ApprovalDenied):
            result.raise_for_status()

    async def test_zero_timeout_asks_once_for_the_current_state(self):
        server = self.holding()
        result = await self.vault(server).wait_for_approval("apr_1", timeout_seconds=0)
        self.assertEqual(result.status, "pending")
        self.assertEqual([s.query["timeout_seconds"] for s in server.seen], ["0"])

    async def test_keeps_waiting_through_server_errors_until_decided(self):
        server = self.stub(lambda seen, n: unavailable() if n < 6 else Reply(200, view(status="approved")))
        result = await self.vault(server).wait_for_approval("apr_1", timeout_seconds=30)
        self.assertTrue(result.approved)
        self.assertEqual(len(server.seen), 7)

    async def test_waiting_does_not_block_the_event_loop(self):
        server = self.holding()
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        task = asyncio.create_task(ticker())
        await self.vault(server, max_wait_chunk_seconds=1).wait_for_approval("apr_1", timeout_seconds=1)
        task.cancel()
        self.assertGreaterEqual(ticks, 10)

    async def test_cancelling_a_wait_returns_at_once(self):
        server = self.holding()
        task = asyncio.create_task(self.vault(server).wait_for_approval("apr_1", timeout_seconds=600))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertLess(time.monotonic() - started, 0.5)


if __name__ == "__main__":
    unittest.main()
