# igcds: the two commands a new user runs (see README.md).
#   make demo   set up, then assess every example patient in examples/ and end with one line per
#               patient: diagnosis, first action, dose
#   make test   set up (Python tools, and Debian's headless Chromium for the HTML rendering tests:
#               apt on Debian/Ubuntu as root or through sudo; elsewhere those tests are skipped and say
#               why), then lint, type-check, check the import layers and run the test suite
#   make fuzz   a long mutation fuzz of the examples through `igcds assess` (FUZZ_CASES, default
#               20000, random each run; the test suite runs a fixed 2000)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
AS_OF ?= 2026-11-23
FUZZ_CASES ?= 20000

.PHONY: demo test bench fuzz

$(BIN)/igcds: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/igcds
	@for bundle in examples/*.json; do \
		echo "=== $$bundle"; \
		$(BIN)/igcds assess "$$bundle" --as-of $(AS_OF) || exit $$?; \
	done
	@echo "=== Summary: one line per patient (diagnosis | first action | dose), as of $(AS_OF)"
	@for bundle in examples/*.json; do \
		$(BIN)/igcds assess "$$bundle" --as-of $(AS_OF) --format summary || exit $$?; \
	done

test: $(BIN)/igcds
	@./tools/install-debian-tool chromium || echo "make test: Chromium could not be installed (needs Debian/Ubuntu apt with root or sudo); the browser rendering tests will be skipped"
	./tools/install-debian-tool java openjdk-17-jre-headless
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/igcds knowledge --records examples --as-of $(AS_OF)
	$(BIN)/pytest

bench: $(BIN)/igcds
	./tools/install-debian-tool wrk
	$(BIN)/python benchmarks/bench_assess.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_hooks.py
	$(BIN)/python benchmarks/bench_scope.py
	./tools/install-debian-tool java openjdk-17-jre-headless
	$(BIN)/python benchmarks/bench_population.py

fuzz: $(BIN)/igcds
	IGCDS_FUZZ_CASES=$(FUZZ_CASES) IGCDS_FUZZ_RANDOM=1 IGCDS_FUZZ_REPORT=1 \
		$(BIN)/pytest tests/test_fuzz.py -q -s -p no:cacheprovider
