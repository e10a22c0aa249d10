"""Kubernetes workload identity: with no API key, the client sends the pod's projected
service-account token, read from its file for every request (the kubelet rotates it)."""

import _path  # noqa: F401

import asyncio
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from agentsecretstore import DEFAULT_TOKEN_FILE, AgentVault, ConfigurationError
from harness import CLIENT_ROOT
from stub import Reply, StubServer

TOKEN_1 = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJvbmUifQ.c2lnbmF0dXJlLW9uZQ"
TOKEN_2 = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ0d28ifQ.c2lnbmF0dXJlLXR3bw"
EXAMPLE = CLIENT_ROOT / "examples" / "approval_flow.py"


def me(seen, n):
    return Reply(200, {"id": "agt_1", "name": "runner", "role": "agent", "namespaces": []})


def no_key_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("ASS_AGENT_KEY", "ASS_TOKEN_FILE")}
    env.update(extra)
    return env


class TokenFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.token_file = Path(self.dir.name) / "token"
        self.token_file.write_text(TOKEN_1 + "\n", encoding="ascii")

    def stub(self, answer=me):
        server = StubServer(answer)
        self.addCleanup(server.close)
        return server

    def test_default_path_is_the_projected_volume_of_the_example_deployment(self):
        self.assertEqual(DEFAULT_TOKEN_FILE, "/var/run/secrets/agent-secret-store/token")

    def test_without_a_key_the_token_file_named_by_ass_token_file_is_sent(self):
        server = self.stub()
        with mock.patch.dict(os.environ, no_key_env(ASS_TOKEN_FILE=str(self.token_file)), clear=True):
            vault = AgentVault(base_url=server.url)
        asyncio.run(vault._transport.request("GET", "/v1/principals/me"))
        self.assertEqual(server.seen[0].headers["authorization"], "Bearer " + TOKEN_1)

    def test_the_file_is_read_again_for_every_request(self):
        server = self.stub()
        vault = AgentVault(base_url=server.url, token_file=str(self.token_file))
        asyncio.run(vault._transport.request("GET", "/v1/principals/me"))
        self.token_file.write_text(TOKEN_2, encoding="ascii")  # the kubelet rotated it
        asyncio.run(vault._transport.request("GET", "/v1/principals/me"))
        self.assertEqual([s.headers["authorization"] for s in server.seen], ["Bearer " + TOKEN_1, "Bearer " + TOKEN_2])

    def test_an_api_key_wins_over_the_token_file(self):
        server = self.stub()
        key = "ass_UnitTestKey0000000000000000000000000000000"
        with mock.patch.dict(os.environ, no_key_env(ASS_TOKEN_FILE=str(self.token_file)), clear=True):
            vault = AgentVault(api_key=key, base_url=server.url)
        asyncio.run(vault._transport.request("GET", "/v1/principals/me"))
        self.assertEqual(server.seen[0].headers["authorization"], "Bearer " + key)

    def test_no_key_and_no_token_file_is_a_configuration_error_naming_both(self):
        missing = str(Path(self.dir.name) / "absent")
        with mock.patch.dict(os.environ, no_key_env(ASS_TOKEN_FILE=missing), clear=True):
            with self.assertRaisesRegex(ConfigurationError, "ASS_AGENT_KEY.*ASS_TOKEN_FILE"):
                AgentVault(base_url="http://127.0.0.1:1")

    def test_a_token_file_that_disappears_fails_the_call_without_showing_the_token(self):
        server = self.stub()
        vault = AgentVault(base_url=server.url, token_file=str(self.token_file))
        self.token_file.unlink()
        with self.assertRaises(ConfigurationError) as caught:
            asyncio.run(vault._transport.request("GET", "/v1/principals/me"))
        self.assertIn(str(self.token_file), str(caught.exception))
        self.assertEqual(server.seen, [])

    def test_the_token_never_shows_in_repr(self):
        vault = AgentVault(base_url="http://127.0.0.1:1", token_file=str(self.token_file))
        self.assertNotIn(TOKEN_1, repr(vault))
        self.assertNotIn(TOKEN_1, repr(vault._transport))
        self.assertIn("token_file=<hidden>", repr(vault))

    def test_the_reference_example_runs_with_a_service_account_token_instead_of_a_key(self):
        def answer(seen, n):
            if seen.path == "/v1/tokens":
                return Reply(201, {"id": "tok_1", "status": "approved", "value": "tok-value", "scope": seen.json()["scope"],
                                   "tier": "standard", "expires_at": "2030-01-01T00:00:00Z"})
            return Reply(200, {"path": "production/stripe/api-key", "value": "sk_live_from_stub", "version": 1})

        server = self.stub(answer)
        env = no_key_env(ASS_TOKEN_FILE=str(self.token_file), ASS_BASE_URL=server.url, PYTHONPATH=str(CLIENT_ROOT / "src"))
        result = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "sk_live_from_stub")
        self.assertEqual({s.headers["authorization"] for s in server.seen}, {"Bearer " + TOKEN_1})


if __name__ == "__main__":
    unittest.main()
