//! Embeds every shipped scenario (`../scenarios/*.yaml`) into the extension, so an installed wheel
//! knows them by short name (`shopgym.make("flash_sale")`) without package data. Writes
//! `$OUT_DIR/shipped_scenarios.rs`: `SHIPPED: &[(&str, &str)]`, (file stem, YAML text), sorted by
//! name; and `SCENARIO_DIR`, the directory they were embedded from (anchors relative trace paths).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest
        .join("../scenarios")
        .canonicalize()
        .expect("../scenarios exists next to python/");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ is readable")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut out = String::from("/// (file stem, YAML text) of every shipped scenario, by name.\n");
    out.push_str("pub const SHIPPED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let stem = f.file_stem().expect("a file name").to_string_lossy();
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("];\n");
    out.push_str(&format!(
        "/// Where the shipped scenarios were embedded from (relative trace paths resolve here).\npub const SCENARIO_DIR: &str = {:?};\n",
        dir.display().to_string()
    ));
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("shipped_scenarios.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
