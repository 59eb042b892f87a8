-- wrk script: replays pre-signed slash commands from $BENCH_REQUESTS, each request built on first use.
local lines = {}
local index = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    lines[#lines + 1] = line
  end
  -- Each thread takes its own half of the requests, so no trigger_id is sent twice.
  index = math.floor(offset * #lines / 2)
end

function request()
  index = index % #lines + 1
  local ts, sig, body = lines[index]:match("([^\t]+)\t([^\t]+)\t(.*)")
  return wrk.format("POST", "/slack/commands", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Slack-Request-Timestamp"] = ts,
    ["X-Slack-Signature"] = sig,
  }, body)
end
