/// The inner state of the `System` object: committee, capacity, prices and the accounting of
/// future epochs. Stored as a dynamic field of `System` keyed by its version.
module walrus::system_state_inner;

use sui::balance::Balance;
use sui::coin::Coin;
use sui::vec_map::{Self, VecMap};
use wal::wal::WAL;
use walrus::blob::{Self, Blob};
use walrus::bls_aggregate::{Self, BlsCommittee};
use walrus::epoch_parameters::EpochParams;
use walrus::event_blob::{Self, EventBlobCertificationState};
use walrus::events;
use walrus::extended_field::{Self, ExtendedField};
use walrus::storage_accounting::{Self, FutureAccountingRingBuffer};
use walrus::storage_resource::{Self, Storage};

/// Upper bound of `max_epochs_ahead`, to bound the size of the accounting ring buffer.
const MAX_MAX_EPOCHS_AHEAD: u32 = 1000;
/// Prices are per MiB of encoded size, rounded up.
const BYTES_PER_UNIT_SIZE: u64 = 1_024 * 1_024;

/// `max_epochs_ahead` is larger than 1000.
const EInvalidMaxEpochsAhead: u64 = 0;
/// The reservation would exceed the total capacity in some epoch.
const EStorageExceeded: u64 = 1;
/// The number of epochs is zero or more than `max_epochs_ahead`.
const EInvalidEpochsAhead: u64 = 2;
/// The certificate's epoch is not the current epoch.
const EInvalidIdEpoch: u64 = 3;
/// The new committee is not for the next epoch.
const EIncorrectCommittee: u64 = 4;
/// The accounting ring buffer is not at the current epoch.
const EInvalidAccountingEpoch: u64 = 5;
/// The storage amount is zero.
const EInvalidResourceSize: u64 = 11;

/// The system's inner state (Walrus `SystemStateInnerV1` layout).
public struct SystemStateInnerV1 has store {
    /// The current committee, which also gives the current epoch.
    committee: BlsCommittee,
    /// Capacity for the current and future epochs, in encoded bytes.
    total_capacity_size: u64,
    /// Capacity used in the current epoch.
    used_capacity_size: u64,
    /// FROST per MiB of encoded size per epoch.
    storage_price_per_unit_size: u64,
    /// FROST per MiB of encoded size, paid once at registration.
    write_price_per_unit_size: u64,
    /// Accounting of the current and future epochs.
    future_accounting: FutureAccountingRingBuffer,
    /// Event-blob state (unused by haulout, kept empty).
    event_blob_certification_state: EventBlobCertificationState,
    /// Deny-list sizes per node (unused by haulout, kept empty).
    deny_list_sizes: ExtendedField<VecMap<ID, u64>>,
}

/// Creates an empty state: epoch 0, an empty committee, zero capacity and prices.
/// Aborts with `EInvalidMaxEpochsAhead` if `max_epochs_ahead > 1000`.
public(package) fun create_empty(max_epochs_ahead: u32, ctx: &mut TxContext): SystemStateInnerV1 {
    assert!(max_epochs_ahead <= MAX_MAX_EPOCHS_AHEAD, EInvalidMaxEpochsAhead);
    SystemStateInnerV1 {
        committee: bls_aggregate::new_bls_committee(0, vector[]),
        total_capacity_size: 0,
        used_capacity_size: 0,
        storage_price_per_unit_size: 0,
        write_price_per_unit_size: 0,
        future_accounting: storage_accounting::ring_new(max_epochs_ahead),
        event_blob_certification_state: event_blob::create_with_empty_state(),
        deny_list_sizes: extended_field::new(vec_map::empty(), ctx),
    }
}

