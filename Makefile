# greenrate: `make run` serves the API on 127.0.0.1:8000; `make test` runs every test.
# Both start from nothing but python3: the virtualenv and the dependencies are created on first use.

# Every path below (.venv, constraints.txt, gunicorn.conf.py, instance/) is the checkout's: make runs in it
# (`make run`, or `make -C path/to/checkout run`). Run with -f from another directory, it had made a
# virtualenv there and failed to install from there, with pip's words.
CHECKOUT := $(realpath $(dir $(lastword $(MAKEFILE_LIST))))
ifneq ($(CHECKOUT),$(realpath $(CURDIR)))
$(error run make in the checkout: make -C $(CHECKOUT) $(MAKECMDGOALS))
endif

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_TENANT ?= demo-bank
EXAMPLE := {"company":{"name":"Demo Cafe","country":"CN","region":"CN-ZJ","industry_code":"5610","employees":12,"annual_revenue":3200000,"currency":"CNY","reporting_year":2024,"external_id":"loan-0001"},"energy":{"electricity_kwh":42000,"fuels":[{"fuel":"natural_gas","quantity":5200,"unit":"m3"}],"purchased_heat_gj":0},"practices":{"led_lighting":true,"e_invoicing":true},"data_source":"energy_bills"}

.PHONY: help run test lint fuzz bench soak require-wrk migrate demo-key install install-test system-test-deps lock clean

help:
	@echo "make run   - create .venv, migrate the database, print the demo bank key (the same each run), serve on 127.0.0.1:8000"
	@echo "make test  - install the test dependencies, lint, and run every test (real Redis and PostgreSQL)"
	@echo "make lint  - ruff (style, imports, line length) and mypy --strict on the packages"
	@echo "make fuzz  - fuzz the API longer (FUZZ_EXAMPLES=500) plus the hostile corpus and security checks"
	@echo "make bench - engine and HTTP load benchmarks (wrk) as ratios; writes benchmarks/results.md"
	@echo "make soak  - 10 minutes at 70% of the measured maximum throughput; adds a Soak section to results.md"
	@echo "make lock  - re-resolve constraints.txt, the exact versions every install uses"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: re-install when pyproject.toml or setup.py changes, and when an engine source does: the install
# compiles the engine's hot modules with mypyc (setup.py) in place, and a stale compiled module would run
# instead of the edited source. RATING_MODEL_NO_EXTENSIONS=1 installs plain Python (no C compiler needed).
ENGINE_SOURCES := $(wildcard rating_model/*.py)

$(VENV)/.installed: pyproject.toml setup.py constraints.txt $(ENGINE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py constraints.txt $(ENGINE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: $(VENV)/.installed
	$(BIN)/greenrate db upgrade

# The demo key: on the embedded database the same one on every run while it works, its plain text kept in
# the instance directory (owner-only); see `greenrate keys demo --help` and service/demo_key.py.
demo-key: migrate
	@$(BIN)/greenrate keys demo --tenant $(DEMO_TENANT) --example '$(EXAMPLE)'

run: demo-key
	$(BIN)/gunicorn -c gunicorn.conf.py

# Debian packages the tests need: Pango for WeasyPrint's PDFs, a CJK font so Chinese renders, and Chromium
# for the browser tests (Playwright drives Debian's Chromium; its own browser download needs the internet);
# Java for the Spark test (Debian's default JRE: 17 on bookworm, 21 on trixie; Spark 4 runs on both);
# nginx for the proxy tests; redis-server and postgresql, whose binaries tests/live_services.py starts
# throwaway servers from when none runs on 127.0.0.1:6379 / 5432 (it never needs the system services).
SYSTEM_TEST_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 chromium default-jre-headless nginx \
	redis-server postgresql

system-test-deps:
	@missing=$$(for p in $(SYSTEM_TEST_DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null; then \
			echo "the tests need these Debian packages, and there is no apt-get to install them:" $$missing >&2; \
			exit 1; \
		fi; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "installing Debian packages the tests need:" $$missing; \
		$$sudo apt-get update -q && $$sudo apt-get install -y -q --no-install-recommends $$missing || { \
			echo "could not install" $$missing "- install them with apt-get (see SYSTEM_TEST_DEBS in the Makefile)" >&2; \
			exit 1; }; \
	fi

# Lint first: a few seconds for ruff, about 15 for mypy --strict on the three packages and the benchmarks.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy rating_model service schemas benchmarks

# One test worker per core, at most TEST_WORKERS (pytest-xdist; each takes a Redis database of its own, 15
# down); a test file's tests run in one worker, so a module's fixtures are built once. TEST_WORKERS=0: serial.
TEST_WORKERS ?= 4
test: lint system-test-deps
	$(BIN)/python -m pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n auto --maxprocesses $(TEST_WORKERS) --dist loadfile)

# Benchmarks, never part of `make test`: the engine's, training's (50k/100k/200k rows), the loan-book batch's
# (100k/300k/1M borrowers), the service's under wrk (installed with apt-get when
# missing), then benchmarks/results.md and results.json from every benchmarks/out/*.json.
# BENCH_ARGS passes options to benchmarks.service, e.g. BENCH_ARGS=--no-live (see benchmarks/README.md).
BENCH_ARGS ?=
bench: $(VENV)/.installed-test require-wrk
	$(BIN)/python -m benchmarks.engine
	$(BIN)/python -m benchmarks.training
	$(BIN)/python -m benchmarks.batch
	$(BIN)/python -m benchmarks.service $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.report

# Soak, not in CI: SOAK_MINUTES at 70% of the maximum miss throughput, errors, latency over time and worker
# memory growth (benchmarks/out/soak.json), then the report again. Run `make bench` first so results.md
# keeps every other target: the report merges whatever benchmarks/out/ holds (see benchmarks/README.md).
SOAK_MINUTES ?= 10
SOAK_ARGS ?=
soak: $(VENV)/.installed-test require-wrk
	$(BIN)/python -m benchmarks.soak --minutes $(SOAK_MINUTES) $(SOAK_ARGS)
	$(BIN)/python -m benchmarks.report

require-wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "wrk not found: installing it with apt-get"; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo apt-get install -y wrk; \
	  command -v wrk >/dev/null 2>&1 || { echo "wrk is needed and could not be installed: run 'apt-get install -y wrk' and retry" >&2; exit 1; }; \
	}

# Longer fuzzing than `make test`: FUZZ_EXAMPLES examples per operation and generation mode (random, not
# derandomized), plus the hostile-body corpus and the security checks.
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.installed-test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz tests/security

# constraints.txt: the newest versions pyproject.toml admits, resolved afresh in a throwaway virtualenv
# (plain Python: no compile needed to resolve), then pinned; run it after changing a dependency, and test.
LOCK_VENV := .tmp/lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	RATING_MODEL_NO_EXTENSIONS=1 $(LOCK_VENV)/bin/python -m pip install --quiet '.[test]'
	{ sed -n '1,3p' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude greenrate; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) instance .pytest_cache build rating_model/*.so greenrate_engine__mypyc*.so
