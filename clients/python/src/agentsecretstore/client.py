"""``AgentVault``: the asynchronous client of the Agent Secret Store API."""

from __future__ import annotations

import asyncio
import math
import os
import ssl
from typing import Any, AsyncIterator, Callable, Mapping, Optional, Union
from urllib.parse import quote

from ._version import __version__
from ._http import HttpTransport, RetryPolicy
from .errors import (
    AgentSecretStoreError,
    ApprovalWaitTimeout,
    ConfigurationError,
    Conflict,
    ServerError,
    TransportError,
    ValidationError,
)
from .models import ApprovalPage, ApprovalRequest, Secret, TokenInfo, TokenResponse
from .webhooks import verify_webhook

__all__ = ["AgentVault", "DEFAULT_BASE_URL", "DEFAULT_TOKEN_FILE", "SERVER_MAX_WAIT_SECONDS"]

#: Used when neither ``base_url`` nor ``ASS_BASE_URL`` is given: the service's default port.
DEFAULT_BASE_URL = "http://localhost:8080"

#: Where a pod's projected service-account token is mounted (k8s/examples/agent-deployment.yaml),
#: read when no API key is given and ``ASS_TOKEN_FILE`` is not set.
DEFAULT_TOKEN_FILE = "/var/run/secrets/agent-secret-store/token"

#: The service's longest single long-poll (``ASS_APPROVALS_MAX_WAIT_SECONDS``, default 900).
SERVER_MAX_WAIT_SECONDS = 900


def _segment(value: str) -> str:
    """One path segment, percent-encoded so that an id can never change which resource is named."""
    if not value:
        raise ValueError("an id must not be empty")
    return quote(str(value), safe="")


def _secret_path(path: str) -> str:
    return "/".join(_segment(p) for p in path.strip("/").split("/"))


