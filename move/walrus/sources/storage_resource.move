/// Storage resources: a reservation of `storage_size` encoded bytes for the epochs
/// `[start_epoch, end_epoch)`. Bought with `system::reserve_space` and consumed by blobs.
module walrus::storage_resource;

/// The split epoch is not strictly inside the resource's period.
const EInvalidEpoch: u64 = 0;
/// The periods of the two resources are not compatible for fusing.
const EIncompatibleEpochs: u64 = 1;
/// The sizes of the two resources are not compatible, or the split size is too large.
const EIncompatibleAmount: u64 = 2;
/// The start epoch is not before the end epoch.
const EInvalidEpochRange: u64 = 3;

/// Reservation of storage for a period: start inclusive, end exclusive; size in encoded bytes.
public struct Storage has key, store {
    id: UID,
    start_epoch: u32,
    end_epoch: u32,
    storage_size: u64,
}

/// The first epoch covered.
public fun start_epoch(self: &Storage): u32 {
    self.start_epoch
}

/// The first epoch no longer covered.
public fun end_epoch(self: &Storage): u32 {
    self.end_epoch
}

/// The reserved size in encoded bytes.
public fun storage_size(self: &Storage): u64 {
    self.storage_size
}

/// Creates a storage resource. Only the system creates resources, against payment.
public(package) fun create_storage(
    start_epoch: u32,
    end_epoch: u32,
    storage_size: u64,
    ctx: &mut TxContext,
): Storage {
    assert!(start_epoch < end_epoch, EInvalidEpochRange);
    Storage { id: object::new(ctx), start_epoch, end_epoch, storage_size }
}

/// Extends the end epoch by `extension_epochs` (payment is handled by the caller).
public(package) fun extend_end_epoch(self: &mut Storage, extension_epochs: u32) {
    self.end_epoch = self.end_epoch + extension_epochs;
}

/// Splits `storage` at `split_epoch`: `storage` keeps `[start, split_epoch)` and the returned
/// resource covers `[split_epoch, end)`, both with the same size.
/// Aborts with `EInvalidEpoch` unless `start < split_epoch < end`.
public fun split_by_epoch(storage: &mut Storage, split_epoch: u32, ctx: &mut TxContext): Storage {
    assert!(split_epoch > storage.start_epoch && split_epoch < storage.end_epoch, EInvalidEpoch);
    let end_epoch = storage.end_epoch;
    storage.end_epoch = split_epoch;
    Storage {
        id: object::new(ctx),
        start_epoch: split_epoch,
        end_epoch,
        storage_size: storage.storage_size,
    }
}

/// Splits `storage` by size: `storage` keeps `split_size` bytes and the returned resource has
/// the rest, for the same period. Aborts with `EIncompatibleAmount` if `split_size` is larger
/// than the resource.
public fun split_by_size(storage: &mut Storage, split_size: u64, ctx: &mut TxContext): Storage {
    assert!(storage.storage_size >= split_size, EIncompatibleAmount);
    let storage_size = storage.storage_size - split_size;
    storage.storage_size = split_size;
    Storage {
        id: object::new(ctx),
        start_epoch: storage.start_epoch,
        end_epoch: storage.end_epoch,
        storage_size,
    }
}

/// Fuses two resources of the same size that cover adjacent periods (in either order).
/// Aborts with `EIncompatibleAmount` on different sizes and `EIncompatibleEpochs` if the periods
/// are not adjacent.
public fun fuse_periods(first: &mut Storage, second: Storage) {
    let Storage {
        id,
        start_epoch: second_start,
        end_epoch: second_end,
        storage_size: second_size,
    } = second;
    id.delete();
    assert!(first.storage_size == second_size, EIncompatibleAmount);
    if (first.end_epoch == second_start) {
        first.end_epoch = second_end;
    } else {
        assert!(first.start_epoch == second_end, EIncompatibleEpochs);
        first.start_epoch = second_start;
    }
}

/// Fuses two resources that cover the same period, adding their sizes.
/// Aborts with `EIncompatibleEpochs` if the periods differ.
public fun fuse_amount(first: &mut Storage, second: Storage) {
    let Storage {
        id,
        start_epoch: second_start,
        end_epoch: second_end,
        storage_size: second_size,
    } = second;
    id.delete();
    assert!(
        first.start_epoch == second_start && first.end_epoch == second_end,
        EIncompatibleEpochs,
    );
    first.storage_size = first.storage_size + second_size;
}

/// Fuses two resources: by amount if they start in the same epoch, otherwise by period.
public fun fuse(first: &mut Storage, second: Storage) {
    if (first.start_epoch == second.start_epoch) {
        first.fuse_amount(second);
    } else {
        first.fuse_periods(second);
    }
}

/// Destroys a storage resource (for example an expired one).
public fun destroy(storage: Storage) {
    let Storage { id, .. } = storage;
    id.delete();
}

#[test_only]
/// Creates a storage resource without payment, for tests.
public fun create_for_test(
    start_epoch: u32,
    end_epoch: u32,
    storage_size: u64,
    ctx: &mut TxContext,
): Storage {
    Storage { id: object::new(ctx), start_epoch, end_epoch, storage_size }
}
