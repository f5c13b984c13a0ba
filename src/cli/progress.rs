//! The `bulk` progress bar: on standard error, only when it is a terminal
//! and `--quiet` is not given. The library only calls a callback.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sidisync::bulk::Progress;
use sidisync::messages::{fill, Lang, Ui};
use std::io::IsTerminal;
use std::time::Instant;

/// A bar measuring export bytes (so the time left weighs large schools
/// properly) and showing schools done and pupils per second.
pub struct BulkBar {
    bar: ProgressBar,
    start: Instant,
    lang: Lang,
}

impl BulkBar {
    /// `None` when quiet or when standard error is not a terminal.
    pub fn new(quiet: bool, lang: Lang) -> Option<BulkBar> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let tmpl = Ui::ProgressBar.text(lang);
        let style = ProgressStyle::with_template(tmpl)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Some(BulkBar {
            bar,
            start: Instant::now(),
            lang,
        })
    }

    /// The library's progress callback.
    pub fn update(&self, p: &Progress) {
        if self.bar.length() != Some(p.bytes_total) {
            self.bar.set_length(p.bytes_total);
        }
        self.bar.set_position(p.bytes_done);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = (p.pupils_done as f64 / secs) as u64;
        let failed = if p.failed > 0 {
            fill(
                Ui::ProgressFailed.text(self.lang),
                &[("n", &p.failed.to_string())],
            )
        } else {
            String::new()
        };
        self.bar.set_message(fill(
            Ui::ProgressSchools.text(self.lang),
            &[
                ("done", &p.schools_done.to_string()),
                ("total", &p.schools_total.to_string()),
                ("failed", &failed),
                ("rate", &rate.to_string()),
            ],
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
