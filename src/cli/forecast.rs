//! `shopgym forecast` (placeholder until the forecasting module lands).

use clap::Args;

#[derive(Debug, Args)]
pub struct ForecastArgs {}

pub fn run(_args: ForecastArgs) -> anyhow::Result<()> {
    anyhow::bail!("forecasting is not built yet")
}
