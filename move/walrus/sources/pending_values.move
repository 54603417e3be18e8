/// Values (WAL or shares) that become effective in a future epoch, keyed by that epoch.
module walrus::pending_values;

use sui::vec_map::{Self, VecMap};

/// Reducing a value for an epoch that has none.
const EIncorrectValue: u64 = 0;

/// Map from epoch to pending value.
public struct PendingValues(VecMap<u32, u64>) has copy, drop, store;

/// An empty map.
public(package) fun empty(): PendingValues { PendingValues(vec_map::empty()) }

/// Adds `value` to the value pending for `epoch`.
public(package) fun insert_or_add(self: &mut PendingValues, epoch: u32, value: u64) {
    let map = &mut self.0;
    if (map.contains(&epoch)) {
        let current = map.get_mut(&epoch);
        *current = *current + value;
    } else {
        map.insert(epoch, value);
    }
}

/// Sets the value pending for `epoch`.
public(package) fun insert_or_replace(self: &mut PendingValues, epoch: u32, value: u64) {
    let map = &mut self.0;
    if (map.contains(&epoch)) {
        *map.get_mut(&epoch) = value;
    } else {
        map.insert(epoch, value);
    }
}

/// Subtracts `value` from the value pending for `epoch`. Aborts with `EIncorrectValue` if there
/// is none.
public(package) fun reduce(self: &mut PendingValues, epoch: u32, value: u64) {
    let map = &mut self.0;
    assert!(map.contains(&epoch), EIncorrectValue);
    let current = map.get_mut(&epoch);
    *current = *current - value;
}

/// The sum of the values pending for epochs up to and including `epoch`.
public(package) fun value_at(self: &PendingValues, epoch: u32): u64 {
    let map = self.0;
    let (keys, values) = map.into_keys_values();
    let mut total = 0;
    let mut i = 0;
    while (i < keys.length()) {
        if (keys[i] <= epoch) total = total + values[i];
        i = i + 1;
    };
    total
}

/// Removes the values pending for epochs up to and including `to_epoch` and returns their sum.
public(package) fun flush(self: &mut PendingValues, to_epoch: u32): u64 {
    let keys = self.0.keys();
    let mut total = 0;
    let mut i = 0;
    while (i < keys.length()) {
        if (keys[i] <= to_epoch) {
            let (_, value) = self.0.remove(&keys[i]);
            total = total + value;
        };
        i = i + 1;
    };
    total
}

/// The inner map.
public(package) fun inner(self: &PendingValues): &VecMap<u32, u64> { &self.0 }

/// The inner map, by value.
public(package) fun unwrap(self: PendingValues): VecMap<u32, u64> {
    let PendingValues(map) = self;
    map
}

/// Whether nothing is pending.
public(package) fun is_empty(self: &PendingValues): bool { self.0.is_empty() }
