/// Owner-only access: inner ids are `[owner address][nonce]`, and only the owner may get the
/// key. The address prefix also stops anyone else from claiming an id first.
module policies::private;

use policies::utils::is_prefix;

/// The sender is not the address the id starts with.
const ENoAccess: u64 = 0;

/// Allows the key of `id` only to the address its first 32 bytes spell.
entry fun seal_approve(id: vector<u8>, ctx: &TxContext) {
    let owner = sui::address::to_bytes(ctx.sender());
    assert!(is_prefix(owner, id), ENoAccess);
}
