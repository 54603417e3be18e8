//! `walrus::system` (with `system_state_inner`, `bls_aggregate`, `messages`, `encoding` and the
//! blob lifecycle of `blob`): buying storage, registering, certifying, extending, deleting and
//! invalidating blobs.

use haulout_types::Blob;
use haulout_types::BlobCertified;
use haulout_types::BlobDeleted;
use haulout_types::BlobIdDerivation;
use haulout_types::BlobRegistered;
use haulout_types::BlsCommittee;
use haulout_types::InvalidBlobID;
use haulout_types::Metadata;
use haulout_types::ObjectId;
use haulout_types::Packages;
use haulout_types::Storage;
use haulout_types::System;
use haulout_types::SystemStateInnerV1;
use haulout_types::U256;
use haulout_types::abort;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::TypeTag;

use super::bls;
use super::natives::*;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::value::Value;

/// `system::VERSION`: the version of `System` and the key of its inner state.
pub(crate) const VERSION: u64 = 1;
/// `system_state_inner::BYTES_PER_UNIT_SIZE`: prices are per MiB of encoded size.
pub(crate) const BYTES_PER_UNIT_SIZE: u64 = 1_024 * 1_024;
/// `encoding::RS2`.
pub(crate) const RS2: u8 = 1;
/// `blob::METADATA_DF`.
pub(crate) const METADATA_DF: &[u8] = b"metadata";

type R<T> = Result<T, ExecutionError>;

fn p() -> Packages {
    super::packages()
}

/// `System::inner`: the decoded object and its inner state (`EWrongVersion` if the version
/// is not this package's).
pub(crate) fn load(ctx: &mut NativeContext<'_>, system: &Value) -> R<(System, SystemStateInnerV1)> {
    let sys: System = decode_bytes(&system.bytes)?;
    if sys.version != VERSION {
        return Err(abort_walrus(ctx, "system", abort::system::EWrongVersion));
    }
    let inner = get_field::<u64, SystemStateInnerV1>(ctx, &p(), sys.id.into(), &VERSION)?
        // dynamic_field::EFieldDoesNotExist
        .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    Ok((sys, inner))
}

/// Writes the inner state back (the end of `System::inner_mut`'s borrow).
pub(crate) fn store(
    ctx: &mut NativeContext<'_>,
    sys: &System,
    inner: &SystemStateInnerV1,
) -> R<()> {
    set_field(ctx, &p(), sys.id.into(), &VERSION, inner)
}

// === encoding / redstuff ===

fn max_byzantine(n_shards: u16) -> R<u16> {
    Ok(n_shards.checked_sub(1).ok_or_else(arithmetic)? / 3)
}

fn source_symbols_primary(n_shards: u16) -> R<u16> {
    let f2 = max_byzantine(n_shards)?
        .checked_mul(2)
        .ok_or_else(arithmetic)?;
    n_shards.checked_sub(f2).ok_or_else(arithmetic)
}

fn source_symbols_secondary(n_shards: u16) -> R<u16> {
    n_shards
        .checked_sub(max_byzantine(n_shards)?)
        .ok_or_else(arithmetic)
}

fn symbol_size(unencoded_length: u64, n_shards: u16) -> R<u16> {
    let len = if unencoded_length == 0 {
        1
    } else {
        unencoded_length
    };
    let n_symbols = u64::from(source_symbols_primary(n_shards)?)
        * u64::from(source_symbols_secondary(n_shards)?);
    let size = (len - 1).checked_div(n_symbols).ok_or_else(arithmetic)? + 1;
    let mut size = u16::try_from(size).map_err(|_| arithmetic())?;
    if size % 2 == 1 {
        size = size.checked_add(1).ok_or_else(arithmetic)?;
    }
    Ok(size)
}

/// `encoding::encoded_blob_length`: `EInvalidEncodingType` unless RS2.
pub(crate) fn encoded_blob_length(
    ctx: &NativeContext<'_>,
    unencoded_length: u64,
    encoding_type: u8,
    n_shards: u16,
) -> R<u64> {
    if encoding_type != RS2 {
        return Err(abort_walrus(
            ctx,
            "encoding",
            abort::encoding::EInvalidEncodingType,
        ));
    }
    let symbols_per_pair = u64::from(source_symbols_primary(n_shards)?)
        + u64::from(source_symbols_secondary(n_shards)?);
    let slivers_size = symbols_per_pair
        .checked_mul(u64::from(symbol_size(unencoded_length, n_shards)?))
        .ok_or_else(arithmetic)?;
    let metadata_size = u64::from(n_shards) * 32 * 2 + 32;
    u64::from(n_shards)
        .checked_mul(slivers_size + metadata_size)
        .ok_or_else(arithmetic)
}

