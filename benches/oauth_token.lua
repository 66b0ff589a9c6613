-- wrk script for the token endpoint at a fixed offered load.
--
--   wrk -t2 -c20 -d30s -s benches/oauth_token.lua http://127.0.0.1:PORT/oauth2/token
--
-- Environment:
--   OAUTH_BODIES  file with one form body per line (each used once, in order: SAML assertions are one-time use);
--                 when absent, OAUTH_BODY is sent with every request
--   OAUTH_BODY    a fixed form body (client_credentials)
--   OAUTH_AUTH    the Authorization header value (e.g. "Basic c3ZjOnNlY3JldA==")
--   OAUTH_RATE    offered load in requests per second across all connections (0 = as fast as possible)
--   OAUTH_CONNS   the number of connections (-c), to spread the rate
--
-- wrk is closed-loop; the rate is approximated by a per-connection delay of CONNS/RATE seconds between a response and
-- the next request (wrk's delay()), so the achieved rate is a little below the offered one when latency is not tiny.
-- done() prints requests/s, the share of non-200 responses and latency percentiles in microseconds.
package.path = "benches/?.lua;" .. package.path
local common = require("wrk_common")

local bodies = nil
local body = os.getenv("OAUTH_BODY") or "grant_type=client_credentials"
local auth = os.getenv("OAUTH_AUTH")
local rate = tonumber(os.getenv("OAUTH_RATE") or "0")
local conns = tonumber(os.getenv("OAUTH_CONNS") or "1")
local path_bodies = os.getenv("OAUTH_BODIES")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  if path_bodies then
    bodies = {}
    local i = 0
    -- thread k takes lines k, k+T, k+2T, ... so no body is sent twice
    local nthreads = tonumber(os.getenv("OAUTH_THREADS") or "1")
    for line in io.lines(path_bodies) do
      if i % nthreads == id then table.insert(bodies, line) end
      i = i + 1
    end
  end
end

-- The expected service time subtracted from each connection's pause (wrk's delay() runs after the response), so the
-- achieved rate lands near the offered one; integer milliseconds, as wrk wants them.
local latency_ms = tonumber(os.getenv("OAUTH_LATENCY_MS") or "1")

function delay()
  return common.delay(rate, conns, latency_ms)
end

function request()
  local b = body
  if bodies then
    counter = counter + 1
    b = bodies[counter]
    if b == nil then b = bodies[#bodies] end
  end
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if auth then headers["Authorization"] = auth end
  return wrk.format("POST", nil, headers, b)
end

function response(status, headers, resp_body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  common.report(threads, summary, latency)
end
