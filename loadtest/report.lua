-- wrk script of `make load`: sends each request with the bearer token of
-- HITO_LOAD_TOKEN (when set), counts the response statuses, and prints one
-- line "LOAD_RESULT {json}" with the throughput, latency percentiles and
-- status counts when the run ends.
local token = os.getenv("HITO_LOAD_TOKEN")
if token ~= nil and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'LOAD_RESULT {"requests": %d, "duration_s": %.3f, "requests_per_s": %.1f, '
         .. '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}, '
         .. '"statuses": {%s}, "socket_errors": {"connect": %d, "read": %d, '
         .. '"write": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
