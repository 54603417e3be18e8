/// Time-lock: the inner id is `bcs(u64 T)`, a time in ms; anyone may get its key once the
/// chain's clock has reached `T`.
module policies::tle;

use sui::bcs;
use sui::clock::Clock;

/// The clock has not reached the id's time yet.
const ENoAccess: u64 = 0;
/// The id is not exactly a BCS `u64` (8 bytes).
const EInvalidId: u64 = 1;

/// Allows the key of `id` from the time it encodes on.
entry fun seal_approve(id: vector<u8>, c: &Clock) {
    assert!(id.length() == 8, EInvalidId);
    let mut prepared = bcs::new(id);
    let t = prepared.peel_u64();
    assert!(c.timestamp_ms() >= t, ENoAccess);
}
