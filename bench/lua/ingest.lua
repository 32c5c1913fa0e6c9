-- Ingest with trace ids never sent before. The argument after `--` picks the request:
-- `single`: POST /api/v1/traces, one ~2 KB record; `batch`: POST /api/v1/traces/batch, 50 records.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare(args)
  local kind = args[1] or "single"
  local parts = template(read_data("ingest_" .. kind .. ".json"), "@ID@")
  local path = kind == "batch" and "/api/v1/traces/batch" or "/api/v1/traces"
  post_in_turn(path, function() return fill_template(parts, fresh_id) end)
end
