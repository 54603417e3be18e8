//! `walrus::blob` accessors and attributes, `walrus::metadata`, `walrus::storage_resource`,
//! `walrus::shared_blob` and the `wal::wal` functions.

use haulout_types::Blob;
use haulout_types::Metadata;
use haulout_types::MoveType;
use haulout_types::Packages;
use haulout_types::ProtectedTreasury;
use haulout_types::SharedBlob;
use haulout_types::Storage;
use haulout_types::TreasuryCap;
use haulout_types::TreasuryCapKey;
use haulout_types::U256;
use haulout_types::Wal;
use haulout_types::Wrapper;
use haulout_types::abort;
use sui_sdk_types::Address;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::Owner;
use sui_sdk_types::TypeTag;

use super::natives::*;
use super::system;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::value::MOVE_STDLIB;
use crate::value::Value;

type R<T> = Result<T, ExecutionError>;

fn p() -> Packages {
    super::packages()
}

fn blob_t() -> SigType {
    walrus_t("blob", "Blob")
}

fn storage_t() -> SigType {
    walrus_t("storage_resource", "Storage")
}

fn metadata_t() -> SigType {
    walrus_t("metadata", "Metadata")
}

fn shared_blob_t() -> SigType {
    walrus_t("shared_blob", "SharedBlob")
}

fn option_t(inner: SigType) -> SigType {
    SigType::datatype(MOVE_STDLIB, "option", "Option", vec![inner])
}

fn string_tag() -> TypeTag {
    "0x1::string::String"
        .parse()
        .unwrap_or(TypeTag::Vector(Box::new(TypeTag::U8)))
}

fn option_tag(inner: TypeTag) -> TypeTag {
    TypeTag::Struct(Box::new(crate::value::framework_struct(
        MOVE_STDLIB,
        "option",
        "Option",
        vec![inner],
    )))
}

fn string_value(s: &String) -> R<Value> {
    prim(string_tag(), s)
}

fn metadata_key() -> Vec<u8> {
    system::METADATA_DF.to_vec()
}

// === metadata ===

/// `metadata::insert_or_update`.
fn insert_or_update(metadata: &mut Metadata, key: String, value: String) {
    match metadata.metadata.contents.iter_mut().find(|e| e.key == key) {
        Some(entry) => entry.value = value,
        None => metadata
            .metadata
            .contents
            .push(haulout_types::Entry { key, value }),
    }
}

/// `metadata::remove` (`vec_map::EKeyDoesNotExist` if absent).
fn remove_pair(
    ctx: &NativeContext<'_>,
    metadata: &mut Metadata,
    key: &String,
) -> R<(String, String)> {
    let idx = metadata
        .metadata
        .contents
        .iter()
        .position(|e| &e.key == key)
        .ok_or_else(|| abort_sui(ctx, "vec_map", 1))?;
    let entry = metadata.metadata.contents.remove(idx);
    Ok((entry.key, entry.value))
}

fn remove_if_exists(metadata: &mut Metadata, key: &String) -> Option<String> {
    let idx = metadata
        .metadata
        .contents
        .iter()
        .position(|e| &e.key == key)?;
    Some(metadata.metadata.contents.remove(idx).value)
}

// === blob attributes ===

fn blob_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "blob", code)
}

fn get_metadata(ctx: &mut NativeContext<'_>, blob: Address) -> R<Option<Metadata>> {
    get_field::<Vec<u8>, Metadata>(ctx, &p(), blob, &metadata_key())
}

fn set_metadata(ctx: &mut NativeContext<'_>, blob: Address, metadata: &Metadata) -> R<()> {
    set_field(ctx, &p(), blob, &metadata_key(), metadata)
}

fn add_metadata(ctx: &mut NativeContext<'_>, blob: Address, metadata: &Metadata) -> R<()> {
    if get_metadata(ctx, blob)?.is_some() {
        return Err(blob_abort(ctx, abort::blob::EDuplicateMetadata));
    }
    set_metadata(ctx, blob, metadata)
}

fn take_metadata(ctx: &mut NativeContext<'_>, blob: Address) -> R<Metadata> {
    if get_metadata(ctx, blob)?.is_none() {
        return Err(blob_abort(ctx, abort::blob::EMissingMetadata));
    }
    remove_field::<Vec<u8>, Metadata>(ctx, &p(), blob, &metadata_key())?
        .ok_or(ExecutionError::InvariantViolation)
}

fn blob_of(a: &[Value]) -> R<Blob> {
    decode(a, 0)
}

