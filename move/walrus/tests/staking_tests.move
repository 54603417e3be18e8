#[test_only]
module walrus::staking_tests;

use walrus::encoding;
use walrus::node_metadata;
use walrus::staked_wal::{Self, StakedWal};
use walrus::staking_inner;
use walrus::staking_pool;
use walrus::storage_node;
use walrus::test_network;
use walrus::test_utils as tu;

const STAKE: u64 = 1_000_000_000_000;

fun destroy_stakes(stakes: vector<StakedWal>) {
    tu::destroy(stakes);
}

#[test]
fun first_epoch_change_selects_equal_committee() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    assert!(net.staking().epoch() == 1);
    assert!(net.system().epoch() == 1);
    assert!(net.system().n_shards() == 12);
    let committee = *net.staking().committee();
    assert!(committee.size() == 4);
    let mut seen = vector[];
    let mut i = 0;
    while (i < 4) {
        let shards = *committee.shards(&net.node_id(i));
        assert!(shards.length() == 3);
        seen.append(shards);
        i = i + 1;
    };
    // Shards 0..11 each assigned once.
    let mut s: u16 = 0;
    while (s < 12) {
        assert!(seen.contains(&s));
        s = s + 1;
    };
    // Prices: quorum_below of (100, 200, 300, 400) with 3 shards each is 300.
    assert!(net.system().storage_price_per_unit_size() == 300);
    assert!(net.system().write_price_per_unit_size() == 3000);
    // Capacity: 10^12 bytes per node × 12 shards / 3 shards.
    assert!(net.system().total_capacity_size() == 4_000_000_000_000);
    assert!(net.staking().inner().is_epoch_sync_done());
    assert!(net.staking().total_active_stake() == 4 * STAKE);
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun blob_certified_by_the_elected_committee() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let size = encoding::encoded_blob_length(tu::size1(), 1, 12);
    let mut coin = net.mint(1_000_000);
    let storage = net.reserve_space(size, 2, &mut coin);
    let mut blob = net.register_blob(storage, tu::blob1(), tu::root1(), tu::size1(), &mut coin);
    // All four members signed M3 (epoch 1); the bitmap does not depend on the member order.
    net.system().certify_blob(&mut blob, tu::sig_m3_all(), vector[0x0f], tu::m3());
    assert!(blob.certified_epoch() == &option::some(1));
    blob.burn();
    tu::destroy(coin);
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun rewards_are_paid_and_three_percent_burned() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    let supply_before = wal::wal::total_supply(net.treasury());
    // Buy storage in epoch 1 so that the epoch has rewards: 1 unit at 300 FROST.
    let mut coin = net.mint(10_000_000);
    let storage = net.reserve_space(1_000_000, 1, &mut coin);
    assert!(net.system().inner().future_accounting().ring_lookup(0).rewards() == 300);
    // Node 0 is in the current committee only, so its stake is withdrawable from epoch 2.
    let mut sw = stakes.remove(0);
    net.request_withdraw(&mut sw);
    assert!(sw.is_withdrawing() && sw.withdraw_epoch() == 2);
    net.next_epoch();
    // 3% of 300 is burned.
    assert!(wal::wal::total_supply(net.treasury()) == supply_before - 9);
    let withdrawn = net.withdraw(sw);
    // Node 0 holds a quarter of the shards: (300 - 9) / 4 = 72 (rounded down).
    assert!(withdrawn.value() == STAKE + 72);
    tu::destroy(withdrawn);
    tu::destroy(coin);
    storage.destroy();
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun early_withdrawal_returns_principal() {
    let mut net = test_network::new();
    let sw = net.stake(0, STAKE);
    assert!(net.staking().can_withdraw_staked_wal_early(&sw));
    let coin = net.withdraw(sw);
    assert!(coin.value() == STAKE);
    tu::destroy(coin);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EWithdrawDirectly)]
fun request_withdraw_of_inactive_stake_fails() {
    let mut net = test_network::new();
    let mut sw = net.stake(0, STAKE);
    net.request_withdraw(&mut sw);
    tu::destroy(sw);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EWithdrawEpochNotReached)]
fun withdraw_before_withdraw_epoch_fails() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    let mut sw = stakes.remove(0);
    net.request_withdraw(&mut sw);
    let coin = net.withdraw(sw);
    tu::destroy(coin);
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::ENotStaked)]
fun request_withdraw_twice_fails() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    let mut sw = stakes.remove(0);
    net.request_withdraw(&mut sw);
    net.request_withdraw(&mut sw);
    tu::destroy(sw);
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EZeroStake)]
fun stake_zero_fails() {
    let mut net = test_network::new();
    let sw = net.stake(0, 0);
    tu::destroy(sw);
    net.destroy();
}

