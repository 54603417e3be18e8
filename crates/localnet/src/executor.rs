//! Execution of programmable transactions against loaded inputs, with Sui's gas and effects rules.
//!
//! [`execute`] is pure: it takes the transaction and its already checked input objects and returns
//! the effects and the objects to write. It never fails: an error during execution becomes
//! effects with `status = failure`, in which only the (smashed) gas coin changes.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::BalanceChange;
use sui_sdk_types::ChangedObject;
use sui_sdk_types::Command;
use sui_sdk_types::CommandArgumentError;
use sui_sdk_types::Digest;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::GasCostSummary;
use sui_sdk_types::IdOperation;
use sui_sdk_types::Identifier;
use sui_sdk_types::MovePackage;
use sui_sdk_types::MoveStruct;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectData;
use sui_sdk_types::ObjectIn;
use sui_sdk_types::ObjectOut;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEffectsV2;
use sui_sdk_types::TransactionEvents;
use sui_sdk_types::TypeTag;
use sui_sdk_types::UnchangedConsensusKind;
use sui_sdk_types::UnchangedConsensusObject;

use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::ObjectFates;
use crate::natives::Param;
use crate::natives::receiving_object_type;
use crate::value::Value;
use crate::value::coin_type_of;
use crate::value::validate_pure;
use crate::value::write_uleb;

/// Computation units charged for every transaction (Sui's minimum bucket).
pub const COMPUTATION_UNITS: u64 = 1_000;
/// Storage gas units per byte of a written object (Sui's `obj_data_cost_refundable`).
pub const STORAGE_UNITS_PER_BYTE: u64 = 100;
/// Price of a storage unit in MIST (Sui mainnet's storage gas price).
pub const STORAGE_PRICE: u64 = 76;
/// Share of a storage rebate returned to the sender, in basis points (Sui: 99%).
pub const STORAGE_REBATE_RATE_BPS: u64 = 9_900;

/// An input object after loading and the pre-execution checks.
// Inputs live for one transaction; boxing the object would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub(crate) enum LoadedInput {
    /// A pure BCS value.
    Pure(Vec<u8>),
    /// An object; `mutable` is false for immutable objects and read-only shared inputs.
    Object { object: Object, mutable: bool },
    /// A receiving input (checked: the object exists at this version and is address-owned, or
    /// was received at it). It is a `Receiving<T>` value; the object is only loaded if a native
    /// receives it.
    Receiving(ObjectReference),
}

/// Everything the executor needs besides the registry.
pub(crate) struct ExecRequest<'a> {
    pub digest: Digest,
    pub sender: Address,
    pub ptb: &'a ProgrammableTransaction,
    pub inputs: Vec<LoadedInput>,
    /// Gas coins in payment order; the first receives the others' balances.
    pub gas: Vec<Object>,
    pub gas_price: u64,
    pub gas_budget: u64,
    pub epoch: u64,
    pub timestamp_ms: u64,
    /// The live objects before the transaction, for dynamic fields natives reach at run time.
    pub objects: &'a std::collections::HashMap<Address, Object>,
}

/// The outcome of a transaction.
#[derive(Debug)]
pub(crate) struct ExecOutput {
    pub effects: TransactionEffects,
    pub events: Option<TransactionEvents>,
    /// Every object the transaction read or changed, at its input version.
    pub input_objects: Vec<Object>,
    /// Every object written, at its new version.
    pub output_objects: Vec<Object>,
    pub balance_changes: Vec<BalanceChange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotKind {
    Pure,
    Receiving,
    ImmutableObject,
    MutableObject,
    Gas,
    Result,
}

#[derive(Clone, Debug)]
struct Slot {
    value: Option<Value>,
    kind: SlotKind,
}

struct Machine<'a> {
    registry: &'a NativeRegistry,
    objects: &'a std::collections::HashMap<Address, Object>,
    inputs: Vec<Slot>,
    gas: Option<Slot>,
    results: Vec<Vec<Slot>>,
    /// Struct types of objects loaded as inputs (objects even if the registry doesn't know them).
    object_types: BTreeSet<StructTag>,
    fates: ObjectFates,
    ids_created: u64,
    /// The receiving inputs: object ID to the version they name.
    receiving: BTreeMap<Address, u64>,
}

type ExecResult<T> = Result<T, ExecutionError>;

fn arg_err(arg_index: u16, kind: CommandArgumentError) -> ExecutionError {
    ExecutionError::CommandArgumentError {
        argument: arg_index,
        kind,
    }
}

