/// The staleness check a Seal key server prepends to every policy evaluation.
module seal::time;

use sui::clock::Clock;

/// How far the key server's time may lag behind the chain's clock.
const ALLOWED_KEY_SERVER_STALENESS_IN_MS: u64 = 30_000;

/// The chain's clock is more than the allowed staleness behind the key server's time.
const EStaleFullnode: u64 = 93492;
/// The key server's time is more than `ALLOWED_KEY_SERVER_STALENESS_IN_MS` behind the chain.
const EStaleKeyServer: u64 = 93493;

/// Aborts if the chain's clock and `keyserver_time` (ms) are too far apart: `EStaleFullnode`
/// if the clock is more than `allowed_staleness_in_ms` behind, `EStaleKeyServer` if the key
/// server is more than `ALLOWED_KEY_SERVER_STALENESS_IN_MS` behind.
public fun check_staleness(keyserver_time: u64, allowed_staleness_in_ms: u64, clock: &Clock) {
    let timestamp = clock.timestamp_ms();
    if (keyserver_time < timestamp) {
        assert!(timestamp - keyserver_time <= ALLOWED_KEY_SERVER_STALENESS_IN_MS, EStaleKeyServer);
        return
    };
    assert!(keyserver_time - timestamp <= allowed_staleness_in_ms, EStaleFullnode);
}
