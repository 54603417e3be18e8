//! Runs one operation in a loop, for profilers: `cargo run --release -p haulout-redstuff --example
//! profile -- <compute_metadata|encode|decode> <bytes> [n] [iterations]`.

use std::time::Instant;

use redstuff::{ConsistencyCheck, EncodingConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = args.first().map_or("compute_metadata", String::as_str);
    let bytes: usize = args.get(1).map_or(1024, |v| v.parse().expect("bytes"));
    let n: u16 = args.get(2).map_or(1000, |v| v.parse().expect("n"));
    let iterations: usize = args.get(3).map_or(10, |v| v.parse().expect("iterations"));
    let config = EncodingConfig::new(n).expect("valid n");
    let blob: Vec<u8> = (0..bytes).map(|i| ((i * 7 + 13) % 256) as u8).collect();
    let encoded = config.encode(&blob).expect("fits");
    let p = config.n_primary_source_symbols();
    let slivers: Vec<_> = (n - p..n).map(|i| encoded.primary_sliver(i)).collect();
    let start = Instant::now();
    for _ in 0..iterations {
        match op {
            "compute_metadata" => drop(config.compute_metadata(&blob).expect("fits")),
            "encode" => drop(config.encode(&blob).expect("fits")),
            "decode" => drop(
                config
                    .decode(
                        encoded.metadata(),
                        slivers.iter().cloned(),
                        ConsistencyCheck::Default,
                    )
                    .expect("decodes"),
            ),
            other => panic!("unknown operation {other}"),
        }
    }
    println!(
        "{op} {bytes} B, n = {n}: {:.4} s per iteration",
        start.elapsed().as_secs_f64() / iterations as f64
    );
}