impl Machine<'_> {
    fn slot_mut(&mut self, arg: Argument, ix: u16) -> ExecResult<&mut Slot> {
        match arg {
            Argument::Gas => self
                .gas
                .as_mut()
                .ok_or_else(|| arg_err(ix, CommandArgumentError::InvalidGasCoinUsage)),
            Argument::Input(i) => self
                .inputs
                .get_mut(usize::from(i))
                .ok_or_else(|| arg_err(ix, CommandArgumentError::IndexOutOfBounds { index: i })),
            Argument::Result(r) => {
                let result = self.results.get_mut(usize::from(r)).ok_or_else(|| {
                    arg_err(ix, CommandArgumentError::IndexOutOfBounds { index: r })
                })?;
                if result.len() != 1 {
                    return Err(arg_err(
                        ix,
                        CommandArgumentError::InvalidResultArity { result: r },
                    ));
                }
                Ok(&mut result[0])
            }
            Argument::NestedResult(r, s) => self
                .results
                .get_mut(usize::from(r))
                .ok_or_else(|| arg_err(ix, CommandArgumentError::IndexOutOfBounds { index: r }))?
                .get_mut(usize::from(s))
                .ok_or_else(|| {
                    arg_err(
                        ix,
                        CommandArgumentError::SecondaryIndexOutOfBounds {
                            result: r,
                            subresult: s,
                        },
                    )
                }),
        }
    }

    /// Gives a value its expected type, checking pure bytes and typed values alike.
    fn check_type(&self, mut v: Value, expected: &TypeTag, ix: u16) -> ExecResult<Value> {
        match &v.ty {
            None => match validate_pure(expected, &v.bytes) {
                Some(true) => {
                    v.ty = Some(expected.clone());
                    Ok(v)
                }
                Some(false) => Err(arg_err(ix, CommandArgumentError::InvalidBcsBytes)),
                None => Err(arg_err(
                    ix,
                    CommandArgumentError::InvalidUsageOfPureArgument,
                )),
            },
            Some(ty) if ty == expected => Ok(v),
            // A receiving input takes the `Receiving<T>` type of its first use by value or
            // `&mut` (a use by `&` types only the borrowed copy), as in Sui.
            Some(ty) if *ty == *UNTYPED_RECEIVING && receiving_object_type(expected).is_some() => {
                v.ty = Some(expected.clone());
                Ok(v)
            }
            Some(_) => Err(arg_err(ix, CommandArgumentError::TypeMismatch)),
        }
    }

    fn is_object(&self, ty: &TypeTag) -> bool {
        match ty {
            TypeTag::Struct(s) => self.registry.abilities(ty).key || self.object_types.contains(s),
            _ => false,
        }
    }

    fn has_copy(&self, v: &Value) -> bool {
        match &v.ty {
            None => true,
            Some(ty) => self.registry.abilities(ty).copy,
        }
    }

    fn has_drop(&self, v: &Value) -> bool {
        match &v.ty {
            None => true,
            Some(ty) => self.registry.abilities(ty).drop && !self.is_object(ty),
        }
    }

    /// Reads an argument (by immutable reference, or by value for copyable values).
    fn read(&mut self, arg: Argument, ix: u16) -> ExecResult<Value> {
        let slot = self.slot_mut(arg, ix)?;
        slot.value
            .clone()
            .ok_or_else(|| arg_err(ix, CommandArgumentError::InvalidValueUsage))
    }

    /// Borrows an argument mutably; the caller must [`Self::write_back`] the new value.
    fn borrow_mut(&mut self, arg: Argument, ix: u16) -> ExecResult<Value> {
        let slot = self.slot_mut(arg, ix)?;
        if slot.kind == SlotKind::ImmutableObject {
            return Err(arg_err(ix, CommandArgumentError::InvalidObjectByMutRef));
        }
        slot.value
            .clone()
            .ok_or_else(|| arg_err(ix, CommandArgumentError::InvalidValueUsage))
    }

    fn write_back(&mut self, arg: Argument, ix: u16, v: Value) -> ExecResult<()> {
        let slot = self.slot_mut(arg, ix)?;
        slot.value = Some(v);
        Ok(())
    }

    /// Takes an argument by value: copies copyable values, moves everything else.
    fn take(&mut self, arg: Argument, ix: u16, allow_gas: bool) -> ExecResult<Value> {
        let copyable = {
            let slot = self.slot_mut(arg, ix)?;
            match slot.kind {
                SlotKind::ImmutableObject => {
                    return Err(arg_err(ix, CommandArgumentError::InvalidObjectByValue));
                }
                SlotKind::Gas if !allow_gas => {
                    return Err(arg_err(ix, CommandArgumentError::InvalidGasCoinUsage));
                }
                _ => {}
            }
            slot.value
                .as_ref()
                .ok_or_else(|| arg_err(ix, CommandArgumentError::InvalidValueUsage))?
                .clone()
        };
        if self.has_copy(&copyable) {
            return Ok(copyable);
        }
        let slot = self.slot_mut(arg, ix)?;
        slot.value
            .take()
            .ok_or_else(|| arg_err(ix, CommandArgumentError::InvalidValueUsage))
    }

    fn push_result(&mut self, values: Vec<Value>) {
        self.results.push(
            values
                .into_iter()
                .map(|v| Slot {
                    value: Some(v),
                    kind: SlotKind::Result,
                })
                .collect(),
        );
    }

    fn run_command(&mut self, command: &Command, ctx_base: &CtxBase) -> ExecResult<()> {
        match command {
            Command::SplitCoins(split) => {
                let mut coin = self.borrow_mut(split.coin, 0)?;
                let coin_type = coin
                    .ty
                    .as_ref()
                    .and_then(coin_type_of)
                    .cloned()
                    .ok_or_else(|| arg_err(0, CommandArgumentError::TypeMismatch))?;
                let mut out = Vec::with_capacity(split.amounts.len());
                for (i, amount) in split.amounts.iter().enumerate() {
                    let ix = u16::try_from(i + 1).unwrap_or(u16::MAX);
                    let v = self.read(*amount, ix)?;
                    let v = self.check_type(v, &TypeTag::U64, ix)?;
                    let amount = v.read_u64(0).ok_or(ExecutionError::InvariantViolation)?;
                    let balance = coin
                        .read_u64(32)
                        .ok_or(ExecutionError::InvariantViolation)?;
                    let left = balance
                        .checked_sub(amount)
                        .ok_or(ExecutionError::InsufficientCoinBalance)?;
                    coin.write_u64(32, left);
                    let id = self.fresh_id(ctx_base);
                    out.push(Value::coin(coin_type.clone(), id, amount));
                }
                self.write_back(split.coin, 0, coin)?;
                self.push_result(out);
            }
            Command::MergeCoins(merge) => {
                let mut target = self.borrow_mut(merge.coin, 0)?;
                let target_ty = target.ty.clone();
                if target_ty.as_ref().and_then(coin_type_of).is_none() {
                    return Err(arg_err(0, CommandArgumentError::TypeMismatch));
                }
                let target_id = target.object_id();
                let mut total = target
                    .read_u64(32)
                    .ok_or(ExecutionError::InvariantViolation)?;
                let mut merged = Vec::new();
                for (i, source) in merge.coins_to_merge.iter().enumerate() {
                    let ix = u16::try_from(i + 1).unwrap_or(u16::MAX);
                    let v = self.take(*source, ix, false)?;
                    if v.ty != target_ty {
                        return Err(arg_err(ix, CommandArgumentError::TypeMismatch));
                    }
                    if v.object_id() == target_id {
                        return Err(arg_err(ix, CommandArgumentError::InvalidValueUsage));
                    }
                    let amount = v.read_u64(32).ok_or(ExecutionError::InvariantViolation)?;
                    total = total
                        .checked_add(amount)
                        .ok_or(ExecutionError::CoinBalanceOverflow)?;
                    merged.push(v);
                }
                for v in merged {
                    if let Some(id) = v.object_id() {
                        self.fates.written.remove(&id);
                        self.fates.deleted.insert(id);
                    }
                }
                target.write_u64(32, total);
                self.write_back(merge.coin, 0, target)?;
                self.push_result(vec![]);
            }
            Command::TransferObjects(transfer) => {
                let n = transfer.objects.len();
                let ix = u16::try_from(n).unwrap_or(u16::MAX);
                let address = self.read(transfer.address, ix)?;
                let address = self.check_type(address, &TypeTag::Address, ix)?;
                let recipient = Address::from_bytes(&address.bytes)
                    .map_err(|_| arg_err(ix, CommandArgumentError::InvalidBcsBytes))?;
                for (i, object) in transfer.objects.iter().enumerate() {
                    let ix = u16::try_from(i).unwrap_or(u16::MAX);
                    let v = self.take(*object, ix, true)?;
                    let ty =
                        v.ty.clone()
                            .ok_or_else(|| arg_err(ix, CommandArgumentError::TypeMismatch))?;
                    let abilities = self.registry.abilities(&ty);
                    let known_object =
                        matches!(&ty, TypeTag::Struct(s) if self.object_types.contains(s));
                    if !(self.is_object(&ty) && (abilities.store || known_object)) {
                        return Err(arg_err(ix, CommandArgumentError::TypeMismatch));
                    }
                    let id = v.object_id().ok_or(ExecutionError::InvalidTransferObject)?;
                    self.fates
                        .written
                        .insert(id, (v, Owner::Address(recipient)));
                }
                self.push_result(vec![]);
            }
            Command::MakeMoveVector(make) => {
                let mut elem_type = make.type_.clone();
                let mut bytes = Vec::new();
                write_uleb(&mut bytes, make.elements.len() as u64);
                for (i, element) in make.elements.iter().enumerate() {
                    let ix = u16::try_from(i).unwrap_or(u16::MAX);
                    let v = self.take(*element, ix, false)?;
                    let v = match &elem_type {
                        Some(t) => self.check_type(v, t, ix)?,
                        None => {
                            let t = v.ty.clone().ok_or(ExecutionError::CommandArgumentError {
                                argument: ix,
                                kind: CommandArgumentError::InvalidUsageOfPureArgument,
                            })?;
                            if t == *UNTYPED_RECEIVING {
                                // Without a type, the first element must be an object.
                                return Err(arg_err(
                                    ix,
                                    CommandArgumentError::InvalidMakeMoveVecNonObjectArgument,
                                ));
                            }
                            elem_type = Some(t);
                            v
                        }
                    };
                    bytes.extend_from_slice(&v.bytes);
                }
                let elem_type = elem_type.ok_or(ExecutionError::TypeArityMismatch)?;
                self.push_result(vec![Value::typed(
                    TypeTag::Vector(Box::new(elem_type)),
                    bytes,
                )]);
            }
            Command::MoveCall(call) => self.move_call(call, ctx_base)?,
            _ => return Err(ExecutionError::FeatureNotYetSupported),
        }
        Ok(())
    }

    fn fresh_id(&mut self, ctx: &CtxBase) -> Address {
        let id = Address::derive_id(ctx.digest, self.ids_created);
        self.ids_created += 1;
        self.fates.created.insert(id);
        id
    }

    fn move_call(&mut self, call: &sui_sdk_types::MoveCall, ctx: &CtxBase) -> ExecResult<()> {
        let function = self
            .registry
            .function(&call.package, call.module.as_str(), call.function.as_str())
            .cloned()
            .ok_or(ExecutionError::FunctionNotFound)?;
        if is_private_generic(call) {
            return Err(ExecutionError::NonEntryFunctionInvoked);
        }
        let sig = &function.sig;
        if call.type_arguments.len() != sig.type_params.len() {
            return Err(ExecutionError::TypeArityMismatch);
        }
        // Type arguments must have the abilities their parameters require (e.g. `key + store`
        // for `public_transfer`), so a value that is not an object cannot pass for one.
        for (i, (ty, required)) in call.type_arguments.iter().zip(&sig.type_params).enumerate() {
            let Some(has) = self.registry.known_abilities(ty) else {
                continue;
            };
            if (required.copy && !has.copy)
                || (required.drop && !has.drop)
                || (required.store && !has.store)
                || (required.key && !has.key)
            {
                return Err(ExecutionError::TypeArgumentError {
                    type_argument: u16::try_from(i).unwrap_or(u16::MAX),
                    kind: sui_sdk_types::TypeArgumentError::ConstraintNotSatisfied,
                });
            }
        }
        let explicit: Vec<&Param> = sig
            .params
            .iter()
            .filter(|p| !matches!(p, Param::TxContext { .. }))
            .collect();
        if explicit.len() != call.arguments.len() {
            return Err(ExecutionError::ArityMismatch);
        }
        let mut values = Vec::with_capacity(explicit.len());
        // Sui's borrow rules within one call: nothing is borrowed `&mut` while borrowed, nor
        // borrowed `&` while borrowed `&mut`, nor moved while borrowed (copies are fine).
        let mut borrowed: Vec<(Argument, bool)> = Vec::with_capacity(explicit.len());
        for (i, (param, arg)) in explicit.iter().zip(&call.arguments).enumerate() {
            let ix = u16::try_from(i).unwrap_or(u16::MAX);
            let key = slot_key(*arg);
            let in_use = |mutable_only: bool| {
                borrowed
                    .iter()
                    .any(|&(k, m)| k == key && (m || !mutable_only))
            };
            let (ty, v) = match param {
                Param::Val(t) => {
                    if in_use(false) {
                        let v = self.read(*arg, ix)?;
                        if !self.has_copy(&v) {
                            return Err(arg_err(ix, CommandArgumentError::InvalidValueUsage));
                        }
                    }
                    (t, self.take(*arg, ix, false)?)
                }
                Param::Ref(t) => {
                    if in_use(true) {
                        return Err(arg_err(ix, CommandArgumentError::InvalidValueUsage));
                    }
                    borrowed.push((key, false));
                    (t, self.read(*arg, ix)?)
                }
                Param::MutRef(t) => {
                    if in_use(false) {
                        return Err(arg_err(ix, CommandArgumentError::InvalidValueUsage));
                    }
                    borrowed.push((key, true));
                    (t, self.borrow_mut(*arg, ix)?)
                }
                Param::TxContext { .. } => continue,
            };
            let expected = ty
                .instantiate(&call.type_arguments)
                .ok_or(ExecutionError::TypeArityMismatch)?;
            values.push(self.check_type(v, &expected, ix)?);
        }
        let mut native_ctx = NativeContext {
            sender: ctx.sender,
            tx_digest: ctx.digest,
            epoch: ctx.epoch,
            timestamp_ms: ctx.timestamp_ms,
            ids_created: &mut self.ids_created,
            fates: &mut self.fates,
            call_package: call.package,
            call_module: call.module.clone(),
            function_index: function.index,
            function_name: call.function.clone(),
            lamport_version: ctx.lamport_version,
            objects: self.objects,
            receiving: &self.receiving,
        };
        let returned = (function.imp)(&mut native_ctx, &call.type_arguments, &mut values)?;
        // Received objects are objects of the transaction from now on (TransferObjects, drop
        // checks), like objects loaded as inputs.
        for object in self.fates.received.values() {
            if let Some((ty, _, _)) = contents_of(object) {
                self.object_types.insert(ty.clone());
            }
        }
        for (i, ((param, arg), v)) in explicit.iter().zip(&call.arguments).zip(values).enumerate() {
            if matches!(param, Param::MutRef(_)) {
                self.write_back(*arg, u16::try_from(i).unwrap_or(u16::MAX), v)?;
            }
        }
        self.push_result(returned);
        Ok(())
    }
}

