# pleo-emulator build targets. `make test` is what CI runs.
BINARY  := bin/pleo-emulator
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/pleo-emulator/pleo-emulator/internal/cli.Version=$(VERSION)
FUZZTIME ?= 30s

.PHONY: build run test lint bench fuzz load profile docker clean

build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/pleo-emulator

run:
	go run ./cmd/pleo-emulator

test:
	go vet ./...
	go test -race -timeout 30m ./...

# lint runs the linters CI runs besides go vet (staticcheck with every check).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	go vet ./...
	go run $(STATICCHECK) -checks all ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

# fuzz runs every fuzz target for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	go test -run '^$$' -fuzz '^FuzzAuthorize$$' -fuzztime $(FUZZTIME) ./internal/authserver
	go test -run '^$$' -fuzz '^FuzzConsent$$' -fuzztime $(FUZZTIME) ./internal/authserver
	go test -run '^$$' -fuzz '^FuzzToken$$' -fuzztime $(FUZZTIME) ./internal/authserver
	go test -run '^$$' -fuzz '^FuzzParseScope$$' -fuzztime $(FUZZTIME) ./internal/oauth
	go test -run '^$$' -fuzz '^FuzzParseSubject$$' -fuzztime $(FUZZTIME) ./internal/oauth
	go test -run '^$$' -fuzz '^FuzzPKCE$$' -fuzztime $(FUZZTIME) ./internal/oauth
	go test -run '^$$' -fuzz '^FuzzDecodeCursor$$' -fuzztime $(FUZZTIME) ./internal/api
	go test -run '^$$' -fuzz '^FuzzListCursor$$' -fuzztime $(FUZZTIME) ./internal/api
	go test -run '^$$' -fuzz '^FuzzWriteBody$$' -fuzztime $(FUZZTIME) ./internal/api

# load starts the built binary on a fresh database and prints a Markdown table of
# start-up time, memory, token endpoint and API throughput, also during a flood
# of webhook deliveries (loopback only, bounded).
load: build
	go run ./cmd/pleo-bench -binary $(BINARY)

# profile is load against a binary built with net/http/pprof (-tags pprof), saving
# CPU, mutex and block profiles of every load phase into PROFILE_DIR; read them with
# go tool pprof -top bin/pleo-emulator-pprof PROFILE_DIR/refresh.cpu.pprof
PROFILE_DIR ?= profiles
profile:
	mkdir -p $(PROFILE_DIR)
	CGO_ENABLED=0 go build -tags pprof -trimpath -o bin/pleo-emulator-pprof ./cmd/pleo-emulator
	go run ./cmd/pleo-bench -binary bin/pleo-emulator-pprof -pprof $(PROFILE_DIR) $(BENCH_FLAGS)

docker:
	docker build --build-arg VERSION=$(VERSION) -t pleo-emulator:$(VERSION) .

clean:
	rm -rf bin pleo-emulator.db pleo-emulator.db-wal pleo-emulator.db-shm

# load-scale measures the emulator with --seed-size large (100,000 more
# accounting entries in Acme Denmark): start-up, reset, search pages first
# and 500 cursors deep, an export job of 1,000 entries, generation speed.
.PHONY: load-scale
load-scale: build
	go run ./cmd/pleo-bench -binary $(BINARY) -only scale
