-- GET /v1/secrets/bench/service/url authenticated with a Kubernetes service-account token
-- (bench/k8s_issuer.py) instead of the agent's API key, with the same scoped token.
-- Environment: BENCH_SA_TOKEN, BENCH_TOKEN, BENCH_DIR.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_SA_TOKEN")
wrk.headers["X-Secret-Token"] = os.getenv("BENCH_TOKEN")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
