//! Free ports for test and benchmark networks.
//!
//! Every block is taken below the kernel's ephemeral range (`ip_local_port_range`), where the
//! outgoing connections of other tests cannot take a port between the check here and the
//! moment a server binds it, and the blocks handed out within one process never overlap, so
//! tests running in parallel threads cannot pick each other's ports either.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// The lowest port handed out.
const LOW: u32 = 20_000;

/// The first port of the kernel's ephemeral range (32768 when it cannot be read).
fn ephemeral_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .filter(|&start: &u32| start > LOW + 2_000)
        .unwrap_or(32_768)
}

/// The first of `n` consecutive ports of 127.0.0.1 free now, none of them handed out before
/// by this process.
pub fn free_ports(n: u16) -> u16 {
    // Where this process starts looking: spread by its id, so concurrent test binaries start
    // apart; then every call moves on past the ports it took.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = ephemeral_start() - LOW;
    let n = u32::from(n);
    assert!(n > 0 && n < span, "cannot hand out {n} ports");
    let start = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..500 {
        let offset = NEXT.fetch_add(n, Ordering::Relaxed);
        let base = LOW + (start + offset) % span;
        if base + n > LOW + span {
            continue; // the block would cross into the ephemeral range: take the next one
        }
        let held: Vec<_> = (base..base + n)
            .map_while(|p| TcpListener::bind(("127.0.0.1", p as u16)).ok())
            .collect();
        if held.len() == n as usize {
            return base as u16;
        }
    }
    panic!("no {n} consecutive free ports below the ephemeral range");
}
