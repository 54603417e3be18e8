#[test_only]
module walrus::storage_resource_tests;

use walrus::storage_resource::{Self, Storage};

fun storage(start: u32, end: u32, size: u64, ctx: &mut TxContext): Storage {
    storage_resource::create_for_test(start, end, size, ctx)
}

#[test]
fun split_by_epoch_and_fuse_periods() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(0, 10, 100, ctx);
    let second = first.split_by_epoch(4, ctx);
    assert!(first.start_epoch() == 0 && first.end_epoch() == 4);
    assert!(second.start_epoch() == 4 && second.end_epoch() == 10);
    assert!(second.storage_size() == 100);
    first.fuse_periods(second);
    assert!(first.start_epoch() == 0 && first.end_epoch() == 10);
    first.destroy();
}

#[test]
fun fuse_periods_in_reverse_order() {
    let ctx = &mut tx_context::dummy();
    let mut later = storage(5, 8, 100, ctx);
    let earlier = storage(2, 5, 100, ctx);
    later.fuse_periods(earlier);
    assert!(later.start_epoch() == 2 && later.end_epoch() == 8);
    later.destroy();
}

#[test]
fun split_by_size_and_fuse_amount() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(0, 10, 100, ctx);
    let second = first.split_by_size(30, ctx);
    assert!(first.storage_size() == 30);
    assert!(second.storage_size() == 70);
    first.fuse_amount(second);
    assert!(first.storage_size() == 100);
    first.destroy();
}

#[test]
fun fuse_picks_amount_or_period() {
    let ctx = &mut tx_context::dummy();
    let mut a = storage(0, 5, 100, ctx);
    a.fuse(storage(0, 5, 50, ctx));
    assert!(a.storage_size() == 150);
    a.fuse(storage(5, 7, 150, ctx));
    assert!(a.end_epoch() == 7);
    a.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpoch)]
fun split_by_epoch_at_start_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 10, 100, ctx);
    let other = s.split_by_epoch(0, ctx);
    other.destroy();
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpoch)]
fun split_by_epoch_at_end_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 10, 100, ctx);
    let other = s.split_by_epoch(10, ctx);
    other.destroy();
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun split_by_size_too_large_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 10, 100, ctx);
    let other = s.split_by_size(101, ctx);
    other.destroy();
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun fuse_periods_different_sizes_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 5, 100, ctx);
    s.fuse_periods(storage(5, 10, 99, ctx));
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun fuse_periods_not_adjacent_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 5, 100, ctx);
    s.fuse_periods(storage(6, 10, 100, ctx));
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun fuse_amount_different_periods_fails() {
    let ctx = &mut tx_context::dummy();
    let mut s = storage(0, 5, 100, ctx);
    s.fuse_amount(storage(0, 6, 100, ctx));
    s.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpochRange)]
fun create_empty_range_fails() {
    let ctx = &mut tx_context::dummy();
    let s = storage_resource::create_storage(3, 3, 100, ctx);
    s.destroy();
}
