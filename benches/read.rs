//! Reading speed of the SIDI export readers on a large generated export
//! (50,000 pupils), XML (UTF-8 and windows-1252) and CSV (windows-1252).
//! `cargo bench --bench read`; figures in docs/bench-read.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// The allocator of the `sidisync` binary, so that the figures are the
// command's (the library itself does not choose one).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use sidisync::read::{read_sidi_bytes, xml, ReadOptions};
use std::hint::black_box;

#[path = "support/gen_export.rs"]
mod gen_export;

const PUPILS: usize = 50_000;

fn inputs() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "xml_utf8",
            "frequenze.xml",
            gen_export::xml(PUPILS, "UTF-8").into_bytes(),
        ),
        (
            "xml_windows1252",
            "frequenze.xml",
            gen_export::cp1252(&gen_export::xml(PUPILS, "windows-1252")),
        ),
        (
            "csv_windows1252",
            "alunni.csv",
            gen_export::cp1252(&gen_export::alunni_csv(PUPILS)),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let opts = ReadOptions::default();
    let inputs = inputs();
    for (_, name, bytes) in &inputs {
        let r = read_sidi_bytes(name, bytes, &opts).expect("generated export reads");
        assert_eq!(r.export.pupils.len(), PUPILS);
    }
    let mut g = c.benchmark_group("read_sidi_bytes/MB");
    g.sample_size(10);
    for (id, name, bytes) in &inputs {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(*id, |b| {
            b.iter(|| read_sidi_bytes(name, black_box(bytes), &opts).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("read_sidi_bytes/pupils");
    g.sample_size(10);
    for (id, name, bytes) in &inputs {
        g.throughput(Throughput::Elements(PUPILS as u64));
        g.bench_function(*id, |b| {
            b.iter(|| read_sidi_bytes(name, black_box(bytes), &opts).unwrap())
        });
    }
    g.finish();

    // The XML form by path: streamed (the path for members over 256 MiB),
    // in memory on one core (one chunk, one-thread pool), in memory with the
    // machine's cores (the default).
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let mut g = c.benchmark_group("xml_paths/MB");
    g.sample_size(10);
    for (id, _, bytes) in inputs.iter().filter(|(id, _, _)| id.starts_with("xml")) {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(format!("{id}/streamed"), |b| {
            b.iter(|| xml::read_stream("frequenze.xml", black_box(&bytes[..]), &opts).unwrap())
        });
        g.bench_function(format!("{id}/in_memory_1_core"), |b| {
            b.iter(|| {
                one.install(|| {
                    xml::read_whole_bytes(
                        "frequenze.xml",
                        black_box(bytes),
                        &opts,
                        Some(usize::MAX),
                    )
                    .unwrap()
                })
            })
        });
        g.bench_function(format!("{id}/in_memory_parallel"), |b| {
            b.iter(|| {
                xml::read_whole_bytes("frequenze.xml", black_box(bytes), &opts, None).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
