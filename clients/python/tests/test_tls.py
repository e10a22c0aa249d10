"""https: the stub behind TLS with a throw-away self-signed certificate (made with the openssl CLI)."""

import _path  # noqa: F401

import os
import shutil
import ssl
import subprocess
import tempfile
import unittest

from agentsecretstore import AgentVault, RetryPolicy, TransportError
from stub import Reply, StubServer, view

KEY = "ass_UnitTestKey0000000000000000000000000000000"


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command to make a test certificate")
class TlsTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ass-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cls.cert],
                       check=True, capture_output=True)
        cls.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cls.server_context.load_cert_chain(cls.cert, key)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.server = StubServer(lambda seen, n: Reply(200, view()))
        self.addCleanup(self.server.close)
        self.server.server.socket = self.server_context.wrap_socket(self.server.server.socket, server_side=True)
        self.url = self.server.url.replace("http://", "https://")

    async def test_https_works_with_a_trusted_certificate(self):
        trust = ssl.create_default_context(cafile=self.cert)
        vault = AgentVault(api_key=KEY, base_url=self.url, ssl_context=trust)
        self.assertEqual((await vault.get_approval("apr_1")).id, "apr_1")
        self.assertEqual(self.server.seen[0].headers["authorization"], "Bearer " + KEY)

    async def test_untrusted_certificate_is_refused_and_not_retried(self):
        vault = AgentVault(api_key=KEY, base_url=self.url, retry=RetryPolicy(backoff_factor=0.01))
        with self.assertRaisesRegex(TransportError, "not trusted"):
            await vault.get_approval("apr_1")
        self.assertEqual(self.server.seen, [])


if __name__ == "__main__":
    unittest.main()
