-- wrk script for the SOAP gateway: one signed envelope POSTed again and again at a fixed offered load (the bench
-- configuration turns the signed-message replay check off, so the same bytes stay acceptable for their Timestamp's
-- hour; everything else — parse, signature, certificate path (cached), Timestamp, policy, audit — runs per request).
--
--   SOAP_BODY_FILE=envelope.xml SOAP_RATE=1000 SOAP_CONNS=8 wrk -t1 -c8 -d20s -s benches/soap_gateway.lua URL
--
-- The rate is approximated like benches/oauth_token.lua: a per-connection pause of CONNS/RATE seconds minus the
-- expected service time. done() prints a RESULT line (requests/s, non-200 count, latency percentiles in µs).
package.path = "benches/?.lua;" .. package.path
local common = require("wrk_common")

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
  return common.delay(rate, conns, latency_ms)
end

function request()
  local headers = { ["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = "\"urn:example:GetRecords\"" }
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, resp_body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  common.report(threads, summary, latency)
end