fn storage_units_from_size(size: u64) -> R<u64> {
    Ok(size
        .checked_add(BYTES_PER_UNIT_SIZE - 1)
        .ok_or_else(arithmetic)?
        / BYTES_PER_UNIT_SIZE)
}

// === storage_accounting ===

fn ring_index(
    ctx: &NativeContext<'_>,
    inner: &SystemStateInnerV1,
    epochs_in_future: u32,
) -> R<usize> {
    let ring = &inner.future_accounting;
    if epochs_in_future >= ring.length {
        return Err(abort_walrus(
            ctx,
            "storage_accounting",
            abort::storage_accounting::ETooFarInFuture,
        ));
    }
    let index =
        (u64::from(epochs_in_future) + u64::from(ring.current_index)) % u64::from(ring.length);
    let index = usize::try_from(index).map_err(|_| arithmetic())?;
    if index >= ring.ring_buffer.len() {
        // Vector index out of bounds.
        return Err(arithmetic());
    }
    Ok(index)
}

fn add_rewards(
    ctx: &NativeContext<'_>,
    inner: &mut SystemStateInnerV1,
    epochs_in_future: u32,
    amount: u64,
) -> R<()> {
    let i = ring_index(ctx, inner, epochs_in_future)?;
    let slot = &mut inner.future_accounting.ring_buffer[i];
    balance_join(&mut slot.rewards_to_distribute.value, amount)
}

fn increase_used(
    ctx: &NativeContext<'_>,
    inner: &mut SystemStateInnerV1,
    epochs_in_future: u32,
    amount: u64,
) -> R<u64> {
    let i = ring_index(ctx, inner, epochs_in_future)?;
    let slot = &mut inner.future_accounting.ring_buffer[i];
    slot.used_capacity = slot
        .used_capacity
        .checked_add(amount)
        .ok_or_else(arithmetic)?;
    Ok(slot.used_capacity)
}

// === system_state_inner ===

fn epoch(inner: &SystemStateInnerV1) -> u32 {
    inner.committee.epoch
}

fn inner_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "system_state_inner", code)
}

/// `process_storage_payments`: moves `storage_price × units` per epoch offset into that epoch's
/// rewards, from the coin balance `payment`.
fn process_storage_payments(
    ctx: &NativeContext<'_>,
    inner: &mut SystemStateInnerV1,
    storage_size: u64,
    start_offset: u32,
    end_offset: u32,
    payment: &mut u64,
) -> R<()> {
    let due = inner
        .storage_price_per_unit_size
        .checked_mul(storage_units_from_size(storage_size)?)
        .ok_or_else(arithmetic)?;
    for i in start_offset..end_offset {
        let paid = balance_split(ctx, payment, due)?;
        add_rewards(ctx, inner, i, paid)?;
    }
    Ok(())
}

/// `system_state_inner::reserve_space_for_epochs`.
pub(crate) fn reserve_space_for_epochs(
    ctx: &mut NativeContext<'_>,
    inner: &mut SystemStateInnerV1,
    storage_amount: u64,
    start_epoch: u32,
    end_epoch: u32,
    payment: &mut u64,
) -> R<Storage> {
    let current_epoch = epoch(inner);
    let start_epoch = start_epoch.max(current_epoch);
    if end_epoch <= start_epoch {
        return Err(inner_abort(
            ctx,
            abort::system_state_inner::EInvalidEpochsAhead,
        ));
    }
    let start_offset = start_epoch - current_epoch;
    let end_offset = end_epoch - current_epoch;
    if end_offset > inner.future_accounting.length {
        return Err(inner_abort(
            ctx,
            abort::system_state_inner::EInvalidEpochsAhead,
        ));
    }
    if storage_amount == 0 {
        return Err(inner_abort(
            ctx,
            abort::system_state_inner::EInvalidResourceSize,
        ));
    }
    process_storage_payments(
        ctx,
        inner,
        storage_amount,
        start_offset,
        end_offset,
        payment,
    )?;
    for i in start_offset..end_offset {
        let used = increase_used(ctx, inner, i, storage_amount)?;
        if i == 0 {
            inner.used_capacity_size = used;
        }
        if used > inner.total_capacity_size {
            return Err(inner_abort(
                ctx,
                abort::system_state_inner::EStorageExceeded,
            ));
        }
    }
    // storage_resource::create_storage
    if start_epoch >= end_epoch {
        return Err(abort_walrus(
            ctx,
            "storage_resource",
            abort::storage_resource::EInvalidEpochRange,
        ));
    }
    Ok(Storage {
        id: ctx.fresh_id().into(),
        start_epoch,
        end_epoch,
        storage_size: storage_amount,
    })
}

