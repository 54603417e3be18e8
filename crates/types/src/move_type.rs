//! Move type tags and machine-readable field lists of the mirrored types.

use sui_sdk_types::{Identifier, StructTag, TypeTag};

use crate::ids::{Address, ObjectId, U256};

/// The package a Move type is defined in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The Move standard library, `0x1`.
    Std,
    /// The Sui framework, `0x2`.
    Sui,
    /// The `walrus` package (its type-origin address).
    Walrus,
    /// The `wal` package (its type-origin address).
    Wal,
    /// The `seal` package (Seal's `key_server` and `time`).
    Seal,
    /// The `policies` package (haulout's Seal access policies).
    Policies,
}

/// Where the `walrus` and `wal` packages are published (their type-origin addresses).
///
/// Type tags of framework types need no package address, but a generic framework type such as
/// `Coin<WAL>` does, so every type tag is built from one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Packages {
    /// Type-origin address of the `walrus` package.
    pub walrus: Address,
    /// Type-origin address of the `wal` package.
    pub wal: Address,
}

impl Packages {
    /// The address of the package `origin` names.
    ///
    /// The `seal` and `policies` packages are not part of a Walrus deployment: their types are
    /// tagged with [`crate::SealPackages`], and give `0x0` here.
    pub fn address(&self, origin: Origin) -> Address {
        match origin {
            Origin::Std => Address::from_static("0x1"),
            Origin::Sui => Address::TWO,
            Origin::Walrus => self.walrus,
            Origin::Wal => self.wal,
            Origin::Seal | Origin::Policies => Address::ZERO,
        }
    }
}

/// The shape of a Move struct or enum, as written in its Move declaration.
///
/// Field types are the Move source spelling without module paths (`Balance<WAL>`, `Option<ID>`,
/// `vector<u8>`, `ExtendedField<VecMap<ID, u64>>`), so the conformance test can compare them with
/// the `move/` sources. Positional fields are named `"0"`, `"1"`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A struct: its fields in declaration order. An empty list is an empty struct, which the
    /// Move compiler gives a `dummy_field: bool` (BCS `00`).
    Struct(&'static [(&'static str, &'static str)]),
    /// An enum: its variants in declaration order, each with its fields.
    Enum(&'static [(&'static str, &'static [(&'static str, &'static str)])]),
}

/// A Rust type with a Move counterpart: gives that type's tag.
pub trait MoveType {
    /// The Move type tag of this type.
    fn type_tag(packages: &Packages) -> TypeTag;
}

/// A Rust mirror of a Move struct or enum whose BCS is byte-identical to the Move value.
pub trait MoveStruct {
    /// The package the type is defined in.
    const ORIGIN: Origin;
    /// The Move module name.
    const MODULE: &'static str;
    /// The Move struct or enum name.
    const NAME: &'static str;
    /// The type parameters as declared (`"phantom T"`, `"K"`, …), in order.
    const TYPE_PARAMS: &'static [&'static str] = &[];
    /// The fields (or variants) as declared in Move.
    const LAYOUT: Layout;

    /// The type tags of the type arguments of this instantiation.
    fn type_args(_packages: &Packages) -> Vec<TypeTag> {
        Vec::new()
    }

    /// The struct tag, e.g. `0x…::system::System` or `0x2::coin::Coin<0x…::wal::WAL>`.
    fn struct_tag(packages: &Packages) -> StructTag {
        StructTag::new(
            packages.address(Self::ORIGIN),
            ident(Self::MODULE),
            ident(Self::NAME),
            Self::type_args(packages),
        )
    }
}

/// An identifier from a compile-time Move name.
///
/// Every name passed here is a constant of this crate, checked by a unit test to be a valid
/// Move identifier, so the fallback is never taken.
fn ident(name: &'static str) -> Identifier {
    Identifier::new(name).unwrap_or_else(|_| Identifier::from_static("invalid"))
}

impl<T: MoveStruct> MoveType for T {
    fn type_tag(packages: &Packages) -> TypeTag {
        TypeTag::Struct(Box::new(T::struct_tag(packages)))
    }
}

macro_rules! primitive_move_type {
    ($($t:ty => $tag:ident),* $(,)?) => {$(
        impl MoveType for $t {
            fn type_tag(_: &Packages) -> TypeTag {
                TypeTag::$tag
            }
        }
    )*};
}

primitive_move_type!(
    bool => Bool,
    u8 => U8,
    u16 => U16,
    u32 => U32,
    u64 => U64,
    u128 => U128,
    U256 => U256,
    Address => Address,
);

