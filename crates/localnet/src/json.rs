//! Sui's JSON rendering of Move values: `Object.json` and `Event.json`.
//!
//! A full node renders a Move value from its BCS bytes and the layout of its type (Sui's
//! `sui_types::object::rpc_visitor::RpcVisitor`). This module does the same from the layouts the
//! `haulout-types` mirrors declare, plus the Sui framework types clients meet on this chain, and
//! keeps Sui's conventions:
//!
//! - `u8`, `u16`, `u32` are JSON numbers; `u64`, `u128`, `u256` are decimal strings; `bool` is a
//!   JSON boolean; `address` is a `0x`-prefixed 64-digit hex string;
//! - `vector<u8>` is a standard (padded) base64 string; other vectors are arrays;
//! - `0x1::string::String`, `0x1::ascii::String`, `0x1::type_name::TypeName` and `0x2::url::Url`
//!   are strings; `0x2::object::UID` and `0x2::object::ID` are their address string;
//!   `0x1::option::Option<T>` is the value or `null`; `0x2::balance::Balance<T>` is its value as
//!   a decimal string;
//! - any other struct is an object of its fields (an empty struct has the compiler's
//!   `dummy_field`, a positional field `N` is named `posN`); an enum is an object whose
//!   `"@variant"` is the variant name, next to that variant's fields.
//!
//! A value whose type (or the type of anything inside it) has no known layout, whose bytes do not
//! match the layout, that nests deeper than [`MAX_DEPTH`] or that would exceed [`MAX_JSON_SIZE`] is
//! not rendered: the caller leaves `json` unset, as Sui does when rendering fails.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use haulout_types::Layout;
use haulout_types::MoveTypeInfo;
use prost_types::Struct;
use prost_types::Value;
use prost_types::value::Kind;
use sui_sdk_types::Address;
use sui_sdk_types::Identifier;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;

/// How deep structs and vectors may nest, as Sui's proto renderer allows (80% of protobuf's
/// nesting limit of 100, since the value sits inside a response message itself).
pub(crate) const MAX_DEPTH: usize = 80;

/// The rendering budget of one value in bytes, Sui's default `max_json_move_value_size`
/// (1 MiB): each JSON value costs the size of a `prost_types::Value`, each string and field name
/// its length in bytes.
pub(crate) const MAX_JSON_SIZE: usize = 1024 * 1024;

/// Why a value was not rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum RenderError {
    /// No layout is known for this type (or a type its layout names).
    #[error("no layout for type {0}")]
    UnknownType(String),
    /// The bytes ended before the value did.
    #[error("bcs ends early")]
    Eof,
    /// The bytes are not a value of the type.
    #[error("malformed bcs: {0}")]
    Malformed(&'static str),
    /// Bytes are left over after the value.
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
    /// The value nests deeper than [`MAX_DEPTH`].
    #[error("value nests deeper than {MAX_DEPTH}")]
    TooDeep,
    /// The rendering would exceed [`MAX_JSON_SIZE`].
    #[error("value larger than {MAX_JSON_SIZE} bytes of json")]
    TooLarge,
}

/// Renders a Move value of type `ty` from its BCS bytes, or `None` (logged at debug) if it
/// cannot be rendered faithfully.
pub(crate) fn render(ty: &StructTag, bcs: &[u8]) -> Option<Value> {
    match try_render(&TypeTag::Struct(Box::new(ty.clone())), bcs) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::debug!(r#type = %ty, %error, "json rendering skipped");
            None
        }
    }
}

/// Renders a Move value of type `ty` from its BCS bytes, which it must consume entirely.
pub(crate) fn try_render(ty: &TypeTag, bcs: &[u8]) -> Result<Value, RenderError> {
    let mut renderer = Renderer {
        layouts: layouts(),
        bytes: bcs,
        pos: 0,
        budget: MAX_JSON_SIZE,
    };
    let value = renderer.value(ty, 0)?;
    match bcs.len() - renderer.pos {
        0 => Ok(value),
        left => Err(RenderError::Trailing(left)),
    }
}

// === layouts ===

/// A declared struct or enum: its type parameters (without `phantom`) and its fields.
struct Decl {
    params: Vec<&'static str>,
    layout: Layout,
}

/// Every layout this chain knows, by `(address, module, name)`, and the short names they answer to.
struct Layouts {
    decls: HashMap<Address, HashMap<&'static str, HashMap<&'static str, Decl>>>,
    by_name: HashMap<&'static str, Vec<(Address, &'static str)>>,
}

