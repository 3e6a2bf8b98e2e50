-- bench/serve/post.lua: wrk script for bench/serve/run.py.  Every request
-- is the same POST /invocations with Content-Type text/csv and one CSV
-- row as its body, read from the file named after wrk's `--`:
--   wrk -t2 -c16 -d10s --latency -s bench/serve/post.lua URL -- ROW.csv
-- No Accept header: both servers answer text/csv, one score per line.

wrk.method = "POST"
wrk.path = "/invocations"
wrk.headers["Content-Type"] = "text/csv"

-- Called once per wrk thread before wrk formats its request, so the body
-- set here is the body of every request that thread sends.
function init(args)
   local f = assert(io.open(args[1], "rb"))
   wrk.body = f:read("*a")
   f:close()
end
