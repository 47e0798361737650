-- wrk script for the registration burst: complete sign-ups, each with its own address
-- and form token. Arguments: csrf token, csrf cookie, then slot:session pairs to book.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  csrf = args[1]
  cookie = args[2]
  choices = {}
  for i = 3, #args do
    local slot, session = args[i]:match("(%d+):(%d+)")
    table.insert(choices, {slot, session})
  end
  math.randomseed(os.time() + tid * 7919)
end

local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%06x%06x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

function request()
  counter = counter + 1
  local choice = choices[math.random(#choices)]
  local body = "csrfmiddlewaretoken=" .. csrf
    .. "&form_token=" .. uuid4()
    .. "&civility=mme&first_name=Bench&last_name=Client+" .. tid .. "-" .. counter
    .. "&email=c" .. tid .. "-" .. counter .. "%40bench.example.org"
    .. "&phone_0=FR&phone_1=0612345678&organisation=Ville+de+test"
    .. "&organisation_type=collectivite&position=Charg%C3%A9e+de+mission&country=FR"
    .. "&language=fr&days=2026-07-08&days=2026-07-09&privacy=on"
    .. "&slot_" .. choice[1] .. "=" .. choice[2]
  return wrk.format("POST", "/fr/inscription/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["Referer"] = "http://127.0.0.1/fr/inscription/",
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.1f %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
