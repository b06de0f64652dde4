-- GET /api/v1/me with the bench user's access token (BENCH_TOKEN).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
