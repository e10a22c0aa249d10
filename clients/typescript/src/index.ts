/**
 * Agent Secret Store SDK for TypeScript and JavaScript (Node 18+, no runtime dependencies).
 *
 * ```ts
 * import { AgentVault } from "agentsecretstore";
 * const vault = new AgentVault();                  // ASS_AGENT_KEY (or ASS_TOKEN_FILE), ASS_BASE_URL
 * const request = await vault.requestToken({ scope: "secrets:read:production/stripe/*", ttlSeconds: 300 });
 * ```
 */

export {
  AgentVault,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_WAIT_CHUNK_SECONDS,
  DEFAULT_TOKEN_FILE,
  SERVER_MAX_WAIT_SECONDS,
} from "./client.js";
export type {
  AgentVaultOptions,
  ApproveOptions,
  GetSecretOptions,
  ListApprovalsOptions,
  RequestTokenOptions,
  StepUpAssertion,
  WaitOptions,
} from "./client.js";
export {
  AgentSecretStoreError,
  ApprovalCancelled,
  ApprovalDenied,
  ApprovalError,
  ApprovalExpired,
  ApprovalPending,
  ApprovalTimeout,
  AuthenticationError,
  ConfigurationError,
  Conflict,
  errorFromResponse,
  IdempotentReplayUnavailable,
  NotFound,
  PermissionDenied,
  PROBLEM_TYPE_BASE,
  RateLimited,
  RequestTimeout,
  ServerError,
  StepUpRequired,
  TokenExhausted,
  TransportError,
  ValidationError,
  WebhookVerificationError,
} from "./errors.js";
export type { FieldError, ProblemInit } from "./errors.js";
export { DEFAULT_RETRY } from "./http.js";
export type { Logger, RetryPolicy } from "./http.js";
export { ApprovalRequest, FINAL_STATUSES, Secret, StepUpChallenge, TokenInfo, TokenResponse } from "./models.js";
export type { ApprovalPage, ApprovalStatus, CredentialDescriptor, Decision, Ending, Tier } from "./models.js";
export { DEFAULT_TOLERANCE_SECONDS, signWebhook, verifyWebhook, webhookKey } from "./webhooks.js";
export type { VerifyOptions, WebhookEvent, WebhookHeaders } from "./webhooks.js";
export { VERSION } from "./version.js";