class _TokenFile:
    """The ``Authorization`` value from a token file, read anew for each request (a few hundred
    bytes from the kubelet's tmpfs: too small to be worth a thread). Never shows the token."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self) -> str:
        try:
            with open(self.path, "r", encoding="ascii") as f:
                token = f.read().strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigurationError(f"cannot read the service-account token file {self.path}: {type(e).__name__}") from None
        if not token or any(c.isspace() for c in token):
            raise ConfigurationError(f"the service-account token file {self.path} does not hold one token")
        return "Bearer " + token

    def __repr__(self) -> str:
        return f"_TokenFile({self.path!r})"


class AgentVault:
    """Client for agents (and approvers) of an Agent Secret Store.

    ``api_key`` defaults to ``$ASS_AGENT_KEY``. With neither, the client authenticates with the
    pod's Kubernetes service-account token: the file ``token_file``, else ``$ASS_TOKEN_FILE``, else
    ``/var/run/secrets/agent-secret-store/token``, read again for every request because the kubelet
    rotates it. ``base_url`` defaults to ``$ASS_BASE_URL``, else ``http://localhost:8080``. ``timeout`` bounds each HTTP exchange in seconds (a long-poll gets
    its own wait on top); ``retry`` says how idempotent calls are retried. The key is sent only in
    the ``Authorization`` header and never appears in ``repr``, ``str``, exceptions or logs.

    All calls are coroutines running on asyncio streams: none blocks the event loop, and
    cancelling a task (a long wait, say) closes its connection at once.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: Optional[RetryPolicy] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        max_wait_chunk_seconds: int = SERVER_MAX_WAIT_SECONDS,
        user_agent: Optional[str] = None,
        token_file: Optional[str] = None,
    ) -> None:
        key = (api_key if api_key is not None else os.environ.get("ASS_AGENT_KEY", "")).strip()
        authorization: Union[str, Callable[[], str]]
        if key:
            if any(c.isspace() for c in key):
                raise ConfigurationError("The API key contains whitespace")
            authorization = "Bearer " + key
            self._credential = "api_key"
        else:
            path = token_file or os.environ.get("ASS_TOKEN_FILE") or DEFAULT_TOKEN_FILE
            if not os.path.isfile(path):
                raise ConfigurationError(
                    "No API key: pass AgentVault(api_key=...) or set ASS_AGENT_KEY, or mount a Kubernetes "
                    f"service-account token at {path} (ASS_TOKEN_FILE)"
                )
            authorization = _TokenFile(path)
            self._credential = "token_file"
        url = (base_url or os.environ.get("ASS_BASE_URL") or DEFAULT_BASE_URL).strip()
        if timeout <= 0 or connect_timeout <= 0:
            raise ConfigurationError("timeouts must be positive")
        if not 1 <= max_wait_chunk_seconds <= SERVER_MAX_WAIT_SECONDS:
            raise ConfigurationError(f"max_wait_chunk_seconds must be between 1 and {SERVER_MAX_WAIT_SECONDS}")
        self.base_url = url.rstrip("/")
        self.max_wait_chunk_seconds = max_wait_chunk_seconds
        self._transport = HttpTransport(
            self.base_url,
            authorization,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry or RetryPolicy(),
            ssl_context=ssl_context,
            user_agent=user_agent or f"agentsecretstore-python/{__version__}",
        )

    def __repr__(self) -> str:
        return f"AgentVault(base_url={self.base_url!r}, {self._credential}=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # Pickling would write the key (or token file path) to wherever the pickle goes.
        raise TypeError("AgentVault holds a credential and cannot be pickled")

    async def __aenter__(self) -> "AgentVault":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Releases resources. Every request uses its own connection, so there is nothing held
        between calls today; call it anyway (or use ``async with``) to stay forward compatible."""

    # --- Agents ---------------------------------------------------------------------------------

    async def request_token(
        self,
        scope: str,
        ttl_seconds: Optional[int] = None,
        description: Optional[str] = None,
        *,
        max_uses: Optional[int] = None,
        run_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> TokenResponse:
        """Asks for a scoped token (``secrets:read:<path glob>``).

        Standard tier: ``status == "approved"`` and ``value`` is the token. Sensitive or critical:
        ``status == "pending"`` (or ``"delayed"`` when the same ask was already open: same scope,
        description and ``run_id``, and then ``repeated`` is True); wait for
        ``approval_request_id`` (or take the webhook), then call :meth:`get_approved_token`.

        ``max_uses`` limits the reads the token allows; ``run_id`` (your task id) tells the service
        which asks are the same one. Without ``idempotency_key`` the call is never retried; with it
        the call is retried on connection errors and 5xx, and the service answers a retry with the
        first answer, except for a standard grant, whose value it never keeps: that retry raises
        :class:`IdempotentReplayUnavailable` naming the token (revoke it and ask with a new key).
        """
        body: dict = {"scope": scope}
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        if description is not None:
            body["description"] = description
        if max_uses is not None:
            body["max_uses"] = max_uses
        if run_id is not None:
            body["run_id"] = run_id
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        response = await self._transport.request(
            "POST", "/v1/tokens", body=body, headers=headers, idempotent=idempotency_key is not None
        )
        return TokenResponse.from_json(response.json(), repeated=response.status == 200)

    async def get_token(self, token_id: Union[str, TokenResponse]) -> TokenInfo:
        """A token's metadata (never its value) with ``remaining_uses``; its holder or an admin."""
        tid = token_id.token_id if isinstance(token_id, TokenResponse) else token_id
        if not tid:
            raise ValueError("get_token needs a token id (tok_...)")
        response = await self._transport.request("GET", f"/v1/tokens/{_segment(tid)}", idempotent=True)
        return TokenInfo.from_json(response.json())

    async def get_secret(
        self, path: str, token: Union[str, TokenResponse, None] = None, version: Optional[int] = None
    ) -> Secret:
        """Reads a secret's value (latest version, or ``version``) with a token covering ``path``."""
        value = token.value if isinstance(token, TokenResponse) else token
        if not value:
            raise ValueError("get_secret needs token=: the value of an approved token")
        response = await self._transport.request(
            "GET",
            "/v1/secrets/" + _secret_path(path),
            query={"version": version},
            headers={"X-Secret-Token": value},
            idempotent=True,
        )
        return Secret.from_json(response.json())

    async def wait_for_approval(self, approval_request_id: str, timeout_seconds: float = 600) -> ApprovalRequest:
        """Waits until the request is decided, or ``timeout_seconds`` have passed.

        Uses the service's long-poll (``/wait``), in chunks of at most ``max_wait_chunk_seconds``
        (the service's maximum, 900 s): the service answers the moment the request becomes final,
        so there is no polling interval to tune and no busy loop. Connection errors and 5xx in
        between are retried with backoff until the deadline.

        **Returns, never raises, on a decision**: ``result.approved`` is True only when the token is
        ready; a denied, cancelled or expired request comes back with ``approved == False`` and its
        ``status`` (call ``result.raise_for_status()`` to turn that into :class:`ApprovalDenied` &
        co.). After a timeout the current state comes back: ``status`` ``pending`` or ``delayed``,
        ``is_final == False``.
        """
        if timeout_seconds < 0:
            raise ValueError("timeout_seconds must be >= 0")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        path = f"/v1/approvals/{_segment(approval_request_id)}/wait"
        failures = 0
        while True:
            chunk = max(0, min(self.max_wait_chunk_seconds, math.ceil(deadline - loop.time())))
            asked_at = loop.time()
            try:
                response = await self._transport.request(
                    "GET", path, query={"timeout_seconds": chunk}, idempotent=True, extra_timeout=chunk
                )
            except ValidationError as e:
                smaller = _server_max_wait(e)
                if smaller is not None and 0 < smaller < chunk:
                    self.max_wait_chunk_seconds = smaller  # a service configured with a shorter maximum
                    continue
                raise
            except (TransportError, ServerError):
                left = deadline - loop.time()
                if left <= 0:
                    raise
                await asyncio.sleep(min(left, self._transport.retry.delay(failures)))
                failures += 1
                continue
            failures = 0
            view = ApprovalRequest.from_json(response.json())
            if view.is_final or loop.time() >= deadline:
                return view
            if loop.time() - asked_at < chunk - 1:
                # The service let go early without a decision (a shorter server-side limit, a
                # proxy): pause a little so that even then this never turns into a busy loop.
                await asyncio.sleep(min(1.0, max(0.0, deadline - loop.time())))

    async def wait_for_token(self, approval_request_id: str, timeout_seconds: float = 600) -> str:
        """Waits for the request's decision (as :meth:`wait_for_approval`) and returns the token value.

        **Raises** instead of returning on every other outcome, each with ``.approval``:
        :class:`ApprovalDenied` or :class:`ApprovalCancelled` when a human said no;
        :class:`ApprovalExpired` when the request's own deadline (``expires_at``) passed without
        approval; :class:`ApprovalWaitTimeout` when ``timeout_seconds`` ran out first and the
        request is still open. The last two are also :class:`TimeoutError`, never a denial.
        """
        view = await self.wait_for_approval(approval_request_id, timeout_seconds=timeout_seconds)
        if view.status == "approved":
            return await self.get_approved_token(approval_request_id)
        if not view.is_final:
            raise ApprovalWaitTimeout(
                f"Approval request {view.id} is still {view.status} after waiting {timeout_seconds:g} s", approval=view
            )
        raise view.error()

    async def collect_token(self, approval_request_id: str) -> TokenResponse:
        """Collects the token of an approved request, with its ``token_id`` and ``expires_at``.

        Each collection mints a fresh value and invalidates the previous one (so a retried call
        is safe). Raises :class:`ApprovalPending`, :class:`ApprovalDenied`,
        :class:`ApprovalExpired` or :class:`ApprovalCancelled` (all :class:`Conflict`) when the
        request has no token.
        """
        try:
            response = await self._transport.request(
                "GET", f"/v1/approvals/{_segment(approval_request_id)}/token", idempotent=True
            )
        except Conflict as e:
            try:
                view = await self.get_approval(approval_request_id)
            except AgentSecretStoreError:
                raise e from None
            specific = view.error()
            if specific is None:
                raise  # approved, yet no token: revoked or expired token; the service's 409 says which
            raise specific from e
        return TokenResponse.from_json(response.json())

    async def get_approved_token(self, approval_request_id: str) -> str:
        """The token value of an approved request (see :meth:`collect_token` for the errors)."""
        token = await self.collect_token(approval_request_id)
        if not token.value:
            raise AgentSecretStoreError("The service returned no token value")
        return token.value

    async def revoke_token(self, token_id: Union[str, TokenResponse]) -> TokenInfo:
        """Revokes a token at once. Revoking twice is harmless, so this call is retried."""
        tid = token_id.token_id if isinstance(token_id, TokenResponse) else token_id
        if not tid:
            raise ValueError("revoke_token needs a token id (tok_...)")
        response = await self._transport.request("POST", f"/v1/tokens/{_segment(tid)}/revoke", idempotent=True)
        return TokenInfo.from_json(response.json())

    # --- Approvers (and requesters looking at their own requests) --------------------------------

    async def get_approval(self, approval_request_id: str) -> ApprovalRequest:
        response = await self._transport.request(
            "GET", f"/v1/approvals/{_segment(approval_request_id)}", idempotent=True
        )
        return ApprovalRequest.from_json(response.json())

    async def get_receipt(self, approval_request_id: str) -> dict:
        """The signed receipt of an ended request, as served; check it with :func:`verify_receipt`."""
        response = await self._transport.request(
            "GET", f"/v1/approvals/{_segment(approval_request_id)}/receipt", idempotent=True
        )
        return response.json()

    async def audit_public_keys(self) -> dict:
        """``GET /v1/audit/public-key``: the keys that sign seals, checkpoints and receipts (save it)."""
        return (await self._transport.request("GET", "/v1/audit/public-key", idempotent=True)).json()

    async def audit_checkpoint(self) -> dict:
        """``GET /v1/audit/checkpoint``: the signed head of the audit chain, to keep outside the service."""
        return (await self._transport.request("GET", "/v1/audit/checkpoint", idempotent=True)).json()

    async def verify_audit(self, checkpoint: Optional[Mapping[str, Any]] = None) -> dict:
        """``GET /v1/audit/verify`` (admins); with a saved checkpoint the chain must still hold it."""
        query = None
        if checkpoint is not None:
            query = {"chain_seq": checkpoint["chain_seq"], "entry_hash": checkpoint["entry_hash"]}
        return (await self._transport.request("GET", "/v1/audit/verify", query=query, idempotent=True)).json()

    async def list_approvals(
        self,
        status: Optional[str] = None,
        namespace: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> ApprovalPage:
        """One page of the requests the caller may see, newest first; filter by status/namespace."""
        response = await self._transport.request(
            "GET",
            "/v1/approvals",
            query={"status": status, "namespace": namespace, "limit": limit, "cursor": cursor},
            idempotent=True,
        )
        data = response.json()
        return ApprovalPage(
            items=[ApprovalRequest.from_json(item) for item in data.get("items") or []],
            next_cursor=data.get("next_cursor"),
        )

    async def iter_approvals(
        self, status: Optional[str] = None, namespace: Optional[str] = None, page_size: Optional[int] = None
    ) -> AsyncIterator[ApprovalRequest]:
        """Every matching request, following ``next_cursor`` page after page."""
        cursor = None
        while True:
            page = await self.list_approvals(status=status, namespace=namespace, limit=page_size, cursor=cursor)
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def approve(
        self,
        approval_request_id: str,
        comment: Optional[str] = None,
        *,
        ttl_seconds: Optional[int] = None,
        max_uses: Optional[int] = None,
        scope: Optional[str] = None,
        step_up: Optional[dict] = None,
    ) -> ApprovalRequest:
        """Approves (never retried: the service would refuse a second approval by the same person).

        ``ttl_seconds``, ``max_uses`` and ``scope`` narrow what the token may do: never beyond the
        budget in effect (the service answers 422, :class:`ValidationError`, otherwise).

        A critical request also needs ``step_up``: a WebAuthn assertion of the approver's passkey
        answering :meth:`step_up_challenge` for this request (base64url ``credential_id``,
        ``client_data_json``, ``authenticator_data``, ``signature``). An API key alone cannot
        make one: without it the service answers 403 and this raises :class:`StepUpRequired`;
        people approve critical requests in the dashboard.
        """
        body: dict = {} if comment is None else {"comment": comment}
        for name, value in (("ttl_seconds", ttl_seconds), ("max_uses", max_uses), ("scope", scope), ("step_up", step_up)):
            if value is not None:
                body[name] = value
        return await self._decide(approval_request_id, "approve", body)

    async def step_up_challenge(self, approval_request_id: str) -> dict:
        """A passkey challenge for approving this critical request, bound to it and to the caller
        (``challenge``, ``rp_id``, ``allow_credentials``, ``expires_at``, ...): good once, briefly."""
        response = await self._transport.request("POST", f"/v1/approvals/{_segment(approval_request_id)}/step-up")
        return response.json()

    async def deny(self, approval_request_id: str, reason: str) -> ApprovalRequest:
        """Denies; one denial ends the request. A reason is required."""
        if not reason or not reason.strip():
            raise ValueError("deny needs a reason")
        return await self._decide(approval_request_id, "deny", {"reason": reason})

    async def cancel(self, approval_request_id: str, reason: Optional[str] = None) -> ApprovalRequest:
        """Cancels a pending or delayed request (approvers, the requester, admins)."""
        body = {} if reason is None else {"reason": reason}
        return await self._decide(approval_request_id, "cancel", body)

    async def _decide(self, approval_request_id: str, action: str, body: dict) -> ApprovalRequest:
        response = await self._transport.request(
            "POST", f"/v1/approvals/{_segment(approval_request_id)}/{action}", body=body
        )
        return ApprovalRequest.from_json(response.json())

    # --- Webhooks -------------------------------------------------------------------------------

    #: :func:`agentsecretstore.verify_webhook`, for agents that take the non-blocking path.
    verify_webhook = staticmethod(verify_webhook)


def _server_max_wait(error: ValidationError) -> Optional[int]:
    """The service's longest long-poll, from the ``max_wait_seconds`` member of its 422."""
    if error.kind != "validation-failed" or not any(e.field == "timeout_seconds" for e in error.errors):
        return None
    value = error.extensions.get("max_wait_seconds")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
