# gwsgi: `make run` serves the example app on 127.0.0.1:8000, `make test`
# runs every test. Both install what is missing first.

export PATH := $(PATH):/usr/local/go/bin
GO      ?= go
BIND    ?= 127.0.0.1:8000
DEBS    ?= gcc pkg-config curl systemd nginx python3-dev python3-venv python3-flask python3-django python3-h11 python3-whitenoise gunicorn zstd

.PHONY: deps build run test vet fmt-check fuzz clean

deps:
	@tools/deps.sh $(DEBS)

build: deps
	$(GO) build -o bin/gwsgi ./cmd/gwsgi

APP     ?= app
run: build
	bin/gwsgi -b $(BIND) --chdir examples $(APP)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: deps fmt-check vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./httpparse/ ./environ/ ./pool/ ./wsgi/ ./static/ ./loop/ ./pyembed/

# Short fuzzing of every fuzz target of every package (FUZZTIME each), then
# the executions per target. httpparse's FuzzDifferentialH11 needs
# python3-h11 (skipped without it, failed without it when CI=true).
FUZZTIME ?= 20s
fuzz: deps
	@list=$$($(GO) test -list '^Fuzz' ./... 2>&1); fail=$$?; \
	targets=$$(echo "$$list" | awk '/^Fuzz/ { f = f " " $$1; next } \
		/^(ok|FAIL|\?) / { n = split(f, a, " "); for (i = 1; $$1 == "ok" && i <= n; i++) print $$2 ":" a[i]; f = "" }'); \
	[ -n "$$targets" ] || { echo "fuzz: no fuzz targets"; exit 1; }; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	[ $$fail = 0 ] || echo "$$list" | grep '^FAIL.' >"$$tmp/unlisted"; \
	for pt in $$targets; do \
		pkg=$${pt%:*}; t=$${pt##*:}; \
		echo "=== fuzz $$pkg $$t ($(FUZZTIME))"; \
		{ $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg 2>&1; echo $$? >"$$tmp/rc"; } | tee "$$tmp/log"; \
		execs=$$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' "$$tmp/log" | tail -n 1); \
		if [ "$$(cat "$$tmp/rc")" != 0 ]; then res=FAIL; fail=1; \
		elif grep -q -- '--- SKIP' "$$tmp/log"; then res=skipped; else res=ok; fi; \
		printf '%-40s %-22s %12s execs  %s\n' "$$pkg" "$$t" "$${execs:-0}" "$$res" >>"$$tmp/summary"; \
	done; \
	echo "=== fuzz summary (FUZZTIME $(FUZZTIME) per target)"; cat "$$tmp/summary"; \
	if [ -s "$$tmp/unlisted" ]; then echo "=== fuzz targets not listed (fix the build):"; cat "$$tmp/unlisted"; fi; \
	exit $$fail

clean:
	rm -rf bin

# Benchmarks. `make bench` compares gwsgi with gunicorn, uWSGI, waitress and
# eventlet under wrk (bench/results/); `make bench-quick` is a shorter subset
# (bench/results/quick/); BENCHFLAGS passes more flags (go run ./bench -h).
# `make bench-micro` runs the hot path's Go benchmarks; `make profile`
# captures pprof CPU and allocation profiles under load, and CPU samples
# with the kernel in them where perf works (profiles/).
# `make ab BASE=<revision or gwsgi binary>` runs this tree's gwsgi against
# another build in alternating pairs and says, by the sign test over the
# pairs, whether the difference stands out of the machine's noise
# (defaults: WORKLOADS=hello,flask,sleep PAIRS=6; AFLAGS and BFLAGS add
# gwsgi flags to one side; bench/README.md).
BENCHFLAGS ?=
BASE ?=
WORKLOADS ?=
PAIRS ?= 6
AFLAGS ?=
BFLAGS ?=
.PHONY: bench bench-quick bench-micro profile ab

bench: deps
	$(GO) run ./bench $(BENCHFLAGS)

bench-quick: deps
	$(GO) run ./bench -quick $(BENCHFLAGS)

ab: deps
	@test -n "$(BASE)" || { echo 'make ab: say BASE=<git revision or gwsgi binary>'; exit 2; }
	$(GO) run ./bench -ab '$(BASE)' -workloads '$(WORKLOADS)' -pairs $(PAIRS) -aflags '$(AFLAGS)' -bflags '$(BFLAGS)' $(BENCHFLAGS)

bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./httpparse/ ./environ/ ./wsgi/ ./pool/ ./pyembed/

profile: build
	profiles/capture.sh hello
	profiles/capture.sh flask
	profiles/capture.sh sleep

# Soak test. `make soak` builds bin/gwsgi and serves tools/soak/soakapp.py
# on a free 127.0.0.1 port (-w 2 --threads 32 --header-timeout 5
# --keep-alive 5), then runs a bounded mix of valid and hostile traffic
# against it for SOAKTIME (warm-up included): keep-alive and pipelined
# requests whose answers are checked, slow heads and bodies, early closes,
# malformed and oversized requests. It prints a report (as JSON in
# bin/soak.json; the server's output in bin/soak-server.log) and fails
# unless every valid request was served, every hostile one refused as
# documented and the server's RSS stayed within its tolerance. SOAKFLAGS
# passes more flags (go run ./tools/soak -h): `SOAKFLAGS='-addr HOST:PORT
# -pid PID'` soaks a server already running.
SOAKTIME  ?= 3m
SOAKFLAGS ?=
.PHONY: soak

soak: build
	$(GO) build -o bin/soak ./tools/soak
	PYTHONDONTWRITEBYTECODE=1 bin/soak -bin bin/gwsgi -duration $(SOAKTIME) -out bin/soak.json -log bin/soak-server.log $(SOAKFLAGS)
