#[test_only]
module walrus::misc_tests;

use sui::balance;
use sui::bcs;
use sui::clock;
use sui::test_scenario as ts;
use walrus::auth;
use walrus::extended_field;
use walrus::init;
use walrus::messages;
use walrus::shared_blob::{Self, SharedBlob};
use walrus::staking::Staking;
use walrus::storage_accounting;
use walrus::system::{Self, System};
use walrus::test_utils as tu;

// === Messages ===

#[test]
fun parse_permanent_and_deletable_confirmations() {
    let permanent = messages::certified_permanent_message_bytes(21, 7);
    assert!(permanent.length() == 40);
    let msg = messages::new_certified_message(permanent, 21, 10).certify_blob_message();
    assert!(msg.certified_blob_id() == 7);
    let persistence = msg.blob_persistence_type();
    assert!(!persistence.is_deletable());

    let object_id = object::id_from_address(@0x42);
    let deletable = messages::certified_deletable_message_bytes(21, 7, object_id);
    assert!(deletable.length() == 72);
    let msg = messages::new_certified_message(deletable, 21, 10).certify_blob_message();
    let persistence = msg.blob_persistence_type();
    assert!(persistence.is_deletable());
    assert!(persistence.object_id() == object_id);
}

#[test]
fun trailing_bytes_are_ignored() {
    let mut bytes = messages::certified_permanent_message_bytes(1, 9);
    bytes.push_back(0xff);
    let msg = messages::new_certified_message(bytes, 1, 10).certify_blob_message();
    assert!(msg.certified_blob_id() == 9);
}

#[test, expected_failure(abort_code = messages::EIncorrectIntentVersion)]
fun wrong_intent_version_fails() {
    let mut bytes = messages::certified_permanent_message_bytes(1, 9);
    *&mut bytes[1] = 1;
    messages::new_certified_message(bytes, 1, 10);
}

#[test, expected_failure(abort_code = messages::EIncorrectAppId)]
fun wrong_app_id_fails() {
    let mut bytes = messages::certified_permanent_message_bytes(1, 9);
    *&mut bytes[2] = 2;
    messages::new_certified_message(bytes, 1, 10);
}

#[test, expected_failure(abort_code = messages::EIncorrectEpoch)]
fun wrong_epoch_fails() {
    let bytes = messages::certified_permanent_message_bytes(2, 9);
    messages::new_certified_message(bytes, 1, 10);
}

#[test, expected_failure(abort_code = messages::EInvalidMsgType)]
fun invalid_blob_message_as_certificate_fails() {
    let bytes = messages::invalid_message_bytes(1, 9);
    messages::new_certified_message(bytes, 1, 10).certify_blob_message();
}

#[test, expected_failure(abort_code = messages::EInvalidBlobPersistenceType)]
fun unknown_persistence_type_fails() {
    let mut bytes = vector[1u8, 0, 3];
    bytes.append(bcs::to_bytes(&1u32));
    bytes.append(bcs::to_bytes(&9u256));
    bytes.push_back(2);
    messages::new_certified_message(bytes, 1, 10).certify_blob_message();
}

#[test, expected_failure(abort_code = messages::ENotDeletable)]
fun object_id_of_permanent_fails() {
    let persistence = messages::permanent_for_testing();
    persistence.object_id();
}

#[test, expected_failure(abort_code = messages::EInvalidKeyLength)]
fun proof_of_possession_with_short_key_fails() {
    messages::new_proof_of_possession_msg(0, @0x1, vector[1, 2, 3]);
}

#[test]
fun proof_of_possession_bytes() {
    let msg = messages::new_proof_of_possession_msg(0, tu::node_sender(0), tu::pk(0));
    let bytes = msg.to_bcs();
    assert!(bytes.length() == 3 + 4 + 32 + 48);
    assert!(msg.verify_proof_of_possession(tu::pop(0)));
    assert!(!msg.verify_proof_of_possession(tu::pop(1)));
}

// === Accounting ===

