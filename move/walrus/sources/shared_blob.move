/// A shared wrapper around a blob with a WAL balance that anyone can top up and spend to extend
/// the blob's lifetime.
module walrus::shared_blob;

use sui::balance::{Self, Balance};
use sui::coin::Coin;
use wal::wal::WAL;
use walrus::blob::Blob;
use walrus::system::System;

/// A blob shared with a fund for its extension.
public struct SharedBlob has key, store {
    id: UID,
    blob: Blob,
    funds: Balance<WAL>,
}

/// Shares `blob` with an empty fund.
#[allow(lint(share_owned))]
public fun new(blob: Blob, ctx: &mut TxContext) {
    let shared = SharedBlob { id: object::new(ctx), blob, funds: balance::zero() };
    transfer::share_object(shared);
}

/// Shares `blob` with `funds` as its initial fund.
#[allow(lint(share_owned))]
public fun new_funded(blob: Blob, funds: Coin<WAL>, ctx: &mut TxContext) {
    let shared = SharedBlob { id: object::new(ctx), blob, funds: funds.into_balance() };
    transfer::share_object(shared);
}

/// Adds `added_funds` to the fund.
public fun fund(self: &mut SharedBlob, added_funds: Coin<WAL>) {
    self.funds.join(added_funds.into_balance());
}

/// Extends the blob by `extended_epochs`, paying from the fund. Aborts if the fund is too small
/// or the blob cannot be extended (see `system::extend_blob`).
public fun extend(
    self: &mut SharedBlob,
    system: &mut System,
    extended_epochs: u32,
    ctx: &mut TxContext,
) {
    let mut payment = self.funds.withdraw_all().into_coin(ctx);
    system.extend_blob(&mut self.blob, extended_epochs, &mut payment);
    self.funds.join(payment.into_balance());
}

/// The shared blob.
public fun blob(self: &SharedBlob): &Blob {
    &self.blob
}

/// The remaining fund in FROST.
public fun funds(self: &SharedBlob): u64 {
    self.funds.value()
}