/// The slot an argument names: `Result(r)` is the single value `NestedResult(r, 0)`.
fn slot_key(arg: Argument) -> Argument {
    match arg {
        Argument::Result(r) => Argument::NestedResult(r, 0),
        other => other,
    }
}

struct CtxBase {
    digest: Digest,
    sender: Address,
    epoch: u64,
    timestamp_ms: u64,
    lamport_version: u64,
}

/// Storage cost in MIST of keeping `object` (its BCS size times the storage price).
pub(crate) fn storage_cost(object: &Object) -> u64 {
    let size = bcs::serialized_size(object).unwrap_or(0) as u64;
    size * STORAGE_UNITS_PER_BYTE * STORAGE_PRICE
}

/// Builds an object at `version` with its storage rebate set to its storage cost.
pub(crate) fn build_object(
    type_: StructTag,
    has_public_transfer: bool,
    version: u64,
    contents: Vec<u8>,
    owner: Owner,
    previous_transaction: Digest,
) -> Option<Object> {
    let data = ObjectData::Struct(MoveStruct::new(
        type_,
        has_public_transfer,
        version,
        contents,
    )?);
    let draft = Object::new(data.clone(), owner, previous_transaction, 0);
    let rebate = storage_cost(&draft);
    Some(Object::new(data, owner, previous_transaction, rebate))
}

