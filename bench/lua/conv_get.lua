-- GET /api/v1/conversations/content for the seeded 50-200 KB transcripts.
dofile(os.getenv("ATS_BENCH_LUA") .. "/lib.lua")
function prepare()
  get_in_turn(map_rows("conversations.tsv", function(project, url)
    return "/api/v1/conversations/content?project_id=" .. url_encode(project) .. "&url=" .. url_encode(url)
  end))
end
