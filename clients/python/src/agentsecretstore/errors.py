"""Typed exceptions, and the mapping of RFC 9457 problem+json answers onto them.

Every exception of this package derives from :class:`AgentSecretStoreError`, which carries the
problem's ``status``, ``title``, ``detail``, ``type``, ``instance``, field ``errors`` and extension
members (``extensions``). The exception class follows the problem's ``type`` URI (its ``kind``), never
its human-readable text; the HTTP status is the fallback for answers without a known type. No
exception ever holds a request header, so an API key cannot leak through a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

__all__ = [
    "AgentSecretStoreError",
    "ConfigurationError",
    "TransportError",
    "RequestTimeout",
    "ValidationError",
    "AuthenticationError",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "ServerError",
    "RateLimited",
    "ApprovalError",
    "ApprovalPending",
    "ApprovalDenied",
    "ApprovalExpired",
    "ApprovalWaitTimeout",
    "ApprovalCancelled",
    "WebhookVerificationError",
    "SignatureError",
    "FieldError",
    "error_from_response",
    "PROBLEM_TYPE_BASE",
]

#: Every problem ``type`` of the service is this base followed by its kind, e.g. ``.../not-found``.
PROBLEM_TYPE_BASE = "https://agentsecretstore.dev/problems/"

_STANDARD_MEMBERS = ("type", "title", "status", "detail", "instance", "errors")


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's ``errors[]``: the (snake_case) field and what is wrong with it."""

    field: str
    message: str


