# kiln's own build. containers/image builds statically without gpgme and
# btrfs headers only with CGO off and the openpgp tag.
GO       ?= go
TAGS     := containers_image_openpgp
export CGO_ENABLED := 0
# Podman on these VMs needs runc and lower ulimits; tests never touch /etc/containers.
export CONTAINERS_CONF ?= $(CURDIR)/testdata/containers.conf
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: all build install test check vet fmt bench fuzz clean

all: build

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o bin/kiln ./cmd/kiln

install:
	$(GO) install -tags $(TAGS) -ldflags '$(LDFLAGS)' ./cmd/kiln

# The whole suite, as CI runs it. With KILN_E2E=1 a missing podman fails the
# end-to-end tests instead of skipping them.
test: check
	$(GO) test -tags $(TAGS) -count=1 -timeout 75m ./...

check: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags $(TAGS) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Benchmarks: speed and memory goals live here, never in timed tests.
# Results with date and machine go in docs/benchmarks.md.
BENCHTIME ?= 1s
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzParseValidate -fuzztime 60s ./scaffold
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzLint -fuzztime 60s ./scaffold/lint
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzUpdateKeepsAuthorLines -fuzztime 1500x ./scaffold
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzParseEnvFile -fuzztime 60s ./builder
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzSourceCopy -fuzztime 60s ./builder

clean:
	rm -rf bin
