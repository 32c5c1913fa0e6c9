-- POST /api/v1/blame with 100-segment bodies. The argument after `--` picks the set:
-- `heur` (linked commits without ledgers: the heuristic path) or `ledger` (commits with ledgers).
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare(args)
  post_in_turn("/api/v1/blame", cycler(data_lines("blame_" .. (args[1] or "heur") .. ".jsonl")))
end
