-- wrk script: each request is a distinct, correctly authenticated Telegram update (unique update_id,
-- 1000 chats), so every request is verified, committed and later forwarded.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  n = tid * 100000000
  secret = os.getenv("TG_SECRET") or "demo-telegram-secret-token"
end
function request()
  n = n + 1
  local chat = n % 1000
  local body = string.format('{"update_id":%d,"message":{"message_id":%d,"chat":{"id":%d,"type":"private"},"date":1764064800,"text":"load %d"}}', n, n, chat, n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Telegram-Bot-Api-Secret-Token"] = secret}, body)
end
