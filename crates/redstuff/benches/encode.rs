//! Red Stuff throughput at n = 1000 (Walrus mainnet's shard count), against three baselines
//! measured in the same run:
//!
//! - (a) `naive`: the straightforward single-threaded encoder and decoder (`support/naive.rs`);
//! - (b) `hash_floor`: only the BLAKE2b-256 calls the protocol requires, batched, on all cores
//!   (`support/floor.rs`); next to it `rs_floor`, only the Reed–Solomon calls, so that
//!   `hash_floor + rs_floor` is what any encoder built on these two crates must spend;
//! - (c) `wasm`: Walrus's official WASM encoder under Node.js (`wasm/compute_metadata.mjs`), for
//!   `compute_metadata`; skipped with a note if `node` or its npm package is missing.
//!
//! `cargo bench -p haulout-redstuff --bench encode` runs criterion as usual, then prints a table of
//! medians and ratios. Environment: `HAULOUT_BENCH_SIZES` (default `1KiB,1MiB,64MiB,256MiB`),
//! `HAULOUT_BENCH_N` (default 1000), `HAULOUT_BENCH_SKIP_NAIVE=1` to leave out baseline (a).

#[path = "support/floor.rs"]
mod floor;
#[path = "support/naive.rs"]
mod naive;

use std::{
    collections::BTreeMap,
    hint::black_box,
    path::Path,
    process::Command,
    sync::Mutex,
    time::{Duration, Instant},
};

use criterion::{BenchmarkId, Criterion, Throughput};
use redstuff::{ConsistencyCheck, EncodingConfig};

/// Per-iteration times of every (size, function), for the ratio table.
static SAMPLES: Mutex<BTreeMap<(u64, &'static str), Vec<f64>>> = Mutex::new(BTreeMap::new());

fn record(bytes: u64, name: &'static str, seconds: f64) {
    SAMPLES
        .lock()
        .expect("not poisoned")
        .entry((bytes, name))
        .or_default()
        .push(seconds);
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn parse_size(text: &str) -> u64 {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number.parse().expect("a size like 64MiB");
    number
        * match unit {
            "" | "B" => 1,
            "KiB" => 1 << 10,
            "MiB" => 1 << 20,
            "GiB" => 1 << 30,
            other => panic!("unknown unit {other}"),
        }
}

fn label(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{}MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{}KiB", b >> 10),
        b => format!("{b}B"),
    }
}

fn mul7(len: u64) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + 13) % 256) as u8).collect()
}

/// Runs `f` as a criterion benchmark and records its per-iteration time.
fn bench(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    bytes: u64,
    name: &'static str,
    mut f: impl FnMut(),
) {
    group.bench_function(BenchmarkId::new(name, label(bytes)), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            let elapsed = start.elapsed();
            record(bytes, name, elapsed.as_secs_f64() / iters as f64);
            elapsed
        })
    });
}

fn benches(c: &mut Criterion, n: u16, sizes: &[u64], run_naive: bool) {
    let config = EncodingConfig::new(n).expect("valid n");
    let p = config.n_primary_source_symbols();
    for &bytes in sizes {
        let blob = mul7(bytes);
        let encoded = config.encode(&blob).expect("fits");
        let metadata = encoded.metadata().clone();
        let ss = usize::from(encoded.symbol_size());
        // Non-systematic slivers: the decoder has to do Reed–Solomon work and the check.
        let slivers: Vec<_> = (n - p..n).map(|i| encoded.primary_sliver(i)).collect();
        let naive_slivers: Vec<(usize, Vec<u8>)> = slivers
            .iter()
            .map(|s| (usize::from(s.index), s.data().to_vec()))
            .collect();
        let row_hashes: Vec<[u8; 32]> = metadata
            .metadata()
            .hashes()
            .iter()
            .map(|h| h.primary_hash.bytes())
            .collect();
        drop(encoded);
        let floor = floor::HashFloor::for_encoding(usize::from(n), ss);
        let rs_floor = floor::RsFloor::new(usize::from(n), ss);

        let mut group = c.benchmark_group(format!("n{n}"));
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(if bytes >= 64 << 20 { 20 } else { 5 }));
        bench(&mut group, bytes, "compute_metadata", || {
            black_box(config.compute_metadata(&blob).expect("fits"));
        });
        bench(&mut group, bytes, "encode", || {
            black_box(config.encode(&blob).expect("fits"));
        });
        bench(&mut group, bytes, "decode", || {
            let out = config.decode(
                &metadata,
                slivers.iter().cloned(),
                ConsistencyCheck::Default,
            );
            black_box(out.expect("decodes"));
        });
        bench(&mut group, bytes, "hash_floor", || {
            black_box(floor.run());
        });
        bench(&mut group, bytes, "rs_floor", || {
            black_box(rs_floor.run());
        });
        if run_naive {
            // After haulout's own measurements: a million small allocations leave glibc's heap
            // in a state that slows whatever runs next in the process.
            let naive_id = naive::blob_id(&blob, usize::from(n));
            assert_eq!(
                naive_id,
                metadata.blob_id().0,
                "baseline (a) computes the same blob ID"
            );
            bench(&mut group, bytes, "naive_compute_metadata", || {
                black_box(naive::blob_id(&blob, usize::from(n)));
            });
            bench(&mut group, bytes, "naive_encode", || {
                black_box(naive::encode(&blob, usize::from(n)));
            });
            bench(&mut group, bytes, "naive_decode", || {
                black_box(naive::decode(
                    &naive_slivers,
                    usize::from(n),
                    bytes as usize,
                    &row_hashes,
                ));
            });
        }
        group.finish();
    }
}

