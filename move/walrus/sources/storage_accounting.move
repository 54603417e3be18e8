/// Accounting for future epochs: for each of the next `max_epochs_ahead` epochs, the capacity
/// already sold and the rewards collected for it, kept in a ring buffer.
module walrus::storage_accounting;

use sui::balance::{Self, Balance};
use wal::wal::WAL;

/// Trying to access an epoch that is too far in the future.
const ETooFarInFuture: u64 = 0;

/// Share of the current epoch's rewards burned at the epoch change, in percent.
const BURN_PERCENT: u128 = 3;

/// The accounts of one future epoch.
public struct FutureAccounting has store {
    epoch: u32,
    /// Capacity (encoded bytes) reserved for this epoch.
    used_capacity: u64,
    /// Rewards to pay to the committee of this epoch when it ends.
    rewards_to_distribute: Balance<WAL>,
}

/// Creates the accounts of an epoch.
public(package) fun new_future_accounting(
    epoch: u32,
    used_capacity: u64,
    rewards_to_distribute: Balance<WAL>,
): FutureAccounting {
    FutureAccounting { epoch, used_capacity, rewards_to_distribute }
}

/// Increases `used_capacity` by `amount` and returns the new value.
public(package) fun increase_used_capacity(accounting: &mut FutureAccounting, amount: u64): u64 {
    accounting.used_capacity = accounting.used_capacity + amount;
    accounting.used_capacity
}

/// The rewards balance, mutably.
public(package) fun rewards_balance(accounting: &mut FutureAccounting): &mut Balance<WAL> {
    &mut accounting.rewards_to_distribute
}

/// Destroys the accounts, returning the rewards.
public(package) fun unwrap_balance(self: FutureAccounting): Balance<WAL> {
    let FutureAccounting { rewards_to_distribute, .. } = self;
    rewards_to_distribute
}

/// Ring buffer of the accounts of the epochs `current .. current + length - 1`.
public struct FutureAccountingRingBuffer has store {
    current_index: u32,
    length: u32,
    ring_buffer: vector<FutureAccounting>,
}

/// Creates a ring buffer for epochs `0 .. length - 1`.
public(package) fun ring_new(length: u32): FutureAccountingRingBuffer {
    let mut ring_buffer = vector[];
    let mut epoch = 0;
    while (epoch < length) {
        ring_buffer.push_back(FutureAccounting {
            epoch,
            used_capacity: 0,
            rewards_to_distribute: balance::zero(),
        });
        epoch = epoch + 1;
    };
    FutureAccountingRingBuffer { current_index: 0, length, ring_buffer }
}

/// The accounts `epochs_in_future` epochs ahead of the current one, mutably.
/// Aborts with `ETooFarInFuture` if `epochs_in_future >= length`.
public(package) fun ring_lookup_mut(
    self: &mut FutureAccountingRingBuffer,
    epochs_in_future: u32,
): &mut FutureAccounting {
    assert!(epochs_in_future < self.length, ETooFarInFuture);
    let actual_index = (epochs_in_future + self.current_index) % self.length;
    &mut self.ring_buffer[actual_index as u64]
}

/// The accounts `epochs_in_future` epochs ahead of the current one.
/// Aborts with `ETooFarInFuture` if `epochs_in_future >= length`.
public fun ring_lookup(
    self: &FutureAccountingRingBuffer,
    epochs_in_future: u32,
): &FutureAccounting {
    assert!(epochs_in_future < self.length, ETooFarInFuture);
    let actual_index = (epochs_in_future + self.current_index) % self.length;
    &self.ring_buffer[actual_index as u64]
}

/// Removes the current epoch's accounts, appends empty accounts for `current + length`, and
/// advances the current index. Returns the removed accounts.
public(package) fun ring_pop_expand(self: &mut FutureAccountingRingBuffer): FutureAccounting {
    let current_index = self.current_index;
    let current_epoch = self.ring_buffer[current_index as u64].epoch;
    self
        .ring_buffer
        .push_back(FutureAccounting {
            epoch: current_epoch + self.length,
            used_capacity: 0,
            rewards_to_distribute: balance::zero(),
        });
    let accounting = self.ring_buffer.swap_remove(current_index as u64);
    self.current_index = (current_index + 1) % self.length;
    accounting
}

/// Splits off the part of the current epoch's rewards that is burned at the epoch change:
/// floor(3% of the rewards).
public(package) fun extract_burn_balance(self: &mut FutureAccountingRingBuffer): Balance<WAL> {
    let current_index = self.current_index;
    let rewards = self.ring_buffer[current_index as u64].rewards_balance();
    let burn_amount = ((rewards.value() as u128) * BURN_PERCENT / 100) as u64;
    rewards.split(burn_amount)
}

/// The maximum number of epochs ahead that can be paid for (the buffer's length).
public fun max_epochs_ahead(self: &FutureAccountingRingBuffer): u32 {
    self.length
}

/// The epoch of these accounts.
public fun epoch(accounting: &FutureAccounting): u32 {
    accounting.epoch
}

/// The capacity reserved for this epoch.
public fun used_capacity(accounting: &FutureAccounting): u64 {
    accounting.used_capacity
}

/// The rewards collected for this epoch.
public fun rewards(accounting: &FutureAccounting): u64 {
    accounting.rewards_to_distribute.value()
}
