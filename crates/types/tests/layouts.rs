//! Checks each type's declared Move field list (`MoveStruct::LAYOUT`) against its actual Rust
//! BCS layout: bytes generated from the declared list must decode as the Rust type, consume
//! everything and re-encode identically, and the Rust field names must match the declared ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::fmt;

use common::{Ty, parse_ty};
use haulout_types::*;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Appends the ULEB128 encoding of `n`.
fn uleb(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Gen {
    registry: HashMap<&'static str, MoveTypeInfo>,
}

impl Gen {
    fn new() -> Self {
        let mut registry = HashMap::new();
        for info in mirrored_types() {
            // Bytes are generated from field types only, so two types of one name (`Cap` of
            // `allowlist` and of `subscription`) may share an entry if their types agree.
            if let Some(other) = registry.insert(info.name, info) {
                assert_eq!(
                    field_types(other.layout),
                    field_types(info.layout),
                    "two mirrored types named {} with different field types",
                    info.name
                );
            }
        }
        Self { registry }
    }

    /// BCS bytes of a value of `ty`, varied by `seed`: enums take variant `seed % n`, options are
    /// `Some` for odd seeds, vectors have `seed % 3` elements.
    fn bytes(&self, ty: &Ty, env: &HashMap<String, Ty>, seed: usize, out: &mut Vec<u8>) {
        if let Some(bound) = env.get(&ty.name) {
            return self.bytes(&bound.clone(), &HashMap::new(), seed, out);
        }
        let fill = |out: &mut Vec<u8>, n: usize| out.extend((0..n).map(|i| (seed + i) as u8));
        match ty.name.as_str() {
            "bool" => out.push((seed % 2) as u8),
            "u8" => fill(out, 1),
            "u16" => fill(out, 2),
            "u32" => fill(out, 4),
            "u64" => fill(out, 8),
            "u128" => fill(out, 16),
            "u256" | "address" | "ID" | "UID" => fill(out, 32),
            "String" => {
                uleb(out, seed % 3);
                out.extend(std::iter::repeat_n(b'a', seed % 3));
            }
            "vector" => {
                let n = seed % 3;
                uleb(out, n);
                for i in 0..n {
                    self.bytes(&ty.args[0], env, seed + i + 1, out);
                }
            }
            "Option" => {
                if seed % 2 == 1 {
                    out.push(1);
                    self.bytes(&ty.args[0], env, seed + 1, out);
                } else {
                    out.push(0);
                }
            }
            name => {
                let info = self
                    .registry
                    .get(name)
                    .unwrap_or_else(|| panic!("type {name} is not mirrored"));
                let mut inner_env = HashMap::new();
                for (param, arg) in info.type_params.iter().zip(&ty.args) {
                    let param = param.trim_start_matches("phantom ").trim();
                    inner_env.insert(param.to_owned(), resolve(arg, env));
                }
                let fields = match info.layout {
                    Layout::Struct(fields) => fields,
                    Layout::Enum(variants) => {
                        let v = seed % variants.len();
                        uleb(out, v);
                        variants[v].1
                    }
                };
                if fields.is_empty() && matches!(info.layout, Layout::Struct(_)) {
                    out.push((seed % 2) as u8); // dummy_field
                }
                for (i, (_, fty)) in fields.iter().enumerate() {
                    let fty = parse_ty(fty).expect("declared field type parses");
                    self.bytes(&fty, &inner_env, seed + i, out);
                }
            }
        }
    }
}

/// The field types of a layout, without the names.
fn field_types(layout: Layout) -> Vec<Vec<&'static str>> {
    match layout {
        Layout::Struct(fields) => vec![fields.iter().map(|f| f.1).collect()],
        Layout::Enum(variants) => variants
            .iter()
            .map(|v| v.1.iter().map(|f| f.1).collect())
            .collect(),
    }
}

/// Substitutes bound type parameters in `ty`.
fn resolve(ty: &Ty, env: &HashMap<String, Ty>) -> Ty {
    if let Some(b) = env.get(&ty.name) {
        return b.clone();
    }
    Ty {
        name: ty.name.clone(),
        args: ty.args.iter().map(|a| resolve(a, env)).collect(),
    }
}

/// The keys of a JSON object, in order (or the variant name of an enum's JSON form).
#[derive(Debug, PartialEq)]
enum Shape {
    Object(Vec<(String, Shape)>),
    Other(String),
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("anything")
            }
            fn visit_str<E>(self, v: &str) -> Result<Shape, E> {
                Ok(Shape::Other(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v: Shape = map.next_value()?;
                    keys.push((k, v));
                }
                Ok(Shape::Object(keys))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Shape, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Shape::Other("[..]".into()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other("number".into()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other("number".into()))
            }
            fn visit_u128<E>(self, _: u128) -> Result<Shape, E> {
                Ok(Shape::Other("number".into()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other("number".into()))
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other("null".into()))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Shape, D2::Error> {
                Shape::deserialize(d)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other("bool".into()))
            }
        }
        d.deserialize_any(V)
    }
}

