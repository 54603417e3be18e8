//! The dispatch table of native Move functions: the chain's only way to run Move code.
//!
//! The local chain has no Move VM. A `MoveCall` command is resolved in a [`NativeRegistry`] by
//! `(package, module, function)` and runs a Rust implementation that reads and writes the
//! arguments' BCS bytes, exactly as the Move function would. Calling anything not registered
//! fails with Sui's `FunctionNotFound`. The registry is the extension point through which the
//! `wal` and `walrus` packages are added: build one with [`NativeRegistry::with_sui_framework`],
//! then [`NativeRegistry::register`] more functions and [`NativeRegistry::register_datatype`]
//! their types.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use sui_sdk_types::Address;
use sui_sdk_types::Digest;
use sui_sdk_types::Event;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::Identifier;
use sui_sdk_types::MoveLocation;
use sui_sdk_types::Owner;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;

use crate::value::MOVE_STDLIB;
use crate::value::Value;
use crate::value::balance_type_of;
use crate::value::coin_type_of;
use crate::value::write_uleb;

/// A type in a function signature, possibly mentioning the function's type parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigType {
    /// `bool`
    Bool,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `u128`
    U128,
    /// `u256`
    U256,
    /// `address`
    Address,
    /// `vector<T>`
    Vector(Box<SigType>),
    /// A struct `address::module::Name<params>`.
    Datatype {
        /// Defining package.
        address: Address,
        /// Module name.
        module: &'static str,
        /// Struct name.
        name: &'static str,
        /// Type arguments.
        params: Vec<SigType>,
    },
    /// The function's type parameter with this index.
    TypeParam(u16),
}

impl SigType {
    /// A struct type from its parts.
    pub fn datatype(
        address: Address,
        module: &'static str,
        name: &'static str,
        params: Vec<SigType>,
    ) -> Self {
        SigType::Datatype {
            address,
            module,
            name,
            params,
        }
    }

    /// `0x2::transfer::Receiving<object>`: the parameter type through which a function takes a
    /// receiving input (by value, or by `&` for `receiving_object_id`). Clients such as the
    /// TypeScript SDK recognize receiving arguments from this type in `GetFunction`.
    pub fn receiving(object: SigType) -> Self {
        SigType::datatype(Address::TWO, "transfer", "Receiving", vec![object])
    }

    /// Substitutes the type arguments, giving a concrete type.
    ///
    /// Returns `None` if a type parameter index is out of range.
    pub fn instantiate(&self, type_args: &[TypeTag]) -> Option<TypeTag> {
        Some(match self {
            SigType::Bool => TypeTag::Bool,
            SigType::U8 => TypeTag::U8,
            SigType::U16 => TypeTag::U16,
            SigType::U32 => TypeTag::U32,
            SigType::U64 => TypeTag::U64,
            SigType::U128 => TypeTag::U128,
            SigType::U256 => TypeTag::U256,
            SigType::Address => TypeTag::Address,
            SigType::Vector(inner) => TypeTag::Vector(Box::new(inner.instantiate(type_args)?)),
            SigType::Datatype {
                address,
                module,
                name,
                params,
            } => TypeTag::Struct(Box::new(StructTag::new(
                *address,
                Identifier::from_static(module),
                Identifier::from_static(name),
                params
                    .iter()
                    .map(|p| p.instantiate(type_args))
                    .collect::<Option<Vec<_>>>()?,
            ))),
            SigType::TypeParam(i) => type_args.get(usize::from(*i))?.clone(),
        })
    }
}

/// How a parameter is passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// By value (moved, or copied for types with `copy`).
    Val(SigType),
    /// By immutable reference.
    Ref(SigType),
    /// By mutable reference; the native's changes are written back to the argument.
    MutRef(SigType),
    /// The implicit trailing `&mut TxContext` (or `&TxContext`) that PTBs do not pass.
    TxContext {
        /// Whether it is `&mut`.
        mutable: bool,
    },
}

