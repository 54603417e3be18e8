/// A read-only snapshot of the staking state, passed to staking pools so that they do not need a
/// reference to the whole staking object. Never stored.
module walrus::walrus_context;

use sui::vec_map::VecMap;

/// Epoch, whether the next committee is selected, and the current committee.
public struct WalrusContext has drop {
    epoch: u32,
    committee_selected: bool,
    committee: VecMap<ID, vector<u16>>,
}

/// Creates a new context.
public(package) fun new(
    epoch: u32,
    committee_selected: bool,
    committee: VecMap<ID, vector<u16>>,
): WalrusContext {
    WalrusContext { epoch, committee_selected, committee }
}

/// The current Walrus epoch.
public(package) fun epoch(self: &WalrusContext): u32 { self.epoch }

/// Whether the committee for the next epoch has been selected.
public(package) fun committee_selected(self: &WalrusContext): bool { self.committee_selected }

/// The current committee: node ID to shard indices.
public(package) fun committee(self: &WalrusContext): &VecMap<ID, vector<u16>> { &self.committee }
