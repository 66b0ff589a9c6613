-- wrk script for the SOAP gateway: one signed envelope POSTed again and again at a fixed offered load (the bench
-- configuration turns the signed-message replay check off, so the same bytes stay acceptable for their Timestamp's
-- hour; everything else — parse, signature, certificate path (cached), Timestamp, policy, audit — runs per request).
--
--   SOAP_BODY_FILE=envelope.xml SOAP_RATE=1000 SOAP_CONNS=8 wrk -t1 -c8 -d20s -s benches/soap_gateway.lua URL
--
-- The rate is approximated like benches/oauth_token.lua: a per-connection pause of CONNS/RATE seconds minus the
-- expected service time. done() prints a RESULT line (requests/s, non-200 count, latency percentiles in µs).

local f = assert(io.open(os.getenv("SOAP_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
local rate = tonumber(os.getenv("SOAP_RATE") or "0")
local conns = tonumber(os.getenv("SOAP_CONNS") or "1")
local latency_ms = tonumber(os.getenv("SOAP_LATENCY_MS") or "1")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

function delay()
  if rate <= 0 then return 0 end
  return math.max(0, math.floor(conns * 1000 / rate) - latency_ms)
end

function request()
  local headers = { ["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = "\"urn:example:GetRecords\"" }
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, resp_body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local non200 = 0
  for _, t in ipairs(threads) do non200 = non200 + (t:get("errors") or 0) end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rate=%.1f/s ok_rate=%.1f/s non200=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.requests / secs, (summary.requests - non200) / secs, non200,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
