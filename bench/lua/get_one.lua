-- GET /api/v1/traces/<id>?project_id=P over a sample of the seeded traces.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare()
  get_in_turn(map_rows("traces.tsv", function(project, id)
    return "/api/v1/traces/" .. url_encode(id) .. "?project_id=" .. url_encode(project)
  end))
end
