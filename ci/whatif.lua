-- wrk script: POST the what-if body prepared by ci/load-test.sh to /api/simulate.
local f = assert(io.open(os.getenv("WHATIF_BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
  end
  for code, n in pairs(counts) do io.write(string.format("status %d: %d\n", code, n)) end
end
