//! What the benches share (each is its own crate with `harness = false`).

/// Whether this is a measuring run. `cargo bench` passes `--bench` to a bench without a harness;
/// `cargo test --all-targets` (what `make test` runs) starts the same `main` without it, and a
/// bench then makes one short smoke pass through every section, so the suite checks that the
/// benches run without spending minutes measuring (the four took ~190 s of `make test` on 2
/// cores). The figures printed in a smoke pass mean nothing.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}
