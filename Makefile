# The two commands of the README. Everything the project needs is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install warehouse bench system

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

warehouse: $(STAMP)
	$(PY) -m etl ensure

# memory settings of the app process (deploy/server.env, also read by deploy/serve.sh and
# loadtest/server.py), unless already set in the environment
SERVER_ENV := $(foreach v,$(shell grep -E '^[A-Z_][A-Z0-9_]*=' deploy/server.env),$(if $(filter environment%,$(origin $(firstword $(subst =, ,$(v))))),,$(v)))

run: warehouse
	env $(SERVER_ENV) $(PY) deploy/streamlit_run.py app.py --server.address 0.0.0.0 --browser.gatherUsageStats false

# Debian packages pip cannot install: Chromium (chart images and PDF through Playwright, browser tests) and poppler.
system:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium poppler-utils; \
	  else echo "Installez chromium et poppler-utils : sudo apt-get install chromium poppler-utils"; exit 1; fi; }

test: system warehouse
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --ignore=tests/browser tests
	$(PY) -m pytest -q -p no:cacheprovider tests/browser

bench: warehouse
	$(PY) -m bench
