# gwsgi: `make run` serves the example app on 127.0.0.1:8000, `make test`
# runs every test. Both install what is missing first.

export PATH := $(PATH):/usr/local/go/bin
GO      ?= go
BIND    ?= 127.0.0.1:8000
DEBS    ?= gcc pkg-config curl systemd nginx python3-dev python3-venv python3-flask python3-django gunicorn

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
	$(GO) test -count=1 -race ./httpparse/ ./environ/ ./pool/ ./wsgi/ ./loop/ ./pyembed/

# Short fuzzing of every fuzz target (FUZZTIME each).
FUZZTIME ?= 20s
fuzz:
	@for t in $$($(GO) test -list '^Fuzz' ./httpparse/ | grep ^Fuzz); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./httpparse/ || exit 1; \
	done

clean:
	rm -rf bin

# Benchmarks. `make bench` compares gwsgi with gunicorn, uWSGI, waitress and
# eventlet under wrk (bench/results/); `make bench-quick` is a shorter subset
# (bench/results/quick/); BENCHFLAGS passes more flags (go run ./bench -h).
# `make bench-micro` runs the hot path's Go benchmarks; `make profile`
# captures pprof CPU and allocation profiles under load (profiles/).
BENCHFLAGS ?=
.PHONY: bench bench-quick bench-micro profile

bench: deps
	$(GO) run ./bench $(BENCHFLAGS)

bench-quick: deps
	$(GO) run ./bench -quick $(BENCHFLAGS)

bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./httpparse/ ./environ/ ./wsgi/ ./pool/ ./pyembed/

profile: build
	profiles/capture.sh hello
	profiles/capture.sh flask
	profiles/capture.sh sleep
