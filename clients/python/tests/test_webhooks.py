"""verify_webhook: the Standard Webhooks test vector, our own signed samples, every refusal.

Deliveries made by the running service are verified in test_integration.WebhookDeliveryTest.
"""

import _path  # noqa: F401

import base64
import json
import os
import unittest

from agentsecretstore import AgentVault, WebhookVerificationError, sign_webhook, verify_webhook, webhook_key

# Published with the Standard Webhooks specification (its reference libraries test this vector).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def spec_headers(signature: str = SPEC_SIGNATURE) -> dict:
    return {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": signature}


def fresh_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


class SpecVectorTest(unittest.TestCase):
    def test_published_vector_verifies_with_the_tolerance_off(self):
        self.assertEqual(verify_webhook(SPEC_BODY, spec_headers(), SPEC_SECRET, tolerance_seconds=None),
                         {"test": 2432232314})

    def test_published_vector_verifies_at_its_own_time(self):
        payload = verify_webhook(SPEC_BODY.encode(), spec_headers(), SPEC_SECRET, now=SPEC_TIMESTAMP + 10)
        self.assertEqual(payload["test"], 2432232314)

    def test_published_vector_is_refused_as_too_old_today(self):
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            verify_webhook(SPEC_BODY, spec_headers(), SPEC_SECRET)

    def test_signing_reproduces_the_published_signature(self):
        self.assertEqual(sign_webhook(SPEC_BODY, SPEC_ID, SPEC_TIMESTAMP, SPEC_SECRET), SPEC_SIGNATURE)

    def test_is_available_on_the_client_class(self):
        self.assertEqual(AgentVault.verify_webhook(SPEC_BODY, spec_headers(), SPEC_SECRET, tolerance_seconds=None),
                         {"test": 2432232314})


class OwnSamplesTest(unittest.TestCase):
    def setUp(self):
        self.secret = fresh_secret()
        self.now = 1_700_000_000
        self.body = json.dumps({"event": "approval.requested", "approval_request_id": "apr_01HQKM3N",
                                "tier": "critical", "description": "Payment processing run #4821 — ünïcode"})
        self.headers = {"webhook-id": "whd_01", "webhook-timestamp": str(self.now),
                        "webhook-signature": sign_webhook(self.body, "whd_01", self.now, self.secret)}

    def verify(self, body=None, headers=None, secret=None, **kwargs):
        kwargs.setdefault("now", self.now)
        return verify_webhook(self.body if body is None else body, self.headers if headers is None else headers,
                              self.secret if secret is None else secret, **kwargs)

    def test_signed_sample_verifies_and_returns_the_payload(self):
        self.assertEqual(self.verify()["approval_request_id"], "apr_01HQKM3N")

    def test_raw_bytes_body_verifies(self):
        self.assertEqual(self.verify(body=self.body.encode("utf-8"))["tier"], "critical")

    def test_header_names_are_case_insensitive_and_pairs_are_accepted(self):
        pairs = [(k.title(), v) for k, v in self.headers.items()]
        self.assertEqual(self.verify(headers=pairs)["tier"], "critical")

    def test_tampered_body_is_refused(self):
        with self.assertRaisesRegex(WebhookVerificationError, "No matching signature"):
            self.verify(body=self.body.replace("critical", "standard"))

    def test_re_serialized_json_is_refused(self):
        with self.assertRaises(WebhookVerificationError):
            self.verify(body=json.dumps(json.loads(self.body), separators=(",", ":")))

    def test_wrong_secret_is_refused(self):
        with self.assertRaises(WebhookVerificationError):
            self.verify(secret=fresh_secret())

    def test_changed_id_or_timestamp_is_refused(self):
        with self.assertRaises(WebhookVerificationError):
            self.verify(headers={**self.headers, "webhook-id": "whd_02"})
        with self.assertRaises(WebhookVerificationError):
            self.verify(headers={**self.headers, "webhook-timestamp": str(self.now + 1)})

    def test_missing_headers_are_refused(self):
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            headers = {k: v for k, v in self.headers.items() if k != name}
            with self.assertRaisesRegex(WebhookVerificationError, "Missing"):
                self.verify(headers=headers)

    def test_non_numeric_timestamp_is_refused(self):
        with self.assertRaisesRegex(WebhookVerificationError, "Invalid webhook-timestamp"):
            self.verify(headers={**self.headers, "webhook-timestamp": "yesterday"})

    def test_timestamp_outside_the_tolerance_is_refused_both_ways(self):
        self.verify(now=self.now + 300)
        self.verify(now=self.now - 300)
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            self.verify(now=self.now + 301)
        with self.assertRaisesRegex(WebhookVerificationError, "too new"):
            self.verify(now=self.now - 301)
        self.verify(now=self.now + 3000, tolerance_seconds=3600)

    def test_any_of_several_signatures_may_match_during_a_rotation(self):
        old = sign_webhook(self.body, "whd_01", self.now, fresh_secret())
        headers = {**self.headers, "webhook-signature": f"v1a,abc {old} {self.headers['webhook-signature']}"}
        self.assertEqual(self.verify(headers=headers)["tier"], "critical")

    def test_signatures_of_another_version_do_not_count(self):
        digest = self.headers["webhook-signature"].split(",", 1)[1]
        with self.assertRaises(WebhookVerificationError):
            self.verify(headers={**self.headers, "webhook-signature": "v2," + digest})

    def test_body_that_is_not_json_is_refused_even_when_signed(self):
        body = "not json"
        headers = {**self.headers, "webhook-signature": sign_webhook(body, "whd_01", self.now, self.secret)}
        with self.assertRaisesRegex(WebhookVerificationError, "not JSON"):
            self.verify(body=body, headers=headers)


class SecretKeyTest(unittest.TestCase):
    def test_whsec_secret_key_is_its_base64_decoded_bytes(self):
        self.assertEqual(webhook_key("whsec_" + base64.b64encode(b"0123456789abcdef").decode()), b"0123456789abcdef")

    def test_unpadded_base64_is_accepted(self):
        self.assertEqual(webhook_key("whsec_MDEyMzQ1Njc4OWFiY2RlZmc"), b"0123456789abcdefg")

    def test_secret_that_is_not_whsec_base64_is_used_as_utf8_like_the_service_does(self):
        # The reference page's placeholder is not base64 ('_' is outside the alphabet).
        self.assertEqual(webhook_key("whsec_your_signing_secret"), b"whsec_your_signing_secret")
        self.assertEqual(webhook_key("plain-secret"), b"plain-secret")

    def test_bytes_are_the_key_itself(self):
        self.assertEqual(webhook_key(b"\x00\x01"), b"\x00\x01")


if __name__ == "__main__":
    unittest.main()
