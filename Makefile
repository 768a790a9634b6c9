# greenrate: `make run` serves the API on 127.0.0.1:8000; `make test` runs every test.
# Both start from nothing but python3: the virtualenv and the dependencies are created on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_TENANT ?= demo-bank
EXAMPLE := {"company":{"name":"Demo Cafe","country":"CN","region":"CN-ZJ","industry_code":"5610","employees":12,"annual_revenue":3200000,"currency":"CNY","reporting_year":2024},"energy":{"electricity_kwh":42000},"data_source":"energy_bills"}

.PHONY: help run test migrate demo-key install install-test clean

help:
	@echo "make run   - create .venv, migrate the database, print a demo bank key, serve on 127.0.0.1:8000"
	@echo "make test  - install the test dependencies and run every test (real Redis and PostgreSQL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: $(VENV)/.installed
	$(BIN)/greenrate db upgrade

demo-key: migrate
	@mkdir -p instance && printf '%s\n' '$(EXAMPLE)' > instance/example-rating.json
	@out=$$($(BIN)/greenrate keys create --tenant $(DEMO_TENANT) --role bank --label "make run demo") || exit 1; \
	key=$$(printf '%s\n' "$$out" | tail -n 1); \
	echo ""; \
	echo "  Demo bank key (tenant $(DEMO_TENANT)); shown once, keep it for your first request:"; \
	echo ""; \
	echo "    $$key"; \
	echo ""; \
	echo "  Try:  curl -s -X POST http://127.0.0.1:8000/v1/ratings -H \"Authorization: Bearer $$key\" \\"; \
	echo "          -H 'Content-Type: application/json' -d @instance/example-rating.json"; \
	echo "  Docs: http://127.0.0.1:8000/docs"; \
	echo ""

run: demo-key
	$(BIN)/gunicorn -c gunicorn.conf.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) instance .pytest_cache