/// An immutable package object, with its storage rebate set to its storage cost.
pub(crate) fn package_object(package: MovePackage, previous_transaction: Digest) -> Object {
    let data = ObjectData::Package(package);
    let draft = Object::new(data.clone(), Owner::Immutable, previous_transaction, 0);
    let rebate = storage_cost(&draft);
    Object::new(data, Owner::Immutable, previous_transaction, rebate)
}

/// The BCS contents of a struct object.
pub(crate) fn contents_of(object: &Object) -> Option<(&StructTag, &[u8], bool)> {
    match object.data() {
        ObjectData::Struct(s) => Some((s.object_type(), s.contents(), s.has_public_transfer())),
        ObjectData::Package(_) => None,
    }
}

/// The coin type `T` and balance of a `Coin<T>` object.
pub(crate) fn coin_of(object: &Object) -> Option<(&TypeTag, u64)> {
    let (ty, contents, _) = contents_of(object)?;
    let coin_type = ty.is_coin()?;
    let balance = <[u8; 8]>::try_from(contents.get(32..40)?).ok()?;
    Some((coin_type, u64::from_le_bytes(balance)))
}

/// The balance of a SUI gas coin (`Coin<0x2::sui::SUI>`).
pub(crate) fn sui_balance(object: &Object) -> Option<u64> {
    let (ty, _, _) = contents_of(object)?;
    (*ty == StructTag::gas_coin()).then(|| coin_of(object).map(|c| c.1))?
}

