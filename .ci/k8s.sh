#!/usr/bin/env bash
# Offline check of k8s/: every overlay renders with the preinstalled kubectl's kustomize, and every
# rendered object validates against the Kubernetes v1.33.0 API schemas (and the prometheus-operator
# v0.65.1 CRD schemas) with unknown fields rejected; fixtures/invalid.yaml proves the check rejects
# mistakes. The schemas come from the npm packages pinned in .ci/k8s-validate/package-lock.json
# (installed by `npm ci`, the only network use). v1.33.0 because kubernetes-models has no v1.32
# build (its schema releases go v1.27.1, v1.33.0, then v1.36.0, which needs Node 22; we have 20);
# every field our manifests use is served by both (topology spread matchLabelKeys: on by default
# since 1.27). Prints "N passed, M failed"; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=.ci/k8s-validate
OUT=target/k8s
mkdir -p "$OUT"

if ! command -v kubectl >/dev/null; then
  echo "kubectl is missing (the machine image has kubectl v1.32 with kustomize v5.5)" >&2
  exit 1
fi
if [ ! -d "$HERE/node_modules/kubernetes-models" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

passed=0
failed=0
rendered=()
for overlay in k8s/overlays/*/; do
  name=$(basename "$overlay")
  if kubectl kustomize "$overlay" > "$OUT/$name.yaml" 2> "$OUT/$name.err"; then
    passed=$((passed + 1))
    echo "ok   kubectl kustomize $overlay ($(grep -c '^kind:' "$OUT/$name.yaml") objects)"
    rendered+=("$OUT/$name.yaml")
  else
    failed=$((failed + 1))
    echo "FAIL kubectl kustomize $overlay: $(cat "$OUT/$name.err")"
  fi
done

node "$HERE/validate.mjs" --valid "${rendered[@]}" --invalid "$HERE/fixtures/invalid.yaml" > "$OUT/validate.log" 2>&1 || true
grep -v '^RESULT ' "$OUT/validate.log" || true
read -r word p f < <(grep '^RESULT ' "$OUT/validate.log" || echo "none")
if [ "$word" = RESULT ]; then
  passed=$((passed + p))
  failed=$((failed + f))
else
  failed=$((failed + 1))
  echo "FAIL the validator did not finish (see above)"
fi

echo "k8s: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
