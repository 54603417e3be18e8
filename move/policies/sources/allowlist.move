/// Allowlist access: a shared `Allowlist` of addresses managed with an admin `Cap`. Inner ids
/// are `[allowlist id][nonce]`; every member may get the keys of every id under the allowlist.
module policies::allowlist;

use policies::utils::is_prefix;
use std::string::String;
use sui::dynamic_field as df;

/// The value of the dynamic field that records a published blob.
const MARKER: u64 = 3;

/// The cap is not the allowlist's.
const EInvalidCap: u64 = 0;
/// The id is not under the allowlist, or the sender is not a member.
const ENoAccess: u64 = 1;
/// The address is already a member.
const EDuplicate: u64 = 2;

/// A named list of addresses (shared).
public struct Allowlist has key {
    id: UID,
    name: String,
    list: vector<address>,
}

/// The right to change an allowlist.
public struct Cap has key {
    id: UID,
    allowlist_id: ID,
}

/// Shares a new, empty allowlist and returns its cap.
public fun create_allowlist(name: String, ctx: &mut TxContext): Cap {
    let allowlist = Allowlist {
        id: object::new(ctx),
        name,
        list: vector[],
    };
    let cap = Cap {
        id: object::new(ctx),
        allowlist_id: object::id(&allowlist),
    };
    transfer::share_object(allowlist);
    cap
}

/// `create_allowlist`, sending the cap to the sender.
entry fun create_allowlist_entry(name: String, ctx: &mut TxContext) {
    transfer::transfer(create_allowlist(name, ctx), ctx.sender());
}

/// Adds `account` to the allowlist.
public fun add(allowlist: &mut Allowlist, cap: &Cap, account: address) {
    assert!(cap.allowlist_id == object::id(allowlist), EInvalidCap);
    assert!(!allowlist.list.contains(&account), EDuplicate);
    allowlist.list.push_back(account);
}

/// Removes `account` from the allowlist (nothing happens if it is not a member).
public fun remove(allowlist: &mut Allowlist, cap: &Cap, account: address) {
    assert!(cap.allowlist_id == object::id(allowlist), EInvalidCap);
    allowlist.list = allowlist.list.filter!(|x| *x != account);
}

/// The prefix of every inner id under this allowlist: its ID's bytes.
public fun namespace(allowlist: &Allowlist): vector<u8> {
    allowlist.id.to_bytes()
}

/// Records a Walrus blob ID under the allowlist (a dynamic field `blob_id -> MARKER`).
public fun publish(allowlist: &mut Allowlist, cap: &Cap, blob_id: String) {
    assert!(cap.allowlist_id == object::id(allowlist), EInvalidCap);
    df::add(&mut allowlist.id, blob_id, MARKER);
}

/// Allows the key of `id` to the members of the allowlist `id` starts with.
entry fun seal_approve(id: vector<u8>, allowlist: &Allowlist, ctx: &TxContext) {
    assert!(is_prefix(allowlist.namespace(), id), ENoAccess);
    assert!(allowlist.list.contains(&ctx.sender()), ENoAccess);
}
