-- wrk script for benchmarks/verify_bench.py.
--
--   wrk -t1 -c64 -d10s -s verify_bench.lua http://127.0.0.1:PORT -- TOKENS THREADS BODY PATHS
--
-- TOKENS: pre-signed bearer tokens, one a line, each good for one request (the gateway refuses
-- a replayed jti); thread k of THREADS takes lines k+1, k+1+THREADS, ... BODY: the JSON body.
-- PATHS: request paths, one a line, cycled through. Every request is POST <path> with
-- "Authorization: Bearer <token>". A thread that runs out of tokens wraps around; the replays
-- come back 401 and are counted in "replayed" so the caller can tell why.
--
-- Without script arguments it sends wrk's own static request (the bare-endpoint baseline).
--
-- done() prints one line:
--   RESULT <requests> <duration_us> <status_errors> <socket_errors> <p50_ms> <p99_ms> <sent>
--          <replayed>

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   threads[#threads + 1] = thread
end

local function read_all(path)
   local file = assert(io.open(path, "rb"))
   local text = file:read("*a")
   file:close()
   return text
end

local function read_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if line ~= "" then
         lines[#lines + 1] = line
      end
   end
   return lines
end

local tokens, paths, body
local next_token, next_path = 0, 0
sent, share = 0, 0

function init(args)
   if args[1] == nil then
      -- no arguments: leave the request static, so wrk does not call Lua per request
      request = nil
      return
   end
   local all, thread_count = read_lines(args[1]), tonumber(args[2])
   tokens = {}
   for i = id + 1, #all, thread_count do
      tokens[#tokens + 1] = all[i]
   end
   share = #tokens
   assert(share > 0, "thread " .. id .. " has no tokens")
   body = read_all(args[3])
   paths = read_lines(args[4])
   assert(#paths > 0, "no request paths")
end

function request()
   sent = sent + 1
   next_token = next_token % share + 1
   next_path = next_path % #paths + 1
   return wrk.format("POST", paths[next_path], {
      ["Authorization"] = "Bearer " .. tokens[next_token],
      ["Content-Type"] = "application/json",
   }, body)
end

function done(summary, latency, requests)
   local total_sent, replayed = 0, 0
   for _, thread in ipairs(threads) do
      local thread_sent, thread_share = thread:get("sent"), thread:get("share")
      total_sent = total_sent + thread_sent
      if thread_share > 0 and thread_sent > thread_share then
         replayed = replayed + thread_sent - thread_share
      end
   end
   local errors = summary.errors
   io.write(string.format(
      "RESULT %d %d %d %d %.3f %.3f %d %d\n",
      summary.requests,
      summary.duration,
      errors.status,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      total_sent,
      replayed
   ))
end
