# The two commands the README promises: `make holiday` (the main job) and `make test` (everything).
# Both work on a fresh machine with only a Rust toolchain, a C++ compiler and Python 3 installed;
# the first `make test` also installs PyTorch 2.13.0 into .venv/ (scripts/setup_libtorch.sh).

CARGO ?= cargo

# Prefix for recipe lines that build with libtorch (`--features tch`): installs torch==2.13.0 into
# .venv/ when missing (fast no-op otherwise) and exports LIBTORCH for torch-sys. Nothing is needed at
# run time: build.rs gives every binary and test an rpath to libtorch. The assignment keeps the
# script's failure visible (`eval "$(cmd)"` alone would swallow it).
WITH_LIBTORCH = libtorch_env="$$(scripts/setup_libtorch.sh)" && eval "$$libtorch_env" &&

.PHONY: holiday test lint bench

# Main job: the holiday benchmark experiment (default budget), report in
# results/holiday_benchmark/report.md with plots in results/holiday_benchmark/plots/.
# `make holiday FULL=1` runs the full budget into results/holiday_benchmark_full/.
holiday:
	$(WITH_LIBTORCH) $(CARGO) run --release --features tch -- experiment experiments/holiday_benchmark.yaml $(if $(FULL),--out results/holiday_benchmark_full --full,--out results/holiday_benchmark)

# The whole test suite: formatting, lints (without and with every feature), then every test (unit,
# integration, CLI, examples, doc) with the deep agents' `tch` feature on.
test: lint
	$(WITH_LIBTORCH) $(CARGO) test --all-targets --features tch
	$(WITH_LIBTORCH) $(CARGO) test --doc --features tch

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(WITH_LIBTORCH) $(CARGO) clippy --all-targets --all-features -- -D warnings

bench:
	$(CARGO) bench
