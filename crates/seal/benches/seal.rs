//! Seal encryption and decryption of a payload next to plain AES-256-GCM of the same bytes.
//!
//! `cargo bench -p haulout-seal --bench seal` runs criterion, then prints medians and the ratio
//! seal / AES-GCM for each size. Seal = a 2-of-3 object over three key servers: encrypt does
//! one hash-to-G1, three pairings and the DEM; decrypt (two user keys) two pairings, the nonce
//! check and the DEM. Environment: `HAULOUT_BENCH_SIZES` (default `1KiB,1MiB`).

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use haulout_seal::{EncryptionInput, MasterKey, ObjectId, decrypt, dem, encrypt, full_id};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

static SAMPLES: Mutex<BTreeMap<(u64, &'static str), Vec<f64>>> = Mutex::new(BTreeMap::new());

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn label(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{}MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{}KiB", b >> 10),
        b => format!("{b}B"),
    }
}

fn parse_size(s: &str) -> u64 {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("MiB") {
        (n, 1 << 20)
    } else if let Some(n) = s.strip_suffix("KiB") {
        (n, 1 << 10)
    } else {
        (s, 1)
    };
    num.parse::<u64>().expect("size like 1MiB") * mult
}

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
            SAMPLES
                .lock()
                .expect("not poisoned")
                .entry((bytes, name))
                .or_default()
                .push(elapsed.as_secs_f64() / iters as f64);
            elapsed
        })
    });
}

fn main() {
    let sizes: Vec<u64> = std::env::var("HAULOUT_BENCH_SIZES")
        .unwrap_or_else(|_| "1KiB,1MiB".into())
        .split(',')
        .map(parse_size)
        .collect();
    let mut c = Criterion::default().configure_from_args();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let msks: Vec<MasterKey> = (0..3).map(|_| MasterKey::generate(&mut rng)).collect();
    let servers: Vec<(ObjectId, _)> = msks
        .iter()
        .enumerate()
        .map(|(i, m)| (ObjectId([i as u8 + 1; 32]), m.public_key()))
        .collect();
    let pkg = ObjectId([9; 32]);
    let inner = b"bench-id";
    let full = full_id(&pkg, inner);
    let usks: HashMap<_, _> = servers[..2]
        .iter()
        .zip(&msks)
        .map(|((o, _), m)| (*o, m.extract(&full)))
        .collect();
    let key = [7u8; 32];

    for &bytes in &sizes {
        let data: Vec<u8> = (0..bytes).map(|i| (i * 7 + 13) as u8).collect();
        let input = EncryptionInput::Aes256Gcm {
            data: &data,
            aad: None,
        };
        let (obj, _) = encrypt(pkg, inner, &servers, 2, input, &mut rng).expect("encrypts");
        let blob = dem::aes_gcm_encrypt(&key, &data, &[]).expect("encrypts");

        let mut group = c.benchmark_group("seal");
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(20);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
        bench(&mut group, bytes, "aes_gcm_encrypt", || {
            black_box(dem::aes_gcm_encrypt(&key, &data, &[]).expect("encrypts"));
        });
        bench(&mut group, bytes, "seal_encrypt", || {
            black_box(encrypt(pkg, inner, &servers, 2, input, &mut rng).expect("encrypts"));
        });
        bench(&mut group, bytes, "aes_gcm_decrypt", || {
            black_box(dem::aes_gcm_decrypt(&key, &blob, &[]).expect("decrypts"));
        });
        bench(&mut group, bytes, "seal_decrypt", || {
            black_box(decrypt(&obj, &usks, None).expect("decrypts"));
        });
        group.finish();
    }
    c.final_summary();

    let samples = SAMPLES.lock().expect("not poisoned");
    let get = |bytes: u64, name: &'static str| samples.get(&(bytes, name)).map(|v| median(v));
    println!("\nSeal 2-of-3 vs AES-256-GCM alone; medians in ms; ratio = seal / AES-GCM");
    println!(
        "{:>8} {:>12} {:>12} {:>7} {:>12} {:>12} {:>7}",
        "size", "aes enc", "seal enc", "ratio", "aes dec", "seal dec", "ratio"
    );
    for &bytes in &sizes {
        if let (Some(ae), Some(se), Some(ad), Some(sd)) = (
            get(bytes, "aes_gcm_encrypt"),
            get(bytes, "seal_encrypt"),
            get(bytes, "aes_gcm_decrypt"),
            get(bytes, "seal_decrypt"),
        ) {
            println!(
                "{:>8} {:>12.3} {:>12.3} {:>7.2} {:>12.3} {:>12.3} {:>7.2}",
                label(bytes),
                ae * 1e3,
                se * 1e3,
                se / ae,
                ad * 1e3,
                sd * 1e3,
                sd / ad
            );
        }
    }
}
