"""The SDK and the approver CLI against the real service (started by harness.py) and PostgreSQL.

Each test makes its own token requests in the seeded namespaces: ``production`` carries the
reference page's policy (stripe critical with 2 approvals and a 1 s delay, openai sensitive),
``ephemeral`` is sensitive with requests that expire after 1 s.
"""

import _path  # noqa: F401

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
import uuid
import unittest

from agentsecretstore import (
    StepUpRequired,
    AgentVault,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalExpired,
    ApprovalPending,
    AuthenticationError,
    Conflict,
    NotFound,
    PermissionDenied,
    SignatureError,
    ValidationError,
    WebhookVerificationError,
    verify_checkpoint,
    verify_receipt,
    verify_webhook,
)
from harness import CLIENT_ROOT, WebhookReceiver, require_service

STRIPE = "secrets:read:production/stripe/*"
OPENAI = "secrets:read:production/openai/*"


class ServiceTestCase(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.service = require_service()
        cls.seed = cls.service.seed

    def vault(self, who) -> AgentVault:
        return AgentVault(api_key=who.api_key, base_url=self.service.base_url)

    async def asyncSetUp(self):
        self.agent = self.vault(self.seed.agent)
        self.alice = self.vault(self.seed.alice)
        self.bob = self.vault(self.seed.bob)

    async def pending(self, scope: str, description: str = "integration test") -> str:
        # A run id of its own: the same ask while an earlier one is open would get that one back.
        request = await self.agent.request_token(scope=scope, ttl_seconds=300, description=description,
                                                 run_id=uuid.uuid4().hex)
        self.assertEqual(request.status, "pending")
        return request.approval_request_id

    async def approve_critical(self, who: str, id: str, comment=None):
        """Approves a critical request as ``who`` (alice or bob) with a fresh step-up of their software passkey."""
        vault = getattr(self, who)
        options = await vault.step_up_challenge(id)
        return await vault.approve(id, comment=comment, step_up=self.seed.passkeys[who].assertion(options["challenge"]))

    def later(self, delay: float, *steps):
        """Runs the coroutine factories one after another in the background, after ``delay``."""
        async def run():
            await asyncio.sleep(delay)
            results = []
            for step in steps:
                results.append(await step())
            return results
        return asyncio.create_task(run())


class StandardFlowTest(ServiceTestCase):
    async def test_standard_scope_is_granted_at_once_and_reads_the_secret(self):
        token = await self.agent.request_token(scope="secrets:read:production/config/*", ttl_seconds=300,
                                               description="Nightly config sync")
        self.assertEqual((token.status, token.tier, token.approved), ("approved", "standard", True))
        self.assertTrue(token.value.startswith("ast_"))
        self.assertTrue(token.token_id.startswith("tok_"))
        self.assertIsNotNone(token.expires_at)
        secret = await self.agent.get_secret("production/config/service-url", token=token.value)
        self.assertEqual(secret.value, self.seed.values["production/config/service-url"])
        self.assertEqual((secret.path, secret.version), ("production/config/service-url", 1))

    async def test_a_given_version_is_read(self):
        path = "production/config/rotating"
        await asyncio.to_thread(self.service.admin, "PUT", "/v1/secrets/" + path, {"value": "first"})
        await asyncio.to_thread(self.service.admin, "PUT", "/v1/secrets/" + path, {"value": "second"})
        token = await self.agent.request_token("secrets:read:" + path, 60, "versions")
        self.assertEqual((await self.agent.get_secret(path, token=token)).value, "second")
        old = await self.agent.get_secret(path, token=token.value, version=1)
        self.assertEqual((old.value, old.version), ("first", 1))

    async def test_a_revoked_token_reads_nothing(self):
        token = await self.agent.request_token("secrets:read:production/config/*", 60, "revocation")
        info = await self.agent.revoke_token(token.token_id)
        self.assertTrue(info.revoked)
        self.assertEqual(info.id, token.token_id)
        with self.assertRaises(PermissionDenied):
            await self.agent.get_secret("production/config/service-url", token=token.value)
        self.assertTrue((await self.agent.revoke_token(token)).revoked)  # again: harmless


class SensitiveFlowTest(ServiceTestCase):
    async def test_secret_is_read_after_an_approver_approves_in_the_background(self):
        request = await self.agent.request_token(scope=OPENAI, ttl_seconds=300, description="Embedding run #12")
        self.assertEqual((request.status, request.tier, request.required_approvals), ("pending", "sensitive", 1))
        self.assertTrue(request.approval_request_id.startswith("apr_"))
        approver = self.later(0.5, lambda: self.alice.approve(request.approval_request_id, comment="fine"))

        started = time.monotonic()
        result = await self.agent.wait_for_approval(request.approval_request_id, timeout_seconds=600)
        self.assertLess(time.monotonic() - started, 10)
        await approver
        self.assertTrue(result.approved)
        self.assertEqual(result.status, "approved")
        self.assertEqual([a.approver_name for a in result.approvals], ["alice"])
        self.assertEqual(result.approvals[0].comment, "fine")

        token = await self.agent.get_approved_token(request.approval_request_id)
        secret = await self.agent.get_secret("production/openai/api-key", token=token)
        self.assertEqual(secret.value, self.seed.values["production/openai/api-key"])

    async def test_each_collection_mints_a_new_token_and_retires_the_previous(self):
        id = await self.pending(OPENAI)
        await self.alice.approve(id)
        first = await self.agent.collect_token(id)
        second = await self.agent.collect_token(id)
        self.assertEqual(first.token_id, second.token_id)
        self.assertNotEqual(first.value, second.value)
        with self.assertRaises(PermissionDenied):
            await self.agent.get_secret("production/openai/api-key", token=first.value)
        self.assertTrue((await self.agent.get_secret("production/openai/api-key", token=second.value)).value)


class CriticalFlowTest(ServiceTestCase):
    async def test_two_approvals_then_the_delay_then_the_token(self):
        request = await self.agent.request_token(scope=STRIPE, ttl_seconds=300, description="Payment processing run #4821")
        self.assertEqual((request.status, request.tier, request.required_approvals), ("pending", "critical", 2))
        id = request.approval_request_id
        approvers = self.later(0.3, lambda: self.approve_critical("alice", id, comment="Approved for scheduled payment batch"),
                               lambda: self.approve_critical("bob", id, comment="ok"))

        result = await self.agent.wait_for_approval(id, timeout_seconds=600)
        first, second = await approvers
        self.assertEqual((first.status, first.received_approvals), ("pending", 1))
        self.assertEqual(second.status, "delayed")
        self.assertIsNotNone(second.issue_at)
        self.assertTrue(result.approved)
        self.assertEqual((result.status, result.received_approvals), ("approved", 2))
        self.assertEqual({a.approver_name for a in result.approvals}, {"alice", "bob"})

        token = await self.agent.get_approved_token(id)
        secret = await self.agent.get_secret("production/stripe/api-key", token=token)
        self.assertEqual(secret.value, self.seed.values["production/stripe/api-key"])

    async def test_one_approval_is_not_enough(self):
        id = await self.pending(STRIPE)
        await self.approve_critical("alice", id)
        result = await self.agent.wait_for_approval(id, timeout_seconds=1)
        self.assertEqual((result.status, result.approved, result.received_approvals), ("pending", False, 1))
        await self.agent.cancel(id, reason="test over")


class OutcomeTest(ServiceTestCase):
    async def test_denial_is_returned_by_wait_and_raised_by_get_approved_token(self):
        id = await self.pending(OPENAI)
        denier = self.later(0.3, lambda: self.bob.deny(id, reason="Unexpected access pattern — investigating"))
        result = await self.agent.wait_for_approval(id, timeout_seconds=600)
        await denier
        self.assertFalse(result.approved)
        self.assertEqual(result.status, "denied")
        self.assertEqual((result.denial.by_name, result.denial.reason), ("bob", "Unexpected access pattern — investigating"))
        with self.assertRaises(ApprovalDenied) as caught:
            await self.agent.get_approved_token(id)
        self.assertEqual(caught.exception.approval.denial.reason, "Unexpected access pattern — investigating")
        with self.assertRaises(ApprovalDenied):
            result.raise_for_status()

    async def test_cancelled_request_is_returned_as_cancelled(self):
        id = await self.pending(OPENAI)
        await self.agent.cancel(id, reason="task dropped")
        result = await self.agent.wait_for_approval(id, timeout_seconds=60)
        self.assertEqual((result.status, result.approved), ("cancelled", False))
        self.assertEqual(result.cancellation.reason, "task dropped")
        with self.assertRaises(ApprovalCancelled):
            await self.agent.get_approved_token(id)

    async def test_request_nobody_approves_expires(self):
        request = await self.agent.request_token("secrets:read:ephemeral/db/*", 60, "will expire")
        started = time.monotonic()
        result = await self.agent.wait_for_approval(request.approval_request_id, timeout_seconds=30)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual((result.status, result.approved), ("expired", False))
        with self.assertRaises(ApprovalExpired):
            await self.agent.get_approved_token(request.approval_request_id)

    async def test_wait_that_runs_out_returns_the_pending_request(self):
        id = await self.pending(OPENAI)
        started = time.monotonic()
        result = await self.agent.wait_for_approval(id, timeout_seconds=1)
        elapsed = time.monotonic() - started
        self.assertTrue(0.9 <= elapsed < 6, elapsed)
        self.assertEqual((result.id, result.status, result.approved, result.is_final), (id, "pending", False, False))
        with self.assertRaises(ApprovalPending):
            await self.agent.get_approved_token(id)
        await self.agent.cancel(id)


class SignedRecordsTest(ServiceTestCase):
    """Receipts and checkpoints signed by the running service, verified offline by the SDK."""

    async def test_a_denied_requests_receipt_verifies_with_the_published_keys(self):
        id = await self.pending(OPENAI, description="receipt check")
        await self.bob.deny(id, reason="not now")
        keys = await self.agent.audit_public_keys()
        receipt = await self.agent.get_receipt(id)
        content = verify_receipt(receipt, keys)
        self.assertEqual((content["request_id"], content["outcome"], content["description"]), (id, "denied", "receipt check"))
        self.assertEqual([(d["kind"], d["by"]["name"], d["note"]) for d in content["decisions"]], [("deny", "bob", "not now")])
        with self.assertRaises(SignatureError):
            verify_receipt(dict(receipt, payload=receipt["payload"].replace("receipt check", "something else")), keys)

    async def test_a_checkpoint_verifies_offline_and_the_chain_still_holds_it(self):
        admin = AgentVault(api_key=self.service.admin_key, base_url=self.service.base_url)
        for _ in range(60):                      # the sealer links new entries about once a second
            try:
                checkpoint = await admin.audit_checkpoint()
                break
            except (NotFound, Conflict):
                await asyncio.sleep(0.5)
        verify_checkpoint(checkpoint, await admin.audit_public_keys())
        result = await admin.verify_audit(checkpoint=checkpoint)
        self.assertTrue(result["valid"], result.get("first_broken"))
        self.assertTrue(result["checkpoint_matched"])


class ApiErrorsTest(ServiceTestCase):
    async def test_unknown_request_is_not_found(self):
        with self.assertRaises(NotFound):
            await self.agent.get_approval("apr_01ARZ3NDEKTSV4RRFFQ69G5FAV")

    async def test_agents_cannot_approve(self):
        id = await self.pending(OPENAI)
        with self.assertRaises(PermissionDenied):
            await self.agent.approve(id)
        await self.agent.cancel(id)

    async def test_second_approval_by_the_same_approver_is_a_conflict(self):
        id = await self.pending(STRIPE)
        await self.approve_critical("alice", id)
        with self.assertRaises(Conflict):
            await self.approve_critical("alice", id)
        await self.alice.cancel(id, reason="test over")

    async def test_a_critical_approval_with_only_an_api_key_needs_a_passkey_step_up(self):
        id = await self.pending(STRIPE)
        with self.assertRaises(StepUpRequired) as caught:
            await self.alice.approve(id)
        self.assertEqual(caught.exception.kind, "step-up-required")
        self.assertIsInstance(caught.exception, PermissionDenied)
        self.assertEqual((await self.alice.get_approval(id)).received_approvals, 0)
        await self.alice.cancel(id, reason="test over")

    async def test_invalid_scope_names_the_field(self):
        with self.assertRaises(ValidationError) as caught:
            await self.agent.request_token("read everything", 60, "x")
        self.assertEqual(caught.exception.errors[0].field, "scope")

    async def test_wrong_key_is_an_authentication_error(self):
        vault = AgentVault(api_key="ass_" + "x" * 43, base_url=self.service.base_url)
        with self.assertRaises(AuthenticationError):
            await vault.list_approvals()

    async def test_approvers_list_pending_requests_page_by_page(self):
        ids = {await self.pending(OPENAI, "listing"), await self.pending(OPENAI, "listing")}
        page = await self.alice.list_approvals(status="pending", namespace="production", limit=1)
        self.assertEqual(len(page), 1)
        self.assertIsNotNone(page.next_cursor)
        seen = {r.id async for r in self.alice.iter_approvals(status="pending", namespace="production", page_size=1)}
        self.assertLessEqual(ids, seen)
        for id in ids:
            await self.agent.cancel(id)


class CliTest(ServiceTestCase):
    def cli(self, *args, key=None):
        # A config directory of its own: a sign-in stored by `agentsecretstore login` would win over the key.
        env = {**os.environ, "ASS_API_KEY": key or self.seed.alice.api_key, "ASS_BASE_URL": self.service.base_url,
               "PYTHONPATH": str(CLIENT_ROOT / "src"), "XDG_CONFIG_HOME": str(CLIENT_ROOT / "tests" / ".no-config")}
        return subprocess.run([sys.executable, "-m", "agentsecretstore", *args], env=env, capture_output=True,
                              text=True, timeout=60)

    async def test_list_show_approve(self):
        id = await self.pending(OPENAI, "CLI review")
        listed = await asyncio.to_thread(self.cli, "approvals", "list", "--namespace", "production", "--json")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(id, [item["id"] for item in json.loads(listed.stdout)["items"]])

        table = await asyncio.to_thread(self.cli, "approvals", "list")
        self.assertIn("ID", table.stdout.splitlines()[0])
        self.assertIn(id, table.stdout)

        shown = await asyncio.to_thread(self.cli, "approvals", "show", id)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(f"Approval request {id}", shown.stdout)
        self.assertIn("CLI review", shown.stdout)
        self.assertIn("production/openai/api-key", shown.stdout)

        approved = await asyncio.to_thread(self.cli, "approvals", "approve", id, "--comment", "from the CLI")
        self.assertEqual(approved.returncode, 0, approved.stderr)
        self.assertIn(f"Approved {id}: status approved, 1 of 1 approvals", approved.stdout)
        self.assertTrue((await self.agent.wait_for_approval(id, 10)).approved)

    async def test_deny_and_cancel(self):
        denied_id = await self.pending(OPENAI)
        denied = await asyncio.to_thread(self.cli, "approvals", "deny", denied_id, "--reason", "no", "--json")
        self.assertEqual(denied.returncode, 0, denied.stderr)
        self.assertEqual(json.loads(denied.stdout)["status"], "denied")

        cancelled_id = await self.pending(STRIPE)
        cancelled = await asyncio.to_thread(self.cli, "approvals", "cancel", cancelled_id, "--reason", "not needed")
        self.assertEqual(cancelled.returncode, 0, cancelled.stderr)
        self.assertIn(f"Cancelled {cancelled_id}: status cancelled", cancelled.stdout)

    async def test_errors_exit_non_zero_without_a_traceback(self):
        missing = await asyncio.to_thread(self.cli, "approvals", "show", "apr_01ARZ3NDEKTSV4RRFFQ69G5FAV")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("404 Not Found", missing.stderr)
        self.assertNotIn("Traceback", missing.stderr)
        usage = await asyncio.to_thread(self.cli, "approvals", "deny", "apr_x")
        self.assertEqual(usage.returncode, 2)
        self.assertIn("--reason", usage.stderr)
        for result in (missing, usage):
            self.assertNotIn(self.seed.alice.api_key, result.stdout + result.stderr)


class WebhookDeliveryTest(ServiceTestCase):
    """verify_webhook against deliveries made by the service (issue 4's signed webhooks)."""

    def register(self, receiver: WebhookReceiver, secret: str) -> str:
        status, answer = self.service.call("POST", "/v1/webhooks", {
            "url": receiver.url, "events": ["approval.requested", "approval.approved", "approval.denied"],
            "secret": secret})
        if status in (404, 405) and os.environ.get("CI") != "true":
            self.skipTest("needs service webhooks, issue 4")
        self.assertEqual(status, 201, answer)
        self.addCleanup(self.service.call, "DELETE", "/v1/webhooks/" + answer["id"])
        return answer["id"]

    async def delivery_for(self, receiver: WebhookReceiver, approval_id: str, event: str):
        return await asyncio.to_thread(receiver.wait_for, lambda headers, body: approval_id.encode() in body
                                       and f'"{event}"'.encode() in body)

    async def test_signed_delivery_verifies_and_carries_the_reference_payload(self):
        receiver = WebhookReceiver()
        self.addCleanup(receiver.close)
        secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        await asyncio.to_thread(self.register, receiver, secret)

        id = await self.pending(OPENAI, "webhook check")
        headers, body = await self.delivery_for(receiver, id, "approval.requested")
        payload = verify_webhook(body, headers, secret)
        self.assertEqual(payload["event"], "approval.requested")
        self.assertEqual(payload["approval_request_id"], id)
        self.assertEqual(payload["requested_by"], "agent-orchestrator")
        self.assertEqual((payload["scope"], payload["tier"]), (OPENAI, "sensitive"))
        self.assertEqual(payload["secret_paths"], ["production/openai/api-key"])
        for field in ("description", "expires_at", "approve_url", "timestamp"):
            self.assertIn(field, payload)

        with self.assertRaises(WebhookVerificationError):
            verify_webhook(body.replace(b"sensitive", b"standard"), headers, secret)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(body, headers, "whsec_" + base64.b64encode(os.urandom(32)).decode())

        await self.alice.approve(id)
        headers, body = await self.delivery_for(receiver, id, "approval.approved")
        self.assertEqual(verify_webhook(body, headers, secret)["event"], "approval.approved")

    async def test_the_reference_placeholder_secret_verifies_too(self):
        receiver = WebhookReceiver()
        self.addCleanup(receiver.close)
        await asyncio.to_thread(self.register, receiver, "whsec_your_signing_secret")
        id = await self.pending(OPENAI, "placeholder secret")
        headers, body = await self.delivery_for(receiver, id, "approval.requested")
        self.assertEqual(verify_webhook(body, headers, "whsec_your_signing_secret")["approval_request_id"], id)
        await self.agent.cancel(id)


if __name__ == "__main__":
    unittest.main()
