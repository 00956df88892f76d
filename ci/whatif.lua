-- wrk script: POST the what-if body prepared by ci/load-test.sh to /api/simulate, and count
-- the answers by status class (wrk copies only numbers and strings between threads).
local f = assert(io.open(os.getenv("WHATIF_BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

ok, client_errors, server_errors = 0, 0, 0
function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status < 500 then client_errors = client_errors + 1
  else server_errors = server_errors + 1 end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("client_errors"); c = c + t:get("server_errors")
  end
  io.write(string.format("answers: %d ok, %d 4xx, %d 5xx\n", a, b, c))
  io.write(string.format("latency: p50 %.1f ms, p99 %.1f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
