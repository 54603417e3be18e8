/// The WAL coin: the token that pays for storage on haulout and is staked with storage nodes.
///
/// 9 decimals (1 WAL = 10^9 FROST). The whole supply of 5,000,000,000 WAL is minted once, at
/// publication, to the publisher. The `TreasuryCap<WAL>` is then locked under a dynamic object
/// field of the shared `ProtectedTreasury`, which only allows burning and reading the supply.
#[allow(deprecated_usage)]
module wal::wal;

use sui::coin::{Self, Coin, TreasuryCap};
use sui::dynamic_object_field as dof;
use sui::url;

/// Whole WAL minted at publication.
const TOTAL_WAL_SUPPLY_TO_MINT: u64 = 5_000_000_000;
/// FROST per WAL is 10^DECIMALS.
const DECIMALS: u8 = 9;
const SYMBOL: vector<u8> = b"WAL";
const NAME: vector<u8> = b"WAL Token";
const DESCRIPTION: vector<u8> = b"The native token for the Walrus Protocol.";
const ICON_URL: vector<u8> = b"https://www.walrus.xyz/wal-icon.svg";

/// The one-time witness of the `WAL` coin.
public struct WAL has drop {}

/// Shared object that holds the `TreasuryCap<WAL>` (as a dynamic object field) so that WAL can
/// be burned by anyone but never minted again.
public struct ProtectedTreasury has key {
    id: UID,
}

/// Key of the dynamic object field holding the `TreasuryCap<WAL>`.
public struct TreasuryCapKey has copy, drop, store {}

#[allow(lint(share_owned))]
fun init(otw: WAL, ctx: &mut TxContext) {
    let (mut cap, metadata) = coin::create_currency(
        otw,
        DECIMALS,
        SYMBOL,
        NAME,
        DESCRIPTION,
        option::some(url::new_unsafe_from_bytes(ICON_URL)),
        ctx,
    );
    let frost_per_wal = 10u64.pow(DECIMALS);
    let minted = cap.mint(TOTAL_WAL_SUPPLY_TO_MINT * frost_per_wal, ctx);
    transfer::public_freeze_object(metadata);

    let mut treasury = ProtectedTreasury { id: object::new(ctx) };
    dof::add(&mut treasury.id, TreasuryCapKey {}, cap);
    transfer::share_object(treasury);

    transfer::public_transfer(minted, ctx.sender());
}

/// Returns the total supply of WAL in FROST (5·10^18 minus everything burned so far).
public fun total_supply(treasury: &ProtectedTreasury): u64 {
    treasury.borrow_cap().total_supply()
}

/// Burns `coin`, reducing the total supply by its value.
public fun burn(treasury: &mut ProtectedTreasury, coin: Coin<WAL>) {
    treasury.borrow_cap_mut().burn(coin);
}

fun borrow_cap(treasury: &ProtectedTreasury): &TreasuryCap<WAL> {
    dof::borrow(&treasury.id, TreasuryCapKey {})
}

fun borrow_cap_mut(treasury: &mut ProtectedTreasury): &mut TreasuryCap<WAL> {
    dof::borrow_mut(&mut treasury.id, TreasuryCapKey {})
}

#[test_only]
/// Runs the module initializer in a test.
public fun init_for_testing(ctx: &mut TxContext) {
    init(WAL {}, ctx)
}