/// Runs a programmable transaction. Never fails; errors become failure effects.
pub(crate) fn execute(registry: &NativeRegistry, req: ExecRequest<'_>) -> ExecOutput {
    // Lamport rule: every written object gets 1 + the highest input version, receiving inputs
    // included (received or not).
    let mut max_version = 0;
    let mut receiving = BTreeMap::new();
    for input in &req.inputs {
        match input {
            LoadedInput::Object { object, .. } => max_version = max_version.max(object.version()),
            LoadedInput::Receiving(r) => {
                max_version = max_version.max(r.version());
                receiving.insert(*r.object_id(), r.version());
            }
            LoadedInput::Pure(_) => {}
        }
    }
    for g in &req.gas {
        max_version = max_version.max(g.version());
    }
    let lamport_version = max_version + 1;
    let base = CtxBase {
        digest: req.digest,
        sender: req.sender,
        epoch: req.epoch,
        timestamp_ms: req.timestamp_ms,
        lamport_version,
    };

    // Input objects keyed by ID, with whether the transaction may change them.
    let mut loaded: BTreeMap<Address, (Object, bool)> = BTreeMap::new();
    let mut machine = Machine {
        registry,
        objects: req.objects,
        inputs: Vec::with_capacity(req.inputs.len()),
        gas: None,
        results: Vec::new(),
        object_types: BTreeSet::new(),
        fates: ObjectFates::default(),
        ids_created: 0,
        receiving,
    };
    for input in &req.inputs {
        match input {
            LoadedInput::Pure(bytes) => machine.inputs.push(Slot {
                value: Some(Value {
                    ty: None,
                    bytes: bytes.clone(),
                }),
                kind: SlotKind::Pure,
            }),
            LoadedInput::Receiving(r) => {
                // `Receiving { id: ID, version: u64 }`
                let mut bytes = r.object_id().as_bytes().to_vec();
                bytes.extend_from_slice(&r.version().to_le_bytes());
                machine.inputs.push(Slot {
                    value: Some(Value::typed(UNTYPED_RECEIVING.clone(), bytes)),
                    kind: SlotKind::Receiving,
                });
            }
            LoadedInput::Object { object, mutable } => {
                let (ty, contents, _) =
                    contents_of(object).unwrap_or_else(|| (&PACKAGE_PLACEHOLDER_TYPE, &[], false));
                machine.object_types.insert(ty.clone());
                machine.inputs.push(Slot {
                    value: Some(Value::typed(
                        TypeTag::Struct(Box::new(ty.clone())),
                        contents.to_vec(),
                    )),
                    kind: if *mutable {
                        SlotKind::MutableObject
                    } else {
                        SlotKind::ImmutableObject
                    },
                });
                loaded.insert(object.object_id(), (object.clone(), *mutable));
            }
        }
    }

    // Gas smashing: the first coin receives the balance of the others, which are deleted.
    let mut smashed = Vec::new();
    let mut gas_value: Option<Value> = None;
    let mut gas_id = None;
    for (i, g) in req.gas.iter().enumerate() {
        loaded.insert(g.object_id(), (g.clone(), true));
        let Some((ty, contents, _)) = contents_of(g) else {
            continue;
        };
        let v = Value::typed(TypeTag::Struct(Box::new(ty.clone())), contents.to_vec());
        if i == 0 {
            gas_id = Some(g.object_id());
            gas_value = Some(v);
        } else {
            let amount = v.read_u64(32).unwrap_or(0);
            if let Some(primary) = gas_value.as_mut() {
                let total = primary.read_u64(32).unwrap_or(0).saturating_add(amount);
                primary.write_u64(32, total);
            }
            smashed.push(g.object_id());
        }
    }
    machine.gas = gas_value.clone().map(|v| Slot {
        value: Some(v),
        kind: SlotKind::Gas,
    });

    // Run the commands.
    let mut status = ExecutionStatus::Success;
    for (i, command) in req.ptb.commands.iter().enumerate() {
        if let Err(error) = machine.run_command(command, &base) {
            status = ExecutionStatus::Failure {
                error,
                command: Some(i as u64),
            };
            break;
        }
    }
    if status == ExecutionStatus::Success {
        if let Err(error) =
            check_unused(&machine).and_then(|()| check_shared(&machine, &req.inputs))
        {
            status = ExecutionStatus::Failure {
                error,
                command: None,
            };
        }
    }

    // Receiving an object makes its previous transaction a dependency, even if the transaction
    // then fails (as Sui records it).
    let received_dependencies: Vec<Digest> = machine
        .fates
        .received
        .values()
        .map(Object::previous_transaction)
        .collect();
    // Objects loaded at run time (dynamic fields, received objects): inputs only if kept.
    let mut runtime_loaded: BTreeSet<Address> = BTreeSet::new();
    let mut runtime_loaded_rolled_back = false;

    // Collect writes (new contents and owner per ID) and removals.
    let mut writes: BTreeMap<Address, (Value, Owner)> = BTreeMap::new();
    let mut removed: BTreeSet<Address> = smashed.iter().copied().collect();
    let mut created: BTreeSet<Address> = BTreeSet::new();
    let mut deleted: BTreeSet<Address> = smashed.iter().copied().collect();
    let mut events = Vec::new();
    if status == ExecutionStatus::Success {
        let fates = std::mem::take(&mut machine.fates);
        events = fates.events;
        created = fates.created;
        // Dynamic fields reached at run time count as inputs once written or deleted.
        for (id, child) in fates.loaded_children {
            if fates.written.contains_key(&id) || fates.deleted.contains(&id) {
                created.remove(&id);
                loaded.insert(id, (child, true));
                runtime_loaded.insert(id);
            }
        }
        // Received objects are modified: transferred, deleted, or (neither) wrapped.
        for (id, object) in fates.received {
            if !fates.written.contains_key(&id) && !fates.deleted.contains(&id) {
                removed.insert(id);
            }
            loaded.insert(id, (object, true));
            runtime_loaded.insert(id);
        }
        for (slot, input) in machine.inputs.iter().zip(&req.inputs) {
            let LoadedInput::Object {
                object,
                mutable: true,
            } = input
            else {
                continue;
            };
            match &slot.value {
                Some(v) => {
                    writes.insert(object.object_id(), (v.clone(), *object.owner()));
                }
                None => {
                    // Moved out: transferred/deleted below, otherwise wrapped.
                    removed.insert(object.object_id());
                }
            }
        }
        if let (Some(slot), Some(id)) = (&machine.gas, gas_id) {
            match &slot.value {
                Some(v) => {
                    let owner = loaded
                        .get(&id)
                        .map(|(o, _)| *o.owner())
                        .unwrap_or(Owner::Immutable);
                    writes.insert(id, (v.clone(), owner));
                }
                None => {
                    removed.insert(id);
                }
            }
        }
        for (id, w) in fates.written {
            removed.remove(&id);
            writes.insert(id, w);
        }
        for id in fates.deleted {
            writes.remove(&id);
            removed.insert(id);
            deleted.insert(id);
        }
    } else if let (Some(v), Some(id)) = (gas_value, gas_id) {
        let owner = loaded
            .get(&id)
            .map(|(o, _)| *o.owner())
            .unwrap_or(Owner::Immutable);
        writes.insert(id, (v, owner));
    }
    // Objects created and then deleted or wrapped in the same transaction leave no trace.
    removed.retain(|id| loaded.contains_key(id));

    // The gas object is where the gas coin ended up (it may have been transferred).
    let mut output_objects: BTreeMap<Address, Object> = BTreeMap::new();
    let build = |id: &Address, v: &Value, owner: Owner| -> Option<Object> {
        let ty = match &v.ty {
            Some(TypeTag::Struct(s)) => (**s).clone(),
            _ => return None,
        };
        let public = loaded
            .get(id)
            .and_then(|(o, _)| contents_of(o).map(|c| c.2))
            .unwrap_or_else(|| {
                registry
                    .abilities(&TypeTag::Struct(Box::new(ty.clone())))
                    .store
            });
        build_object(
            ty,
            public,
            lamport_version,
            v.bytes.clone(),
            owner,
            req.digest,
        )
    };

    // Gas: computation plus storage of everything written, minus rebates of what is replaced.
    let compute = |writes: &BTreeMap<Address, (Value, Owner)>, removed: &BTreeSet<Address>| {
        let storage: u64 = writes
            .iter()
            .filter_map(|(id, (v, owner))| build(id, v, *owner))
            .map(|o| o.storage_rebate())
            .sum();
        let rebate: u64 = loaded
            .iter()
            .filter(|(id, (_, mutable))| {
                *mutable && (writes.contains_key(*id) || removed.contains(*id))
            })
            .map(|(_, (o, _))| o.storage_rebate())
            .sum();
        (storage, rebate)
    };
    let computation = req.gas_price.saturating_mul(COMPUTATION_UNITS);
    let (mut storage, mut rebate) = compute(&writes, &removed);
    let mut computation_cost = computation;
    if status == ExecutionStatus::Success && computation.saturating_add(storage) > req.gas_budget {
        status = ExecutionStatus::Failure {
            error: ExecutionError::InsufficientGas,
            command: None,
        };
        // Roll back to the gas coin alone, and charge the whole budget.
        writes.retain(|id, _| Some(*id) == gas_id);
        // Objects loaded at run time are no longer part of the transaction (dropped below).
        runtime_loaded_rolled_back = true;
        removed = smashed.iter().copied().collect();
        deleted = removed.clone();
        created.clear();
        events.clear();
        if let (Some(slot_gas), Some(id)) = (recompute_gas(&req), gas_id) {
            let owner = loaded
                .get(&id)
                .map(|(o, _)| *o.owner())
                .unwrap_or(Owner::Immutable);
            writes.insert(id, (slot_gas, owner));
        }
        (storage, rebate) = compute(&writes, &removed);
        computation_cost = req.gas_budget.saturating_sub(storage);
    } else if status != ExecutionStatus::Success {
        computation_cost = computation.min(req.gas_budget.saturating_sub(storage));
    }
    let rebate_returned = rebate / 10_000 * STORAGE_REBATE_RATE_BPS
        + rebate % 10_000 * STORAGE_REBATE_RATE_BPS / 10_000;
    let non_refundable = rebate - rebate_returned;
    let net: i128 =
        i128::from(computation_cost) + i128::from(storage) - i128::from(rebate_returned);
    if let Some(id) = gas_id {
        if let Some((v, _)) = writes.get_mut(&id) {
            let balance = v.read_u64(32).unwrap_or(0);
            let after = if net >= 0 {
                // The pre-execution check (balance >= budget >= computation + storage) means
                // this never saturates.
                balance.saturating_sub(u64::try_from(net).unwrap_or(u64::MAX))
            } else {
                balance.saturating_add(u64::try_from(-net).unwrap_or(0))
            };
            v.write_u64(32, after);
        }
    }

    for (id, (v, owner)) in &writes {
        if let Some(o) = build(id, v, *owner) {
            output_objects.insert(*id, o);
        }
    }

    // Effects.
    let mut changed: BTreeMap<Address, ChangedObject> = BTreeMap::new();
    let ids: BTreeSet<Address> = writes.keys().chain(removed.iter()).copied().collect();
    for id in ids {
        let input_state = match loaded.get(&id) {
            Some((o, _)) => ObjectIn::Exist {
                version: o.version(),
                digest: o.digest(),
                owner: *o.owner(),
            },
            None => ObjectIn::NotExist,
        };
        let output_state = match output_objects.get(&id) {
            Some(o) => ObjectOut::ObjectWrite {
                digest: o.digest(),
                owner: *o.owner(),
            },
            None => ObjectOut::NotExist,
        };
        let existed = loaded.contains_key(&id);
        let id_operation = if !existed && created.contains(&id) {
            IdOperation::Created
        } else if existed && !output_objects.contains_key(&id) && deleted.contains(&id) {
            IdOperation::Deleted
        } else {
            IdOperation::None
        };
        changed.insert(
            id,
            ChangedObject {
                object_id: id,
                input_state,
                output_state,
                id_operation,
            },
        );
    }
    let gas_object_index = gas_id
        .and_then(|g| changed.keys().position(|id| *id == g))
        .map(|i| i as u32);
    let mut unchanged_consensus_objects = Vec::new();
    let mut dependencies = BTreeSet::new();
    for (id, (o, mutable)) in &loaded {
        dependencies.insert(o.previous_transaction());
        if !mutable && matches!(o.owner(), Owner::Shared(_)) {
            unchanged_consensus_objects.push(UnchangedConsensusObject {
                object_id: *id,
                kind: UnchangedConsensusKind::ReadOnlyRoot {
                    version: o.version(),
                    digest: o.digest(),
                },
            });
        }
    }
    dependencies.extend(received_dependencies);
    dependencies.remove(&req.digest);
    let events = (!events.is_empty()).then(|| TransactionEvents(events));
    let effects = TransactionEffects::V2(Box::new(TransactionEffectsV2 {
        status,
        epoch: req.epoch,
        gas_used: GasCostSummary {
            computation_cost,
            storage_cost: storage,
            storage_rebate: rebate_returned,
            non_refundable_storage_fee: non_refundable,
        },
        transaction_digest: req.digest,
        gas_object_index,
        events_digest: events.as_ref().map(TransactionEvents::digest),
        dependencies: dependencies.into_iter().collect(),
        lamport_version,
        changed_objects: changed.into_values().collect(),
        unchanged_consensus_objects,
        auxiliary_data_digest: None,
    }));

    if runtime_loaded_rolled_back {
        loaded.retain(|id, _| !runtime_loaded.contains(id));
    }
    let input_objects: Vec<Object> = loaded.values().map(|(o, _)| o.clone()).collect();
    let output_objects: Vec<Object> = output_objects.into_values().collect();
    let balance_changes = balance_changes(&input_objects, &output_objects, &loaded);
    ExecOutput {
        effects,
        events,
        input_objects,
        output_objects,
        balance_changes,
    }
}

