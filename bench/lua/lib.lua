-- Helpers shared by the wrk scenarios that bench/e2e.sh runs. A scenario starts with
--   dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
-- then defines prepare(args), which wrk runs once per thread (args: what follows `--` on wrk's
-- command line) and which picks what to send with get_in_turn or post_in_turn. The data it reads
-- are the files bench/seed.py wrote into ATS_BENCH_DATA.
local data_dir = os.getenv("ATS_BENCH_DATA") or error("ATS_BENCH_DATA is not set")

-- wrk calls setup() in its main state once per thread before the threads start.
local started_threads = 0
function setup(thread)
  started_threads = started_threads + 1
  thread:set("thread_no", started_threads)
end

function read_data(name)
  local f = assert(io.open(data_dir .. "/" .. name, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

-- Non-empty lines of a data file; a tab-separated line becomes a list of its fields.
function data_lines(name, split)
  local out = {}
  for line in io.lines(data_dir .. "/" .. name) do
    if line ~= "" then
      if split then
        local fields = {}
        for field in line:gmatch("[^\t]+") do fields[#fields + 1] = field end
        line = fields
      end
      out[#out + 1] = line
    end
  end
  assert(#out > 0, "no data in " .. name)
  return out
end

-- The rows of a tab-separated data file, each mapped through fn(field1, field2, ...).
function map_rows(name, fn)
  local out = {}
  for _, fields in ipairs(data_lines(name, true)) do out[#out + 1] = fn(unpack(fields)) end
  return out
end

function url_encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Cycles through a list; each thread starts at its own place so threads do not move in step.
function cycler(list)
  local i = ((thread_no or 1) * 7919) % #list
  return function()
    i = i % #list + 1
    return list[i]
  end
end

-- Splits a template at every occurrence of a marker, for cheap substitution per request.
function template(text, marker)
  local parts, from = {}, 1
  while true do
    local a, b = text:find(marker, from, true)
    if not a then break end
    parts[#parts + 1] = text:sub(from, a - 1)
    from = b + 1
  end
  parts[#parts + 1] = text:sub(from)
  assert(#parts > 1, "marker " .. marker .. " not found")
  return parts
end

-- Fills a template's gaps with values from fill(), one call per gap.
function fill_template(parts, fill)
  local out = { parts[1] }
  for k = 2, #parts do
    out[#out + 1] = fill()
    out[#out + 1] = parts[k]
  end
  return table.concat(out)
end

-- Trace ids never seen before: a random number per wrk thread state, the thread and a counter.
local run_tag, issued = 0, 0
function fresh_id()
  issued = issued + 1
  return string.format("%08x-%04x-4%03x-8000-%012x", run_tag, thread_no or 0, issued % 4096, issued)
end

-- wrk asks its main state whether request() exists, so it must be defined here, not in
-- prepare(); it sends what the scenario chose.
local next_request
function request()
  return next_request()
end

-- GET the paths one after the other (headers: default the bearer token).
function get_in_turn(paths, headers)
  local next_path = cycler(paths)
  headers = headers or get_headers
  next_request = function() return wrk.format("GET", next_path(), headers) end
end

-- POST to path the bodies make_body() returns, one per request.
function post_in_turn(path, make_body)
  next_request = function() return wrk.format("POST", path, post_headers, make_body()) end
end

function init(args)
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(4) or ""
  if f then f:close() end
  run_tag = os.time() % 0x10000
  for k = 1, #bytes do run_tag = (run_tag * 256 + bytes:byte(k)) % 0x80000000 end
  local token = read_data("token"):gsub("%s+$", "")
  get_headers = { ["Authorization"] = "Bearer " .. token }
  post_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  prepare(args)
end

-- One machine-readable line for bench/e2e.sh: requests, duration (us), p50 and p99 (ms),
-- non-2xx responses, socket errors (connect, read, write, timeout).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("ATS_RESULT\t%d\t%d\t%.3f\t%.3f\t%d\t%d\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
