"""Offline checks of receipts and checkpoints: the Ed25519 verifier against RFC 8032's vectors,
the seal statement byte for byte, and real receipts and checkpoints signed by the service.

The files in ``fixtures/`` were written by the service's own test (``ReceiptTest``, run with
``-Dagentsecretstore.sdk-fixtures=clients/python/tests/fixtures``): a receipt of an issued request,
the public keys and a checkpoint, exactly as the endpoints served them.
"""

import _path  # noqa: F401

import base64
import contextlib
import copy
import io
import json
import os
import tempfile
import unittest
import unittest.mock

from agentsecretstore import SignatureError, public_keys, seal_statement, verify_checkpoint, verify_receipt
from agentsecretstore import _ed25519, cli

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

# RFC 8032, section 7.1, tests 1, 2 and 3: public key, message, signature.
RFC8032 = [
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


class Ed25519Test(unittest.TestCase):

    def test_the_rfc_8032_vectors_verify(self):
        for public, message, signature in RFC8032:
            with self.subTest(message=message):
                self.assertTrue(_ed25519.verify(bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)))

    def test_another_message_or_key_does_not_verify(self):
        public, message, signature = RFC8032[1]
        self.assertFalse(_ed25519.verify(bytes.fromhex(public), b"\x73", bytes.fromhex(signature)))
        self.assertFalse(_ed25519.verify(bytes.fromhex(RFC8032[0][0]), bytes.fromhex(message), bytes.fromhex(signature)))

    def test_a_flipped_bit_anywhere_in_the_signature_fails(self):
        public, message, signature = RFC8032[2]
        raw = bytearray(bytes.fromhex(signature))
        for i in (0, 31, 32, 63):
            bad = bytearray(raw)
            bad[i] ^= 1
            with self.subTest(byte=i):
                self.assertFalse(_ed25519.verify(bytes.fromhex(public), bytes.fromhex(message), bytes(bad)))

    def test_a_non_canonical_s_is_refused(self):
        public, message, signature = RFC8032[0]
        raw = bytes.fromhex(signature)
        s = int.from_bytes(raw[32:], "little") + _ed25519.L          # the same point, S not reduced
        self.assertFalse(_ed25519.verify(bytes.fromhex(public), b"", raw[:32] + s.to_bytes(32, "little")))

    def test_wrong_lengths_are_refused(self):
        public, _, signature = RFC8032[0]
        self.assertFalse(_ed25519.verify(bytes.fromhex(public)[:31], b"", bytes.fromhex(signature)))
        self.assertFalse(_ed25519.verify(bytes.fromhex(public), b"", bytes.fromhex(signature)[:63]))


class SealStatementTest(unittest.TestCase):

    def test_the_statement_is_the_one_the_service_signs(self):
        # The same statement as the service's SealStatementTest.
        statement = seal_statement({
            "seal_seq": 12, "first_seq": 3401, "chain_seq": 3456, "prev_hash": "00" * 32,
            "entry_hash": "00" * 31 + "ab", "sealed_at": "2026-11-30T18:58:16.123400Z", "key_id": "ask_1"})
        self.assertEqual(
            b"ass.audit.seal.v1\nseal_seq=12\nfirst_seq=3401\nchain_seq=3456\nprev_hash=" + b"00" * 32
            + b"\nentry_hash=" + b"00" * 31 + b"ab\nsealed_at=2026-11-30T18:58:16.123400Z\nkey_id=ask_1\n", statement)

    def test_malformed_fields_are_refused_not_signed_over(self):
        good = fixture("checkpoint.json")
        for field, value in (("chain_seq", "5"), ("entry_hash", "AB" * 32), ("sealed_at", "2026-11-30T18:58:16Z"),
                             ("key_id", "a\nb"), ("seal_seq", 0)):
            bad = dict(good, **{field: value})
            with self.subTest(field=field), self.assertRaises(SignatureError):
                seal_statement(bad)