/// Abilities of a Move struct type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Abilities {
    /// `copy`
    pub copy: bool,
    /// `drop`
    pub drop: bool,
    /// `store`
    pub store: bool,
    /// `key`
    pub key: bool,
}

impl Abilities {
    /// `key, store`: a transferable object.
    pub const OBJECT: Self = Self {
        copy: false,
        drop: false,
        store: true,
        key: true,
    };
    /// `copy, drop, store`: a plain value.
    pub const VALUE: Self = Self {
        copy: true,
        drop: true,
        store: true,
        key: false,
    };
    /// `store` only (e.g. `Balance<T>`).
    pub const STORE: Self = Self {
        copy: false,
        drop: false,
        store: true,
        key: false,
    };
    /// `key` only (e.g. `Clock`).
    pub const KEY: Self = Self {
        copy: false,
        drop: false,
        store: false,
        key: true,
    };
}

/// A function's signature, as `GetFunction` reports it and as the executor checks arguments.
#[derive(Clone, Debug)]
pub struct FunctionSig {
    /// Constraints of each type parameter.
    pub type_params: Vec<Abilities>,
    /// Parameters in order (a trailing [`Param::TxContext`] is implicit for callers).
    pub params: Vec<Param>,
    /// Return types.
    pub returns: Vec<SigType>,
    /// Whether the function is `entry`.
    pub is_entry: bool,
}

/// The implementation of a native function.
///
/// It receives the type arguments and one [`Value`] per non-`TxContext` parameter. Values
/// passed by mutable reference are written back from the slice after the call; values passed
/// by value are consumed: an object passed by value must be transferred, shared, frozen or
/// deleted through the [`NativeContext`], or it counts as wrapped.
pub type NativeImpl = Arc<
    dyn Fn(&mut NativeContext<'_>, &[TypeTag], &mut [Value]) -> Result<Vec<Value>, ExecutionError>
        + Send
        + Sync,
>;

/// A registered native function.
#[derive(Clone)]
pub struct NativeFunction {
    /// Its signature.
    pub sig: FunctionSig,
    /// Its implementation.
    pub imp: NativeImpl,
    /// Index of the function in its module, for abort locations.
    pub index: u16,
}

impl std::fmt::Debug for NativeFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeFunction")
            .field("sig", &self.sig)
            .field("index", &self.index)
            .finish()
    }
}

type FunctionKey = (Address, String, String);

/// The table of native Move functions and the abilities of the types they use.
#[derive(Clone, Debug, Default)]
pub struct NativeRegistry {
    functions: BTreeMap<FunctionKey, NativeFunction>,
    datatypes: BTreeMap<FunctionKey, Abilities>,
    /// Generic datatypes whose type parameters are all phantom (their abilities ignore them).
    phantom: BTreeSet<FunctionKey>,
}

