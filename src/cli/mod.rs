//! Command-line interface: one subcommand per file. Raw flags become built objects here;
//! the library returns typed errors and this layer adds context with `anyhow`.

use clap::{Parser, Subcommand};

pub mod evaluate;
pub mod experiment;
pub mod forecast;
pub mod forecast_fit;
pub mod guard;
pub mod output;
pub mod scenario;
pub mod simulate;
pub mod stress;
pub mod train;
pub mod tune;

/// shopgym: simulate, forecast and autoscale an e-commerce cluster.
#[derive(Debug, Parser)]
#[command(name = "shopgym", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one episode of a scenario and write intervals.csv and summary.json.
    Simulate(simulate::SimulateArgs),
    /// Evaluate an agent over N seeded episodes; compare agents pairwise on the same seeds.
    Evaluate(evaluate::EvaluateArgs),
    /// Run a benchmark experiment (scenarios x agents x seeds) and write its report and plots.
    Experiment(experiment::ExperimentArgs),
    /// Validate or show scenario files.
    Scenario(scenario::ScenarioArgs),
    /// Stress a holiday plan: each agent's breaking point as the surge peak grows.
    Stress(stress::StressArgs),
    /// Forecast a traffic series (CSV column or a scenario's traffic), optionally backtest; or
    /// fit / backtest the env's fitted forecaster on a scenario family (`forecast fit`).
    Forecast(Box<forecast::ForecastCmd>),
    /// Train a learning agent (q_learning, dqn, ppo) and write a run directory with checkpoints.
    Train(train::TrainArgs),
    /// Tune a baseline's parameters over a grid on validation draws; write a tuned agent file.
    Tune(tune::TuneArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Scenario(args) => scenario::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Experiment(args) => experiment::run_cli(args),
        Command::Stress(args) => stress::run(args),
        Command::Forecast(args) => forecast::run_cmd(*args),
        Command::Train(args) => train::run(args),
        Command::Tune(args) => tune::run(args),
    }
}
