-- wrk script for bench/http_cross_bench.sh: each request records the entry of a new traveller
-- (a new passport number per request) at a BCP, with a bearer token from $MMIS_TOKEN.
local token = os.getenv("MMIS_TOKEN")
local threads = 0
local n = 0

function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

function request()
	n = n + 1
	local body = string.format('{"document_type":"P","issuing_state":"SRB","document_number":"W%dN%d",' ..
		'"surname":"Benchmark","given_names":"Traveller","sex":"F","bcp":"MNE-DBR",' ..
		'"direction":"entry","transport":"car","purpose":"tourism"}', tid, n)
	return wrk.format("POST", "/api/v1/crossings",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