impl NativeRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry with the Sui framework functions clients use (`0x2::coin`, `0x2::balance`,
    /// `0x2::transfer`, `0x2::pay`, `0x2::sui`, `0x2::clock`, `0x2::tx_context`).
    pub fn with_sui_framework() -> Self {
        let mut registry = Self::new();
        crate::framework::register(&mut registry);
        registry
    }

    /// Adds (or replaces) a native function.
    pub fn register(
        &mut self,
        package: Address,
        module: &str,
        function: &str,
        sig: FunctionSig,
        imp: NativeImpl,
    ) {
        let index = self
            .functions
            .keys()
            .filter(|(p, m, _)| *p == package && m == module)
            .count();
        let index = u16::try_from(index).unwrap_or(u16::MAX);
        self.functions.insert(
            (package, module.to_owned(), function.to_owned()),
            NativeFunction { sig, imp, index },
        );
    }

    /// Declares the abilities of a struct type (all instantiations).
    pub fn register_datatype(
        &mut self,
        package: Address,
        module: &str,
        name: &str,
        abilities: Abilities,
    ) {
        self.datatypes
            .insert((package, module.to_owned(), name.to_owned()), abilities);
    }

    /// Declares the abilities of a generic struct type whose type parameters are all `phantom`
    /// (e.g. `0x2::transfer::Receiving<phantom T>`): every instantiation has exactly
    /// `abilities`, whatever its type arguments.
    pub fn register_phantom_datatype(
        &mut self,
        package: Address,
        module: &str,
        name: &str,
        abilities: Abilities,
    ) {
        let key = (package, module.to_owned(), name.to_owned());
        self.datatypes.insert(key.clone(), abilities);
        self.phantom.insert(key);
    }

    /// Looks a function up.
    pub fn function(
        &self,
        package: &Address,
        module: &str,
        function: &str,
    ) -> Option<&NativeFunction> {
        self.functions
            .get(&(*package, module.to_owned(), function.to_owned()))
    }

    /// Every registered function, ordered by package, module and name.
    pub fn functions(&self) -> impl Iterator<Item = (&Address, &str, &str, &NativeFunction)> {
        self.functions
            .iter()
            .map(|((p, m, f), nf)| (p, m.as_str(), f.as_str(), nf))
    }

    /// Every declared datatype, as `(package, module, name)`, ordered.
    pub fn datatypes(&self) -> impl Iterator<Item = (&Address, &str, &str)> {
        self.datatypes
            .keys()
            .map(|(p, m, n)| (p, m.as_str(), n.as_str()))
    }

    /// Every package that has at least one native function.
    pub fn packages(&self) -> BTreeSet<Address> {
        self.functions.keys().map(|(p, _, _)| *p).collect()
    }

    /// The abilities of a concrete type if every struct in it is declared, else `None` (the
    /// executor then cannot tell whether a type argument satisfies its constraints).
    pub(crate) fn known_abilities(&self, ty: &TypeTag) -> Option<Abilities> {
        fn known(r: &NativeRegistry, ty: &TypeTag) -> bool {
            match ty {
                TypeTag::Struct(s) => {
                    r.datatypes.contains_key(&(
                        *s.address(),
                        s.module().as_str().to_owned(),
                        s.name().as_str().to_owned(),
                    )) && s.type_params().iter().all(|p| known(r, p))
                }
                TypeTag::Vector(inner) => known(r, inner),
                _ => true,
            }
        }
        known(self, ty).then(|| self.abilities(ty))
    }

    /// The abilities of a concrete type; unknown structs get none.
    pub fn abilities(&self, ty: &TypeTag) -> Abilities {
        match ty {
            TypeTag::Struct(s) => {
                let key = (
                    *s.address(),
                    s.module().as_str().to_owned(),
                    s.name().as_str().to_owned(),
                );
                let declared = self.datatypes.get(&key).copied().unwrap_or_default();
                // A generic struct only has an ability if all its non-phantom type arguments
                // have it (the framework's generic structs with copy/drop are either Option-like
                // containers, whose parameters are not phantom, or registered as phantom).
                if declared.key || s.type_params().is_empty() || self.phantom.contains(&key) {
                    declared
                } else {
                    let mut a = declared;
                    for p in s.type_params() {
                        let inner = self.abilities(p);
                        a.copy &= inner.copy;
                        a.drop &= inner.drop;
                        a.store &= inner.store;
                    }
                    a
                }
            }
            TypeTag::Vector(inner) => {
                let inner = self.abilities(inner);
                Abilities {
                    key: false,
                    ..inner
                }
            }
            TypeTag::Signer => Abilities {
                drop: true,
                ..Abilities::default()
            },
            _ => Abilities::VALUE,
        }
    }
}

/// What a transaction does to objects, accumulated during execution.
#[derive(Debug, Default)]
pub(crate) struct ObjectFates {
    /// IDs created in this transaction.
    pub created: BTreeSet<Address>,
    /// IDs deleted in this transaction.
    pub deleted: BTreeSet<Address>,
    /// Objects written with their new owner (transferred, shared, frozen).
    pub written: BTreeMap<Address, (Value, Owner)>,
    /// Events emitted, in order.
    pub events: Vec<Event>,
    /// Dynamic-field objects read from the ledger during execution, at their current version.
    pub loaded_children: BTreeMap<Address, sui_sdk_types::Object>,
    /// Objects received through a `Receiving` input (`transfer::receive`), at their input
    /// version.
    pub received: BTreeMap<Address, sui_sdk_types::Object>,
}