impl<T: MoveType> MoveType for Vec<T> {
    fn type_tag(packages: &Packages) -> TypeTag {
        TypeTag::Vector(Box::new(T::type_tag(packages)))
    }
}

impl<T: MoveType> MoveType for Option<T> {
    fn type_tag(packages: &Packages) -> TypeTag {
        TypeTag::Struct(Box::new(StructTag::new(
            Address::from_static("0x1"),
            Identifier::from_static("option"),
            Identifier::from_static("Option"),
            vec![T::type_tag(packages)],
        )))
    }
}

impl MoveType for String {
    fn type_tag(_: &Packages) -> TypeTag {
        TypeTag::Struct(Box::new(StructTag::new(
            Address::from_static("0x1"),
            Identifier::from_static("string"),
            Identifier::from_static("String"),
            Vec::new(),
        )))
    }
}

impl MoveType for ObjectId {
    fn type_tag(_: &Packages) -> TypeTag {
        TypeTag::Struct(Box::new(StructTag::new(
            Address::TWO,
            Identifier::from_static("object"),
            Identifier::from_static("ID"),
            Vec::new(),
        )))
    }
}

/// Declares `MoveStruct` for a mirrored type.
///
/// `move_struct!(Type, Walrus, "module", "Name", struct [("f", "u64"), …]);`, optionally with
/// `params ["phantom T"]` and `args |p| vec![…]` for generic types.
macro_rules! move_struct {
    (
        $ty:ty, $origin:ident, $module:literal, $name:literal,
        $(params [$($param:literal),*],)?
        $(args <$($g:ident),*> |$p:ident| $args:expr,)?
        struct [$(($f:literal, $ft:literal)),* $(,)?]
    ) => {
        move_struct!(@impl $ty, $origin, $module, $name, [$($($param),*)?],
            [$($($g),*)?], [$(|$p| $args)?],
            $crate::move_type::Layout::Struct(&[$(($f, $ft)),*]));
    };
    (
        $ty:ty, $origin:ident, $module:literal, $name:literal,
        $(params [$($param:literal),*],)?
        $(args <$($g:ident),*> |$p:ident| $args:expr,)?
        enum [$(($v:literal, [$(($f:literal, $ft:literal)),* $(,)?])),* $(,)?]
    ) => {
        move_struct!(@impl $ty, $origin, $module, $name, [$($($param),*)?],
            [$($($g),*)?], [$(|$p| $args)?],
            $crate::move_type::Layout::Enum(&[$(($v, &[$(($f, $ft)),*])),*]));
    };
    (@impl $ty:ty, $origin:ident, $module:literal, $name:literal, [$($param:literal),*],
        [$($g:ident),*], [$(|$p:ident| $args:expr)?], $layout:expr) => {
        impl<$($g: $crate::move_type::MoveType),*> $crate::move_type::MoveStruct for $ty {
            const ORIGIN: $crate::move_type::Origin = $crate::move_type::Origin::$origin;
            const MODULE: &'static str = $module;
            const NAME: &'static str = $name;
            const TYPE_PARAMS: &'static [&'static str] = &[$($param),*];
            const LAYOUT: $crate::move_type::Layout = $layout;
            $(
                fn type_args($p: &$crate::move_type::Packages) -> Vec<sui_sdk_types::TypeTag> {
                    $args
                }
            )?
        }
    };
}
pub(crate) use move_struct;

/// Facts about one mirrored Move type, for tools that walk all of them (the conformance test).
#[derive(Debug, Clone, Copy)]
pub struct MoveTypeInfo {
    /// The Rust type's name.
    pub rust_name: &'static str,
    /// The package it is defined in.
    pub origin: Origin,
    /// The Move module.
    pub module: &'static str,
    /// The Move name.
    pub name: &'static str,
    /// The declared type parameters.
    pub type_params: &'static [&'static str],
    /// The declared fields or variants.
    pub layout: Layout,
}

impl MoveTypeInfo {
    /// The facts of `T`.
    pub fn of<T: MoveStruct>() -> Self {
        let rust_name = std::any::type_name::<T>();
        let rust_name = rust_name
            .split('<')
            .next()
            .and_then(|s| s.rsplit("::").next())
            .unwrap_or(rust_name);
        Self {
            rust_name,
            origin: T::ORIGIN,
            module: T::MODULE,
            name: T::NAME,
            type_params: T::TYPE_PARAMS,
            layout: T::LAYOUT,
        }
    }
}