fn blob_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "blob", code)
}

/// `blob::derive_blob_id`.
pub(crate) fn derive_blob_id(root_hash: U256, encoding_type: u8, size: u64) -> U256 {
    BlobIdDerivation {
        encoding_type,
        size,
        root_hash,
    }
    .blob_id()
    .into()
}

/// `blob::emit_certified`.
pub(crate) fn emit_certified(
    ctx: &mut NativeContext<'_>,
    blob: &Blob,
    is_extension: bool,
) -> R<()> {
    // `option::borrow` of `None` aborts with `option::EOPTION_NOT_SET`.
    let epoch = blob
        .certified_epoch
        .ok_or_else(|| ctx.abort_at(crate::value::MOVE_STDLIB, "option", 0x40001))?;
    emit(
        ctx,
        &p(),
        &BlobCertified {
            epoch,
            blob_id: blob.blob_id,
            end_epoch: blob.storage.end_epoch,
            deletable: blob.deletable,
            object_id: blob.id,
            is_extension,
        },
    )
}

/// `blob::assert_certified_not_expired`.
pub(crate) fn assert_certified_not_expired(
    ctx: &NativeContext<'_>,
    blob: &Blob,
    current_epoch: u32,
) -> R<()> {
    if blob.certified_epoch.is_none() {
        return Err(blob_abort(ctx, abort::blob::ENotCertified));
    }
    if current_epoch >= blob.storage.end_epoch {
        return Err(blob_abort(ctx, abort::blob::EResourceBounds));
    }
    Ok(())
}

/// `storage_resource::fuse_periods`.
pub(crate) fn fuse_periods(
    ctx: &mut NativeContext<'_>,
    first: &mut Storage,
    second: Storage,
) -> R<()> {
    ctx.delete_object(second.id.into());
    if first.storage_size != second.storage_size {
        return Err(abort_walrus(
            ctx,
            "storage_resource",
            abort::storage_resource::EIncompatibleAmount,
        ));
    }
    if first.end_epoch == second.start_epoch {
        first.end_epoch = second.end_epoch;
    } else {
        if first.start_epoch != second.end_epoch {
            return Err(abort_walrus(
                ctx,
                "storage_resource",
                abort::storage_resource::EIncompatibleEpochs,
            ));
        }
        first.start_epoch = second.start_epoch;
    }
    Ok(())
}

/// A message certified by the committee (`messages::CertifiedMessage`).
struct CertifiedMessage {
    intent_type: u8,
    message: Vec<u8>,
}

/// `sui::bcs` peeling, aborting with `bcs::EOutOfRange` past the end.
struct Peel<'a>(&'a [u8]);

