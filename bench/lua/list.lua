-- GET /api/v1/traces?project_id=P&limit=50&offset=O over every page of every seeded project.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare()
  local paths = {}
  for _, row in ipairs(data_lines("projects.tsv", true)) do
    for offset = 0, math.max(0, tonumber(row[2]) - 50), 50 do
      paths[#paths + 1] = "/api/v1/traces?project_id=" .. url_encode(row[1]) .. "&limit=50&offset=" .. offset
    end
  end
  -- Deep and shallow pages mixed, rather than walked in order.
  math.randomseed(12345)
  for k = #paths, 2, -1 do
    local j = math.random(k)
    paths[k], paths[j] = paths[j], paths[k]
  end
  get_in_turn(paths)
end