/// Moves to the next epoch with `new_committee` and the capacity of `new_epoch_params`
/// (at least the used capacity). Returns the ending epoch's rewards split over the old
/// committee in proportion to `weight × used_capacity`; rounding leftovers go to the new epoch.
public(package) fun advance_epoch(
    self: &mut SystemStateInnerV1,
    new_committee: BlsCommittee,
    new_epoch_params: &EpochParams,
): VecMap<ID, Balance<WAL>> {
    let old_epoch = self.epoch();
    let old_committee = self.committee;
    assert!(new_committee.epoch() == old_epoch + 1, EIncorrectCommittee);
    self.committee = new_committee;

    let accounts_old_epoch = self.future_accounting.ring_pop_expand();
    assert!(accounts_old_epoch.epoch() == old_epoch, EInvalidAccountingEpoch);
    self.event_blob_certification_state.reset();

    let old_epoch_used_capacity = accounts_old_epoch.used_capacity();
    self.used_capacity_size = self.future_accounting.ring_lookup_mut(0).used_capacity();
    self.total_capacity_size = new_epoch_params.capacity().max(self.used_capacity_size);

    let mut total_rewards = accounts_old_epoch.unwrap_balance();
    let deny_list_sizes = self.deny_list_sizes.borrow();
    let (node_ids, weights) = old_committee.to_vec_map().into_keys_values();
    let mut stored = vector[];
    let mut total_stored: u128 = 0;
    let mut i = 0;
    while (i < node_ids.length()) {
        let deny_list_size = if (deny_list_sizes.contains(&node_ids[i])) {
            (*deny_list_sizes.get(&node_ids[i])).min(old_epoch_used_capacity)
        } else {
            0
        };
        let weighted = (weights[i] as u128) * ((old_epoch_used_capacity - deny_list_size) as u128);
        total_stored = total_stored + weighted;
        stored.push_back(weighted);
        i = i + 1;
    };
    let total_stored = total_stored.max(1);
    let total_rewards_value = total_rewards.value() as u128;
    let mut reward_values = vector[];
    let mut j = 0;
    while (j < stored.length()) {
        let amount = (stored[j] * total_rewards_value / total_stored) as u64;
        reward_values.push_back(total_rewards.split(amount));
        j = j + 1;
    };
    self.future_accounting.ring_lookup_mut(0).rewards_balance().join(total_rewards);
    vec_map::from_keys_values(node_ids, reward_values)
}

