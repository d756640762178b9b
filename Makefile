# MDLMA Lab: one entry point. See README.md.
.PHONY: lab test check setup bench

## Set everything up (idempotent) and start JupyterLab on examples/.
lab:
	bash scripts/lab.sh

## Run every test layer (unit, kernel, server, models, notebooks, ui) and print passed/failed/skipped; what CI runs.
test:
	bash scripts/test.sh

## Architecture checks alone (import rules, undeclared dependencies, copy-paste): docs/architecture-checks.md.
check:
	bash scripts/check-architecture.sh

## Set up without starting JupyterLab.
setup:
	bash scripts/setup.sh

## Benchmarks: make bench [NAME=io|phantom|segment|...]; figures in bench-results/.
bench: setup
	npm run bench -- $(NAME)
