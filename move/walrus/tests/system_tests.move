#[test_only]
module walrus::system_tests;

use sui::coin::Coin;
use wal::wal::WAL;
use walrus::blob::{Self, Blob};
use walrus::bls_aggregate;
use walrus::encoding;
use walrus::messages;
use walrus::metadata;
use walrus::storage_resource;
use walrus::system::{Self, System};
use walrus::system_state_inner;
use walrus::test_utils as tu;

const N_SHARDS: u16 = 10;
const CAPACITY: u64 = 1_000_000_000;
const STORAGE_PRICE: u64 = 1000;
const WRITE_PRICE: u64 = 2000;
const MAX_EPOCHS_AHEAD: u32 = 10;

/// A system in `epoch` with the test committee (weights 1, 2, 3, 4).
fun new_system(epoch: u32, ctx: &mut TxContext): System {
    let mut system = system::new_for_testing(MAX_EPOCHS_AHEAD, ctx);
    system
        .inner_mut_for_testing()
        .set_for_testing(tu::committee_1234(epoch), CAPACITY, STORAGE_PRICE, WRITE_PRICE);
    system
}

fun set_epoch(system: &mut System, epoch: u32) {
    system
        .inner_mut_for_testing()
        .set_for_testing(tu::committee_1234(epoch), CAPACITY, STORAGE_PRICE, WRITE_PRICE);
}

fun encoded_size1(): u64 { encoding::encoded_blob_length(tu::size1(), 1, N_SHARDS) }

/// Registers BLOB1 for `epochs` epochs.
fun register_blob1(
    system: &mut System,
    deletable: bool,
    epochs: u32,
    coin: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Blob {
    let storage = system.reserve_space(encoded_size1(), epochs, coin, ctx);
    system.register_blob(storage, tu::blob1(), tu::root1(), tu::size1(), 1, deletable, coin, ctx)
}

// === Sizes and IDs ===

#[test]
fun encoded_length_matches_spec() {
    // walrus-protocol.md §1.7: n = 10, L <= 28 gives 6,940 bytes.
    assert!(encoding::encoded_blob_length(1, 1, 10) == 6_940);
    assert!(encoding::encoded_blob_length(0, 1, 10) == 6_940);
    // n = 1000, L = 17 gives 66,034,000 bytes.
    assert!(encoding::encoded_blob_length(17, 1, 1000) == 66_034_000);
    assert!(encoded_size1() == 10_680);
}

#[test, expected_failure(abort_code = encoding::EInvalidEncodingType)]
fun encoding_type_zero_fails() {
    encoding::encoded_blob_length(1, 0, 10);
}

#[test]
fun derive_blob_id_matches_vector() {
    assert!(blob::derive_blob_id(tu::root1(), 1, tu::size1()) == tu::blob1());
    assert!(blob::derive_blob_id(tu::root2(), 1, tu::size2()) == tu::blob2());
}

// === Reserve space ===

#[test]
fun reserve_space_charges_each_epoch() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(10_000, ctx);
    let storage = system.reserve_space(2 * 1024 * 1024, 3, &mut coin, ctx);
    // 2 units per epoch for 3 epochs.
    assert!(coin.value() == 10_000 - 3 * 2 * STORAGE_PRICE);
    assert!(storage.start_epoch() == 0 && storage.end_epoch() == 3);
    assert!(system.used_capacity_size() == 2 * 1024 * 1024);
    let accounting = system.inner().future_accounting();
    assert!(accounting.ring_lookup(0).rewards() == 2 * STORAGE_PRICE);
    assert!(accounting.ring_lookup(2).rewards() == 2 * STORAGE_PRICE);
    assert!(accounting.ring_lookup(3).rewards() == 0);
    assert!(accounting.ring_lookup(2).used_capacity() == 2 * 1024 * 1024);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test]
