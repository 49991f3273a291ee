# The two commands the README promises: `make holiday` (the main job) and `make test` (everything).
# Both work on a fresh machine with only a Rust toolchain, a C++ compiler and Python 3 installed;
# the first `make test` also installs PyTorch 2.13.0 into .venv/ (scripts/setup_libtorch.sh).

CARGO ?= cargo

# Prefix for recipe lines that build with libtorch (`--features tch`): installs torch==2.13.0 into
# .venv/ when missing (fast no-op otherwise) and exports LIBTORCH for torch-sys. Nothing is needed at
# run time: build.rs gives every binary and test an rpath to libtorch. The assignment keeps the
# script's failure visible (`eval "$(cmd)"` alone would swallow it).
WITH_LIBTORCH = libtorch_env="$$(scripts/setup_libtorch.sh)" && eval "$$libtorch_env" &&

# The Python package (python/): maturin and the project venv. `make python-test` installs the
# pinned Python requirements when missing (scripts/setup_python.sh, fast no-op otherwise), builds
# the release wheel, installs it into .venv/ and runs pytest against it, with the Rust reference
# binaries the determinism tests and the speed bench compare with.
VENV_PYTHON = .venv/bin/python
WHEEL_DIR = target/wheels

.PHONY: holiday test lint bench python-test python-wheel python-bench

# Main job: the holiday benchmark v2 (experiments/holiday_v2.yaml: three sales families with
# train/validation/test splits and three out-of-distribution sets) at its default budget, report
# in results/holiday_v2/report.md with plots in results/holiday_v2/plots/. `make holiday FULL=1`
# runs the full protocol into results/holiday_v2_full/. The first benchmark (one fixed scenario
# per sale) stays runnable: `shopgym experiment experiments/holiday_benchmark.yaml`.
holiday:
	$(WITH_LIBTORCH) $(CARGO) run --release --features tch -- experiment experiments/holiday_v2.yaml $(if $(FULL),--out results/holiday_v2_full --full,--out results/holiday_v2)

# The whole test suite: formatting, lints (without and with every feature), then every test (unit,
# integration, CLI, examples, doc) with the deep agents' `tch` feature on. The config fuzzer runs
# first, in a build without `tch`: it starts the binary hundreds of times, and each start of a
# libtorch-linked binary costs ~0.4 s (tests/fuzz_files.rs; it is compiled out with `tch`).
test: lint
	$(CARGO) test --test fuzz_files
	$(WITH_LIBTORCH) $(CARGO) test --all-targets --features tch
	$(WITH_LIBTORCH) $(CARGO) test --doc --features tch
	$(MAKE) python-test

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(WITH_LIBTORCH) $(CARGO) clippy --all-targets --all-features -- -D warnings
	$(CARGO) clippy -p shopgym-python --all-targets -- -D warnings

bench:
	$(CARGO) bench

# Builds the abi3 wheel (release) into target/wheels/ and installs it into .venv/.
python-wheel:
	scripts/setup_python.sh
	rm -f $(WHEEL_DIR)/shopgym-*.whl
	.venv/bin/maturin build --release --quiet -m python/Cargo.toml -i $(VENV_PYTHON) --out $(WHEEL_DIR)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall $(WHEEL_DIR)/shopgym-*.whl

# The Python tests: pytest over the installed wheel (check_env over every scenario, determinism
# against examples/trajectory.rs, vector env, SB3, RLlib smoke; SHOPGYM_SKIP_RAY=1 skips the Ray
# test). The extension crate's logic is tested from Python, so it has no Rust tests of its own.
python-test: python-wheel
	$(CARGO) build --release --example trajectory --example env_speed
	SHOPGYM_TRAJECTORY_BIN=target/release/examples/trajectory $(VENV_PYTHON) -m pytest -q python/tests

# Python env vs Rust env steps/s (the README's table).
python-bench: python-wheel
	$(CARGO) build --release --example env_speed
	$(VENV_PYTHON) python/bench/bench_env.py
