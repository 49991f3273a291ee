//! Progress reporting for long runs: an `indicatif` bar on a terminal (stderr), hidden otherwise.

/// A progress bar over `len` `unit`s on a terminal (stderr), hidden otherwise.
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
        indicatif::ProgressBar::hidden()
    }
}