#[test]
fun register_candidate_with_valid_pop() {
    let mut net = test_network::new();
    // Key 1's proof of possession is for sender 0xa2.
    net.next_tx(tu::node_sender(1));
    let cap = net.register_candidate(1, tu::pop(1));
    assert!(net.staking().inner().has_pool(cap.node_id()));
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EInvalidProofOfPossession)]
fun register_candidate_with_wrong_pop_fails() {
    let mut net = test_network::new();
    // Key 0's proof of possession was made for sender 0xa1, not 0xa2.
    net.next_tx(tu::node_sender(1));
    let cap = net.register_candidate(0, tu::pop(0));
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EIncorrectCommissionRate)]
fun set_commission_above_100_percent_fails() {
    let mut net = test_network::new();
    let cap = net.stand_in_cap(0);
    net.staking().set_next_commission(&cap, 10_001);
    tu::destroy(cap);
    net.destroy();
}

#[test]
fun commission_is_taken_from_rewards_and_collected_by_the_cap() {
    let mut net = test_network::new();
    let mut stakes = vector[];
    let mut i = 0;
    while (i < 4) {
        stakes.push_back(net.stake(i, STAKE));
        i = i + 1;
    };
    // 100% commission for node 0 from epoch 2 on.
    let cap = net.stand_in_cap(0);
    net.staking().set_next_commission(&cap, 10_000);
    tu::destroy(cap);
    net.next_epoch();
    net.next_epoch();
    // Epoch 2 earns 4 units × 300 FROST; node 0 gets a quarter of what is not burned.
    let mut coin = net.mint(10_000_000);
    let storage = net.reserve_space(4 * 1024 * 1024, 1, &mut coin);
    net.next_epoch();
    let commission = net.collect_commission_with_cap(0);
    assert!(commission.value() == (1200 - 36) / 4);
    tu::destroy(commission);
    tu::destroy(coin);
    storage.destroy();
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EAuthorizationFailure)]
fun collect_commission_by_sender_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let coin = net.collect_commission_as_sender(0);
    tu::destroy(coin);
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun node_parameters_can_be_updated() {
    let mut net = test_network::new();
    let cap = net.stand_in_cap(0);
    net.staking().set_name(&cap, b"renamed".to_string());
    net.staking().set_network_address(&cap, b"10.0.0.1:9000".to_string());
    net.staking().set_network_public_key(&cap, test_network::network_key());
    net.staking().set_storage_price_vote(&cap, 5);
    net.staking().set_write_price_vote(&cap, 6);
    net.staking().set_node_capacity_vote(&cap, 7);
    net.staking().set_node_metadata(&cap, node_metadata::default());
    let node_id = net.node_id(0);
    let pool = net.staking().inner().pool(node_id);
    assert!(pool.node_info().name() == b"renamed".to_string());
    assert!(pool.node_info().network_address() == b"10.0.0.1:9000".to_string());
    assert!(pool.storage_price() == 5 && pool.write_price() == 6 && pool.node_capacity() == 7);
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EInvalidNameLength)]
fun name_too_long_fails() {
    let mut net = test_network::new();
    let cap = net.stand_in_cap(0);
    let mut name = vector[];
    let mut i = 0;
    while (i < 101) {
        name.push_back(0x61);
        i = i + 1;
    };
    net.staking().set_name(&cap, name.to_string());
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_pool::EInvalidNetworkAddressLength)]
fun network_address_too_long_fails() {
    let mut net = test_network::new();
    let cap = net.stand_in_cap(0);
    let mut address = vector[];
    let mut i = 0;
    while (i < 260) {
        address.push_back(0x61);
        i = i + 1;
    };
    net.staking().set_network_address(&cap, address.to_string());
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = storage_node::EInvalidNetworkPublicKey)]
fun network_key_of_wrong_length_fails() {
    let mut net = test_network::new();
    let cap = net.stand_in_cap(0);
    net.staking().set_network_public_key(&cap, vector[1, 2, 3]);
    tu::destroy(cap);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_inner::EWrongEpochState)]
fun voting_end_too_early_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    // Less than half an epoch since the epoch change.
    net.clock().increment_for_testing(1);
    net.voting_end();
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_inner::EWrongEpochState)]
fun voting_end_twice_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.clock().increment_for_testing(1_000_000);
    net.voting_end();
    net.voting_end();
    destroy_stakes(stakes);
    net.destroy();
}