fun reserve_space_for_epochs_clamps_start() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(2, ctx);
    let mut coin = tu::mint_wal(10_000, ctx);
    let storage = system.reserve_space_for_epochs(100, 0, 4, &mut coin, ctx);
    assert!(storage.start_epoch() == 2 && storage.end_epoch() == 4);
    assert!(coin.value() == 10_000 - 2 * STORAGE_PRICE);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidEpochsAhead)]
fun reserve_space_zero_epochs_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(10_000, ctx);
    let storage = system.reserve_space(100, 0, &mut coin, ctx);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidEpochsAhead)]
fun reserve_space_too_far_ahead_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = system.reserve_space(100, MAX_EPOCHS_AHEAD + 1, &mut coin, ctx);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidEpochsAhead)]
fun reserve_space_for_epochs_empty_period_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(3, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = system.reserve_space_for_epochs(100, 0, 3, &mut coin, ctx);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidResourceSize)]
fun reserve_space_zero_size_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(10_000, ctx);
    let storage = system.reserve_space(0, 1, &mut coin, ctx);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EStorageExceeded)]
fun reserve_space_over_capacity_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(1_000_000_000, ctx);
    let first = system.reserve_space(CAPACITY, 2, &mut coin, ctx);
    // The second epoch is full, so one more byte there is too much.
    let second = system.reserve_space_for_epochs(1, 1, 2, &mut coin, ctx);
    first.destroy();
    second.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = sui::balance::ENotEnough)]
fun reserve_space_underpaid_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(STORAGE_PRICE * 3 - 1, ctx);
    let storage = system.reserve_space(100, 3, &mut coin, ctx);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidMaxEpochsAhead)]
fun max_epochs_ahead_over_1000_fails() {
    let ctx = &mut tx_context::dummy();
    let system = system::new_for_testing(1001, ctx);
    system.destroy_for_testing();
}

// === Register ===

#[test]
fun register_blob_charges_write_fee() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    assert!(coin.value() == 100_000 - 3 * STORAGE_PRICE - WRITE_PRICE);
    assert!(blob.blob_id() == tu::blob1());
    assert!(blob.size() == tu::size1());
    assert!(blob.encoding_type() == 1);
    assert!(blob.registered_epoch() == 0);
    assert!(blob.certified_epoch().is_none());
    assert!(blob.end_epoch() == 3);
    assert!(!blob.is_deletable());
    let accounting = system.inner().future_accounting();
    assert!(accounting.ring_lookup(0).rewards() == STORAGE_PRICE + WRITE_PRICE);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobId)]
fun register_blob_id_mismatch_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = system.reserve_space(encoded_size1(), 3, &mut coin, ctx);
    // BLOB2 does not derive from ROOT1 and SIZE1.
    let blob = system.register_blob(
        storage,
        tu::blob2(),
        tu::root1(),
        tu::size1(),
        1,
        false,
        &mut coin,
        ctx,
    );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceSize)]
fun register_blob_storage_too_small_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = system.reserve_space(encoded_size1() - 1, 3, &mut coin, ctx);
    let blob = system.register_blob(
        storage,
        tu::blob1(),
        tu::root1(),
        tu::size1(),
        1,
        false,
        &mut coin,
        ctx,
    );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun register_blob_storage_expired_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(5, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = storage_resource::create_for_test(2, 5, encoded_size1(), ctx);
    let blob = system.register_blob(
        storage,
        tu::blob1(),
        tu::root1(),
        tu::size1(),
        1,
        false,
        &mut coin,
        ctx,
    );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun register_blob_storage_not_started_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let storage = storage_resource::create_for_test(1, 5, encoded_size1(), ctx);
    let blob = system.register_blob(
        storage,
        tu::blob1(),
        tu::root1(),
        tu::size1(),
        1,
        false,
        &mut coin,
        ctx,
    );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

// === Certify ===

#[test]
fun certify_blob_with_all_signers() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    assert!(blob.certified_epoch() == &option::some(0));
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test]
fun certify_blob_with_exact_quorum() {
    // Signers 2 and 3 hold 3 + 4 = 7 of 10 shards: 3 * 7 = 21 = 2 * 10 + 1.
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_23(), tu::bitmap(vector[2, 3], 1), tu::m1());
    assert!(blob.certified_epoch().is_some());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun certify_blob_below_quorum_fails() {
    // Signers 1 and 3 hold 2 + 4 = 6 of 10 shards: 18 < 21.
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_23(), tu::bitmap(vector[1, 3], 1), tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun certify_blob_short_bitmap_counts_missing_as_non_signers() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), vector[], tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::EInvalidBitmap)]
fun certify_blob_bitmap_too_long_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), vector[0x0f, 0x00], tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::EInvalidBitmap)]
fun certify_blob_bit_beyond_members_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), vector[0x1f], tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::ESigVerification)]
fun certify_blob_wrong_signature_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    // The signature of all four members does not match the key of members 2 and 3.
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[2, 3], 1), tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EAlreadyCertified)]
fun certify_blob_twice_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = messages::EIncorrectEpoch)]
fun certify_blob_message_of_other_epoch_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    // M3 is signed correctly but for epoch 1.
    system.certify_blob(&mut blob, tu::sig_m3_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m3());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobPersistenceType)]
