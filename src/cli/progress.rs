//! The `bulk` progress bar: on standard error, only when it is a terminal
//! and `--quiet` is not given. The library only calls a callback.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sidisync::bulk::Progress;
use sidisync::messages::Lang;
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
        let tmpl = match lang {
            Lang::It => "[{elapsed_precise}] {wide_bar} {msg} · mancano {eta}",
            Lang::En => "[{elapsed_precise}] {wide_bar} {msg} · {eta} left",
        };
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
            format!(
                " · {} {}",
                p.failed,
                self.lang.pick("non riuscite", "failed")
            )
        } else {
            String::new()
        };
        self.bar.set_message(format!(
            "{}/{} {}{failed} · {rate} {}",
            p.schools_done,
            p.schools_total,
            self.lang.pick("scuole", "schools"),
            self.lang.pick("alunni/s", "pupils/s"),
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