/// The type of a receiving input before its first use fixes its `T`: `0x2::transfer::Receiving`
/// without type arguments, which no Move value can have.
static UNTYPED_RECEIVING: std::sync::LazyLock<TypeTag> = std::sync::LazyLock::new(|| {
    TypeTag::Struct(Box::new(StructTag::new(
        Address::TWO,
        Identifier::from_static("transfer"),
        Identifier::from_static("Receiving"),
        vec![],
    )))
});

/// `0x2::transfer` functions whose type parameter is `internal` (Sui's private generics): a PTB
/// cannot call them directly, whatever the type argument.
const PRIVATE_TRANSFER_FUNCTIONS: [&str; 5] = [
    "transfer",
    "freeze_object",
    "share_object",
    "receive",
    "party_transfer",
];

fn is_private_generic(call: &sui_sdk_types::MoveCall) -> bool {
    call.package == Address::TWO
        && call.module.as_str() == "transfer"
        && PRIVATE_TRANSFER_FUNCTIONS.contains(&call.function.as_str())
}

/// Placeholder type for package inputs, which the native executor cannot use.
static PACKAGE_PLACEHOLDER_TYPE: std::sync::LazyLock<StructTag> = std::sync::LazyLock::new(|| {
    StructTag::new(
        Address::TWO,
        Identifier::from_static("package"),
        Identifier::from_static("Package"),
        vec![],
    )
});

