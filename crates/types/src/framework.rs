//! Sui framework (`0x2`) and standard-library types that the Walrus objects contain.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use sui_sdk_types::TypeTag;

use crate::ids::ObjectId;
use crate::move_type::move_struct;

/// `0x2::balance::Balance<phantom T>`: an amount of coin `T` (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Balance<T> {
    /// The amount, in the coin's smallest unit (FROST for WAL).
    pub value: u64,
    #[serde(skip)]
    _coin: PhantomData<T>,
}

impl<T> Balance<T> {
    /// A balance of `value`.
    pub const fn new(value: u64) -> Self {
        Self {
            value,
            _coin: PhantomData,
        }
    }
}

move_struct!(Balance<T>, Sui, "balance", "Balance", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)], struct [("value", "u64")]);

/// `0x2::balance::Supply<phantom T>`: the total supply of coin `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Supply<T> {
    /// The total supply.
    pub value: u64,
    #[serde(skip)]
    _coin: PhantomData<T>,
}

impl<T> Supply<T> {
    /// A supply of `value`.
    pub const fn new(value: u64) -> Self {
        Self {
            value,
            _coin: PhantomData,
        }
    }
}

move_struct!(Supply<T>, Sui, "balance", "Supply", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)], struct [("value", "u64")]);

/// `0x2::coin::Coin<phantom T>` (key, store): an owned coin object (40 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Coin<T> {
    /// The object ID.
    pub id: ObjectId,
    /// The coin's value.
    pub balance: Balance<T>,
}

move_struct!(Coin<T>, Sui, "coin", "Coin", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)], struct [("id", "UID"), ("balance", "Balance<T>")]);

/// `0x2::coin::TreasuryCap<phantom T>` (key, store): the right to mint and burn `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct TreasuryCap<T> {
    /// The object ID.
    pub id: ObjectId,
    /// The total supply of `T`.
    pub total_supply: Supply<T>,
}

move_struct!(TreasuryCap<T>, Sui, "coin", "TreasuryCap", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)],
    struct [("id", "UID"), ("total_supply", "Supply<T>")]);

/// `0x2::url::Url`: an ASCII URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Url {
    /// The URL text (`std::ascii::String`).
    pub url: String,
}

move_struct!(Url, Sui, "url", "Url", struct [("url", "String")]);

/// `0x2::coin::CoinMetadata<phantom T>` (key, store): name, symbol and decimals of coin `T`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct CoinMetadata<T> {
    /// The object ID.
    pub id: ObjectId,
    /// Number of decimals (9 for WAL).
    pub decimals: u8,
    /// Display name (`std::string::String`).
    pub name: String,
    /// Ticker symbol (`std::ascii::String`).
    pub symbol: String,
    /// Description.
    pub description: String,
    /// Optional icon.
    pub icon_url: Option<Url>,
    #[serde(skip)]
    _coin: PhantomData<T>,
}

impl<T> CoinMetadata<T> {
    /// Metadata with the given fields.
    pub fn new(
        id: ObjectId,
        decimals: u8,
        name: String,
        symbol: String,
        description: String,
        icon_url: Option<Url>,
    ) -> Self {
        Self {
            id,
            decimals,
            name,
            symbol,
            description,
            icon_url,
            _coin: PhantomData,
        }
    }
}

move_struct!(CoinMetadata<T>, Sui, "coin", "CoinMetadata", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)],
    struct [("id", "UID"), ("decimals", "u8"), ("name", "String"), ("symbol", "String"),
        ("description", "String"), ("icon_url", "Option<Url>")]);

/// `0x2::table::Table<phantom K, phantom V>`: the 40-byte header; entries are dynamic fields
/// of `id` (see [`crate::derive_dynamic_field_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Table<K, V> {
    /// The table's UID, parent of its entries.
    pub id: ObjectId,
    /// Number of entries.
    pub size: u64,
    #[serde(skip)]
    _types: PhantomData<(K, V)>,
}

impl<K, V> Table<K, V> {
    /// A table header.
    pub const fn new(id: ObjectId, size: u64) -> Self {
        Self {
            id,
            size,
            _types: PhantomData,
        }
    }
}