fn blob_accessor(r: &mut NativeRegistry, name: &str, ret: SigType, imp: Imp) {
    add_walrus(r, "blob", name, vec![Param::Ref(blob_t())], vec![ret], imp);
}

fn register_blob(r: &mut NativeRegistry) {
    blob_accessor(r, "object_id", id_t(), |_, _, a| {
        let blob = blob_of(a)?;
        value_of(&p(), &blob.id).map(|v| vec![v])
    });
    blob_accessor(r, "registered_epoch", SigType::U32, |_, _, a| {
        Ok(vec![prim(TypeTag::U32, &blob_of(a)?.registered_epoch)?])
    });
    blob_accessor(r, "blob_id", SigType::U256, |_, _, a| {
        Ok(vec![prim(TypeTag::U256, &blob_of(a)?.blob_id)?])
    });
    blob_accessor(r, "size", SigType::U64, |_, _, a| {
        Ok(vec![Value::u64(blob_of(a)?.size)])
    });
    blob_accessor(r, "encoding_type", SigType::U8, |_, _, a| {
        Ok(vec![prim(TypeTag::U8, &blob_of(a)?.encoding_type)?])
    });
    blob_accessor(r, "is_deletable", SigType::Bool, |_, _, a| {
        Ok(vec![prim(TypeTag::Bool, &blob_of(a)?.deletable)?])
    });
    blob_accessor(r, "end_epoch", SigType::U32, |_, _, a| {
        Ok(vec![prim(TypeTag::U32, &blob_of(a)?.storage.end_epoch)?])
    });
    add_walrus(
        r,
        "blob",
        "encoded_size",
        vec![Param::Ref(blob_t()), Param::Val(SigType::U16)],
        vec![SigType::U64],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let n_shards: u16 = decode(a, 1)?;
            let size = system::encoded_blob_length(ctx, blob.size, blob.encoding_type, n_shards)?;
            Ok(vec![Value::u64(size)])
        },
    );
    add_walrus(
        r,
        "blob",
        "derive_blob_id",
        vec![
            Param::Val(SigType::U256),
            Param::Val(SigType::U8),
            Param::Val(SigType::U64),
        ],
        vec![SigType::U256],
        |_, _, a| {
            let root_hash: U256 = decode(a, 0)?;
            let encoding_type: u8 = decode(a, 1)?;
            let size: u64 = decode(a, 2)?;
            let id = system::derive_blob_id(root_hash, encoding_type, size);
            Ok(vec![prim(TypeTag::U256, &id)?])
        },
    );
    add_walrus(
        r,
        "blob",
        "burn",
        vec![Param::Val(blob_t())],
        vec![],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            remove_field::<Vec<u8>, Metadata>(ctx, &p(), blob.id.into(), &metadata_key())?;
            ctx.delete_object(blob.id.into());
            ctx.delete_object(blob.storage.id.into());
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "blob",
        "add_metadata",
        vec![Param::MutRef(blob_t()), Param::Val(metadata_t())],
        vec![],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let metadata: Metadata = decode(a, 1)?;
            add_metadata(ctx, blob.id.into(), &metadata)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "blob",
        "add_or_replace_metadata",
        vec![Param::MutRef(blob_t()), Param::Val(metadata_t())],
        vec![option_t(metadata_t())],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let metadata: Metadata = decode(a, 1)?;
            let old = if get_metadata(ctx, blob.id.into())?.is_some() {
                Some(take_metadata(ctx, blob.id.into())?)
            } else {
                None
            };
            add_metadata(ctx, blob.id.into(), &metadata)?;
            Ok(vec![prim(option_tag(Metadata::type_tag(&p())), &old)?])
        },
    );
    add_walrus(
        r,
        "blob",
        "take_metadata",
        vec![Param::MutRef(blob_t())],
        vec![metadata_t()],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let metadata = take_metadata(ctx, blob.id.into())?;
            Ok(vec![value_of(&p(), &metadata)?])
        },
    );
    add_walrus(
        r,
        "blob",
        "insert_or_update_metadata_pair",
        vec![
            Param::MutRef(blob_t()),
            Param::Val(string_t()),
            Param::Val(string_t()),
        ],
        vec![],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let key: String = decode(a, 1)?;
            let value: String = decode(a, 2)?;
            let id = blob.id.into();
            let mut metadata = match get_metadata(ctx, id)? {
                Some(m) => m,
                None => {
                    add_metadata(ctx, id, &Metadata::default())?;
                    Metadata::default()
                }
            };
            insert_or_update(&mut metadata, key, value);
            set_metadata(ctx, id, &metadata)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "blob",
        "remove_metadata_pair",
        vec![Param::MutRef(blob_t()), Param::Ref(string_t())],
        vec![string_t(), string_t()],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let key: String = decode(a, 1)?;
            let id = blob.id.into();
            let Some(mut metadata) = get_metadata(ctx, id)? else {
                return Err(blob_abort(ctx, abort::blob::EMissingMetadata));
            };
            let (k, v) = remove_pair(ctx, &mut metadata, &key)?;
            set_metadata(ctx, id, &metadata)?;
            Ok(vec![string_value(&k)?, string_value(&v)?])
        },
    );
    add_walrus(
        r,
        "blob",
        "remove_metadata_pair_if_exists",
        vec![Param::MutRef(blob_t()), Param::Ref(string_t())],
        vec![option_t(string_t())],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let key: String = decode(a, 1)?;
            let id = blob.id.into();
            let removed = match get_metadata(ctx, id)? {
                None => None,
                Some(mut metadata) => {
                    let removed = remove_if_exists(&mut metadata, &key);
                    set_metadata(ctx, id, &metadata)?;
                    removed
                }
            };
            Ok(vec![prim(option_tag(string_tag()), &removed)?])
        },
    );
}

