"""The CLI's sign-in (device authorization grant) against a scripted identity provider: polling,
the private token file, refresh, logout. The real Keycloak run is src/test/e2e/cli.test.mjs."""

import io
import os
import stat
import tempfile
import unittest
from urllib.parse import parse_qs

import _path  # noqa: F401
from stub import Reply, StubServer

from agentsecretstore import signin
from agentsecretstore.errors import ConfigurationError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class SignInTest(unittest.TestCase):

    def setUp(self) -> None:
        self.home = tempfile.TemporaryDirectory()
        self.addCleanup(self.home.cleanup)
        previous = os.environ.get("XDG_CONFIG_HOME")
        os.environ["XDG_CONFIG_HOME"] = self.home.name
        self.addCleanup(lambda: os.environ.pop("XDG_CONFIG_HOME") if previous is None
                        else os.environ.__setitem__("XDG_CONFIG_HOME", previous))
        self.polls = 0
        self.idp = StubServer(self.answer)
        self.addCleanup(self.idp.close)
        self.token_answers = []

    def answer(self, seen, n):
        base = self.idp.url
        if seen.path == "/.well-known/openid-configuration":
            return Reply(body={"token_endpoint": base + "/token", "device_authorization_endpoint": base + "/device",
                               "revocation_endpoint": base + "/revoke"})
        if seen.path == "/device":
            return Reply(body={"device_code": "dev-123", "user_code": "ABCD-EFGH", "verification_uri": base + "/verify",
                               "verification_uri_complete": base + "/verify?user_code=ABCD-EFGH", "expires_in": 600,
                               "interval": 5})
        if seen.path == "/token":
            return self.token_answers.pop(0)
        if seen.path == "/revoke":
            return Reply(status=200)
        return Reply(status=404)

    def form(self, path):
        return [{k: v[0] for k, v in parse_qs(s.body.decode()).items()} for s in self.idp.seen if s.path == path]

    def test_login_polls_until_signed_in_and_keeps_the_tokens_in_a_private_file(self):
        self.token_answers = [Reply(status=400, body={"error": "authorization_pending"}),
                              Reply(status=400, body={"error": "slow_down"}),
                              Reply(body={"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 300})]
        clock, out = FakeClock(), io.StringIO()
        path = signin.login(self.idp.url, out=out, sleep=clock.sleep, clock=clock)
        self.assertIn("ABCD-EFGH", out.getvalue())
        self.assertIn(self.idp.url + "/verify", out.getvalue())
        self.assertNotIn("at-1", out.getvalue())
        self.assertEqual(path, os.path.join(self.home.name, "agentsecretstore", "tokens.json"))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)
        polls = self.form("/token")
        self.assertEqual(len(polls), 3)
        self.assertEqual(polls[0]["grant_type"], signin.DEVICE_GRANT)
        self.assertEqual(polls[0]["client_id"], signin.DEFAULT_CLIENT_ID)
        self.assertEqual(signin.access_token(clock=clock), "at-1")

    def test_a_declined_sign_in_stores_nothing(self):
        self.token_answers = [Reply(status=400, body={"error": "access_denied"})]
        clock = FakeClock()
        with self.assertRaises(signin.SignInError):
            signin.login(self.idp.url, out=io.StringIO(), sleep=clock.sleep, clock=clock)
        self.assertIsNone(signin.load())

    def test_an_expiring_access_token_is_refreshed_and_stored(self):
        self.token_answers = [Reply(body={"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 60}),
                              Reply(body={"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 300})]
        clock = FakeClock()
        signin.login(self.idp.url, out=io.StringIO(), sleep=clock.sleep, clock=clock)
        clock.now += 45
        self.assertEqual(signin.access_token(clock=clock), "at-2")
        self.assertEqual(self.form("/token")[-1], {"grant_type": "refresh_token", "refresh_token": "rt-1",
                                                  "client_id": signin.DEFAULT_CLIENT_ID})
        self.assertEqual(signin.load()["refresh_token"], "rt-2")
        self.assertEqual(stat.S_IMODE(os.stat(signin.token_file()).st_mode), 0o600)

    def test_a_refused_refresh_asks_to_sign_in_again(self):
        self.token_answers = [Reply(body={"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 10}),
                              Reply(status=400, body={"error": "invalid_grant"})]
        clock = FakeClock()
        signin.login(self.idp.url, out=io.StringIO(), sleep=clock.sleep, clock=clock)
        with self.assertRaises(ConfigurationError):
            signin.access_token(clock=clock)

    def test_logout_revokes_the_refresh_token_and_removes_the_file(self):
        self.token_answers = [Reply(body={"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 300})]
        clock = FakeClock()
        signin.login(self.idp.url, out=io.StringIO(), sleep=clock.sleep, clock=clock)
        self.assertTrue(signin.logout())
        self.assertEqual(self.form("/revoke")[0]["token"], "rt-1")
        self.assertFalse(os.path.exists(signin.token_file()))
        self.assertFalse(signin.logout())
        self.assertIsNone(signin.access_token())


if __name__ == "__main__":
    unittest.main()
