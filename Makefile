# The few commands a person needs. Each wraps `uv run`; CI calls the same targets.
SHELL := /bin/bash
# The bootstrap may have just installed uv into ~/.local/bin (pip --user); nginx lives in sbin.
export PATH := $(HOME)/.local/bin:$(PATH):/usr/sbin:/sbin
.DEFAULT_GOAL := help
UV ?= uv
PY_SOURCES := libs/contracts/src libs/platform/src libs/testkit/src tools/deploy/src tools/demo/src \
	bench/src
SERVICE_SOURCES := $(wildcard services/*/src)
TESTS := libs/contracts/tests libs/platform/tests libs/testkit/tests $(wildcard services/*/tests) \
	tools/deploy/tests tools/demo/tests tests/integration

.PHONY: help bootstrap install lint contracts contracts-check deploy deploy-check test test-unit \
	test-integration bench up down status provision migrate demo token

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

bootstrap: ## install what this machine lacks (uv, Java, Maven, PostgreSQL, nginx, curl); quick when all there
	@deploy/local/bootstrap.sh

install: bootstrap ## install every workspace member and dev tool from the lockfile
	$(UV) sync --all-packages --frozen

lint: install ## ruff, formatting and mypy --strict on libs/, services/ and tools/
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy --strict $(PY_SOURCES) $(SERVICE_SOURCES)

contracts: install ## export JSON Schemas and the AsyncAPI document (refuses breaking changes)
	$(UV) run python -m clinic_contracts.export

contracts-check: install ## committed schemas current and compatible; every consumer's contract still held
	$(UV) run python -m clinic_contracts.export --check
	$(UV) run python -m clinic_contracts.consumers

deploy: install ## write the deploy files derived from deploy/services.toml (compose, gateway, k8s, make up)
	$(UV) run python -m clinic_deploy render

deploy-check: install ## derived deploy files current; k8s and compose valid against their schemas; every setting set
	tools/deploy/install.sh
	$(UV) run python -m clinic_deploy check
	$(UV) run python -m clinic_deploy verify

test: lint contracts-check deploy-check ## lint, contracts, deploy files, then unit, contract and integration tests
	$(UV) run pytest $(TESTS)

test-unit: install ## only the tests that need no broker or database
	$(UV) run pytest $(TESTS) -m "not integration"

bench: install ## benchmarks on the local stack; figures go to docs/benchmarks.md
	$(UV) run python -m clinic_bench

up: install ## PostgreSQL, Kafka, topics, migrations, the services, the gateway and the demo clinic
	@deploy/local/stack.sh up

down: ## stop everything `make up` started
	@deploy/local/stack.sh down

status: ## what `make up` is running
	@deploy/local/stack.sh status

demo: ## seed the demo clinic through the gateway (idempotent; `make up` does it too)
	$(UV) run python -m clinic_demo seed

token: ## development tokens of the demo roles (ROLE=patient: one bare token; ENV=1: shell exports)
	@$(UV) run -q python -m clinic_demo token $(if $(ROLE),--role $(ROLE)) $(if $(ENV),--env)