fn register_metadata(r: &mut NativeRegistry) {
    add_walrus(
        r,
        "metadata",
        "new",
        vec![],
        vec![metadata_t()],
        |_, _, _| Ok(vec![value_of(&p(), &Metadata::default())?]),
    );
    add_walrus(
        r,
        "metadata",
        "insert_or_update",
        vec![
            Param::MutRef(metadata_t()),
            Param::Val(string_t()),
            Param::Val(string_t()),
        ],
        vec![],
        |_, _, a| {
            let mut metadata: Metadata = decode(a, 0)?;
            insert_or_update(&mut metadata, decode(a, 1)?, decode(a, 2)?);
            write_back(a, 0, &metadata)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "metadata",
        "remove",
        vec![Param::MutRef(metadata_t()), Param::Ref(string_t())],
        vec![string_t(), string_t()],
        |ctx, _, a| {
            let mut metadata: Metadata = decode(a, 0)?;
            let key: String = decode(a, 1)?;
            let (k, v) = remove_pair(ctx, &mut metadata, &key)?;
            write_back(a, 0, &metadata)?;
            Ok(vec![string_value(&k)?, string_value(&v)?])
        },
    );
    add_walrus(
        r,
        "metadata",
        "remove_if_exists",
        vec![Param::MutRef(metadata_t()), Param::Ref(string_t())],
        vec![option_t(string_t())],
        |_, _, a| {
            let mut metadata: Metadata = decode(a, 0)?;
            let key: String = decode(a, 1)?;
            let removed = remove_if_exists(&mut metadata, &key);
            write_back(a, 0, &metadata)?;
            Ok(vec![prim(option_tag(string_tag()), &removed)?])
        },
    );
}

// === storage_resource ===

fn storage_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "storage_resource", code)
}

fn fuse_amount(ctx: &mut NativeContext<'_>, first: &mut Storage, second: Storage) -> R<()> {
    ctx.delete_object(second.id.into());
    if first.start_epoch != second.start_epoch || first.end_epoch != second.end_epoch {
        return Err(storage_abort(
            ctx,
            abort::storage_resource::EIncompatibleEpochs,
        ));
    }
    first.storage_size = first
        .storage_size
        .checked_add(second.storage_size)
        .ok_or_else(arithmetic)?;
    Ok(())
}

fn storage_accessor(r: &mut NativeRegistry, name: &str, ret: SigType, imp: Imp) {
    add_walrus(
        r,
        "storage_resource",
        name,
        vec![Param::Ref(storage_t())],
        vec![ret],
        imp,
    );
}