// The next BLS committee is built before the epoch state is checked, as in Walrus.
#[test, expected_failure(abort_code = staking_inner::ENextCommitteeIsEmpty)]
fun epoch_change_before_voting_end_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.clock().increment_for_testing(1_000_000);
    net.initiate_epoch_change();
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_inner::EInvalidSyncEpoch)]
fun sync_done_for_wrong_epoch_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.sync_done(0, 2);
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_inner::EDuplicateSyncDone)]
fun sync_done_twice_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    // test_network already signalled sync done for every node in epoch 1.
    net.sync_done(0, 1);
    destroy_stakes(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = staking_inner::ENotInCommittee)]
fun sync_done_by_non_member_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let mut cap = storage_node::new_cap_for_testing(object::id_from_address(@0xbeef), net.ctx());
    net.sync_done_with(&mut cap, 1);
    tu::destroy(cap);
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun epoch_change_done_after_quorum_of_syncs() {
    let mut net = test_network::new();
    let mut stakes = vector[];
    let mut i = 0;
    while (i < 4) {
        stakes.push_back(net.stake(i, STAKE));
        i = i + 1;
    };
    net.voting_end();
    assert!(net.staking().inner().is_next_params_selected());
    net.initiate_epoch_change();
    assert!(!net.staking().inner().is_epoch_sync_done());
    // Two nodes hold 6 of 12 shards: not a quorum (18 < 25); three hold 9: a quorum.
    net.sync_done(0, 1);
    net.sync_done(1, 1);
    assert!(!net.staking().inner().is_epoch_sync_done());
    net.sync_done(2, 1);
    assert!(net.staking().inner().is_epoch_sync_done());
    destroy_stakes(stakes);
    net.destroy();
}

#[test]
fun stake_after_voting_end_activates_in_two_epochs() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.clock().increment_for_testing(1_000_000);
    net.voting_end();
    let sw = net.stake(0, STAKE);
    assert!(sw.activation_epoch() == 3);
    // Not counted in the selected committee: can still be withdrawn directly.
    assert!(net.staking().can_withdraw_staked_wal_early(&sw));
    tu::destroy(sw);
    destroy_stakes(stakes);
    net.destroy();
}

// === StakedWal ===

#[test]
fun split_and_join_staked_wal() {
    let mut net = test_network::new();
    let mut sw = net.stake(0, STAKE);
    let other = net.split(&mut sw, STAKE / 4);
    assert!(sw.value() == STAKE - STAKE / 4);
    assert!(other.value() == STAKE / 4);
    assert!(other.node_id() == sw.node_id());
    assert!(other.activation_epoch() == sw.activation_epoch());
    sw.join(other);
    assert!(sw.value() == STAKE);
    tu::destroy(sw);
    net.destroy();
}

#[test, expected_failure(abort_code = staked_wal::EInvalidAmount)]
fun split_whole_principal_fails() {
    let mut net = test_network::new();
    let mut sw = net.stake(0, STAKE);
    let other = net.split(&mut sw, STAKE);
    tu::destroy(other);
    tu::destroy(sw);
    net.destroy();
}

#[test, expected_failure(abort_code = staked_wal::EInvalidAmount)]
fun split_zero_fails() {
    let mut net = test_network::new();
    let mut sw = net.stake(0, STAKE);
    let other = net.split(&mut sw, 0);
    tu::destroy(other);
    tu::destroy(sw);
    net.destroy();
}

#[test, expected_failure(abort_code = staked_wal::EMetadataMismatch)]
fun join_other_node_fails() {
    let mut net = test_network::new();
    let mut sw = net.stake(0, STAKE);
    let other = net.stake(1, STAKE);
    sw.join(other);
    tu::destroy(sw);
    net.destroy();
}

#[test, expected_failure(abort_code = staked_wal::ENonZeroPrincipal)]
fun destroy_non_zero_fails() {
    let mut net = test_network::new();
    let sw = net.stake(0, STAKE);
    sw.destroy_zero();
    net.destroy();
}

#[test, expected_failure(abort_code = staked_wal::ENotWithdrawing)]
fun withdraw_epoch_of_staked_fails() {
    let mut net = test_network::new();
    let sw = net.stake(0, STAKE);
    sw.withdraw_epoch();
    tu::destroy(sw);
    net.destroy();
}

// === D'Hondt, committee, active set ===

#[test]
fun dhondt_proportional() {
    let shards = staking_inner::dhondt(vector[3, 2, 1], 10, vector[500, 300, 200]);
    assert!(shards == vector[5, 3, 2]);
}

