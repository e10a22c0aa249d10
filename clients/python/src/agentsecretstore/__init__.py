"""Python SDK of Agent Secret Store: scoped tokens, human approvals, secret reads.

>>> from agentsecretstore import AgentVault
>>> vault = AgentVault()          # ASS_AGENT_KEY, ASS_BASE_URL (default http://localhost:8080)

Standard library only. See the package README for the full API.
"""

import logging as _logging

from ._http import RetryPolicy
from ._version import __version__
from .client import DEFAULT_BASE_URL, DEFAULT_TOKEN_FILE, SERVER_MAX_WAIT_SECONDS, AgentVault
from .errors import (
    AgentSecretStoreError,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalError,
    ApprovalExpired,
    ApprovalWaitTimeout,
    ApprovalPending,
    AuthenticationError,
    ConfigurationError,
    Conflict,
    FieldError,
    NotFound,
    IdempotentReplayUnavailable,
    PermissionDenied,
    StepUpRequired,
    TokenExhausted,
    RateLimited,
    RequestTimeout,
    ServerError,
    TransportError,
    ValidationError,
    SignatureError,
    WebhookVerificationError,
)
from .models import (
    FINAL_STATUSES,
    ApprovalPage,
    ApprovalRequest,
    Decision,
    Ending,
    Secret,
    TokenInfo,
    TokenResponse,
)
from .archive import verify_archive, verify_archives
from .signatures import public_keys, seal_statement, verify_checkpoint, verify_receipt
from .webhooks import DEFAULT_TOLERANCE_SECONDS, sign_webhook, verify_webhook, webhook_key

__all__ = [
    "AgentVault",
    "RetryPolicy",
    "DEFAULT_BASE_URL",
    "DEFAULT_TOKEN_FILE",
    "SERVER_MAX_WAIT_SECONDS",
    "__version__",
    # models
    "TokenResponse",
    "Secret",
    "ApprovalRequest",
    "ApprovalPage",
    "Decision",
    "Ending",
    "TokenInfo",
    "FINAL_STATUSES",
    # webhooks
    "verify_webhook",
    "sign_webhook",
    "webhook_key",
    "DEFAULT_TOLERANCE_SECONDS",
    # receipts and audit checkpoints
    "verify_receipt",
    "verify_checkpoint",
    "seal_statement",
    "public_keys",
    "verify_archive",
    "verify_archives",
    # errors
    "AgentSecretStoreError",
    "ConfigurationError",
    "TransportError",
    "RequestTimeout",
    "ValidationError",
    "AuthenticationError",
    "IdempotentReplayUnavailable",
    "PermissionDenied",
    "StepUpRequired",
    "TokenExhausted",
    "RateLimited",
    "NotFound",
    "Conflict",
    "ServerError",
    "ApprovalError",
    "ApprovalPending",
    "ApprovalDenied",
    "ApprovalExpired",
    "ApprovalWaitTimeout",
    "ApprovalCancelled",
    "WebhookVerificationError",
    "SignatureError",
    "FieldError",
]

# A library never configures logging; the application decides where "agentsecretstore" goes.
_logging.getLogger("agentsecretstore").addHandler(_logging.NullHandler())