/// What a native function can see of, and do to, the transaction executing it.
pub struct NativeContext<'a> {
    pub(crate) sender: Address,
    pub(crate) tx_digest: Digest,
    pub(crate) epoch: u64,
    pub(crate) timestamp_ms: u64,
    pub(crate) ids_created: &'a mut u64,
    pub(crate) fates: &'a mut ObjectFates,
    pub(crate) call_package: Address,
    pub(crate) call_module: Identifier,
    pub(crate) function_index: u16,
    pub(crate) function_name: Identifier,
    pub(crate) lamport_version: u64,
    /// The live objects before this transaction (for dynamic fields and received objects).
    pub(crate) objects: &'a std::collections::HashMap<Address, sui_sdk_types::Object>,
    /// The transaction's `Receiving` inputs: object ID to the version they name.
    pub(crate) receiving: &'a BTreeMap<Address, u64>,
}

/// `0x2::transfer::EReceivingObjectTypeMismatch`: the object is not of the `Receiving`'s type.
pub const TRANSFER_E_RECEIVING_OBJECT_TYPE_MISMATCH: u64 = 2;
/// `0x2::transfer::EUnableToReceiveObject`: the object does not exist at the `Receiving`'s
/// version, or is not owned by the parent it is received through.
pub const TRANSFER_E_UNABLE_TO_RECEIVE_OBJECT: u64 = 3;
/// Index of `receive_impl` among the function definitions of the `0x2::transfer` module of the
/// current Sui framework (where its aborts are located; 12 in frameworks before party objects).
const TRANSFER_RECEIVE_IMPL_INDEX: u16 = 15;

/// `0x2::transfer::Receiving<T>`: the type of a receiving input once it is used as a `T`.
pub fn receiving_type(object_type: TypeTag) -> StructTag {
    StructTag::new(
        Address::TWO,
        Identifier::from_static("transfer"),
        Identifier::from_static("Receiving"),
        vec![object_type],
    )
}