type Fuse = fn(&mut NativeContext<'_>, &mut Storage, Storage) -> R<()>;

fn fuse_native(ctx: &mut NativeContext<'_>, a: &mut [Value], f: Fuse) -> R<Vec<Value>> {
    let mut first: Storage = decode(a, 0)?;
    let second: Storage = decode(a, 1)?;
    f(ctx, &mut first, second)?;
    write_back(a, 0, &first)?;
    Ok(vec![])
}

fn register_storage(r: &mut NativeRegistry) {
    storage_accessor(r, "start_epoch", SigType::U32, |_, _, a| {
        Ok(vec![prim(
            TypeTag::U32,
            &decode::<Storage>(a, 0)?.start_epoch,
        )?])
    });
    storage_accessor(r, "end_epoch", SigType::U32, |_, _, a| {
        Ok(vec![prim(
            TypeTag::U32,
            &decode::<Storage>(a, 0)?.end_epoch,
        )?])
    });
    storage_accessor(r, "storage_size", SigType::U64, |_, _, a| {
        Ok(vec![Value::u64(decode::<Storage>(a, 0)?.storage_size)])
    });
    add_walrus(
        r,
        "storage_resource",
        "split_by_epoch",
        vec![
            Param::MutRef(storage_t()),
            Param::Val(SigType::U32),
            ctx_p(),
        ],
        vec![storage_t()],
        |ctx, _, a| {
            let mut storage: Storage = decode(a, 0)?;
            let split_epoch: u32 = decode(a, 1)?;
            if !(split_epoch > storage.start_epoch && split_epoch < storage.end_epoch) {
                return Err(storage_abort(ctx, abort::storage_resource::EInvalidEpoch));
            }
            let end_epoch = storage.end_epoch;
            storage.end_epoch = split_epoch;
            let new = Storage {
                id: ctx.fresh_id().into(),
                start_epoch: split_epoch,
                end_epoch,
                storage_size: storage.storage_size,
            };
            write_back(a, 0, &storage)?;
            Ok(vec![value_of(&p(), &new)?])
        },
    );
    add_walrus(
        r,
        "storage_resource",
        "split_by_size",
        vec![
            Param::MutRef(storage_t()),
            Param::Val(SigType::U64),
            ctx_p(),
        ],
        vec![storage_t()],
        |ctx, _, a| {
            let mut storage: Storage = decode(a, 0)?;
            let split_size: u64 = decode(a, 1)?;
            if storage.storage_size < split_size {
                return Err(storage_abort(
                    ctx,
                    abort::storage_resource::EIncompatibleAmount,
                ));
            }
            let rest = storage.storage_size - split_size;
            storage.storage_size = split_size;
            let new = Storage {
                id: ctx.fresh_id().into(),
                start_epoch: storage.start_epoch,
                end_epoch: storage.end_epoch,
                storage_size: rest,
            };
            write_back(a, 0, &storage)?;
            Ok(vec![value_of(&p(), &new)?])
        },
    );
    let fuse_params = || vec![Param::MutRef(storage_t()), Param::Val(storage_t())];
    add_walrus(
        r,
        "storage_resource",
        "fuse_periods",
        fuse_params(),
        vec![],
        |ctx, _, a| fuse_native(ctx, a, system::fuse_periods),
    );
    add_walrus(
        r,
        "storage_resource",
        "fuse_amount",
        fuse_params(),
        vec![],
        |ctx, _, a| fuse_native(ctx, a, fuse_amount),
    );
    add_walrus(
        r,
        "storage_resource",
        "fuse",
        fuse_params(),
        vec![],
        |ctx, _, a| {
            let same_start =
                decode::<Storage>(a, 0)?.start_epoch == decode::<Storage>(a, 1)?.start_epoch;
            if same_start {
                fuse_native(ctx, a, fuse_amount)
            } else {
                fuse_native(ctx, a, system::fuse_periods)
            }
        },
    );
    add_walrus(
        r,
        "storage_resource",
        "destroy",
        vec![Param::Val(storage_t())],
        vec![],
        |ctx, _, a| {
            let storage: Storage = decode(a, 0)?;
            ctx.delete_object(storage.id.into());
            Ok(vec![])
        },
    );
}

// === shared_blob ===

fn share(ctx: &mut NativeContext<'_>, shared: &SharedBlob) -> R<()> {
    let version = ctx.lamport_version();
    ctx.transfer(value_of(&p(), shared)?, Owner::Shared(version))
}

fn register_shared_blob(r: &mut NativeRegistry) {
    add_walrus(
        r,
        "shared_blob",
        "new",
        vec![Param::Val(blob_t()), ctx_p()],
        vec![],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let shared = SharedBlob {
                id: ctx.fresh_id().into(),
                blob,
                funds: haulout_types::Balance::new(0),
            };
            share(ctx, &shared)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "shared_blob",
        "new_funded",
        vec![Param::Val(blob_t()), Param::Val(coin_wal_t()), ctx_p()],
        vec![],
        |ctx, _, a| {
            let blob = blob_of(a)?;
            let coin = arg(a, 1)?;
            let funds = coin
                .read_u64(32)
                .ok_or(ExecutionError::InvariantViolation)?;
            let coin_id = object_id(coin)?;
            let id = ctx.fresh_id();
            ctx.delete_object(coin_id);
            let shared = SharedBlob {
                id: id.into(),
                blob,
                funds: haulout_types::Balance::new(funds),
            };
            share(ctx, &shared)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "shared_blob",
        "fund",
        vec![Param::MutRef(shared_blob_t()), Param::Val(coin_wal_t())],
        vec![],
        |ctx, _, a| {
            let mut shared: SharedBlob = decode(a, 0)?;
            let coin = arg(a, 1)?;
            let added = coin
                .read_u64(32)
                .ok_or(ExecutionError::InvariantViolation)?;
            let coin_id = object_id(coin)?;
            ctx.delete_object(coin_id);
            balance_join(&mut shared.funds.value, added)?;
            write_back(a, 0, &shared)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "shared_blob",
        "extend",
        vec![
            Param::MutRef(shared_blob_t()),
            Param::MutRef(walrus_t("system", "System")),
            Param::Val(SigType::U32),
            ctx_p(),
        ],
        vec![],
        |ctx, _, a| {
            let mut shared: SharedBlob = decode(a, 0)?;
            // withdraw_all().into_coin(ctx): a coin object that lives only in this call.
            let mut payment = std::mem::take(&mut shared.funds.value);
            let coin_id = ctx.fresh_id();
            let (sys, mut inner) = system::load(ctx, arg(a, 1)?)?;
            system::extend_blob_inner(
                ctx,
                &mut inner,
                &mut shared.blob,
                decode(a, 2)?,
                &mut payment,
            )?;
            system::store(ctx, &sys, &inner)?;
            ctx.delete_object(coin_id);
            shared.funds.value = payment;
            write_back(a, 0, &shared)?;
            Ok(vec![])
        },
    );
    add_walrus(
        r,
        "shared_blob",
        "funds",
        vec![Param::Ref(shared_blob_t())],
        vec![SigType::U64],
        |_, _, a| Ok(vec![Value::u64(decode::<SharedBlob>(a, 0)?.funds.value)]),
    );
}

// === wal ===

/// The `TreasuryCap<WAL>` under the treasury's dynamic object field: (field ID, cap).
pub(crate) fn treasury_cap(
    ctx: &mut NativeContext<'_>,
    treasury: &ProtectedTreasury,
) -> R<(Address, TreasuryCap<Wal>)> {
    let key = Wrapper {
        name: TreasuryCapKey::default(),
    };
    let cap_id: haulout_types::ObjectId = get_field::<
        Wrapper<TreasuryCapKey>,
        haulout_types::ObjectId,
    >(ctx, &p(), treasury.id.into(), &key)?
    // dynamic_field::EFieldDoesNotExist
    .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    let field_id = Address::from(treasury.id)
        .derive_dynamic_child_id(&Wrapper::<TreasuryCapKey>::type_tag(&p()), &encode(&key)?);
    let bytes = ctx
        .child_object(field_id, cap_id.into())
        .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    Ok((field_id, decode_bytes(&bytes)?))
}

fn register_wal(r: &mut NativeRegistry) {
    let treasury_t = || SigType::datatype(super::wal_package(), "wal", "ProtectedTreasury", vec![]);
    add_wal(
        r,
        "total_supply",
        vec![Param::Ref(treasury_t())],
        vec![SigType::U64],
        |ctx, _, a| {
            let treasury: ProtectedTreasury = decode(a, 0)?;
            let (_, cap) = treasury_cap(ctx, &treasury)?;
            Ok(vec![Value::u64(cap.total_supply.value)])
        },
    );
    add_wal(
        r,
        "burn",
        vec![Param::MutRef(treasury_t()), Param::Val(coin_wal_t())],
        vec![],
        |ctx, _, a| {
            let treasury: ProtectedTreasury = decode(a, 0)?;
            let (field_id, mut cap) = treasury_cap(ctx, &treasury)?;
            let coin = arg(a, 1)?;
            let amount = coin
                .read_u64(32)
                .ok_or(ExecutionError::InvariantViolation)?;
            let coin_id = object_id(coin)?;
            ctx.delete_object(coin_id);
            cap.total_supply.value = cap
                .total_supply
                .value
                .checked_sub(amount)
                .ok_or_else(arithmetic)?;
            let value = value_of(&p(), &cap)?;
            ctx.transfer(value, Owner::Object(field_id))?;
            Ok(vec![])
        },
    );
}

/// Registers the functions of this module.
pub(crate) fn register(r: &mut NativeRegistry) {
    register_blob(r);
    register_metadata(r);
    register_storage(r);
    register_shared_blob(r);
    register_wal(r);
}
