# The two commands the README promises: `make holiday` (the main job) and `make test` (everything).
# Both work on a fresh machine with only a Rust toolchain and Python 3 installed.

CARGO ?= cargo

.PHONY: holiday test lint bench

# Main job: the Singles' Day holiday scenario, results in results/singles_day/.
holiday:
	$(CARGO) run --release -- simulate --scenario scenarios/singles_day.yaml --seed 0 --out results/singles_day

# The whole test suite: formatting, lints, then every test (unit, integration, CLI, examples).
test: lint
	$(CARGO) test --all-targets
	$(CARGO) test --doc

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

bench:
	$(CARGO) bench