/// If `ty` is `0x2::transfer::Receiving<T>`, returns `T`.
pub fn receiving_object_type(ty: &TypeTag) -> Option<&TypeTag> {
    match ty {
        TypeTag::Struct(s)
            if *s.address() == Address::TWO
                && s.module().as_str() == "transfer"
                && s.name().as_str() == "Receiving" =>
        {
            match s.type_params() {
                [t] => Some(t),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `0x2::dynamic_field::Field<K, V>`.
pub fn field_type(key_type: TypeTag, value_type: TypeTag) -> StructTag {
    StructTag::new(
        Address::TWO,
        Identifier::from_static("dynamic_field"),
        Identifier::from_static("Field"),
        vec![key_type, value_type],
    )
}

impl NativeContext<'_> {
    /// The current bytes (`id || key || value`) of the dynamic field object `id`, as this
    /// transaction sees it, if it exists under `parent`.
    fn field_bytes(&mut self, parent: Address, id: Address) -> Option<Vec<u8>> {
        if self.fates.deleted.contains(&id) {
            return None;
        }
        if let Some((v, _)) = self.fates.written.get(&id) {
            return Some(v.bytes.clone());
        }
        let object = self.objects.get(&id)?;
        if *object.owner() != Owner::Object(parent) {
            return None;
        }
        let sui_sdk_types::ObjectData::Struct(s) = object.data() else {
            return None;
        };
        let bytes = s.contents().to_vec();
        self.fates.loaded_children.insert(id, object.clone());
        Some(bytes)
    }

    /// Reads the value of the dynamic field `key` (of type `key_type`) of the object `parent`
    /// (`dynamic_field::borrow`): the BCS bytes of the value, or `None` if there is none.
    pub fn dynamic_field(
        &mut self,
        parent: Address,
        key_type: &TypeTag,
        key: &[u8],
    ) -> Option<Vec<u8>> {
        let id = parent.derive_dynamic_child_id(key_type, key);
        let bytes = self.field_bytes(parent, id)?;
        bytes.get(32 + key.len()..).map(<[u8]>::to_vec)
    }

    /// Adds or replaces the dynamic field `key` of `parent` (`dynamic_field::add`, or
    /// `borrow_mut` followed by a write). The field object is `Field<K, V>` at Sui's derived ID,
    /// owned by `parent`.
    pub fn set_dynamic_field(
        &mut self,
        parent: Address,
        key_type: TypeTag,
        key: Vec<u8>,
        value_type: TypeTag,
        value: Vec<u8>,
    ) {
        let id = parent.derive_dynamic_child_id(&key_type, &key);
        if self.field_bytes(parent, id).is_none() {
            self.fates.deleted.remove(&id);
            if !self.objects.contains_key(&id) {
                self.fates.created.insert(id);
            }
        }
        let mut bytes = id.as_bytes().to_vec();
        bytes.extend_from_slice(&key);
        bytes.extend_from_slice(&value);
        let ty = TypeTag::Struct(Box::new(field_type(key_type, value_type)));
        self.fates
            .written
            .insert(id, (Value::typed(ty, bytes), Owner::Object(parent)));
    }

    /// Removes the dynamic field `key` of `parent` (`dynamic_field::remove`), returning its
    /// value's bytes, or `None` if there is none.
    pub fn remove_dynamic_field(
        &mut self,
        parent: Address,
        key_type: &TypeTag,
        key: &[u8],
    ) -> Option<Vec<u8>> {
        let id = parent.derive_dynamic_child_id(key_type, key);
        let bytes = self.field_bytes(parent, id)?;
        self.delete_object(id);
        bytes.get(32 + key.len()..).map(<[u8]>::to_vec)
    }

    /// The contents of the object `id` owned by the object `parent`, as this transaction sees
    /// it: how a dynamic object field's child is reached from its `Field` object.
    pub fn child_object(&mut self, parent: Address, id: Address) -> Option<Vec<u8>> {
        self.field_bytes(parent, id)
    }

    /// Receives the object a `Receiving<T>` value refers to, through the parent object whose
    /// address is `parent` (`transfer::receive` / `transfer::public_receive`): the object
    /// becomes a value of type `T` in the transaction, which must then transfer, delete or wrap
    /// it like any object taken by value. The effects show it as modified (its input state at
    /// the version the `Receiving` names, owned by `parent`).
    ///
    /// This is the building block for natives of packages that accept transfers to their
    /// objects: a native `fun take<T: key + store>(w: &mut Wallet, r: Receiving<T>): T` calls
    /// it with `w`'s ID. As in Move, only pass the ID of a parent the native holds by `&mut`
    /// (Sui's `&mut UID`); the executor type-checks `receiving` against the native's
    /// `Receiving<T>` parameter (see [`SigType::receiving`]). `public_receive` requires `T: store`;
    /// a native standing for `receive` in `T`'s defining module may receive key-only types.
    ///
    /// # Errors
    /// As Sui's `receive_impl`, a Move abort located in `0x2::transfer::receive_impl`:
    /// [`TRANSFER_E_UNABLE_TO_RECEIVE_OBJECT`] if the object does not exist at the version the
    /// `Receiving` names or is not owned by `parent` (or was already received in this
    /// transaction); [`TRANSFER_E_RECEIVING_OBJECT_TYPE_MISMATCH`] if it is not a `T`.
    /// `InvariantViolation` if `receiving` is not a `Receiving<T>` value of one of the
    /// transaction's receiving inputs (something Move code cannot produce).
    pub fn receive(&mut self, parent: Address, receiving: &Value) -> Result<Value, ExecutionError> {
        let object_type = receiving
            .ty
            .as_ref()
            .and_then(receiving_object_type)
            .cloned()
            .ok_or(ExecutionError::InvariantViolation)?;
        let (id, version) = args::receiving_of(receiving)?;
        if self.receiving.get(&id) != Some(&version) {
            return Err(ExecutionError::InvariantViolation);
        }
        let objects = self.objects;
        let object = match objects.get(&id) {
            Some(o)
                if o.version() == version
                    && *o.owner() == Owner::Address(parent)
                    && !self.fates.received.contains_key(&id)
                    && !self.fates.written.contains_key(&id)
                    && !self.fates.deleted.contains(&id) =>
            {
                o
            }
            _ => return Err(self.receive_abort(TRANSFER_E_UNABLE_TO_RECEIVE_OBJECT)),
        };
        let sui_sdk_types::ObjectData::Struct(s) = object.data() else {
            return Err(self.receive_abort(TRANSFER_E_UNABLE_TO_RECEIVE_OBJECT));
        };
        if TypeTag::Struct(Box::new(s.object_type().clone())) != object_type {
            return Err(self.receive_abort(TRANSFER_E_RECEIVING_OBJECT_TYPE_MISMATCH));
        }
        let value = Value::typed(object_type, s.contents().to_vec());
        self.fates.received.insert(id, object.clone());
        Ok(value)
    }

    /// A Move abort in `0x2::transfer::receive_impl`, where Sui's receive natives abort.
    fn receive_abort(&self, code: u64) -> ExecutionError {
        ExecutionError::MoveAbort {
            location: MoveLocation {
                package: Address::TWO,
                module: Identifier::from_static("transfer"),
                function: TRANSFER_RECEIVE_IMPL_INDEX,
                instruction: 0,
                function_name: Some(Identifier::from_static("receive_impl")),
            },
            code,
        }
    }

    /// Whether `parent` has the dynamic field `key` (`dynamic_field::exists_`).
    pub fn has_dynamic_field(&mut self, parent: Address, key_type: &TypeTag, key: &[u8]) -> bool {
        self.dynamic_field(parent, key_type, key).is_some()
    }
    /// The transaction's sender (`tx_context::sender`).
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// The transaction's digest.
    pub fn tx_digest(&self) -> Digest {
        self.tx_digest
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The timestamp of the current epoch's start, in milliseconds.
    pub fn epoch_timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }

    /// The version every object written by this transaction gets.
    pub fn lamport_version(&self) -> u64 {
        self.lamport_version
    }

    /// A fresh object ID (`object::new`): `derive_id(tx_digest, ids_created)`.
    pub fn fresh_id(&mut self) -> Address {
        let id = Address::derive_id(self.tx_digest, *self.ids_created);
        *self.ids_created += 1;
        self.fates.created.insert(id);
        id
    }

    /// Deletes an object (`object::delete`).
    pub fn delete_object(&mut self, id: Address) {
        self.fates.written.remove(&id);
        self.fates.deleted.insert(id);
    }

    /// Gives an object a new owner (`transfer::*transfer`, `*share_object`, `*freeze_object`).
    ///
    /// # Errors
    /// `InvalidTransferObject` if the value is not an object.
    pub fn transfer(&mut self, object: Value, owner: Owner) -> Result<(), ExecutionError> {
        let id = object
            .object_id()
            .ok_or(ExecutionError::InvalidTransferObject)?;
        self.fates.written.insert(id, (object, owner));
        Ok(())
    }

    /// Emits an event of type `type_` with BCS `contents`.
    pub fn emit_event(&mut self, type_: StructTag, contents: Vec<u8>) {
        self.fates.events.push(Event {
            package_id: self.call_package,
            module: self.call_module.clone(),
            sender: self.sender,
            type_,
            contents,
        });
    }

    /// A Move abort at the current function with `code`.
    pub fn abort(&self, code: u64) -> ExecutionError {
        ExecutionError::MoveAbort {
            location: MoveLocation {
                package: self.call_package,
                module: self.call_module.clone(),
                function: self.function_index,
                instruction: 0,
                function_name: Some(self.function_name.clone()),
            },
            code,
        }
    }

    /// A Move abort at a given framework location (e.g. `0x2::balance::split`).
    pub fn abort_at(&self, package: Address, module: &'static str, code: u64) -> ExecutionError {
        ExecutionError::MoveAbort {
            location: MoveLocation {
                package,
                module: Identifier::from_static(module),
                function: 0,
                instruction: 0,
                function_name: None,
            },
            code,
        }
    }
}

/// Helpers for natives reading their arguments.
pub mod args {
    use super::*;

    /// The `u64` in a value.
    ///
    /// # Errors
    /// `InvariantViolation` if the bytes are not a `u64` (the executor checked the type).
    pub fn u64_of(v: &Value) -> Result<u64, ExecutionError> {
        v.read_u64(0).ok_or(ExecutionError::InvariantViolation)
    }

    /// The address in a value.
    ///
    /// # Errors
    /// `InvariantViolation` if the bytes are not an address.
    pub fn address_of(v: &Value) -> Result<Address, ExecutionError> {
        Address::from_bytes(&v.bytes).map_err(|_| ExecutionError::InvariantViolation)
    }

    /// The balance of a `Coin<T>` value.
    ///
    /// # Errors
    /// `InvariantViolation` if the value is not a coin.
    pub fn coin_balance(v: &Value) -> Result<u64, ExecutionError> {
        v.read_u64(32).ok_or(ExecutionError::InvariantViolation)
    }

    /// The coin type `T` of a `Coin<T>` or `Balance<T>` value.
    ///
    /// # Errors
    /// `InvariantViolation` if the value is neither.
    pub fn coin_type(v: &Value) -> Result<TypeTag, ExecutionError> {
        let ty = v.ty.as_ref().ok_or(ExecutionError::InvariantViolation)?;
        coin_type_of(ty)
            .or_else(|| balance_type_of(ty))
            .cloned()
            .ok_or(ExecutionError::InvariantViolation)
    }

    /// The elements of a `vector<T>` value whose elements have a fixed BCS size.
    ///
    /// # Errors
    /// `InvariantViolation` if the bytes do not split evenly.
    pub fn fixed_vector(v: &Value, elem_size: usize) -> Result<Vec<Vec<u8>>, ExecutionError> {
        let mut cursor = v.bytes.as_slice();
        let len = crate::value::read_uleb(&mut cursor).ok_or(ExecutionError::InvariantViolation)?;
        let len = usize::try_from(len).map_err(|_| ExecutionError::InvariantViolation)?;
        if cursor.len() != len.saturating_mul(elem_size) {
            return Err(ExecutionError::InvariantViolation);
        }
        Ok(cursor.chunks(elem_size).map(<[u8]>::to_vec).collect())
    }

    /// Encodes elements as a BCS vector.
    pub fn encode_vector(elems: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        write_uleb(&mut out, elems.len() as u64);
        for e in elems {
            out.extend_from_slice(e);
        }
        out
    }

    /// `0x1::string::String`, for signatures.
    pub fn string_sig() -> SigType {
        SigType::datatype(MOVE_STDLIB, "string", "String", vec![])
    }

    /// The object ID and version a `Receiving<T>` value names (`Receiving { id: ID, version:
    /// u64 }`).
    ///
    /// # Errors
    /// `InvariantViolation` if the bytes are not a `Receiving`.
    pub fn receiving_of(v: &Value) -> Result<(Address, u64), ExecutionError> {
        if v.bytes.len() != 40 {
            return Err(ExecutionError::InvariantViolation);
        }
        let id = v.object_id().ok_or(ExecutionError::InvariantViolation)?;
        let version = v.read_u64(32).ok_or(ExecutionError::InvariantViolation)?;
        Ok((id, version))
    }
}
