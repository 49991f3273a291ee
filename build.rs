//! Build script: makes `--features tch` binaries, tests, benches and examples find libtorch at run
//! time without `LD_LIBRARY_PATH`.
//!
//! `torch-sys` (manifest key `links = "tch"`) prints `cargo:libtorch_lib=<dir>`, which Cargo hands
//! to the build scripts of its *direct* dependents as `DEP_TCH_LIBTORCH_LIB`; that is why
//! `Cargo.toml` names `torch-sys` beside `tch`. Link arguments printed by a dependency's build
//! script only reach that dependency's own targets, so the root package has to print its own:
//!
//! * `-Wl,-rpath,<dir>`: the loader finds `libtorch*.so` and `libc10*.so` there. The PyPI wheel's
//!   libraries carry their own `RPATH` (`$ORIGIN/../../nvidia/*/lib`), so the CUDA libraries they
//!   need resolve without further entries.
//! * `-Wl,--no-as-needed,-ltorch,--as-needed`: our code calls no symbol of `libtorch_cuda.so`, so
//!   the default `--as-needed` would drop it and `tch::Cuda::is_available()` would always be false.
//!   `libtorch.so` depends on `libtorch_cuda.so` (CUDA builds) or only on `libtorch_cpu.so` (CPU
//!   builds), so keeping it loaded enables CUDA exactly when the installed libtorch has it.
//!
//! `SHOPGYM_LIBTORCH_LIB` is also exported to the crate (`env!`) so tests can check that the CUDA
//! backend really got loaded. Without the `tch` feature this script prints nothing but its
//! rerun conditions.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if env::var_os("CARGO_FEATURE_TCH").is_none() {
        return;
    }
    let Some(lib_dir) = env::var_os("DEP_TCH_LIBTORCH_LIB") else {
        // torch-sys prints the key on Linux and macOS only; nothing to do elsewhere (Windows needs
        // the DLLs on PATH).
        println!(
            "cargo:warning=DEP_TCH_LIBTORCH_LIB not set by torch-sys: no rpath to libtorch added"
        );
        return;
    };
    let lib_dir = lib_dir.to_string_lossy();
    println!("cargo:rustc-env=SHOPGYM_LIBTORCH_LIB={lib_dir}");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match os.as_str() {
        "linux" => {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch,--as-needed");
        }
        "macos" => println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}"),
        _ => {}
    }
}