move_struct!(Table<K, V>, Sui, "table", "Table", params ["phantom K", "phantom V"],
    args <K, V> |p| vec![K::type_tag(p), V::type_tag(p)],
    struct [("id", "UID"), ("size", "u64")]);

/// `0x2::object_table::ObjectTable<phantom K, phantom V>`: the 40-byte header; entries are
/// dynamic object fields of `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct ObjectTable<K, V> {
    /// The table's UID, parent of its entries.
    pub id: ObjectId,
    /// Number of entries.
    pub size: u64,
    #[serde(skip)]
    _types: PhantomData<(K, V)>,
}

impl<K, V> ObjectTable<K, V> {
    /// A table header.
    pub const fn new(id: ObjectId, size: u64) -> Self {
        Self {
            id,
            size,
            _types: PhantomData,
        }
    }
}

move_struct!(ObjectTable<K, V>, Sui, "object_table", "ObjectTable",
    params ["phantom K", "phantom V"],
    args <K, V> |p| vec![K::type_tag(p), V::type_tag(p)],
    struct [("id", "UID"), ("size", "u64")]);

/// `0x2::bag::Bag`: a heterogeneous map whose entries are dynamic fields of `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bag {
    /// The bag's UID.
    pub id: ObjectId,
    /// Number of entries.
    pub size: u64,
}

move_struct!(Bag, Sui, "bag", "Bag", struct [("id", "UID"), ("size", "u64")]);

/// `0x2::object_bag::ObjectBag`: a heterogeneous map of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectBag {
    /// The bag's UID.
    pub id: ObjectId,
    /// Number of entries.
    pub size: u64,
}

move_struct!(ObjectBag, Sui, "object_bag", "ObjectBag", struct [("id", "UID"), ("size", "u64")]);

/// `0x2::vec_map::Entry<K, V>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Entry<K, V> {
    /// The key.
    pub key: K,
    /// The value.
    pub value: V,
}

move_struct!(Entry<K, V>, Sui, "vec_map", "Entry", params ["K", "V"],
    args <K, V> |p| vec![K::type_tag(p), V::type_tag(p)],
    struct [("key", "K"), ("value", "V")]);

/// `0x2::vec_map::VecMap<K, V>`: a map stored as a vector, in insertion order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VecMap<K, V> {
    /// The entries, in the order Move keeps them.
    pub contents: Vec<Entry<K, V>>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        Self {
            contents: Vec::new(),
        }
    }
}

impl<K: PartialEq, V> VecMap<K, V> {
    /// The value under `key`, if any.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.contents
            .iter()
            .find(|e| &e.key == key)
            .map(|e| &e.value)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.contents.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.contents.is_empty()
    }
}

impl<K, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            contents: iter
                .into_iter()
                .map(|(key, value)| Entry { key, value })
                .collect(),
        }
    }
}

move_struct!(VecMap<K, V>, Sui, "vec_map", "VecMap", params ["K", "V"],
    args <K, V> |p| vec![K::type_tag(p), V::type_tag(p)],
    struct [("contents", "vector<Entry<K, V>>")]);

/// `0x2::vec_set::VecSet<K>`: a set stored as a vector.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VecSet<K> {
    /// The elements.
    pub contents: Vec<K>,
}

impl<K> Default for VecSet<K> {
    fn default() -> Self {
        Self {
            contents: Vec::new(),
        }
    }
}

move_struct!(VecSet<K>, Sui, "vec_set", "VecSet", params ["K"],
    args <K> |p| vec![K::type_tag(p)], struct [("contents", "vector<K>")]);

/// Marker for `0x2::bls12381::G1` (compressed, 48-byte points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct G1 {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(G1, Sui, "bls12381", "G1", struct []);

/// Marker for `0x2::bls12381::UncompressedG1` (96-byte points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct UncompressedG1 {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(UncompressedG1, Sui, "bls12381", "UncompressedG1", struct []);