fn field_names(fields: &[(&str, &str)]) -> Vec<String> {
    fields.iter().map(|(n, _)| n.to_string()).collect()
}

fn is_positional(fields: &[(&str, &str)]) -> bool {
    fields
        .first()
        .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
}

fn check<T: MoveStruct + Serialize + DeserializeOwned + PartialEq + fmt::Debug>(
    g: &Gen,
    seen: &mut Vec<&'static str>,
) {
    seen.push(T::NAME);
    let ty = parse_ty(&format!(
        "{}{}",
        T::NAME,
        if T::TYPE_PARAMS.is_empty() {
            String::new()
        } else {
            // Instantiate every parameter with u64; the Rust instantiation below matches.
            format!("<{}>", vec!["u64"; T::TYPE_PARAMS.len()].join(", "))
        }
    ))
    .expect("name parses");
    let n_variants = match T::LAYOUT {
        Layout::Enum(v) => v.len(),
        Layout::Struct(_) => 1,
    };
    for seed in 0..(6 * n_variants) {
        let mut bytes = Vec::new();
        g.bytes(&ty, &HashMap::new(), seed, &mut bytes);
        let value: T = bcs::from_bytes(&bytes).unwrap_or_else(|e| {
            panic!(
                "{}: generated bytes {} do not decode: {e}",
                T::NAME,
                hex::encode(&bytes)
            )
        });
        assert_eq!(
            bcs::to_bytes(&value).unwrap(),
            bytes,
            "{}: re-encoding",
            T::NAME
        );

        let json = serde_json::to_string(&value).unwrap();
        let shape: Shape = serde_json::from_str(&json).unwrap();
        match T::LAYOUT {
            Layout::Struct([]) => {
                assert_eq!(
                    shape,
                    Shape::Object(vec![("dummy_field".into(), Shape::Other("bool".into()))]),
                    "{}",
                    T::NAME
                );
            }
            Layout::Struct(fields) if is_positional(fields) => {}
            Layout::Struct(fields) => {
                let Shape::Object(keys) = shape else {
                    panic!("{}: not an object: {json}", T::NAME)
                };
                let keys: Vec<String> = keys.into_iter().map(|(k, _)| k).collect();
                assert_eq!(keys, field_names(fields), "{}: field names", T::NAME);
            }
            Layout::Enum(variants) => {
                let (vname, vfields) = variants[seed % variants.len()];
                match shape {
                    Shape::Other(s) => {
                        assert!(vfields.is_empty(), "{}: {json}", T::NAME);
                        assert_eq!(s, vname, "{}: variant name", T::NAME);
                    }
                    Shape::Object(mut keys) => {
                        assert_eq!(keys.len(), 1, "{}: {json}", T::NAME);
                        let (key, inner) = keys.remove(0);
                        assert_eq!(key, vname, "{}: variant name", T::NAME);
                        if !is_positional(vfields) {
                            let Shape::Object(inner) = inner else {
                                panic!("{}: {json}", T::NAME)
                            };
                            let inner: Vec<String> = inner.into_iter().map(|(k, _)| k).collect();
                            assert_eq!(inner, field_names(vfields), "{}: {vname} fields", T::NAME);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn declared_layouts_match_rust() {
    let g = Gen::new();
    let mut seen = Vec::new();
    let s = &mut seen;
    // Generic types are instantiated with u64 for every parameter.
    check::<Balance<u64>>(&g, s);
    check::<Supply<u64>>(&g, s);
    check::<Coin<u64>>(&g, s);
    check::<TreasuryCap<u64>>(&g, s);
    check::<Url>(&g, s);
    check::<CoinMetadata<u64>>(&g, s);
    check::<Table<u64, u64>>(&g, s);
    check::<ObjectTable<u64, u64>>(&g, s);
    check::<Bag>(&g, s);
    check::<ObjectBag>(&g, s);
    check::<Entry<u64, u64>>(&g, s);
    check::<VecMap<u64, u64>>(&g, s);
    check::<VecSet<u64>>(&g, s);
    check::<G1>(&g, s);
    check::<UncompressedG1>(&g, s);
    check::<Element<u64>>(&g, s);
    check::<Field<u64, u64>>(&g, s);
    check::<Wrapper<u64>>(&g, s);
    check::<UpgradeCap>(&g, s);
    check::<Publisher>(&g, s);
    check::<Wal>(&g, s);
    check::<ProtectedTreasury>(&g, s);
    check::<TreasuryCapKey>(&g, s);
    check::<Init>(&g, s);
    check::<InitCap>(&g, s);
    check::<System>(&g, s);
    check::<SystemStateInnerV1>(&g, s);
    check::<BlsCommittee>(&g, s);
    check::<BlsCommitteeMember>(&g, s);
    check::<FutureAccountingRingBuffer>(&g, s);
    check::<FutureAccounting>(&g, s);
    check::<EventBlobCertificationState>(&g, s);
    check::<EventBlob>(&g, s);
    check::<EventBlobAttestation>(&g, s);
    check::<ExtendedField<u64>>(&g, s);
    check::<ExtendedFieldKey>(&g, s);
    check::<Staking>(&g, s);
    check::<StakingInnerV1>(&g, s);
    check::<EpochState>(&g, s);
    check::<Committee>(&g, s);
    check::<EpochParams>(&g, s);
    check::<ActiveSet>(&g, s);
    check::<ActiveSetEntry>(&g, s);
    check::<StakingPool>(&g, s);
    check::<PoolState>(&g, s);
    check::<VotingParams>(&g, s);
    check::<Authorized>(&g, s);
    check::<StorageNodeInfo>(&g, s);
    check::<NodeMetadata>(&g, s);
    check::<PendingValues>(&g, s);
    check::<PoolExchangeRate>(&g, s);
    check::<NewEpochCommissionBlockedForCollection>(&g, s);
    check::<StorageNodeCap>(&g, s);
    check::<StakedWal>(&g, s);
    check::<StakedWalState>(&g, s);
    check::<Authenticated>(&g, s);
    check::<WalrusContext>(&g, s);
    check::<BlobPersistenceType>(&g, s);
    check::<Storage>(&g, s);
    check::<Blob>(&g, s);
    check::<Metadata>(&g, s);
    check::<SharedBlob>(&g, s);
    check::<BlobIdDerivation>(&g, s);
    check::<BlobRegistered>(&g, s);
    check::<BlobCertified>(&g, s);
    check::<BlobDeleted>(&g, s);
    check::<InvalidBlobID>(&g, s);
    check::<EpochChangeStart>(&g, s);
    check::<EpochChangeDone>(&g, s);
    check::<ShardsReceived>(&g, s);
    check::<EpochParametersSelected>(&g, s);
    check::<ShardRecoveryStart>(&g, s);
    check::<ContractUpgraded>(&g, s);
    check::<RegisterDenyListUpdate>(&g, s);
    check::<DenyListUpdate>(&g, s);
    check::<DenyListBlobDeleted>(&g, s);
    check::<ContractUpgradeProposed>(&g, s);
    check::<ContractUpgradeQuorumReached>(&g, s);
    check::<ProtocolVersionUpdated>(&g, s);
    check::<PricesUpdated>(&g, s);
    check::<StoragePoolCreated>(&g, s);
    check::<PooledBlobRegistered>(&g, s);
    check::<PooledBlobCertified>(&g, s);
    check::<PooledBlobDeleted>(&g, s);
    check::<StoragePoolExtended>(&g, s);
    check::<GovernanceConfig>(&g, s);
    check::<Proposal>(&g, s);
    check::<ProposalAction>(&g, s);
    check::<ProposalStatus>(&g, s);
    check::<VoteMarks>(&g, s);
    check::<VoteMarksKey>(&g, s);
    check::<ProposalCreated>(&g, s);
    check::<VoteCast>(&g, s);
    check::<ProposalFinalized>(&g, s);
    check::<ProposalExecuted>(&g, s);
    check::<KeyServer>(&g, s);
    check::<KeyServerV1>(&g, s);
    check::<KeyServerV2>(&g, s);
    check::<ServerType>(&g, s);
    check::<PartialKeyServer>(&g, s);
    check::<Allowlist>(&g, s);
    check::<AllowlistCap>(&g, s);
    check::<Service>(&g, s);
    check::<Subscription>(&g, s);
    check::<ServiceCap>(&g, s);

    // Every mirrored type was checked.
    let mut all: Vec<&str> = mirrored_types().iter().map(|t| t.name).collect();
    all.sort_unstable();
    seen.sort_unstable();
    assert_eq!(seen, all);
}

#[test]
fn names_are_valid_identifiers() {
    let packages = Packages {
        walrus: Address::new([1; 32]),
        wal: Address::new([2; 32]),
    };
    for info in mirrored_types() {
        for s in [info.module, info.name] {
            assert!(Identifier::new(s).is_ok(), "{s} is not a Move identifier");
        }
        assert!(!packages.address(info.origin).as_bytes().is_empty());
    }
    // The struct tags built from these names are the ones in the vectors.
    assert_eq!(
        System::struct_tag(&packages).to_string(),
        format!("0x{}::system::System", "01".repeat(32))
    );
}

#[test]
fn walrus_event_decodes_every_event() {
    let g = Gen::new();
    let walrus = Address::new([0x11; 32]);
    let mut n = 0;
    for info in mirrored_types()
        .into_iter()
        .filter(|t| t.module == "events")
    {
        let tag = StructTag::new(
            walrus,
            Identifier::new(info.module).unwrap(),
            Identifier::new(info.name).unwrap(),
            vec![],
        );
        for seed in 0..4 {
            let mut bytes = Vec::new();
            g.bytes(
                &parse_ty(info.name).unwrap(),
                &HashMap::new(),
                seed,
                &mut bytes,
            );
            let event = WalrusEvent::decode(&tag, &bytes, walrus)
                .unwrap()
                .unwrap_or_else(|| panic!("{} not decoded", info.name));
            assert_eq!(event.name(), info.name);
            assert_eq!(event.to_bcs().unwrap(), bytes);
        }
        n += 1;
    }
    assert_eq!(n, 26);
}
