-- wrk script: device gateway exchanges (POST /gateway/v1/exchange), HTTP Basic auth per device
-- (device id : password), cycling through the devices of a credentials file, one "id:password"
-- a line (`load wakeups --write-credentials FILE` writes one).
--
--   wrk -t2 -c64 -d10s -s load/wrk/exchange.lua http://127.0.0.1:5077 -- plain creds.txt
--   wrk -t2 -c64 -d10s -s load/wrk/exchange.lua http://127.0.0.1:5077 -- event creds.txt
--
-- Arguments after `--`: the body, `plain` (`{}`: stores nothing) or `event` (one event,
-- {"events":[{"type":"tick","payload":{"n":<i>}}]}), and the credentials file. Without them the
-- environment decides: EXCHANGE_BODY (default plain) and CREDENTIALS. WRK_THREADS (default 2)
-- should be -t: thread i starts at device i * n / threads, so the threads stay apart.
-- Each thread cycles through all devices in turn, so no two requests of a thread in a row go to
-- the same device. Answers other than 2xx show in wrk's "Non-2xx or 3xx responses" line.

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(text)
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local function digit(shift)
      local d = math.floor(n / shift) % 64
      return alphabet:sub(d + 1, d + 1)
    end
    out[#out + 1] = digit(262144) .. digit(4096) .. (b and digit(64) or "=") .. (c and digit(1) or "=")
  end
  return table.concat(out)
end

local threads = 0

-- Runs in wrk's main Lua state once per thread, before that thread's init.
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local authorizations = {}
local event = false
local position = 0
local sent = 0

function init(args)
  local kind = args[1] or os.getenv("EXCHANGE_BODY") or "plain"
  local file = args[2] or os.getenv("CREDENTIALS")
  if kind ~= "plain" and kind ~= "event" then
    error("body must be plain or event, not " .. kind)
  end
  if not file then
    error("no credentials file: give it after `--` (plain|event FILE) or in CREDENTIALS")
  end
  event = kind == "event"
  local handle = assert(io.open(file, "r"))
  for line in handle:lines() do
    line = line:gsub("%s+$", "")
    if line ~= "" then
      authorizations[#authorizations + 1] = "Basic " .. base64(line)
    end
  end
  handle:close()
  if #authorizations == 0 then
    error("no credentials in " .. file)
  end
  local count = tonumber(os.getenv("WRK_THREADS") or "2")
  position = math.floor((thread_index or 0) * #authorizations / count) % #authorizations
end

function request()
  position = position % #authorizations + 1
  sent = sent + 1
  local body = event and string.format('{"events":[{"type":"tick","payload":{"n":%d}}]}', sent) or "{}"
  return wrk.format("POST", "/gateway/v1/exchange", {
    ["Authorization"] = authorizations[position],
    ["Content-Type"] = "application/json",
  }, body)
end