fun certify_deletable_blob_with_permanent_certificate_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, true, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobId)]
fun certify_other_blob_id_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let size = encoding::encoded_blob_length(tu::size2(), 1, N_SHARDS);
    let storage = system.reserve_space(size, 3, &mut coin, ctx);
    let mut blob = system.register_blob(
        storage,
        tu::blob2(),
        tu::root2(),
        tu::size2(),
        1,
        false,
        &mut coin,
        ctx,
    );
    // M1 certifies BLOB1.
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test]
fun certify_deletable_blob_with_its_object_id() {
    // Test-only path: the object ID of a Blob is only known at run time, so the signature is
    // not checked here (bitmap and weight are).
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, true, 3, &mut coin, ctx);
    let message = messages::certified_deletable_message_bytes(0, tu::blob1(), blob.object_id());
    system
        .inner()
        .certify_blob_without_signature_for_testing(
            &mut blob,
            tu::bitmap(vector[2, 3], 1),
            message,
        );
    assert!(blob.certified_epoch().is_some());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobObject)]
fun certify_deletable_blob_with_other_object_id_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, true, 3, &mut coin, ctx);
    let message = messages::certified_deletable_message_bytes(
        0,
        tu::blob1(),
        object::id_from_address(@0xdead),
    );
    system
        .inner()
        .certify_blob_without_signature_for_testing(
            &mut blob,
            tu::bitmap(vector[2, 3], 1),
            message,
        );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun certify_expired_blob_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 1, &mut coin, ctx);
    set_epoch(&mut system, 1);
    let message = messages::certified_permanent_message_bytes(1, tu::blob1());
    system
        .inner()
        .certify_blob_without_signature_for_testing(
            &mut blob,
            tu::bitmap(vector[2, 3], 1),
            message,
        );
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

// === Invalid blob IDs ===

#[test]
fun invalidate_blob_id_with_one_correct_node() {
    // Member 3 holds 4 of 10 shards: 3 * 4 = 12 >= 10 + 1.
    let ctx = &mut tx_context::dummy();
    let system = new_system(0, ctx);
    let blob_id = system.invalidate_blob_id(tu::sig_m2_3(), tu::bitmap(vector[3], 1), tu::m2());
    assert!(blob_id == tu::blob2());
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun invalidate_blob_id_below_one_correct_node_fails() {
    // Member 2 holds 3 of 10 shards: 9 < 11.
    let ctx = &mut tx_context::dummy();
    let system = new_system(0, ctx);
    system.invalidate_blob_id(tu::sig_m2_3(), tu::bitmap(vector[2], 1), tu::m2());
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = messages::EInvalidMsgType)]
fun invalidate_blob_id_with_certification_message_fails() {
    let ctx = &mut tx_context::dummy();
    let system = new_system(0, ctx);
    system.invalidate_blob_id(tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    system.destroy_for_testing();
}

// === Delete, burn, extend ===

#[test]
fun delete_deletable_blob_returns_storage() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let blob = register_blob1(&mut system, true, 3, &mut coin, ctx);
    let storage = system.delete_blob(blob);
    assert!(storage.storage_size() == encoded_size1());
    assert!(storage.end_epoch() == 3);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EBlobNotDeletable)]
