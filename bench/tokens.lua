-- POST /v1/tokens for a standard-tier scope (auto-approved: 201 with the token).
-- Environment: BENCH_AGENT_KEY, BENCH_DIR.
wrk.method = "POST"
wrk.body = '{"scope":"secrets:read:bench/service/*","ttl_seconds":3600,"description":"wrk benchmark"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_AGENT_KEY")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