/// Buys `storage_amount` encoded bytes for the current epoch and the `epochs_ahead - 1` next
/// ones, paying from `payment`. Aborts with `EInvalidEpochsAhead` unless
/// `0 < epochs_ahead <= max_epochs_ahead`.
public(package) fun reserve_space(
    self: &mut SystemStateInnerV1,
    storage_amount: u64,
    epochs_ahead: u32,
    payment: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Storage {
    assert!(epochs_ahead > 0, EInvalidEpochsAhead);
    assert!(epochs_ahead <= self.future_accounting.max_epochs_ahead(), EInvalidEpochsAhead);
    let start_epoch = self.epoch();
    self.reserve_space_for_epochs(
        storage_amount,
        start_epoch,
        start_epoch + epochs_ahead,
        payment,
        ctx,
    )
}

/// Buys `storage_amount` encoded bytes for `[start_epoch, end_epoch)`; a past start is clamped
/// to the current epoch. Pays `storage_price × ceil(amount / 1 MiB)` per epoch into each epoch's
/// accounts. Aborts with `EInvalidEpochsAhead` for an empty or too long period,
/// `EInvalidResourceSize` for a zero amount and `EStorageExceeded` if any covered epoch would
/// use more than the total capacity.
public(package) fun reserve_space_for_epochs(
    self: &mut SystemStateInnerV1,
    storage_amount: u64,
    start_epoch: u32,
    end_epoch: u32,
    payment: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Storage {
    let current_epoch = self.epoch();
    let start_epoch = start_epoch.max(current_epoch);
    assert!(end_epoch > start_epoch, EInvalidEpochsAhead);
    let start_offset = start_epoch - current_epoch;
    let end_offset = end_epoch - current_epoch;
    assert!(end_offset <= self.future_accounting.max_epochs_ahead(), EInvalidEpochsAhead);
    assert!(storage_amount > 0, EInvalidResourceSize);

    self.process_storage_payments(storage_amount, start_offset, end_offset, payment);

    let mut i = start_offset;
    while (i < end_offset) {
        let used = self.future_accounting.ring_lookup_mut(i).increase_used_capacity(storage_amount);
        if (i == 0) {
            self.used_capacity_size = used;
        };
        assert!(used <= self.total_capacity_size, EStorageExceeded);
        i = i + 1;
    };
    storage_resource::create_storage(start_epoch, end_epoch, storage_amount, ctx)
}

/// Registers a blob with `storage` and charges the write fee
/// (`write_price × ceil(encoded / 1 MiB)`) into the current epoch's rewards.
public(package) fun register_blob(
    self: &mut SystemStateInnerV1,
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    write_payment_coin: &mut Coin<WAL>,
    ctx: &mut TxContext,
): Blob {
    let n_shards = self.n_shards();
    let blob = blob::new(
        storage,
        blob_id,
        root_hash,
        size,
        encoding_type,
        deletable,
        self.epoch(),
        n_shards,
        ctx,
    );
    let write_price = self.write_price(blob.encoded_size(n_shards));
    let payment = write_payment_coin.balance_mut().split(write_price);
    self.future_accounting.ring_lookup_mut(0).rewards_balance().join(payment);
    blob
}

/// Certifies `blob` with a quorum certificate of the current committee for the current epoch.
public(package) fun certify_blob(
    self: &SystemStateInnerV1,
    blob: &mut Blob,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
) {
    let certified_msg = self.committee.verify_quorum_in_epoch(signature, signers_bitmap, message);
    assert!(certified_msg.cert_epoch() == self.epoch(), EInvalidIdEpoch);
    blob.certify_with_certified_msg(self.epoch(), certified_msg.certify_blob_message());
}

/// Deletes a deletable blob and returns its storage.
public(package) fun delete_blob(self: &SystemStateInnerV1, blob: Blob): Storage {
    blob.delete(self.epoch())
}

/// Extends a certified blob with a storage resource of the same size.
public(package) fun extend_blob_with_resource(
    self: &SystemStateInnerV1,
    blob: &mut Blob,
    extension: Storage,
) {
    blob.extend_with_resource(extension, self.epoch());
}

/// Extends a certified, unexpired blob by `extended_epochs`, paying storage for
/// `[end, end + extended_epochs)`. Emits `BlobCertified { is_extension: true }`.
public(package) fun extend_blob(
    self: &mut SystemStateInnerV1,
    blob: &mut Blob,
    extended_epochs: u32,
    payment: &mut Coin<WAL>,
) {
    blob.assert_certified_not_expired(self.epoch());
    let start_offset = blob.storage().end_epoch() - self.epoch();
    let end_offset = start_offset + extended_epochs;
    assert!(extended_epochs > 0, EInvalidEpochsAhead);
    assert!(end_offset <= self.future_accounting.max_epochs_ahead(), EInvalidEpochsAhead);

    let storage_size = blob.storage().storage_size();
    self.process_storage_payments(storage_size, start_offset, end_offset, payment);
    let mut i = start_offset;
    while (i < end_offset) {
        let used = self.future_accounting.ring_lookup_mut(i).increase_used_capacity(storage_size);
        assert!(used <= self.total_capacity_size, EStorageExceeded);
        i = i + 1;
    };
    blob.storage_mut().extend_end_epoch(extended_epochs);
    blob.emit_certified(true);
}

/// Verifies an f+1 certificate that a blob ID is invalid in the current epoch and emits
/// `InvalidBlobID`. Returns the blob ID.
public(package) fun invalidate_blob_id(
    self: &SystemStateInnerV1,
    signature: vector<u8>,
    members_bitmap: vector<u8>,
    message: vector<u8>,
): u256 {
    let certified_message = self
        .committee
        .verify_one_correct_node_in_epoch(signature, members_bitmap, message);
    let epoch = certified_message.cert_epoch();
    assert!(epoch == self.epoch(), EInvalidIdEpoch);
    let invalid_blob_message = certified_message.invalid_blob_id_message();
    let blob_id = invalid_blob_message.invalid_blob_id();
    events::emit_invalid_blob_id(epoch, blob_id);
    blob_id
}

/// Splits off the part of the current epoch's rewards burned at the epoch change (3%).
public(package) fun extract_burn_balance(self: &mut SystemStateInnerV1): Balance<WAL> {
    self.future_accounting.extract_burn_balance()
}

/// Sets the storage price.
public(package) fun set_storage_price(self: &mut SystemStateInnerV1, price: u64) {
    self.storage_price_per_unit_size = price;
}

/// Sets the write price.
public(package) fun set_write_price(self: &mut SystemStateInnerV1, price: u64) {
    self.write_price_per_unit_size = price;
}

/// Moves `storage_price × units` for each epoch offset in `[start_offset, end_offset)` from
/// `payment` into that epoch's rewards.
fun process_storage_payments(
    self: &mut SystemStateInnerV1,
    storage_size: u64,
    start_offset: u32,
    end_offset: u32,
    payment: &mut Coin<WAL>,
) {
    let period_payment_due =
        self.storage_price_per_unit_size * storage_units_from_size(storage_size);
    let coin_balance = payment.balance_mut();
    let mut i = start_offset;
    while (i < end_offset) {
        let paid = coin_balance.split(period_payment_due);
        self.future_accounting.ring_lookup_mut(i).rewards_balance().join(paid);
        i = i + 1;
    };
}

/// The write fee for `write_size` encoded bytes.
fun write_price(self: &SystemStateInnerV1, write_size: u64): u64 {
    self.write_price_per_unit_size * storage_units_from_size(write_size)
}

/// ceil(size / 1 MiB).
fun storage_units_from_size(size: u64): u64 {
    (size + BYTES_PER_UNIT_SIZE - 1) / BYTES_PER_UNIT_SIZE
}

// === Accessors ===

/// The current epoch (the committee's epoch).
public(package) fun epoch(self: &SystemStateInnerV1): u32 { self.committee.epoch() }

/// The number of shards.
public(package) fun n_shards(self: &SystemStateInnerV1): u16 { self.committee.n_shards() }

/// The total capacity in encoded bytes.
public(package) fun total_capacity_size(self: &SystemStateInnerV1): u64 { self.total_capacity_size }

/// The capacity used in the current epoch.
public(package) fun used_capacity_size(self: &SystemStateInnerV1): u64 { self.used_capacity_size }

/// FROST per MiB per epoch.
public(package) fun storage_price_per_unit_size(self: &SystemStateInnerV1): u64 {
    self.storage_price_per_unit_size
}

/// FROST per MiB, paid once.
public(package) fun write_price_per_unit_size(self: &SystemStateInnerV1): u64 {
    self.write_price_per_unit_size
}

/// The current committee.
public(package) fun committee(self: &SystemStateInnerV1): &BlsCommittee { &self.committee }

/// The future accounting.
public(package) fun future_accounting(self: &SystemStateInnerV1): &FutureAccountingRingBuffer {
    &self.future_accounting
}

#[test_only]
/// Replaces the committee, capacity and prices, for tests.
public(package) fun set_for_testing(
    self: &mut SystemStateInnerV1,
    committee: BlsCommittee,
    total_capacity_size: u64,
    storage_price: u64,
    write_price: u64,
) {
    self.committee = committee;
    self.total_capacity_size = total_capacity_size;
    self.storage_price_per_unit_size = storage_price;
    self.write_price_per_unit_size = write_price;
}

#[test_only]
/// Certifies `blob` with a quorum certificate whose signature is not checked.
public(package) fun certify_blob_without_signature_for_testing(
    self: &SystemStateInnerV1,
    blob: &mut Blob,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
) {
    let certified_msg = self
        .committee
        .verify_quorum_without_signature_for_testing(signers_bitmap, message);
    assert!(certified_msg.cert_epoch() == self.epoch(), EInvalidIdEpoch);
    blob.certify_with_certified_msg(self.epoch(), certified_msg.certify_blob_message());
}
