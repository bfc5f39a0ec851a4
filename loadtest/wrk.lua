-- wrk script for loadtest/bench_http.py, driven by environment variables:
--   WRK_PATH     the path to request
--   WRK_METHOD   GET (default) or POST
--   WRK_COOKIE   the Cookie header (session and CSRF cookies)
--   WRK_BODY     for POST: the url-encoded form without idempotency_key; each
--                request adds a fresh idempotency_key (unique per thread and request)
--   WRK_JSON     "1": WRK_BODY is a JSON object's members without the opening brace, and
--                the key goes first in the object (the API's check-in)
--   WRK_AUTH     the Authorization header, if any (the API's token)
--   WRK_EXPECT   the status every response should have (200, 302 for a saved check-in, 201 from the API)
-- done() prints one line "WRKJSON {...}" with the figures bench_http.py reads.

local path = os.getenv("WRK_PATH") or "/"
local method = os.getenv("WRK_METHOD") or "GET"
local cookie = os.getenv("WRK_COOKIE") or ""
local form = os.getenv("WRK_BODY") or ""
local expect = tonumber(os.getenv("WRK_EXPECT") or "200")
local json = os.getenv("WRK_JSON") == "1"
local auth = os.getenv("WRK_AUTH") or ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  counter = 0
  unexpected = 0
  math.randomseed(os.time() + 7919 * (tid or 0))
  wrk.headers["Cookie"] = cookie
  wrk.headers["Accept"] = json and "application/json" or "text/html"
  wrk.headers["Accept-Encoding"] = "gzip"
  if auth ~= "" then
    wrk.headers["Authorization"] = auth
  end
  if method == "POST" and json then
    wrk.headers["Content-Type"] = "application/json"
  elseif method == "POST" then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  else
    fixed = wrk.format(method, path)
  end
end

local function fresh_key()
  counter = counter + 1
  -- UUID-shaped; the thread number and the counter make it unique within a run,
  -- the random parts across runs.
  return string.format("%08x-%04x-4%03x-%04x-%012x",
    math.random(0, 0x7fffffff), tid or 0, math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), counter)
end

function request()
  if method == "POST" and json then
    return wrk.format("POST", path, nil, '{"idempotency_key": "' .. fresh_key() .. '", ' .. form)
  elseif method == "POST" then
    return wrk.format("POST", path, nil, "idempotency_key=" .. fresh_key() .. "&" .. form)
  end
  return fixed
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"non_2xx_3xx": %d, "unexpected": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.status, bad, e.connect, e.read, e.write, e.timeout))
end
