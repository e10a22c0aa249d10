import asyncio
from agentsecretstore import AgentVault

async def main():
    vault = AgentVault()

    # Request a token for a sensitive secret
    token_request = await vault.request_token(
        scope="secrets:read:production/stripe/*",
        ttl_seconds=300,
        description="Payment processing run #4821",
    )

    if token_request.status == "approved":
        # Auto-approved (standard tier) or already approved
        secret = await vault.get_secret(
            "production/stripe/api-key",
            token=token_request.value
        )
        print(secret.value)

    elif token_request.status == "pending":
        print(f"Approval required. Request ID: {token_request.approval_request_id}")
        print("Notified approvers via webhook. Waiting...")

        # Poll or use webhook to detect approval
        result = await vault.wait_for_approval(
            token_request.approval_request_id,
            timeout_seconds=600,
        )

        if result.approved:
            token = await vault.get_approved_token(token_request.approval_request_id)
            secret = await vault.get_secret("production/stripe/api-key", token=token)

asyncio.run(main())
