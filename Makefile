# Carrier Portal. `make run` serves the app with demo data; `make test` runs every test
# twice: on the embedded default (SQLite, in-memory state) and on PostgreSQL + Redis (the
# production shape). `make test-sqlite` and `make test-pg` run one of the two.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run run-prod test test-sqlite test-pg system-deps lint format lock bench clean

# Exactly the versions in requirements.lock, each checked against its hashes; then this
# package itself, with no dependency resolution of its own (`make lock` updates the lock).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (app + test extras) and the build
# backend (requirements-build.in), with pip-tools in a venv of its own. Current pins are
# kept unless pyproject.toml no longer allows them; `make lock UPGRADE=1` upgrades all.
lock:
	test -x .lock-venv/bin/pip-compile || \
	  ($(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet pip-tools==7.6.2)
	.lock-venv/bin/pip-compile --quiet --extra test --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
	  -o requirements.lock pyproject.toml requirements-build.in

run: $(STAMP)
	$(BIN)/portal serve

# The production shape on this machine, throw-away and with demo data: PostgreSQL, Redis,
# `portal serve` with 3 workers, Caddy in front on https://localhost:<port> (its local CA).
run-prod: $(STAMP) system-deps
	$(BIN)/python -m tests.prodshape

system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v dnsmasq >/dev/null 2>&1 || missing="$$missing dnsmasq-base"; \
	command -v caddy >/dev/null 2>&1 || missing="$$missing caddy"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# One process per suite by default (`make test` runs the two suites side by side). On a
# 2-core machine `-n 2` within a suite (pytest-xdist: the served-app tests on one worker,
# the rest on the other, tests/conftest.py) took CI 55 min once; with more cores,
# `make test-sqlite PYTEST_WORKERS="-n 4"`.
PYTEST_WORKERS ?=
PYTEST := $(BIN)/pytest $(PYTEST_WORKERS)

# Both suites always run, side by side, and either failing fails. The SQLite suite prints
# here, its browser tier first, while the PostgreSQL suite runs its fast tiers and then its
# own browser tier; its output (test-artifacts/postgres/suite.log) follows. Each suite keeps
# its temporary files, `.web` and test-artifacts/<suite>/ to itself (tests/conftest.py).
test: lint system-deps
	@mkdir -p test-artifacts/postgres
	@PORTAL_TEST_BACKEND=postgres $(PYTEST) > test-artifacts/postgres/suite.log 2>&1 & pg=$$!; \
	  echo "The PostgreSQL + Redis suite runs beside this one; its output follows this one's."; \
	  PORTAL_TEST_LIVE_FIRST=1 $(PYTEST); sqlite=$$?; \
	  wait $$pg; pg=$$?; \
	  echo; echo "==== The PostgreSQL + Redis suite (test-artifacts/postgres/suite.log) ===="; \
	  cat test-artifacts/postgres/suite.log; \
	  echo "SQLite suite exit $$sqlite, PostgreSQL suite exit $$pg"; [ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

test-sqlite: lint system-deps
	$(PYTEST)

# The same suite with a throw-away PostgreSQL server and Redis (tests/backend.py): state
# and live tiers included, each served app with Redis state and two workers.
test-pg: $(STAMP) system-deps
	PORTAL_TEST_BACKEND=postgres $(PYTEST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/event_loop.py
	$(BIN)/python bench/guard_cost.py
	$(BIN)/python bench/import_writers.py
	$(BIN)/python bench/bench_customers.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf .web .web-postgres .states test-artifacts