#[test]
fun dhondt_caps_large_nodes() {
    // 4 nodes: at most ceil(12 * 20 / 40) = 6 shards each.
    let shards = staking_inner::dhondt(vector[4, 3, 2, 1], 12, vector[1000, 1, 1, 1]);
    assert!(shards[0] == 6);
    assert!(shards[0] + shards[1] + shards[2] + shards[3] == 12);
}

#[test]
fun dhondt_ties_go_to_higher_priority() {
    let shards = staking_inner::dhondt(vector[1, 2], 3, vector[100, 100]);
    assert!(shards == vector[1, 2]);
}

#[test, expected_failure(abort_code = staking_inner::ENoStake)]
fun dhondt_without_stake_fails() {
    staking_inner::dhondt(vector[1], 10, vector[0]);
}

#[test]
fun committee_transition_moves_few_shards() {
    use sui::vec_map;
    use walrus::committee;
    let a = object::id_from_address(@0x1);
    let b = object::id_from_address(@0x2);
    let c = object::id_from_address(@0x3);
    let first = committee::initialize(vec_map::from_keys_values(vector[b, a], vector[2, 2]));
    assert!(first.shards(&a) == &vector[0, 1]);
    assert!(first.shards(&b) == &vector[2, 3]);
    // a keeps 2, b drops to 1 (gives up shard 3), c joins with 1 (takes shard 3).
    let second = first.transition(vec_map::from_keys_values(vector[a, b, c], vector[2, 1, 1]));
    assert!(second.shards(&a) == &vector[0, 1]);
    assert!(second.shards(&b) == &vector[2]);
    assert!(second.shards(&c) == &vector[3]);
    assert!(second.inner().keys() == vector[a, b, c]);
    // b leaves: its shard goes to c.
    let third = second.transition(vec_map::from_keys_values(vector[a, c], vector[2, 2]));
    assert!(third.shards(&c) == &vector[3, 2]);
    assert!(!third.contains(&b));
}

#[test, expected_failure(abort_code = walrus::committee::EInvalidShardAssignment)]
fun committee_transition_with_other_total_fails() {
    use sui::vec_map;
    use walrus::committee;
    let a = object::id_from_address(@0x1);
    let first = committee::initialize(vec_map::from_keys_values(vector[a], vector[4]));
    first.transition(vec_map::from_keys_values(vector[a], vector[5]));
}

#[test]
fun active_set_evicts_smallest_stake() {
    use walrus::active_set;
    let mut set = active_set::new(2, 0);
    let a = object::id_from_address(@0x1);
    let b = object::id_from_address(@0x2);
    let c = object::id_from_address(@0x3);
    assert!(set.insert_or_update(a, 10));
    assert!(set.insert_or_update(b, 5));
    // Not strictly larger than the minimum: not inserted.
    assert!(!set.insert_or_update(c, 5));
    assert!(set.insert_or_update(c, 6));
    assert!(set.total_stake() == 16);
    assert!(set.stake_for_node(b) == 0);
    // A zero stake removes the node.
    assert!(!set.insert_or_update(a, 0));
    assert!(set.total_stake() == 6);
    assert!(set.size() == 1);
}

#[test, expected_failure(abort_code = walrus::active_set::EZeroMaxSize)]
fun active_set_of_size_zero_fails() {
    walrus::active_set::new(0, 0);
}

#[test]
fun pending_values_and_exchange_rates() {
    use walrus::{pending_values, pool_exchange_rate};
    let mut pending = pending_values::empty();
    pending.insert_or_add(1, 10);
    pending.insert_or_add(1, 5);
    pending.insert_or_add(2, 7);
    assert!(pending.value_at(1) == 15);
    assert!(pending.value_at(2) == 22);
    pending.reduce(2, 2);
    assert!(pending.flush(1) == 15);
    assert!(pending.value_at(5) == 5);
    pending.insert_or_replace(2, 1);
    assert!(pending.value_at(2) == 1);
    let rate = pool_exchange_rate::new(200, 100);
    assert!(rate.convert_to_wal_amount(10) == 20);
    assert!(rate.convert_to_share_amount(10) == 5);
    assert!(pool_exchange_rate::new(0, 0).convert_to_wal_amount(3) == 3);
}

#[test, expected_failure(abort_code = walrus::pending_values::EIncorrectValue)]
fun pending_values_reduce_missing_epoch_fails() {
    let mut pending = walrus::pending_values::empty();
    pending.reduce(1, 1);
}

#[test, expected_failure(abort_code = walrus::pool_exchange_rate::EInvalidRate)]
fun exchange_rate_with_more_shares_than_wal_fails() {
    walrus::pool_exchange_rate::new(1, 2);
}
