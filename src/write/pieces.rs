//! Long files written in pieces rendered in parallel.
//!
//! [`write_in_pieces`] is how the package's large files (the three patch
//! files, the report's operation tables) are written: their items are
//! rendered a run at a time on every core, and the runs reach the writer in
//! order, so the bytes are those of rendering everything in one go. While
//! one batch of runs is written (and hashed, for the manifest), the next is
//! rendered. Rendering work in small pieces also lets the files of a
//! package share the cores instead of each holding one.

use rayon::prelude::*;
use std::io::Write;

/// Runs rendered side by side while the previous batch is written.
const RUNS_PER_BATCH: usize = 4;

/// Writes `items` to `w` as `render` turns runs of them into bytes,
/// `per_run` items a run (see the module documentation). Only write errors
/// of `w` are returned; rendering into memory does not fail.
pub fn write_in_pieces<T, B>(
    items: &[T],
    per_run: usize,
    w: &mut (dyn Write + Send),
    render: impl Fn(&[T]) -> B + Sync,
) -> std::io::Result<()>
where
    T: Sync,
    B: AsRef<[u8]> + Send + Sync,
{
    let runs: Vec<&[T]> = items.chunks(per_run.max(1)).collect();
    let render_batch = |batch: &[&[T]]| -> Vec<B> { batch.par_iter().map(|r| render(r)).collect() };
    let mut batches = runs.chunks(RUNS_PER_BATCH);
    let mut ready = batches.next().map(render_batch).unwrap_or_default();
    loop {
        let next = batches.next();
        let (written, rendered) = rayon::join(
            || ready.iter().try_for_each(|b| w.write_all(b.as_ref())),
            || next.map(render_batch),
        );
        written?;
        match rendered {
            Some(r) => ready = r,
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that fails after `left` bytes.
    struct Failing {
        left: usize,
        got: Vec<u8>,
    }
    impl Write for Failing {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if b.len() > self.left {
                return Err(std::io::Error::other("disk full"));
            }
            self.left -= b.len();
            self.got.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn pieces_arrive_in_order_for_any_run_length() {
        let items: Vec<u32> = (0..1000).collect();
        let whole: String = items.iter().map(|i| format!("{i}\n")).collect();
        for per_run in [0, 1, 3, 7, 64, 999, 1000, 5000] {
            let mut out: Vec<u8> = Vec::new();
            write_in_pieces(&items, per_run, &mut out, |run| {
                run.iter().map(|i| format!("{i}\n")).collect::<String>()
            })
            .unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole, "per_run {per_run}");
        }
        let mut out: Vec<u8> = Vec::new();
        write_in_pieces(&[] as &[u32], 8, &mut out, |_| String::from("x")).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn a_write_error_stops_the_file() {
        let items: Vec<u32> = (0..100).collect();
        let mut sink = Failing {
            left: 25,
            got: Vec::new(),
        };
        let e = write_in_pieces(&items, 10, &mut sink, |run| {
            run.iter().map(|_| "x").collect::<String>()
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        assert_eq!(sink.got, b"xxxxxxxxxxxxxxxxxxxx");
    }
}
