"""Approval budgets and repeated asks on the wire: max_uses, run_id, Idempotency-Key, remaining uses."""

import _path  # noqa: F401

import unittest

from agentsecretstore import AgentVault, IdempotentReplayUnavailable, RetryPolicy, TokenExhausted
from stub import Reply, StubServer, problem

KEY = "ass_UnitTestKey0000000000000000000000000000000"
FAST = RetryPolicy(max_retries=3, backoff_factor=0.01, max_backoff=0.05)
PENDING = {"status": "pending", "approval_request_id": "apr_1", "tier": "sensitive", "required_approvals": 1,
           "expires_at": "2026-11-30T12:00:00Z", "max_uses": 3, "run_id": "task-7"}


class BudgetWireTest(unittest.IsolatedAsyncioTestCase):
    def stub(self, answer) -> StubServer:
        server = StubServer(answer)
        self.addCleanup(server.close)
        return server

    def vault(self, server: StubServer) -> AgentVault:
        return AgentVault(api_key=KEY, base_url=server.url, retry=FAST)

    async def test_max_uses_run_id_and_the_idempotency_key_are_sent(self):
        server = self.stub(lambda seen, n: Reply(202, PENDING))
        answer = await self.vault(server).request_token("secrets:read:prod/x/*", 300, "rotate", max_uses=3,
                                                        run_id="task-7", idempotency_key="k-1")
        seen = server.seen[0]
        self.assertEqual(seen.json(), {"scope": "secrets:read:prod/x/*", "ttl_seconds": 300, "description": "rotate",
                                       "max_uses": 3, "run_id": "task-7"})
        self.assertEqual(seen.headers.get("idempotency-key"), "k-1")
        self.assertEqual((answer.max_uses, answer.run_id, answer.repeated), (3, "task-7", False))

    async def test_without_a_key_no_header_is_sent_and_nothing_is_retried(self):
        server = self.stub(lambda seen, n: problem(503, "Service Unavailable", "later"))
        with self.assertRaises(Exception):
            await self.vault(server).request_token("secrets:read:prod/x/*")
        self.assertEqual(len(server.seen), 1)
        self.assertNotIn("idempotency-key", server.seen[0].headers)

    async def test_with_a_key_a_failed_call_is_retried_with_the_same_key(self):
        server = self.stub(lambda seen, n: problem(503, "Service Unavailable", "later") if n == 0 else Reply(202, PENDING))
        await self.vault(server).request_token("secrets:read:prod/x/*", idempotency_key="k-2")
        self.assertEqual([s.headers.get("idempotency-key") for s in server.seen], ["k-2", "k-2"])

    async def test_a_repeated_ask_is_marked(self):
        server = self.stub(lambda seen, n: Reply(200, dict(PENDING, status="delayed")))
        answer = await self.vault(server).request_token("secrets:read:prod/x/*", run_id="task-7")
        self.assertTrue(answer.repeated)
        self.assertEqual(answer.status, "delayed")

    async def test_problem_kinds_raise_their_exceptions(self):
        server = self.stub(lambda seen, n: problem(409, "Conflict", "never kept", kind="idempotent-replay-unavailable",
                                                   token_id="tok_1"))
        with self.assertRaises(IdempotentReplayUnavailable) as caught:
            await self.vault(server).request_token("secrets:read:prod/x/*", idempotency_key="k-3")
        self.assertEqual(caught.exception.extensions.get("token_id"), "tok_1")
        exhausted = self.stub(lambda seen, n: problem(403, "Forbidden", "used up", kind="token-exhausted"))
        with self.assertRaises(TokenExhausted):
            await self.vault(exhausted).get_secret("prod/x/key", token="ast_abc")

    async def test_an_approval_sends_only_the_narrowing_asked_for(self):
        view = {"id": "apr_1", "status": "approved", "approved": True}
        server = self.stub(lambda seen, n: Reply(200, view))
        await self.vault(server).approve("apr_1", comment="once", max_uses=1)
        self.assertEqual(server.seen[0].json(), {"comment": "once", "max_uses": 1})

    async def test_remaining_uses_are_read(self):
        server = self.stub(lambda seen, n: Reply(200, {"id": "tok_1", "max_uses": 3, "uses": 1, "remaining_uses": 2}))
        info = await self.vault(server).get_token("tok_1")
        self.assertEqual((info.max_uses, info.uses, info.remaining_uses), (3, 1, 2))
        self.assertEqual(server.paths(), ["GET /v1/tokens/tok_1"])


if __name__ == "__main__":
    unittest.main()
