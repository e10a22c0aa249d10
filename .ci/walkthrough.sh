#!/usr/bin/env bash
# The README's curl walk-through, run against a live service: bootstrap key -> create an agent ->
# write a secret -> list it. Usage: walkthrough.sh BASE_URL ADMIN_KEY
set -euo pipefail
BASE=$1
ASS_ADMIN_KEY=$2
fail() { echo "walk-through failed: $*" >&2; exit 1; }
name="ci-agent-$RANDOM$RANDOM"

agent=$(curl -sf -X POST "$BASE/v1/principals" \
  -H "Authorization: Bearer $ASS_ADMIN_KEY" -H "Content-Type: application/json" \
  -d "{\"name\": \"$name\", \"role\": \"agent\", \"namespaces\": [\"production\"]}") || fail "create agent"
echo "$agent" | grep -q '"api_key":"ass_' || fail "agent has no api_key"

curl -sf -X PUT "$BASE/v1/secrets/production/stripe/api-key" \
  -H "Authorization: Bearer $ASS_ADMIN_KEY" -H "Content-Type: application/json" \
  -d '{"value": "sk_live_example", "tier": "critical", "metadata": {"owner": "payments"}}' >/dev/null || fail "write secret"

list=$(curl -sf "$BASE/v1/secrets?prefix=production/" -H "Authorization: Bearer $ASS_ADMIN_KEY") || fail "list"
echo "$list" | grep -q '"path":"production/stripe/api-key"' || fail "secret not listed"
echo "$list" | grep -q 'sk_live_example' && fail "list shows the value"
echo "walk-through OK"