impl Peel<'_> {
    fn take(&mut self, ctx: &NativeContext<'_>, n: usize) -> R<&[u8]> {
        if self.0.len() < n {
            return Err(abort_sui(ctx, "bcs", 0));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self, ctx: &NativeContext<'_>) -> R<u8> {
        Ok(self.take(ctx, 1)?[0])
    }

    fn u32(&mut self, ctx: &NativeContext<'_>) -> R<u32> {
        let b = self.take(ctx, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn bytes32(&mut self, ctx: &NativeContext<'_>) -> R<[u8; 32]> {
        let mut out = [0; 32];
        out.copy_from_slice(self.take(ctx, 32)?);
        Ok(out)
    }
}

/// `bls_aggregate::verify_certificate_and_weight` + `messages::new_certified_message`.
fn verify_certificate(
    ctx: &NativeContext<'_>,
    committee: &BlsCommittee,
    signature: &[u8],
    signers_bitmap: &[u8],
    message: &[u8],
    quorum: bool,
) -> R<CertifiedMessage> {
    let bls_abort = |code| abort_walrus(ctx, "bls_aggregate", code);
    // signers_weight_and_non_signer_keys
    let n_members = committee.members.len();
    let max_bitmap_len = n_members.div_ceil(8);
    if signers_bitmap.len() > max_bitmap_len {
        return Err(bls_abort(abort::bls_aggregate::EInvalidBitmap));
    }
    let mut non_signer_weight: u16 = 0;
    let mut signer_keys: Vec<&[u8]> = Vec::new();
    for index in 0..max_bitmap_len * 8 {
        let byte = signers_bitmap.get(index / 8).copied().unwrap_or(0);
        let is_signer = (byte >> (index % 8)) & 1 == 1;
        if index >= n_members {
            if is_signer {
                return Err(bls_abort(abort::bls_aggregate::EInvalidBitmap));
            }
        } else if !is_signer {
            non_signer_weight = non_signer_weight
                .checked_add(committee.members[index].weight)
                .ok_or_else(arithmetic)?;
        } else {
            signer_keys.push(&committee.members[index].public_key.bytes);
        }
    }
    let weight = committee
        .n_shards
        .checked_sub(non_signer_weight)
        .ok_or_else(arithmetic)?;
    let n = u64::from(committee.n_shards);
    let enough = if quorum {
        3 * u64::from(weight) > 2 * n // 3w ≥ 2n + 1
    } else {
        3 * u64::from(weight) > n // 3w ≥ n + 1
    };
    if !enough {
        return Err(bls_abort(abort::bls_aggregate::ENotEnoughStake));
    }
    // total − Σ non-signers = Σ signers.
    let verified = bls::aggregate_public_keys(&signer_keys)
        .is_some_and(|pk| bls::verify_with(signature, &pk, message));
    if !verified {
        return Err(bls_abort(abort::bls_aggregate::ESigVerification));
    }
    // messages::new_certified_message
    let msg_abort = |code| abort_walrus(ctx, "messages", code);
    let mut peel = Peel(message);
    let intent_type = peel.u8(ctx)?;
    let intent_version = peel.u8(ctx)?;
    if intent_version != 0 {
        return Err(msg_abort(abort::messages::EIncorrectIntentVersion));
    }
    let intent_app = peel.u8(ctx)?;
    if intent_app != 3 {
        return Err(msg_abort(abort::messages::EIncorrectAppId));
    }
    let cert_epoch = peel.u32(ctx)?;
    if cert_epoch != committee.epoch {
        return Err(msg_abort(abort::messages::EIncorrectEpoch));
    }
    Ok(CertifiedMessage {
        intent_type,
        message: peel.0.to_vec(),
    })
}

// === natives ===

fn system_t() -> SigType {
    walrus_t("system", "System")
}

fn blob_t() -> SigType {
    walrus_t("blob", "Blob")
}

fn storage_t() -> SigType {
    walrus_t("storage_resource", "Storage")
}

fn coin_value(v: &Value) -> R<u64> {
    v.read_u64(32).ok_or(ExecutionError::InvariantViolation)
}

fn set_coin_value(v: &mut Value, amount: u64) -> R<()> {
    if v.write_u64(32, amount) {
        Ok(())
    } else {
        Err(ExecutionError::InvariantViolation)
    }
}

fn reserve_space(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (sys, mut inner) = load(ctx, arg(a, 0)?)?;
    let storage_amount: u64 = decode(a, 1)?;
    let epochs_ahead: u32 = decode(a, 2)?;
    if epochs_ahead == 0 || epochs_ahead > inner.future_accounting.length {
        return Err(inner_abort(
            ctx,
            abort::system_state_inner::EInvalidEpochsAhead,
        ));
    }
    let start = epoch(&inner);
    let end = start.checked_add(epochs_ahead).ok_or_else(arithmetic)?;
    let mut payment = coin_value(arg(a, 3)?)?;
    let storage =
        reserve_space_for_epochs(ctx, &mut inner, storage_amount, start, end, &mut payment)?;
    set_coin_value(arg_mut(a, 3)?, payment)?;
    store(ctx, &sys, &inner)?;
    Ok(vec![value_of(&p(), &storage)?])
}

fn reserve_space_for_epochs_native(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (sys, mut inner) = load(ctx, arg(a, 0)?)?;
    let storage_amount: u64 = decode(a, 1)?;
    let start: u32 = decode(a, 2)?;
    let end: u32 = decode(a, 3)?;
    let mut payment = coin_value(arg(a, 4)?)?;
    let storage =
        reserve_space_for_epochs(ctx, &mut inner, storage_amount, start, end, &mut payment)?;
    set_coin_value(arg_mut(a, 4)?, payment)?;
    store(ctx, &sys, &inner)?;
    Ok(vec![value_of(&p(), &storage)?])
}

fn register_blob(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (sys, mut inner) = load(ctx, arg(a, 0)?)?;
    let storage: Storage = decode(a, 1)?;
    let blob_id: U256 = decode(a, 2)?;
    let root_hash: U256 = decode(a, 3)?;
    let size: u64 = decode(a, 4)?;
    let encoding_type: u8 = decode(a, 5)?;
    let deletable: bool = decode(a, 6)?;
    let mut payment = coin_value(arg(a, 7)?)?;
    let n_shards = inner.committee.n_shards;
    let registered_epoch = epoch(&inner);
    // blob::new
    let id = ctx.fresh_id();
    if registered_epoch < storage.start_epoch || registered_epoch >= storage.end_epoch {
        return Err(blob_abort(ctx, abort::blob::EResourceBounds));
    }
    let encoded_size = encoded_blob_length(ctx, size, encoding_type, n_shards)?;
    if encoded_size > storage.storage_size {
        return Err(blob_abort(ctx, abort::blob::EResourceSize));
    }
    if derive_blob_id(root_hash, encoding_type, size) != blob_id {
        return Err(blob_abort(ctx, abort::blob::EInvalidBlobId));
    }
    emit(
        ctx,
        &p(),
        &BlobRegistered {
            epoch: registered_epoch,
            blob_id,
            size,
            encoding_type,
            end_epoch: storage.end_epoch,
            deletable,
            object_id: id.into(),
        },
    )?;
    let blob = Blob {
        id: id.into(),
        registered_epoch,
        blob_id,
        size,
        encoding_type,
        certified_epoch: None,
        storage,
        deletable,
    };
    // The write fee.
    let write_size = encoded_blob_length(ctx, blob.size, blob.encoding_type, n_shards)?;
    let write_price = inner
        .write_price_per_unit_size
        .checked_mul(storage_units_from_size(write_size)?)
        .ok_or_else(arithmetic)?;
    let paid = balance_split(ctx, &mut payment, write_price)?;
    add_rewards(ctx, &mut inner, 0, paid)?;
    set_coin_value(arg_mut(a, 7)?, payment)?;
    store(ctx, &sys, &inner)?;
    Ok(vec![value_of(&p(), &blob)?])
}

fn certify_blob(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let mut blob: Blob = decode(a, 1)?;
    let signature: Vec<u8> = decode(a, 2)?;
    let bitmap: Vec<u8> = decode(a, 3)?;
    let message: Vec<u8> = decode(a, 4)?;
    let certified = verify_certificate(ctx, &inner.committee, &signature, &bitmap, &message, true)?;
    let current_epoch = epoch(&inner);
    // The certificate's epoch is the committee's, which is the current epoch
    // (`EInvalidIdEpoch` cannot fire here).
    // messages::certify_blob_message
    let msg_abort = |code| abort_walrus(ctx, "messages", code);
    if certified.intent_type != 1 {
        return Err(msg_abort(abort::messages::EInvalidMsgType));
    }
    let mut body = Peel(&certified.message);
    let blob_id = U256::from_le_bytes(body.bytes32(ctx)?);
    let persistence = match body.u8(ctx)? {
        0 => None,
        1 => Some(ObjectId::new(body.bytes32(ctx)?)),
        _ => return Err(msg_abort(abort::messages::EInvalidBlobPersistenceType)),
    };
    // blob::certify_with_certified_msg
    if blob.blob_id != blob_id {
        return Err(blob_abort(ctx, abort::blob::EInvalidBlobId));
    }
    if blob.certified_epoch.is_some() {
        return Err(blob_abort(ctx, abort::blob::EAlreadyCertified));
    }
    if current_epoch >= blob.storage.end_epoch {
        return Err(blob_abort(ctx, abort::blob::EResourceBounds));
    }
    if blob.deletable != persistence.is_some() {
        return Err(blob_abort(ctx, abort::blob::EInvalidBlobPersistenceType));
    }
    if let Some(object_id) = persistence {
        if object_id != blob.id {
            return Err(blob_abort(ctx, abort::blob::EInvalidBlobObject));
        }
    }
    blob.certified_epoch = Some(current_epoch);
    emit_certified(ctx, &blob, false)?;
    write_back(a, 1, &blob)?;
    Ok(vec![])
}

/// `blob::delete`.
pub(crate) fn delete_blob_inner(ctx: &mut NativeContext<'_>, blob: Blob, epoch: u32) -> R<Storage> {
    remove_field::<Vec<u8>, Metadata>(ctx, &p(), blob.id.into(), &METADATA_DF.to_vec())?;
    if !blob.deletable {
        return Err(blob_abort(ctx, abort::blob::EBlobNotDeletable));
    }
    if blob.storage.end_epoch <= epoch {
        return Err(blob_abort(ctx, abort::blob::EResourceBounds));
    }
    ctx.delete_object(blob.id.into());
    emit(
        ctx,
        &p(),
        &BlobDeleted {
            epoch,
            blob_id: blob.blob_id,
            end_epoch: blob.storage.end_epoch,
            object_id: blob.id,
            was_certified: blob.certified_epoch.is_some(),
        },
    )?;
    Ok(blob.storage)
}

fn delete_blob(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let blob: Blob = decode(a, 1)?;
    let storage = delete_blob_inner(ctx, blob, epoch(&inner))?;
    Ok(vec![value_of(&p(), &storage)?])
}

fn extend_blob_with_resource(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let mut blob: Blob = decode(a, 1)?;
    let extension: Storage = decode(a, 2)?;
    assert_certified_not_expired(ctx, &blob, epoch(&inner))?;
    if extension.end_epoch <= blob.storage.end_epoch {
        return Err(blob_abort(ctx, abort::blob::EResourceBounds));
    }
    fuse_periods(ctx, &mut blob.storage, extension)?;
    emit_certified(ctx, &blob, true)?;
    write_back(a, 1, &blob)?;
    Ok(vec![])
}

/// `system_state_inner::extend_blob` on decoded values; `payment` is the coin's balance.
pub(crate) fn extend_blob_inner(
    ctx: &mut NativeContext<'_>,
    inner: &mut SystemStateInnerV1,
    blob: &mut Blob,
    extended_epochs: u32,
    payment: &mut u64,
) -> R<()> {
    let current = epoch(inner);
    assert_certified_not_expired(ctx, blob, current)?;
    let start_offset = blob.storage.end_epoch - current;
    let end_offset = start_offset
        .checked_add(extended_epochs)
        .ok_or_else(arithmetic)?;
    if extended_epochs == 0 || end_offset > inner.future_accounting.length {
        return Err(inner_abort(
            ctx,
            abort::system_state_inner::EInvalidEpochsAhead,
        ));
    }
    let storage_size = blob.storage.storage_size;
    process_storage_payments(ctx, inner, storage_size, start_offset, end_offset, payment)?;
    for i in start_offset..end_offset {
        let used = increase_used(ctx, inner, i, storage_size)?;
        if used > inner.total_capacity_size {
            return Err(inner_abort(
                ctx,
                abort::system_state_inner::EStorageExceeded,
            ));
        }
    }
    blob.storage.end_epoch = blob
        .storage
        .end_epoch
        .checked_add(extended_epochs)
        .ok_or_else(arithmetic)?;
    emit_certified(ctx, blob, true)
}

fn extend_blob(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (sys, mut inner) = load(ctx, arg(a, 0)?)?;
    let mut blob: Blob = decode(a, 1)?;
    let extended_epochs: u32 = decode(a, 2)?;
    let mut payment = coin_value(arg(a, 3)?)?;
    extend_blob_inner(ctx, &mut inner, &mut blob, extended_epochs, &mut payment)?;
    write_back(a, 1, &blob)?;
    set_coin_value(arg_mut(a, 3)?, payment)?;
    store(ctx, &sys, &inner)?;
    Ok(vec![])
}

fn invalidate_blob_id(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let signature: Vec<u8> = decode(a, 1)?;
    let bitmap: Vec<u8> = decode(a, 2)?;
    let message: Vec<u8> = decode(a, 3)?;
    let certified =
        verify_certificate(ctx, &inner.committee, &signature, &bitmap, &message, false)?;
    let current = epoch(&inner);
    if certified.intent_type != 2 {
        return Err(abort_walrus(
            ctx,
            "messages",
            abort::messages::EInvalidMsgType,
        ));
    }
    let blob_id = U256::from_le_bytes(Peel(&certified.message).bytes32(ctx)?);
    emit(
        ctx,
        &p(),
        &InvalidBlobID {
            epoch: current,
            blob_id,
        },
    )?;
    Ok(vec![prim(TypeTag::U256, &blob_id)?])
}

fn accessor(r: &mut NativeRegistry, name: &str, ret: SigType, imp: super::natives::Imp) {
    add_walrus(
        r,
        "system",
        name,
        vec![Param::Ref(system_t())],
        vec![ret],
        imp,
    );
}

/// Registers the `system` functions.
pub(crate) fn register(r: &mut NativeRegistry) {
    let coin_mut = || Param::MutRef(coin_wal_t());
    add_walrus(
        r,
        "system",
        "reserve_space",
        vec![
            Param::MutRef(system_t()),
            Param::Val(SigType::U64),
            Param::Val(SigType::U32),
            coin_mut(),
            ctx_p(),
        ],
        vec![storage_t()],
        reserve_space,
    );
    add_walrus(
        r,
        "system",
        "reserve_space_for_epochs",
        vec![
            Param::MutRef(system_t()),
            Param::Val(SigType::U64),
            Param::Val(SigType::U32),
            Param::Val(SigType::U32),
            coin_mut(),
            ctx_p(),
        ],
        vec![storage_t()],
        reserve_space_for_epochs_native,
    );
    add_walrus(
        r,
        "system",
        "register_blob",
        vec![
            Param::MutRef(system_t()),
            Param::Val(storage_t()),
            Param::Val(SigType::U256),
            Param::Val(SigType::U256),
            Param::Val(SigType::U64),
            Param::Val(SigType::U8),
            Param::Val(SigType::Bool),
            coin_mut(),
            ctx_p(),
        ],
        vec![blob_t()],
        register_blob,
    );
    add_walrus(
        r,
        "system",
        "certify_blob",
        vec![
            Param::Ref(system_t()),
            Param::MutRef(blob_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
        ],
        vec![],
        certify_blob,
    );
    add_walrus(
        r,
        "system",
        "delete_blob",
        vec![Param::Ref(system_t()), Param::Val(blob_t())],
        vec![storage_t()],
        delete_blob,
    );
    add_walrus(
        r,
        "system",
        "extend_blob_with_resource",
        vec![
            Param::Ref(system_t()),
            Param::MutRef(blob_t()),
            Param::Val(storage_t()),
        ],
        vec![],
        extend_blob_with_resource,
    );
    add_walrus(
        r,
        "system",
        "extend_blob",
        vec![
            Param::MutRef(system_t()),
            Param::MutRef(blob_t()),
            Param::Val(SigType::U32),
            coin_mut(),
        ],
        vec![],
        extend_blob,
    );
    add_walrus(
        r,
        "system",
        "invalidate_blob_id",
        vec![
            Param::Ref(system_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
        ],
        vec![SigType::U256],
        invalidate_blob_id,
    );
    accessor(r, "epoch", SigType::U32, |ctx, _, a| {
        let (_, inner) = load(ctx, arg(a, 0)?)?;
        Ok(vec![prim(TypeTag::U32, &epoch(&inner))?])
    });
    accessor(r, "n_shards", SigType::U16, |ctx, _, a| {
        let (_, inner) = load(ctx, arg(a, 0)?)?;
        Ok(vec![prim(TypeTag::U16, &inner.committee.n_shards)?])
    });
    accessor(r, "total_capacity_size", SigType::U64, |ctx, _, a| {
        let (_, inner) = load(ctx, arg(a, 0)?)?;
        Ok(vec![Value::u64(inner.total_capacity_size)])
    });
    accessor(r, "used_capacity_size", SigType::U64, |ctx, _, a| {
        let (_, inner) = load(ctx, arg(a, 0)?)?;
        Ok(vec![Value::u64(inner.used_capacity_size)])
    });
    accessor(
        r,
        "storage_price_per_unit_size",
        SigType::U64,
        |ctx, _, a| {
            let (_, inner) = load(ctx, arg(a, 0)?)?;
            Ok(vec![Value::u64(inner.storage_price_per_unit_size)])
        },
    );
    accessor(r, "write_price_per_unit_size", SigType::U64, |ctx, _, a| {
        let (_, inner) = load(ctx, arg(a, 0)?)?;
        Ok(vec![Value::u64(inner.write_price_per_unit_size)])
    });
}
