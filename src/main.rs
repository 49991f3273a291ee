//! The `shopgym` binary: a thin layer over the library (see `cli/`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = shopgym::cli::Cli::parse();
    match shopgym::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
