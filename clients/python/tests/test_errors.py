"""Problem+json mapping, the approval error types, and parsing of the service's JSON."""

import _path  # noqa: F401

import unittest
from datetime import datetime, timezone

from agentsecretstore import (
    AgentSecretStoreError,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalError,
    ApprovalExpired,
    ApprovalPending,
    ApprovalRequest,
    AuthenticationError,
    Conflict,
    NotFound,
    PermissionDenied,
    StepUpRequired,
    RateLimited,
    ServerError,
    TokenResponse,
    ValidationError,
)
from agentsecretstore.errors import error_from_response
from agentsecretstore.models import parse_timestamp
from stub import view

PROBLEM = b'{"type":"about:blank","title":"Forbidden","status":403,"detail":"Only designated approvers may decide.","instance":"/v1/approvals/apr_1/approve"}'


class ProblemMappingTest(unittest.TestCase):
    def test_each_status_maps_to_its_exception(self):
        expected = {400: ValidationError, 401: AuthenticationError, 403: PermissionDenied, 404: NotFound,
                    409: Conflict, 422: ValidationError, 500: ServerError, 503: ServerError}
        for status, cls in expected.items():
            error = error_from_response(status, "Reason", {}, b"")
            self.assertIs(type(error), cls, status)
            self.assertIsInstance(error, AgentSecretStoreError)
            self.assertEqual(error.status, status)

    def test_other_statuses_get_the_base_class(self):
        self.assertIs(type(error_from_response(429, "Too Many Requests", {}, b"")), AgentSecretStoreError)

    def test_problem_fields_are_kept(self):
        error = error_from_response(403, "Forbidden", {}, PROBLEM)
        self.assertEqual(error.title, "Forbidden")
        self.assertEqual(error.detail, "Only designated approvers may decide.")
        self.assertEqual(error.instance, "/v1/approvals/apr_1/approve")
        self.assertEqual(str(error), "403 Forbidden: Only designated approvers may decide.")
        self.assertEqual(error.to_dict()["status"], 403)

    def test_field_errors_are_listed(self):
        body = (b'{"title":"Validation Failed","status":422,"detail":"The request has invalid fields.",'
                b'"errors":[{"field":"ttl_seconds","message":"must be between 1 and 3600"}]}')
        error = error_from_response(422, "Unprocessable Entity", {}, body)
        self.assertEqual([(e.field, e.message) for e in error.errors], [("ttl_seconds", "must be between 1 and 3600")])
        self.assertIn("ttl_seconds: must be between 1 and 3600", str(error))

    def test_a_body_that_is_not_a_problem_is_not_echoed(self):
        error = error_from_response(502, "Bad Gateway", {}, b"<html>proxy page with internals</html>")
        self.assertEqual((error.title, error.detail), ("Bad Gateway", None))
        self.assertNotIn("internals", str(error))

    def test_the_type_uri_chooses_the_exception_whatever_the_text(self):
        body = (b'{"type":"https://agentsecretstore.dev/problems/rate-limited","title":"Too Many Requests",'
                b'"status":429,"detail":"Anything at all.","retry_after_seconds":7}')
        error = error_from_response(429, "Too Many Requests", {}, body)
        self.assertIs(type(error), RateLimited)
        self.assertEqual(error.kind, "rate-limited")
        self.assertEqual(error.retry_after_seconds, 7)
        self.assertEqual(error.to_dict()["retry_after_seconds"], 7)

    def test_extension_members_are_kept_apart_from_the_standard_ones(self):
        body = (b'{"type":"https://agentsecretstore.dev/problems/validation-failed","title":"Validation Failed",'
                b'"status":422,"detail":"The request has invalid fields.","max_wait_seconds":60,'
                b'"errors":[{"field":"timeout_seconds","message":"must be a whole number between 0 and 60"}]}')
        error = error_from_response(422, "Unprocessable Entity", {}, body)
        self.assertEqual(error.kind, "validation-failed")
        self.assertEqual(error.extensions, {"max_wait_seconds": 60})

    def test_approval_conflicts_are_conflicts_by_kind(self):
        for kind in ("approval-closed", "approval-expired", "already-approved", "no-token-to-collect"):
            body = ('{"type":"https://agentsecretstore.dev/problems/%s","status":409,"approval_status":"denied"}' % kind)
            error = error_from_response(409, "Conflict", {}, body.encode())
            self.assertIsInstance(error, Conflict, kind)
            self.assertEqual(error.extensions["approval_status"], "denied")

    def test_a_missing_or_refused_passkey_step_up_is_a_step_up_error(self):
        for kind in ("step-up-required", "step-up-invalid"):
            body = ('{"type":"https://agentsecretstore.dev/problems/%s","status":403,"approval_status":"pending"}' % kind)
            error = error_from_response(403, "Forbidden", {}, body.encode())
            self.assertIsInstance(error, StepUpRequired, kind)
            self.assertIsInstance(error, PermissionDenied, kind)

    def test_a_type_from_elsewhere_has_no_kind_and_maps_by_status(self):
        error = error_from_response(404, "Not Found", {}, b'{"type":"about:blank","status":404}')
        self.assertIsNone(error.kind)
        self.assertIs(type(error), NotFound)

    def test_approval_errors_are_conflicts(self):
        for cls in (ApprovalPending, ApprovalDenied, ApprovalExpired, ApprovalCancelled):
            self.assertTrue(issubclass(cls, ApprovalError))
            self.assertTrue(issubclass(cls, Conflict))
            self.assertEqual(cls("x").status, 409)