/// Runs baseline (c) for every size; `None` where Node.js or the package is missing.
fn wasm_baseline(n: u16, sizes: &[u64]) -> BTreeMap<u64, f64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/wasm");
    let mut results = BTreeMap::new();
    if !dir.join("node_modules/@mysten/walrus-wasm").exists() {
        eprintln!(
            "baseline (c) skipped: run `npm ci --prefix {}` first",
            dir.display()
        );
        return results;
    }
    for &bytes in sizes {
        let iterations = if bytes >= 64 << 20 { "1" } else { "3" };
        let output = Command::new("node")
            .arg("compute_metadata.mjs")
            .args([n.to_string(), bytes.to_string(), iterations.to_owned()])
            .current_dir(&dir)
            .output();
        match output {
            Ok(out) if out.status.success() => {
                let json: serde_json::Value =
                    serde_json::from_slice(&out.stdout).expect("the script prints JSON");
                results.insert(bytes, json["secondsMedian"].as_f64().expect("seconds"));
            }
            Ok(out) => eprintln!(
                "baseline (c) failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(error) => eprintln!("baseline (c) skipped: cannot run node: {error}"),
        }
    }
    results
}

fn ratio(baseline: Option<f64>, ours: f64) -> String {
    baseline.map_or("-".to_owned(), |b| format!("{:.2}x", b / ours))
}

fn seconds(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |s| format!("{:.4}", s))
}

fn main() {
    let n: u16 = std::env::var("HAULOUT_BENCH_N")
        .ok()
        .map_or(1000, |v| v.parse().expect("a shard count"));
    let sizes: Vec<u64> = std::env::var("HAULOUT_BENCH_SIZES")
        .unwrap_or_else(|_| "1KiB,1MiB,64MiB,256MiB".to_owned())
        .split(',')
        .map(parse_size)
        .collect();
    let run_naive = std::env::var("HAULOUT_BENCH_SKIP_NAIVE").is_err();

    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, n, &sizes, run_naive);
    criterion.final_summary();
    let wasm = wasm_baseline(n, &sizes);

    let samples = SAMPLES.lock().expect("not poisoned");
    let get = |bytes: u64, name: &'static str| samples.get(&(bytes, name)).map(|v| median(v));
    println!();
    println!(
        "Red Stuff, n = {n}, {} threads; medians in seconds; ratio = baseline time / haulout time",
        rayon::current_num_threads()
    );
    println!(
        "| size | operation | haulout s | MiB/s | (a) naive s | (a)/haulout | (b) hash floor s | \
         (b)/haulout | RS floor s | (b+RS)/haulout | (c) wasm s | (c)/haulout |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for &bytes in &sizes {
        for (op, naive) in [
            ("compute_metadata", Some("naive_compute_metadata")),
            ("encode", Some("naive_encode")),
            ("decode", Some("naive_decode")),
        ] {
            let Some(ours) = get(bytes, op) else { continue };
            let naive = naive.and_then(|name| get(bytes, name));
            let floor = (op != "decode").then(|| get(bytes, "hash_floor")).flatten();
            let rs = (op != "decode").then(|| get(bytes, "rs_floor")).flatten();
            let both = floor.zip(rs).map(|(a, b)| a + b);
            let wasm = (op == "compute_metadata")
                .then(|| wasm.get(&bytes).copied())
                .flatten();
            println!(
                "| {} | {op} | {:.4} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {} |",
                label(bytes),
                ours,
                bytes as f64 / ours / f64::from(1 << 20),
                seconds(naive),
                ratio(naive, ours),
                seconds(floor),
                ratio(floor, ours),
                seconds(rs),
                ratio(both, ours),
                seconds(wasm),
                ratio(wasm, ours),
            );
        }
    }
}
