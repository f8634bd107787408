# pxassure: the two commands that matter are `make board-report` and `make test`.
# Every target that needs the environment depends on `setup`, so each works first on a fresh clone.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.pxassure-installed
DEMO_DATABASE := data/pxassure.duckdb
DATABASE ?= $(DEMO_DATABASE)
PERIOD   ?= latest
COMMITTEE ?= board
UNIT     ?=
PARAMS   ?=
JOBS     ?= 2
LAB_ARGS ?=
MEETING_DATE ?=
WARDS    ?=
# Jupyter refuses to start as root (as in many containers) unless told to.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup demo-data board-report board-pack reports report test lint lab benchmark clean

help:
	@echo "make board-report   set up, build the demo data if needed, write the board report"
	@echo "make test           set up and run the test suite"
	@echo "make reports        the whole pack, board to ward, and outputs/<trust>/<period>/index.html"
	@echo "make board-pack     the whole pack, then one board-pack.pdf (Chromium prints it; WARDS=1 adds wards,"
	@echo "                    MEETING_DATE=\"26 November 2026\" goes on the cover sheets; DOCX=1 also writes"
	@echo "                    the board's, committees' and divisions' papers in Word)"
	@echo "make report COMMITTEE=ward UNIT=014 PERIOD=2026-10   one report (UNIT for division/ward)"
	@echo "     PARAMS=\"preset=ptd shift_length=6\"                 extra notebook parameters"
	@echo "make demo-data      (re)build the demo trust's database through the loaders"
	@echo "make lab            JupyterLab on the project (LAB_ARGS=\"--no-browser --port 8899\" passes flags)"
	@echo "make lint           ruff"
	@echo "make benchmark      SPC batch benchmark (figures in README)"
	@echo "make clean          remove the environment, generated data and outputs"

setup: $(STAMP)

# Re-installs only when the pins change. The venv uses the machine's Python (3.11 or newer).
$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pxassure needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev,distributed]'
	$(BIN)/python -m pxassure.execution.kernelspec
	@touch $(STAMP)

# Only the demo database is built on demand; a trust's own database must already exist.
ifeq ($(DATABASE),$(DEMO_DATABASE))
REPORT_DATA := $(DEMO_DATABASE)
# Rebuilt when the demo generator, the data model or the comment classifier changes.
$(DEMO_DATABASE): lib/pxassure/ingest/demo.py lib/pxassure/ingest/schema.py lib/pxassure/data/themes/model.npz | $(STAMP)
	$(BIN)/pxassure demo --database $(DEMO_DATABASE)
endif

demo-data: setup
	$(BIN)/pxassure demo --database $(DATABASE)

board-report: setup $(REPORT_DATA)
	$(BIN)/pxassure build --committee board --period $(PERIOD) --database $(DATABASE)

reports: setup $(REPORT_DATA)
	$(BIN)/pxassure build --all --period $(PERIOD) --database $(DATABASE)

board-pack: setup $(REPORT_DATA)
	$(BIN)/pxassure build --all --period $(PERIOD) --database $(DATABASE) $(if $(MEETING_DATE),--meeting-date "$(MEETING_DATE)",) $(if $(DOCX),--docx,)
	$(BIN)/pxassure pack --period $(PERIOD) --database $(DATABASE) $(if $(WARDS),--wards,) $(if $(MEETING_DATE),--meeting-date "$(MEETING_DATE)",)

report: setup $(REPORT_DATA)
	$(BIN)/pxassure build --committee $(COMMITTEE) --period $(PERIOD) --database $(DATABASE) $(if $(UNIT),--unit $(UNIT),) $(foreach p,$(PARAMS),-p $(p))

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/ruff format --check lib tests benchmarks

lab: setup
	$(BIN)/jupyter lab --notebook-dir=. $(ALLOW_ROOT) $(LAB_ARGS)

benchmark: setup
	$(BIN)/python benchmarks/spc_batch.py

clean:
	rm -rf $(VENV) outputs/*/ data/*.duckdb data/*.duckdb.wal data/demo .pytest_cache .ruff_cache .hypothesis
