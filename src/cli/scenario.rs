//! `shopgym scenario validate|show FILE`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    #[command(subcommand)]
    pub command: ScenarioCommand,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Check a scenario file; exits non-zero with a message naming the field and value if it is bad.
    Validate { file: PathBuf },
    /// Print the resolved scenario (every default filled in) as YAML.
    Show { file: PathBuf },
}

pub fn run(args: ScenarioArgs) -> anyhow::Result<()> {
    match args.command {
        ScenarioCommand::Validate { file } => {
            let s = Scenario::load(&file)?;
            // The `env:` section is checked when an environment is built from it.
            crate::env::EnvConfig::from_scenario(&s)?;
            println!(
                "{}: ok ({} classes, {} pools, {:.0} s horizon, {} intervals, ~{:.2e} requests per episode)",
                file.display(),
                s.sim.classes.len(),
                s.sim.pools.len(),
                s.sim.horizon.as_secs_f64(),
                s.sim.n_intervals(),
                crate::scenario::size::estimated_requests(&s.sim)
            );
        }
        ScenarioCommand::Show { file } => print!("{}", Scenario::load(&file)?.to_yaml()),
    }
    Ok(())
}
