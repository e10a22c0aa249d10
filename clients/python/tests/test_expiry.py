"""Issue 16.3: a request that ran out of time is a typed timeout, never a denial."""

import _path  # noqa: F401

import unittest

from agentsecretstore import (
    AgentVault,
    ApprovalDenied,
    ApprovalError,
    ApprovalExpired,
    ApprovalPending,
    ApprovalWaitTimeout,
    RetryPolicy,
)
from stub import Reply, StubServer, view

KEY = "ass_UnitTestKey0000000000000000000000000000000"
FAST = RetryPolicy(max_retries=1, backoff_factor=0.01, max_backoff=0.05)


class ExpiryIsATimeoutTest(unittest.IsolatedAsyncioTestCase):
    def stub(self, status: str) -> StubServer:
        def answer(seen, n):
            if seen.path.endswith("/token"):
                return Reply(200, {"status": "approved", "value": "ast_" + "t" * 40, "token_id": "tok_1",
                                   "approval_request_id": "apr_1", "scope": "secrets:read:production/stripe/*",
                                   "tier": "critical", "expires_at": "2025-01-15T11:00:00Z"})
            return Reply(200, view(status=status))
        server = StubServer(answer)
        self.addCleanup(server.close)
        return server

    def vault(self, server: StubServer) -> AgentVault:
        return AgentVault(api_key=KEY, base_url=server.url, retry=FAST)

    def test_an_expiry_is_a_timeout_error_and_not_a_denial(self):
        self.assertTrue(issubclass(ApprovalExpired, TimeoutError))
        self.assertTrue(issubclass(ApprovalExpired, ApprovalError))
        self.assertFalse(issubclass(ApprovalExpired, ApprovalDenied))
        self.assertFalse(issubclass(ApprovalDenied, TimeoutError))
        error = ApprovalExpired("Approval request apr_1 expired without approval")
        self.assertEqual((error.status, str(error).endswith("expired without approval")), (409, True))

    async def test_waiting_for_a_token_of_an_expired_request_raises_approval_expired(self):
        vault = self.vault(self.stub("expired"))
        with self.assertRaises(TimeoutError) as caught:
            await vault.wait_for_token("apr_1", timeout_seconds=5)
        self.assertIsInstance(caught.exception, ApprovalExpired)
        self.assertNotIsInstance(caught.exception, ApprovalDenied)
        self.assertEqual(caught.exception.approval.status, "expired")

    async def test_waiting_for_a_token_of_a_denied_request_raises_a_denial_not_a_timeout(self):
        vault = self.vault(self.stub("denied"))
        with self.assertRaises(ApprovalDenied) as caught:
            await vault.wait_for_token("apr_1", timeout_seconds=5)
        self.assertNotIsInstance(caught.exception, TimeoutError)

    async def test_a_wait_that_runs_out_first_is_a_timeout_of_a_still_open_request(self):
        vault = self.vault(self.stub("pending"))
        with self.assertRaises(ApprovalWaitTimeout) as caught:
            await vault.wait_for_token("apr_1", timeout_seconds=0)
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertIsInstance(caught.exception, ApprovalPending)
        self.assertNotIsInstance(caught.exception, ApprovalExpired)

    async def test_an_approved_request_gives_its_token(self):
        vault = self.vault(self.stub("approved"))
        self.assertEqual(await vault.wait_for_token("apr_1", timeout_seconds=5), "ast_" + "t" * 40)

    async def test_collecting_from_an_expired_request_raises_approval_expired(self):
        def answer(seen, n):
            if seen.path.endswith("/token"):
                return Reply(409, {"type": "https://agentsecretstore.dev/problems/no-token-to-collect",
                                   "title": "Conflict", "status": 409, "approval_status": "expired"},
                             {"Content-Type": "application/problem+json"})
            return Reply(200, view(status="expired"))
        server = StubServer(answer)
        self.addCleanup(server.close)
        with self.assertRaises(ApprovalExpired) as caught:
            await self.vault(server).get_approved_token("apr_1")
        self.assertIsInstance(caught.exception, TimeoutError)


if __name__ == "__main__":
    unittest.main()