class ApprovalRequestTest(unittest.TestCase):
    def test_view_fields_are_parsed(self):
        r = ApprovalRequest.from_json(view(status="delayed", received_approvals=2, issue_at="2025-01-15T10:35:00Z",
                                           approvals=[{"approver_id": "prn_1", "approver_name": "alice",
                                                       "comment": "ok", "approved_at": "2025-01-15T10:31:00Z"}]))
        self.assertEqual((r.status, r.approved, r.is_final), ("delayed", False, False))
        self.assertEqual(r.secret_paths, ["production/stripe/api-key"])
        self.assertEqual((r.required_approvals, r.received_approvals), (2, 2))
        self.assertEqual(r.approvals[0].approver_name, "alice")
        self.assertEqual(r.issue_at, datetime(2025, 1, 15, 10, 35, tzinfo=timezone.utc))

    def test_unknown_fields_are_kept_in_raw(self):
        r = ApprovalRequest.from_json(view(something_new=1))
        self.assertEqual(r.raw["something_new"], 1)

    def test_raise_for_status_names_each_outcome(self):
        denial = {"by_id": "prn_2", "by_name": "bob", "reason": "not now", "at": "2025-01-15T10:31:00Z"}
        cases = {"denied": ApprovalDenied, "expired": ApprovalExpired, "cancelled": ApprovalCancelled,
                 "pending": ApprovalPending, "delayed": ApprovalPending}
        for status, cls in cases.items():
            r = ApprovalRequest.from_json(view(status=status, denial=denial if status == "denied" else None))
            with self.assertRaises(cls) as caught:
                r.raise_for_status()
            self.assertIs(caught.exception.approval, r)
        self.assertIn("by bob: not now", str(ApprovalRequest.from_json(view(status="denied", denial=denial)).error()))
        approved = ApprovalRequest.from_json(view(status="approved"))
        self.assertIs(approved.raise_for_status(), approved)


class TimestampTest(unittest.TestCase):
    def test_nanoseconds_and_z_are_understood(self):
        self.assertEqual(parse_timestamp("2026-11-24T07:00:44.100426126Z"),
                         datetime(2026, 11, 24, 7, 0, 44, 100426, tzinfo=timezone.utc))

    def test_offsets_are_converted_to_utc(self):
        self.assertEqual(parse_timestamp("2025-01-15T12:30:00+02:00"), datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc))

    def test_token_response_parses_expiry(self):
        t = TokenResponse.from_json({"status": "approved", "value": "ast_1", "expires_at": "2025-01-15T10:30:00.5Z"})
        self.assertTrue(t.approved)
        self.assertEqual(t.expires_at.microsecond, 500000)


if __name__ == "__main__":
    unittest.main()