/// The smashed gas coin before any command ran.
fn recompute_gas(req: &ExecRequest<'_>) -> Option<Value> {
    let mut primary: Option<Value> = None;
    for g in &req.gas {
        let (ty, contents, _) = contents_of(g)?;
        let v = Value::typed(TypeTag::Struct(Box::new(ty.clone())), contents.to_vec());
        match primary.as_mut() {
            None => primary = Some(v),
            Some(p) => {
                let total = p.read_u64(32)?.saturating_add(v.read_u64(32)?);
                p.write_u64(32, total);
            }
        }
    }
    primary
}

/// Shared objects stay shared: they may be mutated or deleted, not transferred, frozen or wrapped.
fn check_shared(machine: &Machine<'_>, inputs: &[LoadedInput]) -> ExecResult<()> {
    for (slot, input) in machine.inputs.iter().zip(inputs) {
        let LoadedInput::Object {
            object,
            mutable: true,
        } = input
        else {
            continue;
        };
        let Owner::Shared(_) = object.owner() else {
            continue;
        };
        if slot.value.is_some() {
            continue;
        }
        let id = object.object_id();
        let kept_shared = match machine.fates.written.get(&id) {
            Some((_, owner)) => owner == object.owner(),
            None => machine.fates.deleted.contains(&id),
        };
        if !kept_shared {
            return Err(ExecutionError::ConsensusObjectOperationNotAllowed);
        }
    }
    Ok(())
}

