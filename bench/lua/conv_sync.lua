-- POST /api/v1/conversations/sync: one 100 KB transcript per request, to one of 200 urls, so
-- that most requests re-send a transcript the server already holds, as the client's hooks do.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare()
  local parts = template(read_data("conv_sync.json"), "@URL@")
  local urls = {}
  for k = 1, 200 do
    urls[k] = string.format("file:///home/dev/.claude/projects/-home-dev-bench-conv/session-%03d.jsonl", k)
  end
  local next_url = cycler(urls)
  post_in_turn("/api/v1/conversations/sync", function()
    local url = next_url()
    return fill_template(parts, function() return url end)
  end)
end
