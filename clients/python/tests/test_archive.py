"""Offline check of an exported audit archive (``agentsecretstore verify-archive``).

``fixtures/audit-archive.jsonl.gz`` and ``fixtures/archive-public-key.json`` were written by the
service's own test (``AuditArchiveTest``, run with
``-Dagentsecretstore.sdk-fixtures=clients/python/tests/fixtures``): a day partition the real service
exported before dropping it, and its public keys as ``GET /v1/audit/public-key`` served them.
"""

import _path  # noqa: F401

import contextlib
import gzip
import io
import json
import os
import tempfile
import unittest

from agentsecretstore import SignatureError, cli
from agentsecretstore.archive import entry_hash, verify_archive, verify_archives

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
ARCHIVE = os.path.join(FIXTURES, "audit-archive.jsonl.gz")
KEYS = os.path.join(FIXTURES, "archive-public-key.json")


def keys():
    with open(KEYS, encoding="utf-8") as f:
        return json.load(f)


def lines():
    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def write(rows):
    """A gzip archive of ``rows`` in a temporary file; returns its path."""
    fd, path = tempfile.mkstemp(suffix=".jsonl.gz")
    os.close(fd)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


class ArchiveTest(unittest.TestCase):

    def tearDown(self):
        for path in getattr(self, "_paths", []):
            os.unlink(path)

    def tampered(self, rows):
        path = write(rows)
        self._paths = getattr(self, "_paths", []) + [path]
        return path

    def test_the_services_archive_verifies(self):
        result = verify_archive(ARCHIVE, keys())
        self.assertTrue(result["valid"])
        entries = [r for r in lines() if r["type"] == "entry"]
        self.assertEqual(len(entries), result["entries"])
        self.assertEqual(result["chain_seq"] - result["first_seq"] + 1, result["entries"])

    def test_each_entry_hash_is_recomputed_as_the_service_computes_it(self):
        rows = lines()
        prev = bytes.fromhex(rows[0]["prev_hash"])
        for row in rows:
            if row["type"] == "entry":
                self.assertEqual(row["entry_hash"], entry_hash(prev, row, row["chain_seq"]).hex())
                prev = bytes.fromhex(row["entry_hash"])

    def test_an_edited_entry_is_named(self):
        rows = lines()
        target = next(r for r in rows if r["type"] == "entry" and r["id"].startswith("aud_archive_"))
        target["details"] = '{"n":999}'
        with self.assertRaisesRegex(SignatureError, target["id"]):
            verify_archive(self.tampered(rows), keys())

    def test_an_edit_with_every_hash_recomputed_fails_on_the_seal_signature(self):
        rows = lines()
        entries = [r for r in rows if r["type"] == "entry"]
        entries[0]["actor_id"] = "prn_someone_else"
        prev = bytes.fromhex(rows[0]["prev_hash"])
        for r in entries:
            r["entry_hash"] = entry_hash(prev, r, r["chain_seq"]).hex()
            prev = bytes.fromhex(r["entry_hash"])
        with self.assertRaises(SignatureError):
            verify_archive(self.tampered(rows), keys())

    def test_a_removed_entry_or_a_cut_tail_is_caught(self):
        rows = lines()
        without = [r for r in rows if r is not [x for x in rows if x["type"] == "entry"][1]]
        with self.assertRaises(SignatureError):
            verify_archive(self.tampered(without), keys())
        last_seal = max(i for i, r in enumerate(rows) if r["type"] == "seal")
        with self.assertRaisesRegex(SignatureError, "cut or extended"):
            verify_archive(self.tampered(rows[:last_seal]), keys())

    def test_a_header_signed_by_another_key_is_rejected(self):
        with self.assertRaisesRegex(SignatureError, "not among the trusted"):
            verify_archive(ARCHIVE, {"ask_other": bytes(32)})

    def test_archives_must_continue_one_another(self):
        with self.assertRaisesRegex(SignatureError, "does not continue"):
            verify_archives([ARCHIVE, ARCHIVE], keys())

    def test_a_truncated_gzip_file_is_not_valid(self):
        with open(ARCHIVE, "rb") as f:
            data = f.read()
        fd, path = tempfile.mkstemp(suffix=".jsonl.gz")
        with os.fdopen(fd, "wb") as f:
            f.write(data[: len(data) // 2])
        self._paths = getattr(self, "_paths", []) + [path]
        with self.assertRaises(SignatureError):
            verify_archive(path, keys())

    def test_the_cli_says_valid_and_exits_0_or_names_the_problem_and_exits_1(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(0, cli.main(["verify-archive", ARCHIVE, "--keys", KEYS]))
        self.assertIn("Archive valid", out.getvalue())
        rows = lines()
        rows[-1]["outcome"] = "denied" if rows[-1].get("outcome") != "denied" else "success"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(1, cli.main(["verify-archive", self.tampered(rows), "--keys", KEYS]))
        self.assertIn("NOT VALID", err.getvalue())


if __name__ == "__main__":
    unittest.main()
