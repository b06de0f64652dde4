-- POST /api/v1/auth/login for the bench user (BENCH_EMAIL / BENCH_PASSWORD), body delivery.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s","token_delivery":"body"}',
  os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))
