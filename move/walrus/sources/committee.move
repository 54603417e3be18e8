/// The staking committee: each member node and the indices of the shards it holds, sorted by
/// node ID. Transitions between committees move as few shards as possible.
module walrus::committee;

use sui::vec_map::{Self, VecMap};

/// The new assignment does not have the same number of shards as the current committee.
const EInvalidShardAssignment: u64 = 0;

/// Node ID to shard indices, sorted by node ID (as a big-endian u256).
public struct Committee(VecMap<ID, vector<u16>>) has copy, drop, store;

/// The empty committee (epoch 0).
public(package) fun empty(): Committee { Committee(vec_map::empty()) }

/// The first committee: nodes sorted by ID get consecutive shard indices 0, 1, 2, ...
public(package) fun initialize(assigned_number: VecMap<ID, u16>): Committee {
    let (mut keys, mut counts) = assigned_number.into_keys_values();
    sort_by_node_id(&mut keys, &mut counts);
    let mut shard_idx: u16 = 0;
    let mut shards = vector[];
    let mut i = 0;
    while (i < counts.length()) {
        let mut node_shards = vector[];
        let mut k = 0;
        while (k < counts[i]) {
            node_shards.push_back(shard_idx);
            shard_idx = shard_idx + 1;
            k = k + 1;
        };
        shards.push_back(node_shards);
        i = i + 1;
    };
    Committee(vec_map::from_keys_values(keys, shards))
}

/// The committee after `cmt` with the new shard counts `new_assignments`. A node keeping its
/// count keeps its shards; a node with fewer shards (or leaving) gives up shards from the end of
/// its list; a node with more shards (or joining) takes shards from the end of the pool of given
/// up shards. Aborts with `EInvalidShardAssignment` if the total changes.
public(package) fun transition(cmt: &Committee, mut new_assignments: VecMap<ID, u16>): Committee {
    let mut new_num_of_shards: u64 = 0;
    let mut a = 0;
    while (a < new_assignments.length()) {
        let (_, count) = new_assignments.get_entry_by_idx(a);
        new_num_of_shards = new_num_of_shards + (*count as u64);
        a = a + 1;
    };

    let mut new_cmt = vec_map::empty();
    let mut to_move = vector[];
    let mut current_num_of_shards: u64 = 0;
    let size = cmt.0.length();
    let mut idx = 0;
    while (idx < size) {
        let (node_id, prev_shards) = cmt.0.get_entry_by_idx(idx);
        let node_id = *node_id;
        let curr_len = prev_shards.length();
        current_num_of_shards = current_num_of_shards + curr_len;
        let assigned_len = if (new_assignments.contains(&node_id)) {
            let (_, value) = new_assignments.remove(&node_id);
            value as u64
        } else {
            0
        };
        if (assigned_len == 0) {
            to_move.append(*prev_shards);
        } else if (curr_len == assigned_len) {
            new_cmt.insert(node_id, *prev_shards);
        } else if (curr_len > assigned_len) {
            let mut node_shards = *prev_shards;
            let mut k = 0;
            while (k < curr_len - assigned_len) {
                to_move.push_back(node_shards.pop_back());
                k = k + 1;
            };
            new_cmt.insert(node_id, node_shards);
        } else {
            new_assignments.insert(node_id, assigned_len as u16);
        };
        idx = idx + 1;
    };
    assert!(new_num_of_shards == current_num_of_shards, EInvalidShardAssignment);

    let (keys, values) = new_assignments.into_keys_values();
    let mut i = 0;
    while (i < keys.length()) {
        let key = keys[i];
        let value = values[i] as u64;
        if (value > 0) {
            let mut current_shards = if (cmt.0.contains(&key)) *cmt.0.get(&key)
            else vector[];
            while (current_shards.length() < value) {
                current_shards.push_back(to_move.pop_back());
            };
            new_cmt.insert(key, current_shards);
        };
        i = i + 1;
    };
    let (mut ids, mut shards) = new_cmt.into_keys_values();
    sort_by_node_id(&mut ids, &mut shards);
    Committee(vec_map::from_keys_values(ids, shards))
}

/// Whether `node_id` is a member.
public(package) fun contains(cmt: &Committee, node_id: &ID): bool {
    cmt.0.contains(node_id)
}

/// The shards of `node_id`. Aborts if it is not a member.
public(package) fun shards(cmt: &Committee, node_id: &ID): &vector<u16> {
    cmt.0.get(node_id)
}

/// The number of members.
public(package) fun size(cmt: &Committee): u64 {
    cmt.0.length()
}

/// The inner map.
public(package) fun inner(cmt: &Committee): &VecMap<ID, vector<u16>> {
    &cmt.0
}

/// A copy of the inner map.
public(package) fun to_inner(cmt: &Committee): VecMap<ID, vector<u16>> {
    cmt.0
}

/// Nodes only in `cmt_1`, and nodes only in `cmt_2` (both committees sorted).
public(package) fun diff(cmt_1: &Committee, cmt_2: &Committee): (vector<ID>, vector<ID>) {
    let mut only_1 = vector[];
    let mut only_2 = vector[];
    let keys_1 = cmt_1.0.keys();
    let keys_2 = cmt_2.0.keys();
    let mut i = 0;
    while (i < keys_1.length()) {
        if (!cmt_2.0.contains(&keys_1[i])) only_1.push_back(keys_1[i]);
        i = i + 1;
    };
    let mut j = 0;
    while (j < keys_2.length()) {
        if (!cmt_1.0.contains(&keys_2[j])) only_2.push_back(keys_2[j]);
        j = j + 1;
    };
    (only_1, only_2)
}

/// Insertion sort of `keys` by node ID as a big-endian u256, applying the same swaps to
/// `values`.
fun sort_by_node_id<V>(keys: &mut vector<ID>, values: &mut vector<V>) {
    let len = keys.length();
    let mut i = 1;
    while (i < len) {
        let mut j = i;
        while (j > 0 && keys[j - 1].to_address().to_u256() > keys[j].to_address().to_u256()) {
            keys.swap(j - 1, j);
            values.swap(j - 1, j);
            j = j - 1;
        };
        i = i + 1;
    };
}

#[test_only]
/// Builds a committee directly, for tests.
public fun from_inner_for_testing(inner: VecMap<ID, vector<u16>>): Committee {
    Committee(inner)
}