/// `0x2::group_ops::Element<phantom T>`: a serialized group element (a BLS key here).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Element<T> {
    /// The point's bytes: 96 for [`UncompressedG1`], 48 for [`G1`].
    pub bytes: Vec<u8>,
    #[serde(skip)]
    _group: PhantomData<T>,
}

impl<T> Element<T> {
    /// An element with the given bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            _group: PhantomData,
        }
    }
}

move_struct!(Element<T>, Sui, "group_ops", "Element", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)], struct [("bytes", "vector<u8>")]);

/// `0x2::dynamic_field::Field<Name, Value>` (key): the object holding one dynamic field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Field<N, V> {
    /// The field object's ID, derived from the parent and the name.
    pub id: ObjectId,
    /// The key.
    pub name: N,
    /// The value.
    pub value: V,
}

move_struct!(Field<N, V>, Sui, "dynamic_field", "Field", params ["Name", "Value"],
    args <N, V> |p| vec![N::type_tag(p), V::type_tag(p)],
    struct [("id", "UID"), ("name", "Name"), ("value", "Value")]);

/// `0x2::dynamic_object_field::Wrapper<Name>`: the key type of dynamic object fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Wrapper<N> {
    /// The user's key.
    pub name: N,
}

move_struct!(Wrapper<N>, Sui, "dynamic_object_field", "Wrapper", params ["Name"],
    args <N> |p| vec![N::type_tag(p)], struct [("name", "Name")]);

/// `0x2::package::UpgradeCap` (key, store): the right to upgrade a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UpgradeCap {
    /// The object ID.
    pub id: ObjectId,
    /// The package it upgrades.
    pub package: ObjectId,
    /// Number of upgrades so far.
    pub version: u64,
    /// The upgrade policy (0 compatible, 128 additive, 192 dependency-only).
    pub policy: u8,
}

move_struct!(UpgradeCap, Sui, "package", "UpgradeCap",
    struct [("id", "UID"), ("package", "ID"), ("version", "u64"), ("policy", "u8")]);

/// `0x2::package::Publisher` (key, store): proof of publishing a module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Publisher {
    /// The object ID.
    pub id: ObjectId,
    /// The package address as ASCII hex.
    pub package: String,
    /// The module name.
    pub module_name: String,
}

move_struct!(Publisher, Sui, "package", "Publisher",
    struct [("id", "UID"), ("package", "String"), ("module_name", "String")]);

/// A type tag for the framework type `0x2::<module>::<name>` with the given arguments.
pub(crate) fn framework_tag(
    module: &'static str,
    name: &'static str,
    args: Vec<TypeTag>,
) -> TypeTag {
    use sui_sdk_types::{Address, Identifier, StructTag};
    TypeTag::Struct(Box::new(StructTag::new(
        Address::TWO,
        Identifier::from_static(module),
        Identifier::from_static(name),
        args,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::move_type::{MoveStruct, MoveType, Packages};
    use crate::wal::Wal;

    fn packages() -> Packages {
        Packages {
            walrus: sui_sdk_types::Address::new([0x11; 32]),
            wal: sui_sdk_types::Address::new([0x22; 32]),
        }
    }

    #[test]
    fn coin_of_wal_tag() {
        let tag = Coin::<Wal>::struct_tag(&packages());
        assert_eq!(
            tag.to_string(),
            format!(
                "0x{}::coin::Coin<0x{}::wal::WAL>",
                "0".repeat(63) + "2",
                "22".repeat(32)
            )
        );
        let coin = Coin::<Wal> {
            id: ObjectId::new([7; 32]),
            balance: Balance::new(5),
        };
        let bytes = bcs::to_bytes(&coin).unwrap();
        assert_eq!(bytes.len(), 40);
        assert_eq!(bcs::from_bytes::<Coin<Wal>>(&bytes).unwrap(), coin);
    }

    #[test]
    fn element_tag() {
        let tag = Element::<UncompressedG1>::struct_tag(&packages());
        assert_eq!(tag.module().as_str(), "group_ops");
        assert_eq!(tag.type_params().len(), 1);
        assert_eq!(
            framework_tag("bls12381", "UncompressedG1", vec![]),
            UncompressedG1::type_tag(&packages())
        );
    }
}
