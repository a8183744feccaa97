#!/usr/bin/env bash
# Captures pprof profiles of gwsgi serving a Python app under wrk: a 10 s
# CPU profile, a 10 s allocation profile and the per-request phase times
# (/debug/gwsgi/phases) of the same 10 s, taken together while wrk keeps
# its connections busy, then prints `go tool pprof -top` of each.
#
#   profiles/capture.sh [hello|flask|sleep]     (make profile: all three)
#
# hello is examples/app.py at 64 connections, flask the Flask sample's
# /json at 64, sleep bench/apps/benchapp.py's /sleep (10 ms) at 512. gwsgi
# runs with its default budget. The server runs on CPU 1 and wrk on CPU 0,
# as in bench/. Outputs, in profiles/WORKLOAD/: cpu.pb.gz, allocs.pb.gz,
# cpu-top.txt, allocs-top.txt, phases.txt, wrk.txt.
#
# Where `perf record -e cpu-clock` works (Debian's linux-perf, as root or
# with kernel.perf_event_paranoid <= 1; a software clock, so it also works
# in VMs without a PMU), the same 10 s are sampled on the server's CPU with
# call graphs, kernel included, which pprof cannot see: perf-top.txt (the
# hottest symbols) and perf-split.txt (go run ./profiles/perfsplit: the
# shares of the app's Python, the kernel's send path, the event loop, the
# GIL, the Go runtime). perf.data itself stays in bin/ (PERF=0 skips it).
set -euo pipefail

cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"

ADDR=${ADDR:-127.0.0.1:18080}
PPROF=${PPROF:-127.0.0.1:6060}
SECONDS_CPU=${SECONDS_CPU:-10}
WARMUP=${WARMUP:-3}
WORKLOAD=${1:-hello}
case "$WORKLOAD" in
hello) DIR=examples SPEC=app:application URLPATH=/ CONNS=64 ;;
flask) DIR=examples/flaskapp SPEC=app:app URLPATH=/json CONNS=64 ;;
sleep) DIR=bench/apps SPEC=benchapp:application URLPATH=/sleep CONNS=512 ;;
*) echo "usage: $0 [hello|flask|sleep]" >&2; exit 2 ;;
esac
OUT=profiles/$WORKLOAD
mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || true

if ! command -v wrk >/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
go build -o bin/gwsgi ./cmd/gwsgi

perf_ok=0
if [ "${PERF:-1}" != 0 ] && command -v perf >/dev/null &&
	perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
	perf_ok=1
fi

server_cpu=1 wrk_cpu=0
if [ "$(nproc)" -lt 2 ]; then server_cpu=0; fi

taskset -c "$server_cpu" bin/gwsgi -b "$ADDR" --pprof "$PPROF" --chdir "$DIR" "$SPEC" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
	curl -fsS -o /dev/null "http://$ADDR$URLPATH" 2>/dev/null && curl -fsS -o /dev/null "http://$PPROF/debug/pprof/" 2>/dev/null && break
	sleep 0.1
done
curl -fsS "http://$ADDR$URLPATH" >/dev/null

duration=$((WARMUP + SECONDS_CPU + 3))
taskset -c "$wrk_cpu" wrk -t1 -c"$CONNS" -d"${duration}s" --latency "http://$ADDR$URLPATH" >"$OUT/wrk.txt" &
wrk_pid=$!
sleep "$WARMUP"
curl -fsS -o /dev/null "http://$PPROF/debug/gwsgi/phases?reset=1"
curl -fsS -o "$OUT/cpu.pb.gz" "http://$PPROF/debug/pprof/profile?seconds=$SECONDS_CPU" &
cpu_pid=$!
curl -fsS -o "$OUT/allocs.pb.gz" "http://$PPROF/debug/pprof/allocs?seconds=$SECONDS_CPU" &
allocs_pid=$!
perf_pid=
if [ "$perf_ok" = 1 ]; then
	mkdir -p bin
	perf record -q -e cpu-clock -F 4999 -g -C "$server_cpu" -o "bin/perf-$WORKLOAD.data" -- sleep "$SECONDS_CPU" >/dev/null 2>&1 &
	perf_pid=$!
fi
wait "$cpu_pid" "$allocs_pid" $perf_pid
curl -fsS -o "$OUT/phases.txt" "http://$PPROF/debug/gwsgi/phases"
wait "$wrk_pid"

go tool pprof -top -nodecount=30 "$OUT/cpu.pb.gz" 2>/dev/null >"$OUT/cpu-top.txt"
{
	echo "# -sample_index=alloc_objects"
	go tool pprof -top -nodecount=20 -sample_index=alloc_objects "$OUT/allocs.pb.gz" 2>/dev/null
	echo
	echo "# -sample_index=alloc_space"
	go tool pprof -top -nodecount=20 -sample_index=alloc_space "$OUT/allocs.pb.gz" 2>/dev/null
} >"$OUT/allocs-top.txt"

if [ "$perf_ok" = 1 ]; then
	perf report -i "bin/perf-$WORKLOAD.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
		awk '!/^#/ && NF && n++ < 40' >"$OUT/perf-top.txt"
	perf script -i "bin/perf-$WORKLOAD.data" 2>/dev/null | go run ./profiles/perfsplit >"$OUT/perf-split.txt"
fi

echo "== wrk (server on CPU $server_cpu, wrk on CPU $wrk_cpu)"
cat "$OUT/wrk.txt"
echo "== CPU profile ($SECONDS_CPU s): go tool pprof -top $OUT/cpu.pb.gz"
cat "$OUT/cpu-top.txt"
echo "== phase times ($SECONDS_CPU s, µs; quantiles are power-of-two bucket bounds)"
cat "$OUT/phases.txt"
if [ "$perf_ok" = 1 ]; then
	echo "== CPU $server_cpu, kernel included ($SECONDS_CPU s, perf): go run ./profiles/perfsplit"
	cat "$OUT/perf-split.txt"
fi
echo "== allocations ($SECONDS_CPU s): go tool pprof -top -sample_index=alloc_objects $OUT/allocs.pb.gz"
cat "$OUT/allocs-top.txt"
ls -l "$OUT"/*.pb.gz
