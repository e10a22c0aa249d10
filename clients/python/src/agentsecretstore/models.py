"""What the API answers, as small read-only objects.

Token and secret values are kept out of every ``repr``/``str``: printing or logging one of these
objects never shows a credential. Read ``.value`` explicitly when you need it.
Timestamps are timezone-aware :class:`datetime.datetime` objects in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator, List, Mapping, Optional

from .errors import ApprovalCancelled, ApprovalDenied, ApprovalError, ApprovalExpired, ApprovalPending

__all__ = [
    "FINAL_STATUSES",
    "TokenResponse",
    "Secret",
    "Decision",
    "Ending",
    "ApprovalRequest",
    "ApprovalPage",
    "TokenInfo",
]

#: Statuses after which an approval request never changes again.
FINAL_STATUSES = frozenset({"approved", "denied", "cancelled", "expired"})

_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$")


def parse_timestamp(value: Any) -> Optional[datetime]:
    """RFC 3339 to an aware datetime (nanoseconds cut to microseconds); None stays None."""
    if value is None or isinstance(value, datetime):
        return value
    m = _TIMESTAMP.match(str(value))
    if not m:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    text = m.group(1)
    if m.group(2):
        text += "." + (m.group(2) + "000000")[:6]
    zone = m.group(3) or "Z"
    text += "+00:00" if zone == "Z" else zone
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _ending(e: Optional["Ending"]) -> str:
    if e is None:
        return ""
    who = f" by {e.by_name or e.by_id}" if (e.by_name or e.by_id) else ""
    return who + (f": {e.reason}" if e.reason else "")


def _int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


@dataclass(frozen=True)
class TokenResponse:
    """The answer to :meth:`AgentVault.request_token` (and to a token collection).

    ``status`` is ``"approved"`` (``value`` holds the ``ast_…`` token, ``token_id`` names it) or
    ``"pending"`` (wait for ``approval_request_id``).
    """

    status: str
    tier: Optional[str] = None
    scope: Optional[str] = None
    expires_at: Optional[datetime] = None
    token_id: Optional[str] = None
    approval_request_id: Optional[str] = None
    required_approvals: Optional[int] = None
    value: Optional[str] = field(default=None, repr=False)
    #: Reads the token allows (None: no limit).
    max_uses: Optional[int] = None
    run_id: Optional[str] = None
    #: True when the service answered with the open request of the same ask (HTTP 200).
    repeated: bool = False

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    @classmethod
    def from_json(cls, data: Mapping[str, Any], repeated: bool = False) -> "TokenResponse":
        return cls(
            max_uses=_int(data.get("max_uses")),
            run_id=data.get("run_id"),
            repeated=repeated,
            status=data.get("status", ""),
            tier=data.get("tier"),
            scope=data.get("scope"),
            expires_at=parse_timestamp(data.get("expires_at")),
            token_id=data.get("token_id"),
            approval_request_id=data.get("approval_request_id"),
            required_approvals=_int(data.get("required_approvals")),
            value=data.get("value"),
        )


@dataclass(frozen=True)
class Secret:
    """A secret's value at one version. ``value`` never appears in ``repr``."""

    path: str
    version: int
    tier: Optional[str] = None
    value: str = field(default="", repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Secret":
        return cls(path=data["path"], version=int(data["version"]), tier=data.get("tier"), value=data.get("value", ""))


@dataclass(frozen=True)
class Decision:
    """One approval of a request: who, when, and the comment."""

    approver_id: Optional[str]
    approver_name: Optional[str]
    comment: Optional[str]
    approved_at: Optional[datetime]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Decision":
        return cls(data.get("approver_id"), data.get("approver_name"), data.get("comment"),
                   parse_timestamp(data.get("approved_at")))


@dataclass(frozen=True)
class Ending:
    """How a request was denied or cancelled: by whom, why, when."""

    by_id: Optional[str]
    by_name: Optional[str]
    reason: Optional[str]
    at: Optional[datetime]

    @classmethod
    def from_json(cls, data: Optional[Mapping[str, Any]]) -> Optional["Ending"]:
        if not data:
            return None
        return cls(data.get("by_id"), data.get("by_name"), data.get("reason"), parse_timestamp(data.get("at")))


@dataclass(frozen=True)
class ApprovalRequest:
    """An approval request as the service shows it (``GET /v1/approvals/{id}``).

    This is also what :meth:`AgentVault.wait_for_approval` returns: ``approved`` is True only
    when the token is issued and ready to collect; ``status`` tells the rest (``pending``,
    ``delayed``, ``approved``, ``denied``, ``cancelled``, ``expired``). After a wait that ran
    out, ``is_final`` is False.
    """

    id: str
    status: str
    approved: bool
    requested_by: Optional[str] = None
    requester_id: Optional[str] = None
    namespace: Optional[str] = None
    scope: Optional[str] = None
    secret_paths: List[str] = field(default_factory=list)
    tier: Optional[str] = None
    required_approvals: int = 0
    received_approvals: int = 0
    approval_delay_seconds: int = 0
    description: Optional[str] = None
    ttl_seconds: Optional[int] = None
    trust_tier: Optional[str] = None
    explanation: Optional[str] = None
    created_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    issue_at: Optional[datetime] = None
    decided_at: Optional[datetime] = None
    token_id: Optional[str] = None
    approvals: List[Decision] = field(default_factory=list)
    denial: Optional[Ending] = None
    cancellation: Optional[Ending] = None
    approve_url: Optional[str] = None
    #: The JSON object as received, including fields newer than this client.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_final(self) -> bool:
        """True once the request can no longer change (approved, denied, cancelled, expired)."""
        return self.status in FINAL_STATUSES

    def raise_for_status(self) -> "ApprovalRequest":
        """Returns self if approved; otherwise raises the matching :class:`ApprovalError`."""
        error = self.error()
        if error is not None:
            raise error
        return self

    def error(self) -> Optional[ApprovalError]:
        """The exception that describes why this request has no token, or None if it is approved."""
        if self.status == "approved":
            return None
        if self.status == "denied":
            return ApprovalDenied(f"Approval request {self.id} was denied{_ending(self.denial)}", approval=self)
        if self.status == "expired":
            return ApprovalExpired(f"Approval request {self.id} expired without approval", approval=self)
        if self.status == "cancelled":
            return ApprovalCancelled(f"Approval request {self.id} was cancelled{_ending(self.cancellation)}", approval=self)
        return ApprovalPending(f"Approval request {self.id} is {self.status}", approval=self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ApprovalRequest":
        return cls(
            id=data["id"],
            status=data.get("status", ""),
            approved=bool(data.get("approved", data.get("status") == "approved")),
            requested_by=data.get("requested_by"),
            requester_id=data.get("requester_id"),
            namespace=data.get("namespace"),
            scope=data.get("scope"),
            secret_paths=list(data.get("secret_paths") or []),
            tier=data.get("tier"),
            required_approvals=int(data.get("required_approvals") or 0),
            received_approvals=int(data.get("received_approvals") or 0),
            approval_delay_seconds=int(data.get("approval_delay_seconds") or 0),
            description=data.get("description"),
            ttl_seconds=_int(data.get("ttl_seconds")),
            trust_tier=data.get("trust_tier"),
            explanation=data.get("explanation"),
            created_at=parse_timestamp(data.get("created_at")),
            expires_at=parse_timestamp(data.get("expires_at")),
            issue_at=parse_timestamp(data.get("issue_at")),
            decided_at=parse_timestamp(data.get("decided_at")),
            token_id=data.get("token_id"),
            approvals=[Decision.from_json(a) for a in data.get("approvals") or []],
            denial=Ending.from_json(data.get("denial")),
            cancellation=Ending.from_json(data.get("cancellation")),
            approve_url=data.get("approve_url"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class ApprovalPage:
    """One page of :meth:`AgentVault.list_approvals`; pass ``next_cursor`` to get the next."""

    items: List[ApprovalRequest]
    next_cursor: Optional[str] = None

    def __iter__(self) -> Iterator[ApprovalRequest]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class TokenInfo:
    """A token's metadata (never its value), as :meth:`AgentVault.revoke_token` returns it."""

    id: str
    principal_id: Optional[str] = None
    scope: Optional[str] = None
    tier: Optional[str] = None
    issued_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None
    approval_request_id: Optional[str] = None
    max_uses: Optional[int] = None
    uses: int = 0
    #: Reads left (None: no limit).
    remaining_uses: Optional[int] = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TokenInfo":
        return cls(
            id=data["id"],
            principal_id=data.get("principal_id"),
            scope=data.get("scope"),
            tier=data.get("tier"),
            issued_at=parse_timestamp(data.get("issued_at")),
            expires_at=parse_timestamp(data.get("expires_at")),
            revoked_at=parse_timestamp(data.get("revoked_at")),
            approval_request_id=data.get("approval_request_id"),
            max_uses=_int(data.get("max_uses")),
            uses=int(data.get("uses") or 0),
            remaining_uses=_int(data.get("remaining_uses")),
        )
