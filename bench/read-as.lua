-- GET a secret with BENCH_AUTH as the Authorization header's bearer (an API key or an OIDC access
-- token) and BENCH_TOKEN as the scoped token. Environment: BENCH_AUTH, BENCH_TOKEN, BENCH_DIR.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_AUTH")
wrk.headers["X-Secret-Token"] = os.getenv("BENCH_TOKEN")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
