import { AgentVault } from "agentsecretstore";

const vault = new AgentVault(); // ASS_AGENT_KEY (or the pod's ASS_TOKEN_FILE), ASS_BASE_URL

// Request a token for a sensitive secret
const tokenRequest = await vault.requestToken({
  scope: "secrets:read:production/stripe/*",
  ttlSeconds: 300,
  description: "Payment processing run #4821",
});

if (tokenRequest.status === "approved") {
  // Auto-approved (standard tier) or already approved
  const secret = await vault.getSecret("production/stripe/api-key", { token: tokenRequest });
  console.log(secret.value);
} else if (tokenRequest.status === "pending") {
  const id = tokenRequest.approvalRequestId!;
  console.log(`Approval required. Request ID: ${id}`);
  console.log("Notified approvers via webhook. Waiting...");

  // Long-poll (or use the webhook) to detect approval
  const result = await vault.waitForApproval(id, { timeoutSeconds: 600 });

  if (result.approved) {
    const token = await vault.getApprovedToken(id);
    const secret = await vault.getSecret("production/stripe/api-key", { token });
    // use secret.value here: it is not logged
  }
}
