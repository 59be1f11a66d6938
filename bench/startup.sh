#!/usr/bin/env bash
# Time from spawn to first /healthz 200, and idle RSS after 3 s, for a database URL.
url="$1"; port=$((20000 + RANDOM % 20000))
start=$(date +%s%N)
${PROOFLESS_BIN:-target/release/proofless} --database "$url" serve --bind 127.0.0.1:$port >/tmp/startup-$port.log 2>&1 &
pid=$!
for i in $(seq 1 6000); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.01; done
end=$(date +%s%N)
sleep 3
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
echo "$url: first served request after $(( (end-start)/1000000 )) ms; idle RSS $((rss/1024)) MiB"
kill $pid; wait $pid 2>/dev/null
