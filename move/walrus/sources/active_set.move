/// The active set: up to `max_size` storage nodes with the largest stake for the next committee
/// selection, and their total stake.
module walrus::active_set;

/// The maximum size must be larger than zero.
const EZeroMaxSize: u64 = 0;
/// The node is already in the active set.
const EDuplicateInsertion: u64 = 1;

/// A node and its stake for the next committee selection.
public struct ActiveSetEntry has copy, drop, store {
    node_id: ID,
    staked_amount: u64,
}

/// The active set of storage nodes.
public struct ActiveSet has copy, drop, store {
    max_size: u16,
    /// Minimum stake to enter the set.
    threshold_stake: u64,
    nodes: vector<ActiveSetEntry>,
    total_stake: u64,
}

/// Creates an empty active set. Aborts with `EZeroMaxSize` if `max_size` is zero.
public(package) fun new(max_size: u16, threshold_stake: u64): ActiveSet {
    assert!(max_size > 0, EZeroMaxSize);
    ActiveSet { max_size, threshold_stake, nodes: vector[], total_stake: 0 }
}

/// Inserts the node or updates its stake; a zero or below-threshold stake removes it.
/// Returns whether the node is in the set afterwards.
public(package) fun insert_or_update(set: &mut ActiveSet, node_id: ID, staked_amount: u64): bool {
    if (staked_amount == 0 || staked_amount < set.threshold_stake) {
        set.remove(node_id);
        return false
    };
    if (set.update(node_id, staked_amount)) true else set.insert(node_id, staked_amount)
}

/// Updates the stake of a node in the set; returns false if it is not in the set.
public(package) fun update(set: &mut ActiveSet, node_id: ID, staked_amount: u64): bool {
    let index = set.find(node_id);
    if (index.is_none()) return false;
    let idx = index.destroy_some();
    let old_amount = set.nodes[idx].staked_amount;
    set.total_stake = set.total_stake + staked_amount - old_amount;
    set.nodes[idx].staked_amount = staked_amount;
    true
}

/// Inserts a node; if the set is full, it replaces the node with the smallest stake when its own
/// stake is strictly larger. Returns whether the node was inserted.
fun insert(set: &mut ActiveSet, node_id: ID, staked_amount: u64): bool {
    assert!(set.find(node_id).is_none(), EDuplicateInsertion);
    if (set.nodes.length() < (set.max_size as u64)) {
        set.total_stake = set.total_stake + staked_amount;
        set.nodes.push_back(ActiveSetEntry { node_id, staked_amount });
        return true
    };
    let mut min_stake = staked_amount;
    let mut min_idx = option::none();
    let mut i = 0;
    while (i < set.nodes.length()) {
        if (set.nodes[i].staked_amount < min_stake) {
            min_idx = option::some(i);
            min_stake = set.nodes[i].staked_amount;
        };
        i = i + 1;
    };
    if (min_idx.is_none()) return false;
    let idx = min_idx.destroy_some();
    set.total_stake = set.total_stake - min_stake + staked_amount;
    *&mut set.nodes[idx] = ActiveSetEntry { node_id, staked_amount };
    true
}

/// Removes a node if present.
public(package) fun remove(set: &mut ActiveSet, node_id: ID) {
    let index = set.find(node_id);
    if (index.is_some()) {
        let entry = set.nodes.swap_remove(index.destroy_some());
        set.total_stake = set.total_stake - entry.staked_amount;
    }
}

fun find(set: &ActiveSet, node_id: ID): Option<u64> {
    let mut i = 0;
    while (i < set.nodes.length()) {
        if (set.nodes[i].node_id == node_id) return option::some(i);
        i = i + 1;
    };
    option::none()
}

/// The maximum size.
public(package) fun max_size(set: &ActiveSet): u16 { set.max_size }

/// The number of nodes.
public(package) fun size(set: &ActiveSet): u16 { set.nodes.length() as u16 }

/// The node IDs, in set order.
public(package) fun active_ids(set: &ActiveSet): vector<ID> {
    let (ids, _) = set.active_ids_and_stake();
    ids
}

/// The node IDs and stakes, in set order.
public(package) fun active_ids_and_stake(set: &ActiveSet): (vector<ID>, vector<u64>) {
    let mut ids = vector[];
    let mut stake = vector[];
    let mut i = 0;
    while (i < set.nodes.length()) {
        ids.push_back(set.nodes[i].node_id);
        stake.push_back(set.nodes[i].staked_amount);
        i = i + 1;
    };
    (ids, stake)
}

/// The minimum stake to enter the set.
public(package) fun threshold_stake(set: &ActiveSet): u64 { set.threshold_stake }

/// The total stake of the set.
public(package) fun total_stake(set: &ActiveSet): u64 { set.total_stake }

/// The stake of `node_id` in the set, or 0.
public(package) fun stake_for_node(set: &ActiveSet, node_id: ID): u64 {
    let index = set.find(node_id);
    if (index.is_some()) set.nodes[index.destroy_some()].staked_amount else 0
}
