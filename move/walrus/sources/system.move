/// The shared `System` object: the entry point for buying storage and registering, certifying,
/// extending and deleting blobs. Its state lives in a `SystemStateInnerV1` dynamic field keyed
/// by `version`.
module walrus::system;

use sui::balance::Balance;
use sui::coin::Coin;
use sui::dynamic_field;
use sui::vec_map::VecMap;
use wal::wal::WAL;
use walrus::blob::Blob;
use walrus::bls_aggregate::BlsCommittee;
use walrus::epoch_parameters::EpochParams;
use walrus::storage_resource::Storage;
use walrus::system_state_inner::{Self, SystemStateInnerV1};

/// The package version does not match the system object's version.
const EWrongVersion: u64 = 1;

/// Version of the system object and key of its inner state (haulout's first version).
const VERSION: u64 = 1;

/// The one and only system object.
public struct System has key {
    id: UID,
    version: u64,
    /// The package every client move call targets.
    package_id: ID,
    new_package_id: Option<ID>,
}

/// Creates and shares an empty system object. Called once, by `init::initialize_walrus`.
public(package) fun create_empty(max_epochs_ahead: u32, package_id: ID, ctx: &mut TxContext) {
    let mut system = System {
        id: object::new(ctx),
        version: VERSION,
        package_id,
        new_package_id: option::none(),
    };
    let inner = system_state_inner::create_empty(max_epochs_ahead, ctx);
    dynamic_field::add(&mut system.id, VERSION, inner);
    transfer::share_object(system);
}

/// Buys a storage resource of `storage_amount` encoded bytes for `epochs_ahead` epochs starting
/// now, paid from `payment` (storage price × ceil(amount / 1 MiB) per epoch).
public fun reserve_space(
    self: &mut System,
    storage_amount: u64,
    epochs_ahead: u32,
    payment: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Storage {
    self.inner_mut().reserve_space(storage_amount, epochs_ahead, payment, ctx)
}

/// Buys a storage resource for `[start_epoch, end_epoch)`; a past start epoch is replaced by
/// the current epoch.
public fun reserve_space_for_epochs(
    self: &mut System,
    storage_amount: u64,
    start_epoch: u32,
    end_epoch: u32,
    payment: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Storage {
    self.inner_mut().reserve_space_for_epochs(storage_amount, start_epoch, end_epoch, payment, ctx)
}

/// Registers a blob: checks the blob ID against `root_hash`, `size` and `encoding_type`, that
/// `storage` covers the current epoch and the encoded size, and pays the write fee from
/// `write_payment`. Emits `BlobRegistered`.
public fun register_blob(
    self: &mut System,
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    write_payment: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Blob {
    self
        .inner_mut()
        .register_blob(
            storage,
            blob_id,
            root_hash,
            size,
            encoding_type,
            deletable,
            write_payment,
            ctx,
        )
}

/// Certifies a blob with a quorum certificate (aggregate signature, signers bitmap and the
/// signed confirmation message) of the current committee. Emits `BlobCertified`.
public fun certify_blob(
    self: &System,
    blob: &mut Blob,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
) {
    self.inner().certify_blob(blob, signature, signers_bitmap, message);
}

/// Deletes a deletable blob and returns its storage resource. Emits `BlobDeleted`.
public fun delete_blob(self: &System, blob: Blob): Storage {
    self.inner().delete_blob(blob)
}

/// Extends a certified blob with a storage resource of the same size that starts where the
/// blob's storage ends. Emits `BlobCertified { is_extension: true }`.
public fun extend_blob_with_resource(self: &System, blob: &mut Blob, extension: Storage) {
    self.inner().extend_blob_with_resource(blob, extension);
}

/// Extends a certified blob by `extended_epochs`, paying storage from `payment`.
/// Emits `BlobCertified { is_extension: true }`.
public fun extend_blob(
    self: &mut System,
    blob: &mut Blob,
    extended_epochs: u32,
    payment: &mut Coin<WAL>,
) {
    self.inner_mut().extend_blob(blob, extended_epochs, payment);
}

/// Marks a blob ID invalid with a certificate of signers holding more than a third of the
/// shards. Emits `InvalidBlobID` and returns the blob ID.
public fun invalidate_blob_id(
    self: &System,
    signature: vector<u8>,
    members_bitmap: vector<u8>,
    message: vector<u8>,
): u256 {
    self.inner().invalidate_blob_id(signature, members_bitmap, message)
}

// === Public accessors ===

/// The current Walrus epoch.
public fun epoch(self: &System): u32 {
    self.inner().epoch()
}

/// The number of shards.
public fun n_shards(self: &System): u16 {
    self.inner().n_shards()
}

/// The total capacity in encoded bytes.
public fun total_capacity_size(self: &System): u64 {
    self.inner().total_capacity_size()
}

/// The capacity used in the current epoch, in encoded bytes.
public fun used_capacity_size(self: &System): u64 {
    self.inner().used_capacity_size()
}

/// The storage price in FROST per MiB (encoded) per epoch.
public fun storage_price_per_unit_size(self: &System): u64 {
    self.inner().storage_price_per_unit_size()
}

/// The write price in FROST per MiB (encoded).
public fun write_price_per_unit_size(self: &System): u64 {
    self.inner().write_price_per_unit_size()
}

// === Package functions ===

/// Moves to the next epoch; returns the ending epoch's rewards per old committee member.
public(package) fun advance_epoch(
    self: &mut System,
    new_committee: BlsCommittee,
    new_epoch_params: &EpochParams,
): VecMap<ID, Balance<WAL>> {
    self.inner_mut().advance_epoch(new_committee, new_epoch_params)
}

/// Splits off the part of the current epoch's rewards burned at the epoch change.
public(package) fun extract_burn_balance(self: &mut System): Balance<WAL> {
    self.inner_mut().extract_burn_balance()
}

/// Sets the storage price.
public(package) fun set_storage_price(self: &mut System, price: u64) {
    self.inner_mut().set_storage_price(price)
}

/// Sets the write price.
public(package) fun set_write_price(self: &mut System, price: u64) {
    self.inner_mut().set_write_price(price)
}

/// The package ID clients target.
public(package) fun package_id(self: &System): ID { self.package_id }

/// The object's version.
public(package) fun version(self: &System): u64 { self.version }

/// The inner state. Aborts with `EWrongVersion` if the version is not this package's.
public(package) fun inner(self: &System): &SystemStateInnerV1 {
    assert!(self.version == VERSION, EWrongVersion);
    dynamic_field::borrow(&self.id, VERSION)
}

fun inner_mut(self: &mut System): &mut SystemStateInnerV1 {
    assert!(self.version == VERSION, EWrongVersion);
    dynamic_field::borrow_mut(&mut self.id, VERSION)
}

// === Tests ===

#[test_only]
/// Creates a system object (not shared) for tests.
public fun new_for_testing(max_epochs_ahead: u32, ctx: &mut TxContext): System {
    let mut system = System {
        id: object::new(ctx),
        version: VERSION,
        package_id: object::id_from_address(@0x0),
        new_package_id: option::none(),
    };
    let inner = system_state_inner::create_empty(max_epochs_ahead, ctx);
    dynamic_field::add(&mut system.id, VERSION, inner);
    system
}

#[test_only]
/// The inner state, mutably, for tests.
public fun inner_mut_for_testing(self: &mut System): &mut SystemStateInnerV1 {
    self.inner_mut()
}

#[test_only]
/// Destroys a system object in a test.
public fun destroy_for_testing(self: System) {
    sui::test_utils::destroy(self);
}
