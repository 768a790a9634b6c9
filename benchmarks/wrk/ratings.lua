-- POST /v1/ratings load for wrk (one thread): distinct or repeated operating-data bodies.
--
-- Usage: wrk -t1 -c16 -d15s -s ratings.lua URL -- MODE OFFSET POOL
--   MODE   "distinct": every request a new company (cache miss); "repeated": cycle POOL fixed bodies
--          (cache hit once each has been rated once).
--   OFFSET first company number, so that successive runs against one database never repeat a body.
--   POOL   number of fixed bodies cycled in "repeated" mode.
-- The API key comes from the BENCH_API_KEY environment variable. done() prints one JSON line
-- (prefixed "WRK_JSON ") with the counts and latency percentiles the benchmark records.

local mode, offset, pool = "distinct", 0, 32
counter = 0
statuses, cache_hits, cache_misses = {}, 0, 0
local threads = {}

local key = os.getenv("BENCH_API_KEY") or ""
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. key,
}

-- One valid body of the public contract per company number n: employees, revenue and electricity vary
-- with n so that distinct n give distinct canonical inputs (annual_revenue alone is unique per n).
local function body(n)
  return string.format(
    '{"company":{"name":"Bench Co %d","country":"CN","region":"CN-ZJ","industry_code":"5610",' ..
    '"employees":%d,"annual_revenue":%d,"currency":"CNY","reporting_year":2024,"external_id":"bench-%d"},' ..
    '"energy":{"electricity_kwh":%d,"fuels":[{"fuel":"natural_gas","quantity":%d,"unit":"m3"}]},' ..
    '"practices":{"led_lighting":true,"e_invoicing":%s},"data_source":"energy_bills"}',
    n, 1 + n % 480, 1000000 + n * 37, n, 20000 + (n * 13) % 60000, 1000 + n % 9000,
    (n % 2 == 0) and "true" or "false")
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or mode
  offset = tonumber(args[2] or "0")
  pool = tonumber(args[3] or "32")
  if mode ~= "distinct" and mode ~= "repeated" then
    error("MODE must be distinct or repeated, got " .. tostring(mode))
  end
  statuses = {}
end

function request()
  local n
  if mode == "distinct" then
    n = offset + counter
  else
    n = offset + counter % pool
  end
  counter = counter + 1
  return wrk.format("POST", "/v1/ratings", headers, body(n))
end

function response(status, hdrs, _)
  statuses[status] = (statuses[status] or 0) + 1
  local cache = hdrs["X-Cache"]
  if cache == "hit" then
    cache_hits = cache_hits + 1
  elseif cache == "miss" then
    cache_misses = cache_misses + 1
  end
end

function done(summary, latency, _)
  local by_status, hits, misses, sent = {}, 0, 0, 0
  for _, t in ipairs(threads) do
    hits = hits + t:get("cache_hits")
    misses = misses + t:get("cache_misses")
    sent = sent + t:get("counter")
    for code, count in pairs(t:get("statuses")) do
      by_status[code] = (by_status[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(by_status) do
    table.insert(parts, string.format('"%d":%d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"requests_sent":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"statuses":{%s},"cache_hits":%d,"cache_misses":%d,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, sent,
    e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ","), hits, misses,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
