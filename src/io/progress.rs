//! Progress reporting for long runs: an `indicatif` bar on a terminal (stderr); otherwise (a log
//! file, CI, a pipe) one plain line on stderr at a steady rate, every `SHOPGYM_PROGRESS_S` seconds
//! (default 10), so a long run that is not watched on a terminal still shows it is alive:
//!
//! ```text
//! progress: 1200/6000 steps (20.0%), 31 s elapsed, about 124 s left
//! ```
//!
//! The lines come from a reporter thread that holds only a weak handle on the bar: it stops when
//! the bar is finished or dropped. Runs shorter than one period print nothing.

use std::time::Duration;

/// Seconds between progress lines when stderr is not a terminal (env `SHOPGYM_PROGRESS_S`).
pub const DEFAULT_PROGRESS_S: f64 = 10.0;

/// A progress bar over `len` `unit`s on a terminal (stderr); elsewhere a hidden bar whose
/// progress is printed as a line every period (see the module docs).
pub fn progress_bar(len: u64, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(len);
        let template =
            format!("{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{eta}} left)");
        bar.set_style(
            indicatif::ProgressStyle::with_template(&template).expect("static template is valid"),
        );
        bar
    } else {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_length(len);
        spawn_reporter(&bar, unit.to_string(), period());
        bar
    }
}

fn period() -> Duration {
    let s = std::env::var("SHOPGYM_PROGRESS_S")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(DEFAULT_PROGRESS_S);
    Duration::from_secs_f64(s)
}

/// One progress line: position, share, elapsed and (once started) the time left.
pub fn progress_line(pos: u64, len: Option<u64>, unit: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    match len.filter(|&l| l > 0) {
        Some(len) => {
            let share = pos as f64 / len as f64;
            let left = if pos > 0 {
                format!(", about {:.0} s left", secs * (1.0 - share) / share)
            } else {
                String::new()
            };
            format!(
                "progress: {pos}/{len} {unit} ({:.1}%), {secs:.0} s elapsed{left}",
                100.0 * share
            )
        }
        None => format!("progress: {pos} {unit}, {secs:.0} s elapsed"),
    }
}

fn spawn_reporter(bar: &indicatif::ProgressBar, unit: String, period: Duration) {
    let weak = bar.downgrade();
    let tick = period.min(Duration::from_millis(100));
    let spawned = std::thread::Builder::new()
        .name("progress".into())
        .spawn(move || {
            let mut next = period;
            loop {
                std::thread::sleep(tick);
                let Some(bar) = weak.upgrade() else { return };
                if bar.is_finished() {
                    return;
                }
                let elapsed = bar.elapsed();
                if elapsed >= next {
                    next = elapsed + period;
                    eprintln!(
                        "{}",
                        progress_line(bar.position(), bar.length(), &unit, elapsed)
                    );
                }
            }
        });
    // Without a thread there are no progress lines; the run itself goes on.
    drop(spawned);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_position_share_and_time_left() {
        let l = progress_line(1200, Some(6000), "steps", Duration::from_secs(30));
        assert_eq!(
            l,
            "progress: 1200/6000 steps (20.0%), 30 s elapsed, about 120 s left"
        );
        assert_eq!(
            progress_line(0, Some(10), "runs", Duration::from_secs(2)),
            "progress: 0/10 runs (0.0%), 2 s elapsed"
        );
        assert_eq!(
            progress_line(7, None, "runs", Duration::from_secs(2)),
            "progress: 7 runs, 2 s elapsed"
        );
    }
}