class AgentSecretStoreError(Exception):
    """Base of every error raised by this package.

    ``status`` is the HTTP status (``None`` for errors that happened before an answer arrived,
    such as a refused connection or a bad webhook signature).
    """

    def __init__(
        self,
        detail: Optional[str] = None,
        *,
        status: Optional[int] = None,
        title: Optional[str] = None,
        type: str = "about:blank",
        instance: Optional[str] = None,
        errors: Optional[List[FieldError]] = None,
        extensions: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.instance = instance
        self.errors: List[FieldError] = list(errors or [])
        #: The problem's extension members, e.g. ``max_wait_seconds`` or ``retry_after_seconds``.
        self.extensions: dict = dict(extensions or {})
        super().__init__(self._message())

    @property
    def kind(self) -> Optional[str]:
        """The problem kind (``not-found``, ``approval-expired``, ...) from ``type``; None if not the service's."""
        if isinstance(self.type, str) and self.type.startswith(PROBLEM_TYPE_BASE):
            return self.type[len(PROBLEM_TYPE_BASE):] or None
        return None

    def _message(self) -> str:
        head = " ".join(str(p) for p in (self.status, self.title) if p)
        text = ": ".join(p for p in (head, self.detail) if p) or self.__class__.__name__
        if self.errors:
            text += " [" + "; ".join(f"{e.field}: {e.message}" for e in self.errors) + "]"
        return text

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(status={self.status!r}, title={self.title!r}, detail={self.detail!r})"

    def to_dict(self) -> dict:
        """The problem document (as the service sent it, or as this client built it)."""
        problem: dict = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.instance:
            problem["instance"] = self.instance
        if self.errors:
            problem["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        for key, value in self.extensions.items():
            problem.setdefault(key, value)
        return problem


class ConfigurationError(AgentSecretStoreError, ValueError):
    """The client is misconfigured: no API key, or a base URL it cannot use."""


class TransportError(AgentSecretStoreError):
    """No usable answer: connection refused or reset, TLS failure, malformed HTTP."""


class RequestTimeout(TransportError):
    """The service did not answer within the client's timeout."""


class ValidationError(AgentSecretStoreError):
    """400 or 422: the request was malformed or had invalid fields (see ``errors``)."""


class AuthenticationError(AgentSecretStoreError):
    """401: the API key is missing, wrong, revoked or belongs to a disabled principal."""


class PermissionDenied(AgentSecretStoreError):
    """403: the caller may not do this (wrong role, not a designated approver, own request, ...)."""


class StepUpRequired(PermissionDenied):
    """403: approving this critical request needs a passkey assertion made for it (``step-up-required``),
    or the one presented was refused (``step-up-invalid``; ``extensions["reason"]`` says why)."""


class NotFound(AgentSecretStoreError):
    """404: no such resource, or one the caller may not see."""


class Conflict(AgentSecretStoreError):
    """409: the resource is not in a state that allows this (decided request, revoked token, ...)."""


class ServerError(AgentSecretStoreError):
    """5xx: the service failed. Idempotent calls were already retried before this is raised."""


class RateLimited(AgentSecretStoreError):
    """429 of kind ``rate-limited``: over a rate or concurrency limit."""

    @property
    def retry_after_seconds(self) -> Optional[int]:
        """How long to wait before trying again, when the service said so."""
        value = self.extensions.get("retry_after_seconds")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class ApprovalError(Conflict):
    """An approval request is not (or no longer) approved, so it has no token to collect.

    ``approval`` is the request as the service showed it (an
    :class:`~agentsecretstore.models.ApprovalRequest`), when known. These derive from
    :class:`Conflict` because the service answers a collection attempt on such a request with 409.
    """

    def __init__(self, detail: Optional[str] = None, *, approval: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("status", 409)
        kwargs.setdefault("title", "Conflict")
        self.approval = approval
        super().__init__(detail, **kwargs)


class ApprovalPending(ApprovalError):
    """The request is still ``pending`` (or ``delayed``: approved, cancel window still open)."""


class ApprovalDenied(ApprovalError):
    """An approver denied the request (``approval.denial`` says who and why)."""


class ApprovalExpired(ApprovalError, TimeoutError):
    """Nobody approved the request before its ``expires_at``: the approvers' deadline passed.

    Also a :class:`TimeoutError`, so ``except TimeoutError`` catches it; never an
    :class:`ApprovalDenied` (nobody said no, and asking again may succeed).
    """


class ApprovalWaitTimeout(ApprovalPending, TimeoutError):
    """This client stopped waiting while the request was still open (``pending`` or ``delayed``).

    Raised by :meth:`AgentVault.wait_for_token` when its ``timeout_seconds`` run out first; the
    request itself goes on (``approval.expires_at`` is its deadline), so waiting again is fine.
    """


class ApprovalCancelled(ApprovalError):
    """The request was cancelled (``approval.cancellation`` says who and why)."""


class TokenExhausted(PermissionDenied):
    """403 of kind ``token-exhausted``: the token's ``max_uses`` reads are used up; request a new one."""


class IdempotentReplayUnavailable(Conflict):
    """409: a retry with an Idempotency-Key whose first answer was a token value, never kept by the
    service. ``extensions["token_id"]`` names that token: revoke it and ask with a new key."""


class WebhookVerificationError(AgentSecretStoreError):
    """A webhook delivery failed verification: missing headers, bad signature or stale timestamp."""


class SignatureError(AgentSecretStoreError):
    """A receipt or audit checkpoint is malformed, signed by an unknown key, or its signature fails."""


_BY_STATUS = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: ValidationError,
}


#: Problem kinds (the last segment of ``type``) and the exception each raises.
_BY_KIND = {
    "bad-request": ValidationError,
    "validation-failed": ValidationError,
    "limit-exceeded": ValidationError,
    "unauthorized": AuthenticationError,
    "forbidden": PermissionDenied,
    "not-found": NotFound,
    "conflict": Conflict,
    "approval-closed": Conflict,
    "approval-expired": Conflict,
    "already-approved": Conflict,
    "no-token-to-collect": Conflict,
    "token-exhausted": TokenExhausted,
    "idempotent-replay-unavailable": IdempotentReplayUnavailable,
    "idempotency-key-in-use": Conflict,
    "idempotency-key-reused": ValidationError,
    "step-up-required": StepUpRequired,
    "step-up-invalid": StepUpRequired,
    "no-passkey": Conflict,
    "passkey-invalid": ValidationError,
    "rate-limited": RateLimited,
    "internal-error": ServerError,
    "service-unavailable": ServerError,
}


def _error_class(status: int, kind: Optional[str] = None) -> type:
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return AgentSecretStoreError


def error_from_response(status: int, reason: str, headers: Mapping[str, str], body: bytes) -> AgentSecretStoreError:
    """Builds the typed exception for an error answer.

    A problem+json (or any JSON object) body gives title, detail and field errors; anything
    else (a proxy's HTML page, say) keeps only the status and reason, never the body itself.
    """
    problem: dict = {}
    if body:
        try:
            parsed = json.loads(body.decode("utf-8"))
            if isinstance(parsed, dict):
                problem = parsed
        except (UnicodeDecodeError, ValueError):
            pass
    errors = []
    for item in problem.get("errors") or []:
        if isinstance(item, dict):
            errors.append(FieldError(str(item.get("field", "")), str(item.get("message", ""))))
    title = problem.get("title") if isinstance(problem.get("title"), str) else None
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    type_uri = problem.get("type") if isinstance(problem.get("type"), str) else "about:blank"
    kind = type_uri[len(PROBLEM_TYPE_BASE):] if type_uri.startswith(PROBLEM_TYPE_BASE) else None
    return _error_class(status, kind)(
        detail,
        status=status,
        title=title or reason or None,
        type=type_uri,
        instance=problem.get("instance") if isinstance(problem.get("instance"), str) else None,
        errors=errors,
        extensions={k: v for k, v in problem.items() if k not in _STANDARD_MEMBERS},
    )
