# hybridbot — two commands: `make run` (local trial) and `make test` (every test).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
SWIFT ?= swift

.PHONY: all deps build release run test unit-test cli-test check clean

all: build

# Installs the Debian packages the build and the tests need, only when one is missing.
deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product hybridbot

# Local trial: embedded SQLite, generated signing secret, no Slack needed.
run: release
	@scripts/local-trial.sh

test: deps
	$(SWIFT) build --build-tests
	scripts/run-swift-tests.sh
	scripts/cli-acceptance.sh .build/debug/hybridbot
	scripts/crash-tests.sh .build/debug/hybridbot

check: build
	.build/debug/hybridbot check

clean:
	rm -rf .build data