const STD: Address = Address::from_static("0x1");

/// Short names that mean one framework type wherever they are written (`String` is
/// `std::string::String`; `ascii::String` renders the same way).
const ALIASES: &[(&str, Address, &str, &str)] = &[
    ("String", STD, "string", "String"),
    ("UID", Address::TWO, "object", "UID"),
    ("ID", Address::TWO, "object", "ID"),
    ("Option", STD, "option", "Option"),
    ("TypeName", STD, "type_name", "TypeName"),
];

/// Framework types the `haulout-types` mirrors do not cover but that clients see on this chain.
const FRAMEWORK: &[(Address, &str, &str, &[&str], Layout)] = &[
    (
        STD,
        "string",
        "String",
        &[],
        Layout::Struct(&[("bytes", "vector<u8>")]),
    ),
    (
        STD,
        "ascii",
        "String",
        &[],
        Layout::Struct(&[("bytes", "vector<u8>")]),
    ),
    (
        STD,
        "option",
        "Option",
        &["Element"],
        Layout::Struct(&[("vec", "vector<Element>")]),
    ),
    (
        STD,
        "type_name",
        "TypeName",
        &[],
        Layout::Struct(&[("name", "String")]),
    ),
    (
        Address::TWO,
        "object",
        "ID",
        &[],
        Layout::Struct(&[("bytes", "address")]),
    ),
    (
        Address::TWO,
        "object",
        "UID",
        &[],
        Layout::Struct(&[("id", "ID")]),
    ),
    (Address::TWO, "sui", "SUI", &[], Layout::Struct(&[])),
    (
        Address::TWO,
        "clock",
        "Clock",
        &[],
        Layout::Struct(&[("id", "UID"), ("timestamp_ms", "u64")]),
    ),
    (
        Address::TWO,
        "transfer",
        "Receiving",
        &["phantom T"],
        Layout::Struct(&[("id", "ID"), ("version", "u64")]),
    ),
    (
        Address::TWO,
        "table_vec",
        "TableVec",
        &["phantom Element"],
        Layout::Struct(&[("contents", "Table<u64, Element>")]),
    ),
];

fn layouts() -> &'static Layouts {
    static LAYOUTS: OnceLock<Layouts> = OnceLock::new();
    LAYOUTS.get_or_init(Layouts::new)
}

