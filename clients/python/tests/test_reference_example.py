"""The reference page's ``approval_flow.py``, copied unchanged to examples/, runs against the service.

Only the environment differs: ``ASS_AGENT_KEY`` and ``ASS_BASE_URL``. The example asks for
``secrets:read:production/stripe/*`` and reads ``production/stripe/api-key``, which the harness
seeded in its own schema. The example prints the value only on its auto-approved branch; on the
pending branch it reads the secret without printing it, so there a recording proxy in front of
the service shows what it did.
"""

import _path  # noqa: F401

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from agentsecretstore import AgentVault
from harness import CLIENT_ROOT, REFERENCE_POLICY, RecordingProxy, require_service

EXAMPLE = CLIENT_ROOT / "examples" / "approval_flow.py"
SECRET_PATH = "/v1/secrets/production/stripe/api-key"


class ReferenceExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.service = require_service()
        cls.seed = cls.service.seed

    def run_example(self, base_url: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "ASS_AGENT_KEY": self.seed.example_agent.api_key, "ASS_BASE_URL": base_url,
               "PYTHONPATH": str(CLIENT_ROOT / "src")}
        return subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)

    def test_example_is_the_reference_code_unchanged(self):
        reference = (CLIENT_ROOT.parent.parent.parent / "shared" / "reference" / "approval-workflows.txt")
        if not reference.is_file():
            self.skipTest(f"reference page not found at {reference}")
        text = reference.read_text(encoding="utf-8")
        start = text.index("import asyncio\nfrom agentsecretstore import AgentVault")
        end = text.index("asyncio.run(main())", start) + len("asyncio.run(main())")
        self.assertEqual(EXAMPLE.read_text(encoding="utf-8"), text[start:end] + "\n")

    def test_auto_approved_branch_prints_the_secret(self):
        # For this run only, stripe is standard: the example takes its "approved" branch.
        self.service.set_policy("production", {"default_tier": "standard"})
        self.addCleanup(self.service.set_policy, "production", REFERENCE_POLICY)
        result = self.run_example(self.service.base_url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), self.seed.values["production/stripe/api-key"])

    def test_example_runs_with_a_service_account_token_instead_of_a_key(self):
        # Issue 13.1: the same file, in a pod whose service account is bound to the agent.
        self.service.admin("PATCH", f"/v1/principals/{self.seed.example_agent.id}",
                           {"kubernetes_service_accounts": ["payments/reference-example"]})
        self.addCleanup(self.service.admin, "PATCH", f"/v1/principals/{self.seed.example_agent.id}",
                        {"kubernetes_service_accounts": []})
        self.service.set_policy("production", {"default_tier": "standard"})
        self.addCleanup(self.service.set_policy, "production", REFERENCE_POLICY)
        with tempfile.TemporaryDirectory() as d:
            token_file = os.path.join(d, "token")
            with open(token_file, "w", encoding="ascii") as f:
                f.write(self.service.service_account_token("payments", "reference-example"))
            env = {k: v for k, v in os.environ.items() if k != "ASS_AGENT_KEY"}
            env.update({"ASS_TOKEN_FILE": token_file, "ASS_BASE_URL": self.service.base_url,
                        "PYTHONPATH": str(CLIENT_ROOT / "src")})
            result = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), self.seed.values["production/stripe/api-key"])

    def test_critical_branch_waits_for_two_approvals_and_the_delay_then_reads_the_secret(self):
        proxy = RecordingProxy(self.service.port)
        self.addCleanup(proxy.close)
        approvals = []
        approver = threading.Thread(target=lambda: approvals.extend(asyncio.run(self.approve_twice())), daemon=True)
        approver.start()

        started = time.monotonic()
        result = self.run_example(proxy.url)
        approver.join(30)

        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith("Approval required. Request ID: apr_"), result.stdout)
        self.assertEqual(lines[1], "Notified approvers via webhook. Waiting...")
        request_id = lines[0].rsplit(" ", 1)[1]
        self.assertEqual([a.id for a in approvals], [request_id, request_id])
        self.assertEqual(approvals[-1].status, "delayed")
        self.assertLess(time.monotonic() - started, 60)

        calls = [(method, path.split("?")[0], status) for method, path, status in proxy.calls]
        self.assertEqual(calls, [
            ("POST", "/v1/tokens", 202),
            ("GET", f"/v1/approvals/{request_id}/wait", 200),  # one long-poll, no polling loop
            ("GET", f"/v1/approvals/{request_id}/token", 200),
            ("GET", SECRET_PATH, 200),
        ])
        self.assertIn("timeout_seconds=600", proxy.calls[1][1])

    async def approve_twice(self):
        """Alice and Bob, in the background: approve the example's request as soon as it shows."""
        alice = AgentVault(api_key=self.seed.alice.api_key, base_url=self.service.base_url)
        bob = AgentVault(api_key=self.seed.bob.api_key, base_url=self.service.base_url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page = await alice.list_approvals(status="pending", namespace="production")
            mine = [r for r in page if r.requested_by == self.seed.example_agent.name]
            if mine:
                # Critical: each approval steps up with the approver's (software) passkey.
                id = mine[0].id
                passkeys = self.seed.passkeys
                first = await alice.approve(id, comment="Approved for scheduled payment batch",
                                            step_up=passkeys["alice"].assertion((await alice.step_up_challenge(id))["challenge"]))
                second = await bob.approve(id, comment="ok",
                                           step_up=passkeys["bob"].assertion((await bob.step_up_challenge(id))["challenge"]))
                return [first, second]
            await asyncio.sleep(0.1)
        raise AssertionError("the example's approval request never appeared")


if __name__ == "__main__":
    unittest.main()
