-- wrk script used by bench/run.sh when the load tool is wrk.
--
-- * WRK_PATHS (optional): space-separated request paths; each connection cycles through
--   them, starting at a different offset, so a scenario can rotate over several ids.
-- * done() prints one machine-readable line that run.sh parses:
--     WRK_RESULT requests=N duration_us=N p50_us=N p90_us=N p99_us=N max_us=N
--                status_errors=N connect_errors=N read_errors=N write_errors=N timeouts=N
--   (latencies in microseconds, from wrk's own latency statistics over every request).

local paths = {}
local env = os.getenv("WRK_PATHS")
if env ~= nil then
  for p in string.gmatch(env, "%S+") do
    paths[#paths + 1] = p
  end
end

local counter = 0
local thread_offset = 0

function setup(thread)
  thread_offset = thread_offset + 1
  thread:set("offset", thread_offset * 7)
end

function init(args)
  counter = offset or 0
end

function request()
  if #paths == 0 then
    return wrk.format(nil)
  end
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