fn param_name(param: &'static str) -> &'static str {
    param.strip_prefix("phantom ").unwrap_or(param).trim()
}

impl Layouts {
    fn new() -> Self {
        let mut layouts = Self {
            decls: HashMap::new(),
            by_name: HashMap::new(),
        };
        for &(address, module, name, params, layout) in FRAMEWORK {
            layouts.add(address, module, name, params, layout);
        }
        for info in haulout_types::mirrored_types() {
            let MoveTypeInfo {
                origin,
                module,
                name,
                type_params,
                layout,
                ..
            } = info;
            let Some(address) = crate::package::origin_address(origin) else {
                continue;
            };
            layouts.add(address, module, name, type_params, layout);
        }
        layouts
    }

    fn add(
        &mut self,
        address: Address,
        module: &'static str,
        name: &'static str,
        params: &[&'static str],
        layout: Layout,
    ) {
        let params = params.iter().copied().map(param_name).collect();
        let module_decls = self
            .decls
            .entry(address)
            .or_default()
            .entry(module)
            .or_default();
        if module_decls.insert(name, Decl { params, layout }).is_none() {
            self.by_name
                .entry(name)
                .or_default()
                .push((address, module));
        }
    }

    fn get(&self, tag: &StructTag) -> Option<&Decl> {
        self.decl(*tag.address(), tag.module().as_str(), tag.name().as_str())
    }

    fn decl(&self, address: Address, module: &str, name: &str) -> Option<&Decl> {
        self.decls.get(&address)?.get(module)?.get(name)
    }

    /// The type a field's source spelling names inside `scope`.
    fn resolve(&self, spelling: &Spelling<'_>, scope: &Scope<'_>) -> Option<TypeTag> {
        let args = |n: usize| -> Option<Vec<TypeTag>> {
            (spelling.args.len() == n).then_some(())?;
            spelling
                .args
                .iter()
                .map(|a| self.resolve(a, scope))
                .collect()
        };
        let primitive = match spelling.name {
            "bool" => Some(TypeTag::Bool),
            "u8" => Some(TypeTag::U8),
            "u16" => Some(TypeTag::U16),
            "u32" => Some(TypeTag::U32),
            "u64" => Some(TypeTag::U64),
            "u128" => Some(TypeTag::U128),
            "u256" => Some(TypeTag::U256),
            "address" => Some(TypeTag::Address),
            "signer" => Some(TypeTag::Signer),
            "vector" => {
                let mut args = args(1)?;
                return args.pop().map(|a| TypeTag::Vector(Box::new(a)));
            }
            _ => None,
        };
        if let Some(p) = primitive {
            return spelling.args.is_empty().then_some(p);
        }
        if let Some((_, ty)) = scope.params.iter().find(|(n, _)| *n == spelling.name) {
            return spelling.args.is_empty().then(|| ty.clone());
        }
        let (address, module, name) = self.locate(spelling.name, scope)?;
        let decl = self.decl(address, module, name)?;
        let type_params = args(decl.params.len())?;
        Some(TypeTag::Struct(Box::new(StructTag::new(
            address,
            Identifier::new(module).ok()?,
            Identifier::new(name).ok()?,
            type_params,
        ))))
    }

    /// Where a (possibly `module::`-qualified) struct name written in `scope` is declared: the
    /// same module, then the same package, then a framework alias, then the one type anywhere
    /// with that name. An ambiguous name is not resolved.
    fn locate(
        &self,
        written: &str,
        scope: &Scope<'_>,
    ) -> Option<(Address, &'static str, &'static str)> {
        let (module, name) = match written.rsplit_once("::") {
            Some((module, name)) => (Some(module.rsplit("::").next().unwrap_or(module)), name),
            None => (None, written),
        };
        let candidates = self.by_name.get(name)?;
        let (&name, _) = self.by_name.get_key_value(name)?;
        let pick = |filter: &dyn Fn(&(Address, &'static str)) -> bool| {
            let mut hits = candidates.iter().filter(|c| filter(c));
            match (hits.next(), hits.next()) {
                (Some(&(a, m)), None) => Some((a, m, name)),
                _ => None,
            }
        };
        if let Some(module) = module {
            return pick(&|&(_, m)| m == module);
        }
        pick(&|&(a, m)| a == scope.address && m == scope.module)
            .or_else(|| pick(&|&(a, _)| a == scope.address))
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, ..)| *alias == name)
                    .map(|&(_, a, m, n)| (a, m, n))
            })
            .or_else(|| pick(&|_| true))
    }
}

/// Where a field type is written: the declaring type's package and module and its type
/// arguments by parameter name.
struct Scope<'a> {
    address: Address,
    module: &'a str,
    params: Vec<(&'a str, TypeTag)>,
}

/// A parsed source spelling such as `ExtendedField<VecMap<ID, u64>>`.
#[derive(Debug, PartialEq, Eq)]
struct Spelling<'a> {
    name: &'a str,
    args: Vec<Spelling<'a>>,
}

impl<'a> Spelling<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        let (spelling, rest) = Self::parse_prefix(s)?;
        rest.trim().is_empty().then_some(spelling)
    }

    fn parse_prefix(s: &'a str) -> Option<(Self, &'a str)> {
        let s = s.trim_start();
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(s.len());
        let name = &s[..end];
        if name.is_empty() {
            return None;
        }
        let mut rest = s[end..].trim_start();
        let mut args = Vec::new();
        if let Some(after) = rest.strip_prefix('<') {
            rest = after;
            loop {
                let (arg, after) = Self::parse_prefix(rest)?;
                args.push(arg);
                let after = after.trim_start();
                if let Some(after) = after.strip_prefix(',') {
                    rest = after;
                } else {
                    rest = after.strip_prefix('>')?;
                    break;
                }
            }
        }
        Some((Self { name, args }, rest))
    }
}

// === rendering ===

struct Renderer<'a> {
    layouts: &'static Layouts,
    bytes: &'a [u8],
    pos: usize,
    budget: usize,
}

fn is(tag: &StructTag, address: Address, module: &str, name: &str) -> bool {
    *tag.address() == address && tag.module().as_str() == module && tag.name().as_str() == name
}

