"""Configuration from the environment, and no key, token or secret value in reprs, errors or logs."""

import _path  # noqa: F401

import logging
import os
import pickle
import traceback
import unittest
from unittest import mock

from agentsecretstore import AgentVault, AuthenticationError, ConfigurationError, Secret, TokenResponse
from stub import Reply, StubServer, problem

KEY = "ass_SuperSecretKeyValue0000000000000000000000"
TOKEN = "ast_SuperSecretTokenValue00000000000000000000"
VALUE = "sk_live_SuperSecretValue"


class ConfigurationTest(unittest.TestCase):
    def test_key_and_base_url_come_from_the_environment(self):
        with mock.patch.dict(os.environ, {"ASS_AGENT_KEY": KEY, "ASS_BASE_URL": "https://vault.example.com/"}):
            vault = AgentVault()
        self.assertEqual(vault.base_url, "https://vault.example.com")

    def test_default_base_url_is_localhost_8080(self):
        env = {k: v for k, v in os.environ.items() if k != "ASS_BASE_URL"}
        with mock.patch.dict(os.environ, env, clear=True):
            self.assertEqual(AgentVault(api_key=KEY).base_url, "http://localhost:8080")

    def test_arguments_win_over_the_environment(self):
        with mock.patch.dict(os.environ, {"ASS_AGENT_KEY": "ass_other", "ASS_BASE_URL": "http://a:1"}):
            self.assertEqual(AgentVault(api_key=KEY, base_url="http://b:2").base_url, "http://b:2")

    def test_missing_key_is_a_configuration_error(self):
        env = {k: v for k, v in os.environ.items() if k != "ASS_AGENT_KEY"}
        with mock.patch.dict(os.environ, env, clear=True):
            with self.assertRaisesRegex(ConfigurationError, "ASS_AGENT_KEY"):
                AgentVault()

    def test_unusable_base_urls_are_refused(self):
        for url in ("ftp://host", "localhost:8080", "http://user:pw@host", "http://host?x=1"):
            with self.assertRaises(ConfigurationError, msg=url):
                AgentVault(api_key=KEY, base_url=url)


class RedactionTest(unittest.IsolatedAsyncioTestCase):
    def test_client_repr_and_str_hide_the_key(self):
        vault = AgentVault(api_key=KEY, base_url="http://localhost:8080")
        for text in (repr(vault), str(vault), f"{vault}", repr(vault._transport)):
            self.assertNotIn(KEY, text)
            self.assertNotIn(KEY[4:12], text)
        self.assertIn("<hidden>", repr(vault))

    def test_client_cannot_be_pickled(self):
        with self.assertRaises(TypeError):
            pickle.dumps(AgentVault(api_key=KEY))

    def test_token_and_secret_values_stay_out_of_reprs(self):
        token = TokenResponse(status="approved", token_id="tok_1", value=TOKEN)
        secret = Secret(path="production/stripe/api-key", version=1, value=VALUE)
        self.assertNotIn(TOKEN, repr(token) + str(token))
        self.assertNotIn(VALUE, repr(secret) + str(secret))
        self.assertIn("tok_1", repr(token))

    async def test_errors_and_debug_logs_never_show_key_token_or_value(self):
        def answer(seen, n):
            if seen.path.startswith("/v1/secrets/"):
                return Reply(200, {"path": "production/stripe/api-key", "version": 1, "value": VALUE})
            return problem(401, "Unauthorized", "A valid API key is required.")

        server = StubServer(answer)
        self.addCleanup(server.close)
        vault = AgentVault(api_key=KEY, base_url=server.url)
        with self.assertLogs("agentsecretstore", logging.DEBUG) as logs:
            secret = await vault.get_secret("production/stripe/api-key", token=TOKEN)
            with self.assertRaises(AuthenticationError) as caught:
                await vault.get_approval("apr_1")
        self.assertEqual(secret.value, VALUE)
        error = caught.exception
        shown = [str(error), repr(error), "".join(traceback.format_exception(type(error), error, error.__traceback__)),
                 str(error.to_dict()), *logs.output]
        for text in shown:
            for secret_text in (KEY, TOKEN, VALUE):
                self.assertNotIn(secret_text, text)
        self.assertTrue(any("GET /v1/secrets/production/stripe/api-key -> 200" in line for line in logs.output))


if __name__ == "__main__":
    unittest.main()
