-- GET /v1/secrets/bench/service/url with the agent key and a scoped token.
-- Environment: BENCH_AGENT_KEY, BENCH_TOKEN, BENCH_DIR.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_AGENT_KEY")
wrk.headers["X-Secret-Token"] = os.getenv("BENCH_TOKEN")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
