//! The `seal` package (Seal's `key_server` layouts, spec seal.md §4) and the `policies`
//! package (`allowlist`, `subscription`) of haulout.
//!
//! Their type tags need the packages' addresses, which [`Packages`](crate::Packages) (the Walrus
//! deployment) does not know: build them with [`SealPackages::struct_tag`].

use serde::{Deserialize, Serialize};
use sui_sdk_types::{Address, Identifier, StructTag};

use crate::ids::ObjectId;
use crate::move_type::{MoveStruct, Origin, move_struct};

/// Where the `seal` and `policies` packages are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealPackages {
    /// The `seal` package (`key_server`, `time`).
    pub seal: Address,
    /// The `policies` package (`private`, `allowlist`, `subscription`, `tle`).
    pub policies: Address,
}

impl SealPackages {
    /// The address of `origin`'s package, if it is one of these two.
    pub fn address(&self, origin: Origin) -> Option<Address> {
        match origin {
            Origin::Seal => Some(self.seal),
            Origin::Policies => Some(self.policies),
            Origin::Std | Origin::Sui | Origin::Walrus | Origin::Wal => None,
        }
    }

    /// The struct tag of the (non-generic) `seal` or `policies` type `T`, or `None` for a type of
    /// another package.
    pub fn struct_tag<T: MoveStruct>(&self) -> Option<StructTag> {
        Some(StructTag::new(
            self.address(T::ORIGIN)?,
            Identifier::new(T::MODULE).ok()?,
            Identifier::new(T::NAME).ok()?,
            Vec::new(),
        ))
    }
}

/// `seal::key_server::KEY_TYPE_BONEH_FRANKLIN_BLS12381`: the only key type.
pub const KEY_TYPE_BONEH_FRANKLIN_BLS12381: u8 = 0;

/// `seal::key_server::KeyServer` (key, store): a registered key server; its contents are the
/// `u64`-keyed dynamic field `1` ([`KeyServerV1`]) or `2` ([`KeyServerV2`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyServer {
    /// The object ID: the server's identity in ciphertexts.
    pub id: ObjectId,
    /// Lowest version of contents it has.
    pub first_version: u64,
    /// Highest version of contents it has.
    pub last_version: u64,
}

move_struct!(KeyServer, Seal, "key_server", "KeyServer",
    struct [("id", "UID"), ("first_version", "u64"), ("last_version", "u64")]);

/// `seal::key_server::KeyServerV1` (store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyServerV1 {
    /// Display name.
    pub name: String,
    /// URL of the server.
    pub url: String,
    /// [`KEY_TYPE_BONEH_FRANKLIN_BLS12381`].
    pub key_type: u8,
    /// The master public key (compressed G2, 96 bytes).
    pub pk: Vec<u8>,
}

move_struct!(KeyServerV1, Seal, "key_server", "KeyServerV1",
    struct [("name", "String"), ("url", "String"), ("key_type", "u8"), ("pk", "vector<u8>")]);

/// `seal::key_server::KeyServerV2` (store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyServerV2 {
    /// Display name.
    pub name: String,
    /// [`KEY_TYPE_BONEH_FRANKLIN_BLS12381`].
    pub key_type: u8,
    /// The master public key (compressed G2, 96 bytes).
    pub pk: Vec<u8>,
    /// Independent or committee.
    pub server_type: ServerType,
}

move_struct!(KeyServerV2, Seal, "key_server", "KeyServerV2",
    struct [("name", "String"), ("key_type", "u8"), ("pk", "vector<u8>"),
        ("server_type", "ServerType")]);

/// `seal::key_server::ServerType` (drop, store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServerType {
    /// One server holding the whole master key.
    Independent {
        /// URL of the server.
        url: String,
    },
    /// A threshold committee.
    Committee {
        /// Incremented on every rotation.
        version: u32,
        /// Members needed.
        threshold: u16,
        /// The members.
        partial_key_servers: Vec<PartialKeyServer>,
    },
}

move_struct!(ServerType, Seal, "key_server", "ServerType", enum [
    ("Independent", [("url", "String")]),
    ("Committee", [("version", "u32"), ("threshold", "u16"),
        ("partial_key_servers", "vector<PartialKeyServer>")]),
]);

/// `seal::key_server::PartialKeyServer` (copy, drop, store): one committee member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialKeyServer {
    /// Display name.
    pub name: String,
    /// URL of the member.
    pub url: String,
    /// Its partial public key (compressed G2).
    pub partial_pk: Vec<u8>,
    /// Its party ID in the DKG.
    pub party_id: u16,
}

move_struct!(PartialKeyServer, Seal, "key_server", "PartialKeyServer",
    struct [("name", "String"), ("url", "String"), ("partial_pk", "vector<u8>"),
        ("party_id", "u16")]);

/// `policies::allowlist::Allowlist` (key, shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Allowlist {
    /// The object ID: the prefix of the allowlist's inner ids.
    pub id: ObjectId,
    /// Display name.
    pub name: String,
    /// The members.
    pub list: Vec<Address>,
}

move_struct!(Allowlist, Policies, "allowlist", "Allowlist",
    struct [("id", "UID"), ("name", "String"), ("list", "vector<address>")]);

/// `policies::allowlist::Cap` (key): the right to change an allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AllowlistCap {
    /// The object ID.
    pub id: ObjectId,
    /// The allowlist it manages.
    pub allowlist_id: ObjectId,
}

move_struct!(AllowlistCap, Policies, "allowlist", "Cap",
    struct [("id", "UID"), ("allowlist_id", "ID")]);

/// `policies::subscription::Service` (key, shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Service {
    /// The object ID: the prefix of the service's inner ids.
    pub id: ObjectId,
    /// The price of a subscription, in FROST.
    pub fee: u64,
    /// How long a subscription lasts, in ms.
    pub ttl: u64,
    /// Who is paid.
    pub owner: Address,
    /// Display name.
    pub name: String,
}

move_struct!(Service, Policies, "subscription", "Service",
    struct [("id", "UID"), ("fee", "u64"), ("ttl", "u64"), ("owner", "address"),
        ("name", "String")]);

/// `policies::subscription::Subscription` (key): owned by the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subscription {
    /// The object ID.
    pub id: ObjectId,
    /// The service subscribed to.
    pub service_id: ObjectId,
    /// When it started (Clock ms).
    pub created_at: u64,
}

move_struct!(Subscription, Policies, "subscription", "Subscription",
    struct [("id", "UID"), ("service_id", "ID"), ("created_at", "u64")]);

/// `policies::subscription::Cap` (key): the right to publish under a service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceCap {
    /// The object ID.
    pub id: ObjectId,
    /// The service it manages.
    pub service_id: ObjectId,
}

move_struct!(ServiceCap, Policies, "subscription", "Cap",
    struct [("id", "UID"), ("service_id", "ID")]);