/// Values left in results must have `drop`.
fn check_unused(machine: &Machine<'_>) -> ExecResult<()> {
    for (r, result) in machine.results.iter().enumerate() {
        for (s, slot) in result.iter().enumerate() {
            if let Some(v) = &slot.value {
                if !machine.has_drop(v) {
                    return Err(ExecutionError::UnusedValueWithoutDrop {
                        result: u16::try_from(r).unwrap_or(u16::MAX),
                        subresult: u16::try_from(s).unwrap_or(u16::MAX),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Per (address, coin type) balance differences between inputs and outputs.
fn balance_changes(
    inputs: &[Object],
    outputs: &[Object],
    loaded: &BTreeMap<Address, (Object, bool)>,
) -> Vec<BalanceChange> {
    let mut deltas: BTreeMap<(Address, String), (TypeTag, i128)> = BTreeMap::new();
    let mut add = |o: &Object, sign: i128| {
        let Owner::Address(owner) = o.owner() else {
            return;
        };
        let Some((coin_type, balance)) = coin_of(o) else {
            return;
        };
        let amount = i128::from(balance) * sign;
        let entry = deltas
            .entry((*owner, coin_type.to_string()))
            .or_insert((coin_type.clone(), 0));
        entry.1 += amount;
    };
    for o in inputs {
        if loaded
            .get(&o.object_id())
            .is_some_and(|(_, mutable)| *mutable)
        {
            add(o, -1);
        }
    }
    for o in outputs {
        add(o, 1);
    }
    deltas
        .into_iter()
        .filter(|(_, (_, amount))| *amount != 0)
        .map(|((address, _), (coin_type, amount))| BalanceChange {
            address,
            coin_type,
            amount,
        })
        .collect()
}
