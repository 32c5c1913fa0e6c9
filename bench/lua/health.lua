-- GET /health: the server and a database round trip, no authentication.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare()
  get_in_turn({ "/health" }, {})
end
