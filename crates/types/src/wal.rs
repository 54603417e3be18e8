//! The `wal` package: the WAL coin and its protected treasury (walrus-onchain.md §4.7).

use serde::{Deserialize, Serialize};

use crate::framework::Publisher;
use crate::ids::ObjectId;
use crate::move_type::move_struct;

/// `wal::wal::WAL` (drop): the one-time witness and coin type. BCS `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Wal {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

impl Wal {
    /// Decimals of the coin: 1 WAL = 10^9 FROST.
    pub const DECIMALS: u8 = 9;
    /// FROST per WAL.
    pub const FROST_PER_WAL: u64 = 1_000_000_000;
    /// Total supply minted at init, in FROST (5·10^9 WAL).
    pub const TOTAL_SUPPLY_FROST: u64 = 5_000_000_000 * Self::FROST_PER_WAL;
    /// The coin's symbol.
    pub const SYMBOL: &'static str = "WAL";
    /// The coin's name.
    pub const COIN_NAME: &'static str = "WAL Token";
}

move_struct!(Wal, Wal, "wal", "WAL", struct []);

/// `wal::wal::ProtectedTreasury` (key, shared): holds the `TreasuryCap<WAL>` under the dynamic
/// object field [`TreasuryCapKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProtectedTreasury {
    /// The object ID.
    pub id: ObjectId,
}

move_struct!(ProtectedTreasury, Wal, "wal", "ProtectedTreasury", struct [("id", "UID")]);

/// `wal::wal::TreasuryCapKey {}` (copy, drop, store): the key of the treasury cap. BCS `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TreasuryCapKey {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(TreasuryCapKey, Wal, "wal", "TreasuryCapKey", struct []);

/// `walrus::init::INIT` (drop): the `walrus` package's one-time witness. BCS `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Init {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(Init, Walrus, "init", "INIT", struct []);

/// `walrus::init::InitCap` (key, store): allows initializing the system once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InitCap {
    /// The object ID.
    pub id: ObjectId,
    /// The `walrus` package's publisher.
    pub publisher: Publisher,
}

move_struct!(InitCap, Walrus, "init", "InitCap",
    struct [("id", "UID"), ("publisher", "Publisher")]);
