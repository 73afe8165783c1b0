# lkfem: the README's commands.
#   make demo        set up what is missing, run the flagship case (a cloak under Guyer–Krumhansl
#                    heat flow, against the bare object), print where the results are
#   make docker      build the Docker image with buildah (no daemon) and run its default command,
#                    checking its summary against the root filesystem's (env/docker-ci)
#   make test        set up what is missing, run the suite serially and under mpirun -n 2,
#                    in both environments (Debian trixie: dolfinx 0.9; sid: dolfinx 0.11)
# With dolfinx already installed (conda, Debian 13, the official images):
#   make test-here / make demo-here   the same, in the current Python environment
SHELL := /bin/bash
SUITES ?= trixie sid
DEMO_SUITE ?= trixie
ROOTFS := env/rootfs
PYTHON ?= python3
# Each checkout installs itself (editable) into its own virtual environment on top of the
# system's FEniCSx: .venv/trixie, .venv/sid inside the roots, .venv/local elsewhere.
VENV ?= .venv/$(or $(LKFEM_ENV),local)
VPY := $(CURDIR)/$(VENV)/bin/python
NP ?= 2
PYTEST_ARGS ?=
TEST_TIMEOUT ?= 1500  # seconds for each pytest run: a hang fails loudly, well inside CI's limit
# The flagship case; the former default: make demo DEMO_CASE=lkfem/cases/box_with_sphere.toml
DEMO_CASE ?= lkfem/cases/gk_cloak.toml
DEMO_OUT ?= results/demo

.PHONY: env test demo docker test-here demo-here install-here lint clean

env:  # the root filesystems, built side by side (cached; a no-op when warm)
	@pids=""; for s in $(SUITES); do $(ROOTFS) build $$s & pids="$$pids $$!"; done; \
	rc=0; for p in $$pids; do wait $$p || rc=1; done; exit $$rc

test: env
	@for s in $(SUITES); do \
	    echo "=== make test-here in $$s ==="; \
	    $(ROOTFS) run $$s -- make --no-print-directory test-here PYTEST_ARGS='$(PYTEST_ARGS)' || exit 1; \
	done

demo:  # builds only the environment it runs in
	@$(ROOTFS) run $(DEMO_SUITE) -- make --no-print-directory demo-here DEMO_CASE=$(DEMO_CASE) DEMO_OUT=$(DEMO_OUT)

docker:  # the image of the Dockerfile, built and run without a daemon (buildah)
	@env/docker-ci $(DEMO_SUITE)

install-here:  # this checkout, editable, in its own venv (the system's packages visible)
	@test -x $(VPY) || $(PYTHON) -m venv --without-pip --system-site-packages $(VENV)
	@$(VPY) -c "import lkfem.meshes, sys; sys.exit(0 if lkfem.__file__.startswith('$(CURDIR)/') else 1)" 2>/dev/null \
	    || $(VPY) -m pip install --quiet --no-deps --no-build-isolation -e . 2>&1 | grep -v "^WARNING: Running pip as" || true
	@$(VPY) -c "import lkfem.meshes" || { echo "lkfem failed to install" >&2; exit 1; }

test-here: install-here
	timeout $(TEST_TIMEOUT) $(VPY) -m pytest $(PYTEST_ARGS)
	timeout $(TEST_TIMEOUT) mpirun -n $(NP) $(VPY) -m mpi4py -m pytest -m "not serial" \
	    --color=no -p no:cacheprovider $(PYTEST_ARGS)

demo-here: install-here
	mpirun -n $(NP) $(VENV)/bin/lkfem run $(DEMO_CASE) --out $(DEMO_OUT)
	@echo "Results: $(CURDIR)/$(DEMO_OUT) ($$(ls $(DEMO_OUT) | tr '\n' ' ' | sed 's/ $$//'))"

lint:  # on the host: pip install ruff
	ruff check lkfem meshes tests demos benchmarks
	ruff format --check lkfem meshes tests demos benchmarks

clean:
	rm -rf results build *.egg-info .pytest_cache .venv
