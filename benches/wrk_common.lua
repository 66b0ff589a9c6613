-- What the wrk scripts in benches/ share: the fixed-rate pause and the RESULT line. Load it with
--   package.path = "benches/?.lua;" .. package.path; local common = require("wrk_common")
-- (wrk runs from the repository root in scripts/bench-*.sh).

local common = {}

-- wrk is closed-loop; a fixed offered rate is approximated by a per-connection pause of CONNS/RATE seconds between a
-- response and the next request, minus the expected service time (integer milliseconds, as wrk's delay() wants).
function common.delay(rate, conns, latency_ms)
  if rate <= 0 then return 0 end
  return math.max(0, math.floor(conns * 1000 / rate) - latency_ms)
end

-- One line: requests/s, the share of non-200 answers (each thread counts its own in the global `errors`), and
-- latency percentiles in microseconds.
function common.report(threads, summary, latency)
  local non200 = 0
  for _, t in ipairs(threads) do non200 = non200 + (t:get("errors") or 0) end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rate=%.1f/s ok_rate=%.1f/s non200=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.requests / secs, (summary.requests - non200) / secs, non200,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

return common
