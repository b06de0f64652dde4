-- GET /api/v1/cart as many distinct signed-in customers: each request takes the next access token
-- of BENCH_CART_TOKENS (a file, one a line, made by cart_setup.mjs), each wrk thread from its own
-- starting point, so consecutive requests read different carts.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local path = assert(os.getenv("BENCH_CART_TOKENS"), "BENCH_CART_TOKENS must name the tokens file")
  tokens = {}
  for line in io.lines(path) do
    if line ~= "" then tokens[#tokens + 1] = "Bearer " .. line end
  end
  assert(#tokens > 0, "no access tokens in " .. path)
  i = (id or 0) * 101
end

function request()
  i = i + 1
  return wrk.format("GET", nil, {["Authorization"] = tokens[(i % #tokens) + 1]})
end
