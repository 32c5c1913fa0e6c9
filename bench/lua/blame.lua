-- POST /api/v1/blame. The argument after `--` picks the set of bodies (bench/seed.py):
-- `heur` (100 segments over linked commits without ledgers: the heuristic path), `ledger`
-- (commits with ledgers), or `heur2000` and `ledger2000` (the same with 2,000 segments).
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare(args)
  post_in_turn("/api/v1/blame", cycler(data_lines("blame_" .. (args[1] or "heur") .. ".jsonl")))
end
