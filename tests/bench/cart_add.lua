-- POST /api/v1/cart/items as many distinct signed-in customers (BENCH_CART_TOKENS, one access
-- token a line): one more of one of the products already in their carts (BENCH_CART_PRODUCTS, one
-- id a line), customers rotating fastest, so consecutive writes go to different carts and the
-- carts keep their number of lines (only quantities grow; the bench server allows 10000 a line).
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

-- The non-empty lines of the file named by the environment variable var.
local function lines(var)
  local path = assert(os.getenv(var), var .. " must name a file")
  local t = {}
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  assert(#t > 0, path .. " is empty")
  return t
end

function init(args)
  tokens = lines("BENCH_CART_TOKENS")
  products = lines("BENCH_CART_PRODUCTS")
  for k, t in ipairs(tokens) do tokens[k] = "Bearer " .. t end
  i = (id or 0) * 101
end

function request()
  i = i + 1
  local token = tokens[(i % #tokens) + 1]
  local product = products[(math.floor(i / #tokens) % #products) + 1]
  return wrk.format("POST", nil, {["Authorization"] = token, ["Content-Type"] = "application/json"},
    '{"product_id":"' .. product .. '","quantity":1}')
end
