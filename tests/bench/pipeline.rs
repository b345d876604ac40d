//! In-process figures of the pipeline (issue #7): `cargo bench --bench pipeline`.
//!
//! For each case, `load+lint` (read the values from memory, merge, decode, run every rule)
//! and `render` (compile the templates, render every object, check the output, build the
//! stream `pgx render` prints), with throughput in bytes of values read and of manifests
//! written. Cases: `values/production.yaml`, the production case of the compatibility suite
//! (`$PGX_SHARED/compat/current/production.values.yaml`, PGX204 ignored; skipped when
//! PGX_SHARED is unset) and generated fleets of 100, 1,000 and 10,000 clusters.
//!
//! The whole binary, with peak memory and the ratios the issue asks for, is timed by
//! `tests/bench/run.sh`.

use std::io::Cursor;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pgx::lint::{lint, LintOptions};
use pgx::load::{load, Loaded, ValuesInput, DEFAULT_MAX_FILE_SIZE};
use pgx::render::Renderer;

#[allow(dead_code)]
#[path = "generate_fleet.rs"]
mod generate_fleet;

struct Case {
    name: String,
    text: String,
    ignore: Vec<String>,
    /// Fleets of 1,000 clusters and more take few, short samples.
    large: bool,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let production = root.join("values/production.yaml");
    match std::fs::read_to_string(&production) {
        Ok(text) => cases.push(Case {
            name: "production".into(),
            text,
            ignore: Vec::new(),
            large: false,
        }),
        Err(e) => eprintln!("skipping production: {}: {e}", production.display()),
    }
    match std::env::var_os("PGX_SHARED") {
        Some(shared) => {
            let path = PathBuf::from(shared).join("compat/current/production.values.yaml");
            match std::fs::read_to_string(&path) {
                Ok(text) => cases.push(Case {
                    name: "compat-production".into(),
                    text,
                    ignore: vec!["PGX204".into()],
                    large: false,
                }),
                Err(e) => eprintln!("skipping compat-production: {}: {e}", path.display()),
            }
        }
        None => eprintln!("skipping compat-production: PGX_SHARED is not set"),
    }
    for n in [100, 1_000, 10_000] {
        cases.push(Case {
            name: format!("fleet-{n}"),
            text: generate_fleet::fleet(n),
            ignore: Vec::new(),
            large: n >= 1_000,
        });
    }
    cases
}

fn load_and_lint(case: &Case) -> (Loaded, usize) {
    let input = ValuesInput {
        files: vec!["-".into()],
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        ..Default::default()
    };
    let loaded = match load(&input, &mut Cursor::new(case.text.as_bytes())) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{}: {e}", case.name),
    };
    let options = LintOptions {
        ignore: case.ignore.clone(),
        ..Default::default()
    };
    let blocking = lint(&loaded, &options)
        .iter()
        .filter(|f| f.blocks())
        .count();
    (loaded, blocking)
}

fn render(loaded: &Loaded) -> String {
    let Some(values) = &loaded.values else {
        panic!("values did not decode");
    };
    let renderer = match Renderer::new() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    match renderer.render(values) {
        Ok(rendered) => rendered.stream(&[]),
        Err(e) => panic!("{e}"),
    }
}

fn pipeline(c: &mut Criterion) {
    for case in cases() {
        let (loaded, blocking) = load_and_lint(&case);
        assert_eq!(blocking, 0, "{}: the values have errors", case.name);
        let output = render(&loaded).len();
        let mut group = c.benchmark_group(&case.name);
        if case.large {
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(3));
        } else {
            group.measurement_time(Duration::from_secs(3));
        }
        group.throughput(Throughput::Bytes(case.text.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("load+lint"), |b| {
            b.iter(|| load_and_lint(&case))
        });
        group.throughput(Throughput::Bytes(output as u64));
        group.bench_function(BenchmarkId::from_parameter("render"), |b| {
            b.iter(|| render(&loaded))
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