class CheckpointTest(unittest.TestCase):

    def setUp(self):
        self.keys = fixture("public-key.json")
        self.checkpoint = fixture("checkpoint.json")

    def test_a_checkpoint_from_the_service_verifies(self):
        self.assertIs(self.checkpoint, verify_checkpoint(self.checkpoint, self.keys))

    def test_keys_may_be_given_as_a_map_of_raw_keys(self):
        raw = {k: v for k, v in public_keys(self.keys).items()}
        verify_checkpoint(self.checkpoint, raw)

    def test_an_altered_checkpoint_fails(self):
        for field, value in (("chain_seq", self.checkpoint["chain_seq"] + 1),
                             ("entry_hash", "0" * 64),
                             ("sealed_at", self.checkpoint["sealed_at"][:-2] + "9Z")):
            with self.subTest(field=field), self.assertRaises(SignatureError):
                verify_checkpoint(dict(self.checkpoint, **{field: value}), self.keys)

    def test_a_checkpoint_signed_by_an_unknown_key_fails(self):
        with self.assertRaisesRegex(SignatureError, "not among the trusted public keys"):
            verify_checkpoint(self.checkpoint, {"ask_other": bytes(32)})


class ReceiptTest(unittest.TestCase):

    def setUp(self):
        self.keys = fixture("public-key.json")
        self.receipt = fixture("receipt.json")

    def test_a_receipt_from_the_service_verifies_and_holds_what_was_approved(self):
        content = verify_receipt(self.receipt, self.keys)
        self.assertEqual(self.receipt["request_id"], content["request_id"])
        self.assertEqual("issued", content["outcome"])
        self.assertEqual(2, len(content["decisions"]))
        self.assertTrue(all(d["kind"] == "approve" for d in content["decisions"]))
        self.assertTrue(content["token_id"].startswith("tok_"))
        self.assertEqual(64, len(content["policy"]["sha256"]))

    def test_an_edited_payload_fails(self):
        edited = dict(self.receipt, payload=self.receipt["payload"].replace('"ttl_seconds":300', '"ttl_seconds":301'))
        self.assertNotEqual(edited["payload"], self.receipt["payload"])
        with self.assertRaises(SignatureError):
            verify_receipt(edited, self.keys)

    def test_the_same_json_reformatted_fails_only_the_exact_text_is_signed(self):
        reformatted = dict(self.receipt, payload=json.dumps(json.loads(self.receipt["payload"]), indent=1))
        with self.assertRaises(SignatureError):
            verify_receipt(reformatted, self.keys)

    def test_a_receipt_relabelled_for_another_request_fails(self):
        with self.assertRaisesRegex(SignatureError, "request_id"):
            verify_receipt(dict(self.receipt, request_id="apr_someoneelse"), self.keys)

    def test_a_signature_made_by_another_key_fails(self):
        keys = copy.deepcopy(self.keys)
        for k in keys["keys"]:
            k["public_key"] = base64.b64encode(bytes.fromhex(RFC8032[0][0])).decode()
        with self.assertRaises(SignatureError):
            verify_receipt(self.receipt, keys)


class VerifyCommandTest(unittest.TestCase):
    """``agentsecretstore verify-receipt`` / ``verify-checkpoint`` with saved keys: no service, no API key."""

    def run_cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        env = {k: v for k, v in os.environ.items() if k not in ("ASS_API_KEY", "ASS_AGENT_KEY")}
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), unittest.mock.patch.dict(os.environ, env, clear=True):
            status = cli.main(list(argv))
        return status, out.getvalue(), err.getvalue()

    def test_a_valid_receipt_is_reported_with_its_content(self):
        status, out, _ = self.run_cli("verify-receipt", os.path.join(FIXTURES, "receipt.json"),
                                      "--keys", os.path.join(FIXTURES, "public-key.json"))
        self.assertEqual(0, status)
        self.assertIn("Receipt valid", out)
        self.assertIn("issued", out)

    def test_a_tampered_receipt_fails_with_status_1(self):
        receipt = fixture("receipt.json")
        receipt["payload"] = receipt["payload"].replace('"outcome":"issued"', '"outcome":"denied"')
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(receipt, f)
        try:
            status, _, err = self.run_cli("verify-receipt", f.name, "--keys", os.path.join(FIXTURES, "public-key.json"))
        finally:
            os.unlink(f.name)
        self.assertEqual(1, status)
        self.assertIn("NOT VALID", err)

    def test_a_valid_checkpoint_is_reported(self):
        status, out, _ = self.run_cli("--json", "verify-checkpoint", os.path.join(FIXTURES, "checkpoint.json"),
                                      "--keys", os.path.join(FIXTURES, "public-key.json"))
        self.assertEqual(0, status)
        self.assertTrue(json.loads(out)["valid"])

    def test_without_keys_and_without_an_api_key_it_says_what_is_missing(self):
        status, _, err = self.run_cli("verify-checkpoint", os.path.join(FIXTURES, "checkpoint.json"))
        self.assertEqual(2, status)
        self.assertIn("API key", err)

if __name__ == "__main__":
    unittest.main()
