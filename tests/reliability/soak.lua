-- The soak test's mixed traffic for wrk (tests/reliability/soak.py sets the environment):
--   78 % screening of identifiers (banks' and telcos' checks; some listed, most not)
--   10 % the case list, 6 % an order list, 1 % the dashboard's overview (the console)
--    4 % transfer batches of 20 from a bank (new transaction ids every time)
--    1 % victims' reports (new every time)
-- Every request carries a bearer key. A connection waits CFR_DELAY_MS between requests; soak.py
-- holds the rate at the share of capacity it wants by the number of connections.
local operator = os.getenv("CFR_OPERATOR")
local bank = os.getenv("CFR_BANK")
local delay_ms = tonumber(os.getenv("CFR_DELAY_MS") or "0")
local tag = os.getenv("CFR_TAG") or "soak"
local threads = {}
local counter = 0
local id = 0
errors = 0  -- globals: done() reads them from each thread
statuses = {}

function setup(thread)
  id = id + 1
  thread:set("id", id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919)
end

function delay()
  return delay_ms
end

local function auth(token, ctype)
  local h = { ["Authorization"] = "Bearer " .. token }
  if ctype then h["Content-Type"] = ctype end
  return h
end

function request()
  counter = counter + 1
  local r = math.random(100)
  if r <= 78 then
    local value
    if math.random(10) == 1 then
      value = string.format("09%08d", math.random(0, 999))        -- listed in the set-up
    else
      value = string.format("08%08d", math.random(0, 99999999))
    end
    return wrk.format("GET", "/api/v1/screen?kind=phone&value=" .. value, auth(bank))
  elseif r <= 88 then
    return wrk.format("GET", "/api/v1/cases?limit=20", auth(operator))
  elseif r <= 94 then
    return wrk.format("GET", "/api/v1/orders?limit=20", auth(operator))
  elseif r <= 95 then
    return wrk.format("GET", "/api/v1/stats/overview", auth(operator))
  elseif r <= 99 then
    transfers_sent = transfers_sent + 20
    local rows = {}
    for i = 1, 20 do
      rows[i] = string.format(
        '{"txn_id":"KBANK-%s-%d-%d-%d","from":{"bank":"KBANK","account":"1%09d"},' ..
        '"to":{"bank":"SCB","account":"4%09d"},"amount_satang":%d,"at":%d,"channel":"interbank"}',
        tag, id, counter, i, math.random(0, 99999), math.random(0, 99999), 10000 + math.random(0, 900000),
        1793847540000 + counter * 100 + i)
    end
    return wrk.format("POST", "/api/v1/transfers", auth(bank, "application/x-ndjson"), table.concat(rows, "\n") .. "\n")
  else
    local n = id * 100000000 + counter
    local body = string.format(
      '{"victim":{"name":"Soak Victim %d","phone":"06%08d","province":"Bangkok","age_band":"35-44"},"channel":"hotline",' ..
      '"scam_type":"call_centre_impersonation","occurred_at":"2026-11-01T09:10:00+07:00",' ..
      '"narrative":"soak test report","loss_transfers":[{"from":{"bank":"KBANK","account":"2%09d"},' ..
      '"to":{"bank":"BAY","account":"7%09d"},"amount_satang":%d,"at":"2026-11-01T09:31:00+07:00"}]}',
      n, n % 100000000, n % 1000000000, math.random(0, 99999), 100000 + math.random(0, 900000))
    return wrk.format("POST", "/api/v1/reports", auth(operator, "application/json"), body)
  end
end

first_error = ""
transfers_sent = 0

function response(status, headers, body)
  if status >= 300 then
    if first_error == "" then first_error = tostring(status) .. " " .. string.sub(body or "", 1, 300) end
    errors = errors + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_errors = 0
  local by_status = {}
  for _, t in ipairs(threads) do
    total_errors = total_errors + t:get("errors")
    local s = t:get("statuses")
    for k, v in pairs(s) do by_status[k] = (by_status[k] or 0) + v end
  end
  local transfers = 0
  for _, t in ipairs(threads) do transfers = transfers + t:get("transfers_sent") end
  io.write(string.format("TRANSFERS %d\n", transfers))
  local sample = ""
  for _, t in ipairs(threads) do
    if sample == "" then sample = t:get("first_error") end
  end
  if sample ~= "" then io.write("FIRST_ERROR " .. sample .. "\n") end
  local parts = {}
  for k, v in pairs(by_status) do table.insert(parts, string.format('"%d":%d', k, v)) end
  io.write(string.format(
    'SOAK {"requests":%d,"seconds":%.3f,"errors":%d,"socket_errors":%d,"statuses":{%s},' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, total_errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ","), latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