fun delete_permanent_blob_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    let storage = system.delete_blob(blob);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun delete_expired_blob_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let blob = register_blob1(&mut system, true, 2, &mut coin, ctx);
    set_epoch(&mut system, 2);
    let storage = system.delete_blob(blob);
    storage.destroy();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test]
fun extend_blob_pays_for_new_epochs() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    let before = coin.value();
    system.extend_blob(&mut blob, 2, &mut coin);
    assert!(blob.end_epoch() == 5);
    assert!(coin.value() == before - 2 * STORAGE_PRICE);
    let accounting = system.inner().future_accounting();
    assert!(accounting.ring_lookup(4).used_capacity() == encoded_size1());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::ENotCertified)]
fun extend_uncertified_blob_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.extend_blob(&mut blob, 2, &mut coin);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = system_state_inner::EInvalidEpochsAhead)]
fun extend_blob_too_far_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    system.extend_blob(&mut blob, MAX_EPOCHS_AHEAD - 2, &mut coin);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test]
fun extend_blob_with_resource_fuses_periods() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    let extension = system.reserve_space_for_epochs(encoded_size1(), 3, 6, &mut coin, ctx);
    system.extend_blob_with_resource(&mut blob, extension);
    assert!(blob.end_epoch() == 6);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun extend_blob_with_resource_of_other_size_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    let extension = system.reserve_space_for_epochs(encoded_size1() + 1, 3, 6, &mut coin, ctx);
    system.extend_blob_with_resource(&mut blob, extension);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun extend_blob_with_non_adjacent_resource_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    let extension = system.reserve_space_for_epochs(encoded_size1(), 4, 6, &mut coin, ctx);
    system.extend_blob_with_resource(&mut blob, extension);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun extend_blob_with_earlier_resource_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    system.certify_blob(&mut blob, tu::sig_m1_all(), tu::bitmap(vector[0, 1, 2, 3], 1), tu::m1());
    let extension = system.reserve_space_for_epochs(encoded_size1(), 0, 2, &mut coin, ctx);
    system.extend_blob_with_resource(&mut blob, extension);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

// === Metadata ===

#[test]
fun blob_metadata_lifecycle() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    blob.insert_or_update_metadata_pair(b"content-type".to_string(), b"text/plain".to_string());
    blob.insert_or_update_metadata_pair(b"content-type".to_string(), b"image/png".to_string());
    let (key, value) = blob.remove_metadata_pair(&b"content-type".to_string());
    assert!(key == b"content-type".to_string() && value == b"image/png".to_string());
    assert!(blob.remove_metadata_pair_if_exists(&b"missing".to_string()).is_none());
    let metadata = blob.take_metadata();
    assert!(metadata.metadata().is_empty());
    blob.add_metadata(metadata::new());
    let replaced = blob.add_or_replace_metadata(metadata::new());
    assert!(replaced.is_some());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EDuplicateMetadata)]
fun add_metadata_twice_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    blob.add_metadata(metadata::new());
    blob.add_metadata(metadata::new());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EMissingMetadata)]
fun take_missing_metadata_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    let metadata = blob.take_metadata();
    tu::destroy(metadata);
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}

#[test, expected_failure(abort_code = blob::EMissingMetadata)]
fun remove_pair_without_metadata_fails() {
    let ctx = &mut tx_context::dummy();
    let mut system = new_system(0, ctx);
    let mut coin = tu::mint_wal(100_000, ctx);
    let mut blob = register_blob1(&mut system, false, 3, &mut coin, ctx);
    let (_, _) = blob.remove_metadata_pair(&b"key".to_string());
    blob.burn();
    tu::destroy(coin);
    system.destroy_for_testing();
}