impl Renderer<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], RenderError> {
        let end = self.pos.checked_add(n).ok_or(RenderError::Eof)?;
        let bytes = self.bytes.get(self.pos..end).ok_or(RenderError::Eof)?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RenderError> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| RenderError::Eof)
    }

    /// A BCS length or variant index: canonical ULEB128 of at most `u32::MAX`.
    fn uleb(&mut self) -> Result<usize, RenderError> {
        let mut value: u64 = 0;
        for shift in (0..).step_by(7).take(5) {
            let [byte] = self.array::<1>()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(RenderError::Malformed("non-canonical uleb128"));
                }
                return usize::try_from(
                    u32::try_from(value)
                        .map_err(|_| RenderError::Malformed("uleb128 larger than u32::MAX"))?,
                )
                .map_err(|_| RenderError::Malformed("uleb128 larger than usize"));
            }
        }
        Err(RenderError::Malformed("uleb128 longer than 5 bytes"))
    }

    fn debit(&mut self, n: usize) -> Result<(), RenderError> {
        self.budget = self.budget.checked_sub(n).ok_or(RenderError::TooLarge)?;
        Ok(())
    }

    fn string(&mut self, s: String) -> Result<Value, RenderError> {
        self.debit(s.len() + size_of::<Value>())?;
        Ok(Kind::StringValue(s).into())
    }

    fn scalar(&mut self, kind: Kind) -> Result<Value, RenderError> {
        self.debit(size_of::<Value>())?;
        Ok(kind.into())
    }

    fn address(&mut self) -> Result<Value, RenderError> {
        let address = Address::new(self.array::<32>()?);
        self.string(address.to_string())
    }

    fn value(&mut self, ty: &TypeTag, depth: usize) -> Result<Value, RenderError> {
        match ty {
            TypeTag::Bool => match self.array::<1>()? {
                [0] => self.scalar(Kind::BoolValue(false)),
                [1] => self.scalar(Kind::BoolValue(true)),
                _ => Err(RenderError::Malformed("bool neither 0 nor 1")),
            },
            TypeTag::U8 => {
                let [b] = self.array::<1>()?;
                self.scalar(Kind::NumberValue(f64::from(b)))
            }
            TypeTag::U16 => {
                let v = u16::from_le_bytes(self.array()?);
                self.scalar(Kind::NumberValue(f64::from(v)))
            }
            TypeTag::U32 => {
                let v = u32::from_le_bytes(self.array()?);
                self.scalar(Kind::NumberValue(f64::from(v)))
            }
            TypeTag::U64 => {
                let v = u64::from_le_bytes(self.array()?);
                self.string(v.to_string())
            }
            TypeTag::U128 => {
                let v = u128::from_le_bytes(self.array()?);
                self.string(v.to_string())
            }
            TypeTag::U256 => {
                let v = haulout_types::U256::from_le_bytes(self.array()?);
                self.string(v.to_string())
            }
            TypeTag::Address | TypeTag::Signer => self.address(),
            TypeTag::Vector(element) => self.vector(element, depth),
            TypeTag::Struct(tag) => self.structure(tag, depth),
        }
    }

    fn vector(&mut self, element: &TypeTag, depth: usize) -> Result<Value, RenderError> {
        let len = self.uleb()?;
        if *element == TypeTag::U8 {
            let encoded = base64::engine::general_purpose::STANDARD.encode(self.take(len)?);
            return self.string(encoded);
        }
        if depth >= MAX_DEPTH {
            return Err(RenderError::TooDeep);
        }
        let mut values = Vec::new();
        for _ in 0..len {
            values.push(self.value(element, depth + 1)?);
        }
        self.scalar(Kind::ListValue(prost_types::ListValue { values }))
    }

    fn structure(&mut self, tag: &StructTag, depth: usize) -> Result<Value, RenderError> {
        if is(tag, STD, "string", "String")
            || is(tag, STD, "ascii", "String")
            || is(tag, STD, "type_name", "TypeName")
            || is(tag, Address::TWO, "url", "Url")
        {
            let len = self.uleb()?;
            let bytes = self.take(len)?.to_vec();
            let s = String::from_utf8(bytes).map_err(|_| RenderError::Malformed("not utf-8"))?;
            return self.string(s);
        }
        if is(tag, Address::TWO, "object", "UID") || is(tag, Address::TWO, "object", "ID") {
            return self.address();
        }
        if is(tag, Address::TWO, "balance", "Balance") && tag.type_params().len() == 1 {
            let v = u64::from_le_bytes(self.array()?);
            return self.string(v.to_string());
        }
        if is(tag, STD, "option", "Option") {
            let [element] = tag.type_params() else {
                return Err(RenderError::UnknownType(tag.to_string()));
            };
            return match self.uleb()? {
                0 => self.scalar(Kind::NullValue(0)),
                1 => self.value(element, depth),
                _ => Err(RenderError::Malformed("option with more than one element")),
            };
        }
        let decl = self
            .layouts
            .get(tag)
            .ok_or_else(|| RenderError::UnknownType(tag.to_string()))?;
        if decl.params.len() != tag.type_params().len() {
            return Err(RenderError::UnknownType(tag.to_string()));
        }
        if depth >= MAX_DEPTH {
            return Err(RenderError::TooDeep);
        }
        let scope = Scope {
            address: *tag.address(),
            module: tag.module().as_str(),
            params: decl
                .params
                .iter()
                .copied()
                .zip(tag.type_params().iter().cloned())
                .collect(),
        };
        let mut fields = Struct::default();
        let declared = match decl.layout {
            Layout::Struct([]) => &[("dummy_field", "bool")][..],
            Layout::Struct(declared) => declared,
            Layout::Enum(variants) => {
                let index = self.uleb()?;
                let &(variant, declared) = variants
                    .get(index)
                    .ok_or(RenderError::Malformed("variant index out of range"))?;
                self.debit("@variant".len())?;
                let name = self.string(variant.to_owned())?;
                fields.fields.insert("@variant".to_owned(), name);
                declared
            }
        };
        for &(name, spelling) in declared {
            let ty = Spelling::parse(spelling)
                .and_then(|s| self.layouts.resolve(&s, &scope))
                .ok_or_else(|| RenderError::UnknownType(format!("{spelling} in {tag}")))?;
            let key = if name.bytes().all(|b| b.is_ascii_digit()) {
                format!("pos{name}")
            } else {
                name.to_owned()
            };
            let value = self.value(&ty, depth + 1)?;
            self.debit(key.len())?;
            fields.fields.insert(key, value);
        }
        self.scalar(Kind::StructValue(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: Value) -> serde_json::Value {
        match value.kind {
            None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
            Some(Kind::BoolValue(b)) => b.into(),
            Some(Kind::NumberValue(n)) => serde_json::json!(n as u64),
            Some(Kind::StringValue(s)) => s.into(),
            Some(Kind::ListValue(l)) => l.values.into_iter().map(json).collect(),
            Some(Kind::StructValue(s)) => {
                serde_json::Value::Object(s.fields.into_iter().map(|(k, v)| (k, json(v))).collect())
            }
        }
    }

    fn tag(s: &str) -> TypeTag {
        s.parse().expect("type tag")
    }

    fn render_json(ty: &str, bcs: &[u8]) -> Result<serde_json::Value, RenderError> {
        try_render(&tag(ty), bcs).map(json)
    }

    #[test]
    fn primitives_follow_sui() {
        assert_eq!(render_json("u8", &[42]), Ok(serde_json::json!(42)));
        assert_eq!(
            render_json("u32", &432_432u32.to_le_bytes()),
            Ok(serde_json::json!(432_432))
        );
        assert_eq!(
            render_json("u64", &u64::MAX.to_le_bytes()),
            Ok(serde_json::json!(u64::MAX.to_string()))
        );
        assert_eq!(
            render_json("u128", &7u128.to_le_bytes()),
            Ok(serde_json::json!("7"))
        );
        let mut u256 = [0u8; 32];
        u256[0] = 1;
        u256[1] = 1;
        assert_eq!(render_json("u256", &u256), Ok(serde_json::json!("257")));
        assert_eq!(render_json("bool", &[1]), Ok(serde_json::json!(true)));
        assert!(render_json("bool", &[2]).is_err());
        assert_eq!(
            render_json("vector<u8>", &[3, 1, 2, 3]),
            Ok(serde_json::json!("AQID"))
        );
        assert_eq!(
            render_json("vector<u16>", &[2, 1, 0, 2, 0]),
            Ok(serde_json::json!([1, 2]))
        );
        let mut address = vec![0; 31];
        address.push(0x42);
        assert_eq!(
            render_json("address", &address),
            Ok(serde_json::json!(format!("0x{}42", "0".repeat(62))))
        );
    }

    #[test]
    fn framework_shapes() {
        let mut coin = vec![7u8; 32];
        coin.extend(5u64.to_le_bytes());
        assert_eq!(
            render_json("0x2::coin::Coin<0x2::sui::SUI>", &coin),
            Ok(serde_json::json!({
                "id": format!("0x{}", "07".repeat(32)),
                "balance": "5",
            }))
        );
        assert_eq!(
            render_json("0x1::option::Option<u64>", &[0]),
            Ok(serde_json::Value::Null)
        );
        assert_eq!(
            render_json(
                "0x1::option::Option<0x1::string::String>",
                &[1, 2, b'h', b'i']
            ),
            Ok(serde_json::json!("hi"))
        );
        assert!(render_json("0x1::option::Option<u8>", &[2, 1, 2]).is_err());
        assert_eq!(
            render_json("0x2::sui::SUI", &[0]),
            Ok(serde_json::json!({ "dummy_field": false }))
        );
        // VecMap<u32, u64> with one entry.
        let mut map = vec![1];
        map.extend(3u32.to_le_bytes());
        map.extend(9u64.to_le_bytes());
        assert_eq!(
            render_json("0x2::vec_map::VecMap<u32, u64>", &map),
            Ok(serde_json::json!({ "contents": [{ "key": 3, "value": "9" }] }))
        );
        // Table<u64, u64>: its id and size.
        let mut table = vec![1u8; 32];
        table.extend(2u64.to_le_bytes());
        assert_eq!(
            render_json("0x2::table::Table<u64, u64>", &table),
            Ok(serde_json::json!({ "id": format!("0x{}", "01".repeat(32)), "size": "2" }))
        );
    }

    #[test]
    fn enums_name_their_variant_and_positional_fields() {
        let walrus = crate::walrus::walrus_package();
        let ty = format!("{walrus}::staked_wal::StakedWalState");
        assert_eq!(
            render_json(&ty, &[1, 9, 0, 0, 0]),
            Ok(serde_json::json!({ "@variant": "Withdrawing", "withdraw_epoch": 9 }))
        );
        // `EpochChangeSync(u16)`: a positional field.
        let epoch_state = format!("{walrus}::staking_inner::EpochState");
        assert_eq!(
            render_json(&epoch_state, &[0, 3, 0]),
            Ok(serde_json::json!({ "@variant": "EpochChangeSync", "pos0": 3 }))
        );
        assert_eq!(
            render_json(&ty, &[0]),
            Ok(serde_json::json!({ "@variant": "Staked" }))
        );
        assert!(render_json(&ty, &[3]).is_err());
    }

    #[test]
    fn unknown_malformed_and_oversized_values_are_not_rendered() {
        assert!(matches!(
            render_json("0xcafe::m::Unknown", &[]),
            Err(RenderError::UnknownType(_))
        ));
        // A known struct with an unknown type argument in a non-phantom position.
        assert!(matches!(
            render_json("0x2::vec_set::VecSet<0xcafe::m::Unknown>", &[1]),
            Err(RenderError::UnknownType(_))
        ));
        assert_eq!(render_json("u64", &[1, 2]), Err(RenderError::Eof));
        assert_eq!(render_json("u8", &[1, 2]), Err(RenderError::Trailing(1)));
        assert!(render_json("0x1::string::String", &[1, 0xff]).is_err());
        // A length prefix claiming more than there is.
        assert_eq!(
            render_json("vector<u64>", &[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Err(RenderError::Eof)
        );
        // Too deep: vector<vector<...<u16>>> beyond the limit.
        let mut ty = String::from("u16");
        for _ in 0..=MAX_DEPTH {
            ty = format!("vector<{ty}>");
        }
        let bytes = vec![1u8; MAX_DEPTH + 1];
        assert_eq!(render_json(&ty, &bytes), Err(RenderError::TooDeep));
        // Too large: a string longer than the budget.
        let mut big = vec![0x80, 0x80, 0x40]; // uleb128 of 1 MiB
        big.extend(vec![b'a'; 1 << 20]);
        assert_eq!(
            render_json("0x1::string::String", &big),
            Err(RenderError::TooLarge)
        );
    }

    #[test]
    fn every_mirrored_field_type_resolves() {
        let layouts = layouts();
        let all = layouts.decls.iter().flat_map(|(address, modules)| {
            modules.iter().flat_map(move |(module, decls)| {
                decls
                    .iter()
                    .map(move |(name, decl)| (address, module, name, decl))
            })
        });
        for (address, module, name, decl) in all {
            let scope = Scope {
                address: *address,
                module,
                params: decl.params.iter().map(|p| (*p, TypeTag::U64)).collect(),
            };
            let fields: Vec<&(&str, &str)> = match decl.layout {
                Layout::Struct(fields) => fields.iter().collect(),
                Layout::Enum(variants) => variants.iter().flat_map(|(_, f)| f.iter()).collect(),
            };
            for (field, spelling) in fields {
                let parsed = Spelling::parse(spelling);
                assert!(
                    parsed.and_then(|s| layouts.resolve(&s, &scope)).is_some(),
                    "{module}::{name}.{field}: {spelling}"
                );
            }
        }
    }
}
