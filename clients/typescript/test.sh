#!/usr/bin/env bash
# The TypeScript SDK's check: install (from package-lock.json), build with tsc, run node --test.
# The integration tests need the packaged service (target/quarkus-app/quarkus-run.jar or $ASS_JAR)
# and the local PostgreSQL; without the jar they are skipped with a message, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")"
jar="${ASS_JAR:-../../target/quarkus-app/quarkus-run.jar}"
if [[ ! -f "$jar" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "service jar not found at $jar (CI=true: the integration tests must run); build it with ./mvnw package -DskipTests" >&2
    exit 1
  fi
  echo "NOTE: service jar not found at $jar: the integration tests will be skipped (./mvnw package -DskipTests builds it)"
fi
npm ci --no-audit --no-fund
npm run build
npm run build:test
node --test --test-concurrency=1 build/test/*.test.js