#[test]
fun ring_buffer_rotates() {
    let mut ring = storage_accounting::ring_new(3);
    assert!(ring.max_epochs_ahead() == 3);
    ring.ring_lookup_mut(2).increase_used_capacity(5);
    ring.ring_lookup_mut(0).rewards_balance().join(balance::create_for_testing(100));
    let burned = ring.extract_burn_balance();
    assert!(burned.value() == 3);
    burned.destroy_for_testing();
    let old = ring.ring_pop_expand();
    assert!(old.epoch() == 0 && old.rewards() == 97);
    old.unwrap_balance().destroy_for_testing();
    assert!(ring.ring_lookup(0).epoch() == 1);
    assert!(ring.ring_lookup(1).epoch() == 2);
    assert!(ring.ring_lookup(1).used_capacity() == 5);
    assert!(ring.ring_lookup(2).epoch() == 3);
    tu::destroy(ring);
}

#[test, expected_failure(abort_code = storage_accounting::ETooFarInFuture)]
fun ring_lookup_too_far_fails() {
    let ring = storage_accounting::ring_new(3);
    ring.ring_lookup(3);
    tu::destroy(ring);
}

// === Small utilities ===

#[test]
fun extended_field_swap_and_destroy() {
    let ctx = &mut tx_context::dummy();
    let mut field = extended_field::new(1u64, ctx);
    assert!(*field.borrow() == 1);
    *field.borrow_mut() = 2;
    assert!(field.swap(3) == 2);
    assert!(field.destroy() == 3);
}

#[test]
fun auth_matches_only_the_same_party() {
    let ctx = &tx_context::dummy();
    let sender = auth::authenticate_sender(ctx);
    assert!(sender.matches(&auth::authorized_address(ctx.sender())));
    assert!(!sender.matches(&auth::authorized_address(@0x99)));
    assert!(!sender.matches(&auth::authorized_object(object::id_from_address(ctx.sender()))));
}

// === Shared blobs and initialization ===

#[test]
fun shared_blob_is_funded_and_extended() {
    let admin = @0xad;
    let mut scenario = ts::begin(admin);
    let ctx = scenario.ctx();
    let mut system = system::new_for_testing(10, ctx);
    system
        .inner_mut_for_testing()
        .set_for_testing(tu::committee_1234(0), 1_000_000_000, 1000, 2000);
    let mut coin = tu::mint_wal(100_000, ctx);
    let size = walrus::encoding::encoded_blob_length(tu::size1(), 1, 10);
    let storage = system.reserve_space(size, 2, &mut coin, ctx);
    let mut blob = system.register_blob(
        storage,
        tu::blob1(),
        tu::root1(),
        tu::size1(),
        1,
        false,
        &mut coin,
        ctx,
    );
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    shared_blob::new_funded(blob, tu::mint_wal(1500, ctx), ctx);
    scenario.next_tx(admin);
    let mut shared = scenario.take_shared<SharedBlob>();
    shared.fund(tu::mint_wal(500, scenario.ctx()));
    assert!(shared.funds() == 2000);
    shared.extend(&mut system, 2, scenario.ctx());
    assert!(shared.blob().end_epoch() == 4);
    assert!(shared.funds() == 0);
    ts::return_shared(shared);
    tu::destroy(coin);
    system.destroy_for_testing();
    scenario.end();
}

#[test]
fun initialize_walrus_creates_system_and_staking() {
    let admin = @0xad;
    let mut scenario = ts::begin(admin);
    init::init_for_testing(scenario.ctx());
    scenario.next_tx(admin);
    let init_cap = scenario.take_from_sender<init::InitCap>();
    let package_id = object::id_from_address(@0x1234);
    let upgrade_cap = sui::package::test_publish(package_id, scenario.ctx());
    let clock = clock::create_for_testing(scenario.ctx());
    init::initialize_walrus(init_cap, &upgrade_cap, 0, 10_000, 100, 53, &clock, scenario.ctx());
    scenario.next_tx(admin);
    let system = scenario.take_shared<System>();
    let staking = scenario.take_shared<Staking>();
    assert!(system.epoch() == 0);
    assert!(system.package_id() == package_id);
    assert!(system.version() == 1);
    assert!(staking.n_shards() == 100);
    assert!(staking.epoch() == 0);
    ts::return_shared(system);
    ts::return_shared(staking);
    clock.destroy_for_testing();
    tu::destroy(upgrade_cap);
    scenario.end();
}
