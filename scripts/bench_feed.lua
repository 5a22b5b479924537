-- wrk script for scripts/bench_feed.sh. Every request takes the next access token from the file
-- named by BENCH_TOKENS (one per line), so a run reads many people's feeds rather than one, and,
-- when BENCH_PATHS names a file of paths, the next path too (search terms).
local tokens, paths = {}, {}
local next_token, next_path = 0, 0

local function lines(name)
  local found = {}
  if name and name ~= "" then
    for line in io.lines(name) do
      if line ~= "" then found[#found + 1] = line end
    end
  end
  return found
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  tokens, paths = lines(os.getenv("BENCH_TOKENS")), lines(os.getenv("BENCH_PATHS"))
  -- Threads start at different people, so two threads do not ask for the same page at once.
  next_token = (id or 0) * 7919 % #tokens
  next_path = (id or 0) % math.max(#paths, 1)
end

function request()
  next_token = next_token % #tokens + 1
  local path = nil
  if #paths > 0 then
    next_path = next_path % #paths + 1
    path = paths[next_path]
  end
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. tokens[next_token]})
end
