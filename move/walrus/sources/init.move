/// Publication and one-time initialization of the Walrus package: `init` hands the publisher an
/// `InitCap`, which `initialize_walrus` consumes to create the shared `System` and `Staking`.
module walrus::init;

use sui::clock::Clock;
use sui::package::{Self, Publisher, UpgradeCap};
use walrus::staking;
use walrus::system;

/// The one-time witness of the module.
public struct INIT has drop {}

/// Allows initializing the system once.
public struct InitCap has key, store {
    id: UID,
    publisher: Publisher,
}

fun init(otw: INIT, ctx: &mut TxContext) {
    let publisher = package::claim(otw, ctx);
    let init_cap = InitCap { id: object::new(ctx), publisher };
    transfer::transfer(init_cap, ctx.sender());
}

/// Creates and shares `System` and `Staking` for the package of `upgrade_cap`: epoch 0 lasts at
/// least `epoch_zero_duration` ms, later epochs `epoch_duration` ms; `n_shards` shards;
/// storage can be bought at most `max_epochs_ahead` epochs ahead (≤ 1000). Consumes the
/// `InitCap`, so it runs once.
public fun initialize_walrus(
    init_cap: InitCap,
    upgrade_cap: &UpgradeCap,
    epoch_zero_duration: u64,
    epoch_duration: u64,
    n_shards: u16,
    max_epochs_ahead: u32,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let package_id = package::upgrade_package(upgrade_cap);
    let InitCap { id, publisher } = init_cap;
    id.delete();
    package::burn_publisher(publisher);
    system::create_empty(max_epochs_ahead, package_id, ctx);
    staking::create(epoch_zero_duration, epoch_duration, n_shards, package_id, clock, ctx);
}

#[test_only]
/// Runs the module initializer in a test.
public fun init_for_testing(ctx: &mut TxContext) {
    init(INIT {}, ctx);
}
