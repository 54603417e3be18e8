//! Conformance between `crates/types` and the Move sources in `move/`: every mirrored struct has
//! the same fields, types and order as in Move, every mirrored abort code the same value (and
//! every Move abort code a mirror), and every function in `haulout_types::functions` exists in
//! Move with the same parameter types.
//!
//! The Move reader below understands struct and enum declarations, `const` declarations and
//! function signatures; it is not a full Move parser. A module absent from `move/` is reported
//! and skipped (the Move side may still be in progress); anything present must agree.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{normalize_ty, split_top_level};
use haulout_types::{Layout, Origin, abort, constants, functions, mirrored_types};

/// A struct or enum declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MoveDecl {
    name: String,
    /// Declared type parameters, normalized to `[phantom ]Name`.
    type_params: Vec<String>,
    kind: DeclKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DeclKind {
    /// Fields as (name, normalized type); positional fields are named `0`, `1`, …
    Struct(Vec<(String, String)>),
    /// Variants with their fields.
    Enum(Vec<(String, Vec<(String, String)>)>),
}

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MoveFun {
    name: String,
    /// `public`, `public(package)`, `entry`, `public entry` or `private`.
    visibility: String,
    /// Parameter types, normalized.
    params: Vec<String>,
}

/// One Move module.
#[derive(Debug, Default)]
struct MoveModule {
    package: String,
    name: String,
    decls: BTreeMap<String, MoveDecl>,
    /// Integer constants (any width).
    consts: BTreeMap<String, u128>,
    funs: BTreeMap<String, MoveFun>,
}

/// Removes `//` and `/* */` comments, keeping string literals intact.
fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push_str(&src[start..i]);
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i = (i + 2).min(b.len());
            out.push(' ');
        } else {
            let c = src[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A tiny cursor over comment-free Move source.
struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s.as_bytes()[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.as_bytes().get(self.i).copied()
    }

    fn ident(&mut self) -> &'a str {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && is_ident_byte(self.s.as_bytes()[self.i]) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// The text inside the balanced bracket pair starting here (`open` must be next).
    fn balanced(&mut self, open: u8, close: u8) -> Option<&'a str> {
        if self.peek() != Some(open) {
            return None;
        }
        let start = self.i + 1;
        let mut depth = 0;
        while self.i < self.s.len() {
            let c = self.s.as_bytes()[self.i];
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    self.i += 1;
                    return Some(&self.s[start..self.i - 1]);
                }
            }
            self.i += 1;
        }
        None
    }

    /// Skips to just after the next `;` or to (not past) the next `{`, whichever is first.
    fn skip_to_body(&mut self) -> Option<u8> {
        while self.i < self.s.len() {
            match self.s.as_bytes()[self.i] {
                b';' => {
                    self.i += 1;
                    return Some(b';');
                }
                b'{' => return Some(b'{'),
                b'(' => return Some(b'('),
                _ => self.i += 1,
            }
        }
        None
    }
}

fn named_fields(body: &str) -> Vec<(String, String)> {
    split_top_level(body)
        .into_iter()
        .filter_map(|f| {
            let (name, ty) = f.split_once(':')?;
            Some((name.trim().to_owned(), normalize_ty(ty)))
        })
        .collect()
}

fn positional_fields(body: &str) -> Vec<(String, String)> {
    split_top_level(body)
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i.to_string(), normalize_ty(&t)))
        .collect()
}

fn type_params(generics: Option<&str>) -> Vec<String> {
    generics
        .map(|g| {
            split_top_level(g)
                .into_iter()
                .map(|p| {
                    let p = p.split(':').next().unwrap_or("").trim();
                    p.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The index of the first `needle` not inside a string literal.
fn find_outside_strings(s: &str, needle: u8) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in s.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == needle {
            return Some(i);
        }
    }
    None
}

/// Parses an integer literal (`12`, `1_000`, `0x1f`, with an optional `u64`-style suffix) or a
/// product of them (`1_024 * 1_024`).
fn parse_int(expr: &str) -> Option<u128> {
    expr.split('*').try_fold(1u128, |acc, lit| {
        let lit = lit.trim().replace('_', "");
        let digits_end = lit.find('u').unwrap_or(lit.len());
        let (lit, suffix) = lit.split_at(digits_end);
        if !matches!(suffix, "" | "u8" | "u16" | "u32" | "u64" | "u128") {
            return None;
        }
        let v = match lit.strip_prefix("0x") {
            Some(hex) => u128::from_str_radix(hex, 16).ok()?,
            None => lit.parse().ok()?,
        };
        acc.checked_mul(v)
    })
}

/// Parses one Move source file (one module).
fn parse_module(src: &str) -> Result<MoveModule, String> {
    let src = strip_comments(src);
    let mut m = MoveModule::default();
    let bytes = src.as_bytes();
    let mut c = Cursor { s: &src, i: 0 };
    // Word-by-word scan; declarations are recognised by their keyword.
    let mut prev_words: Vec<String> = Vec::new();
    while c.i < bytes.len() {
        let b = bytes[c.i];
        if !is_ident_byte(b) {
            if b == b'(' && prev_words.last().is_some_and(|w| w == "public") {
                // `public(package)`: keep it as one visibility word.
                if let Some(inner) = c.balanced(b'(', b')') {
                    let v = format!("public({})", inner.trim());
                    prev_words.pop();
                    prev_words.push(v);
                    continue;
                }
            }
            if b == b'"' {
                // Skip string literals.
                c.i += 1;
                while c.i < bytes.len() && bytes[c.i] != b'"' {
                    c.i += 1;
                }
            }
            if matches!(b, b';' | b'}' | b'{') {
                prev_words.clear();
            }
            c.i += 1;
            continue;
        }
        let word = c.ident().to_owned();
        match word.as_str() {
            "module" if m.name.is_empty() => {
                m.package = c.ident().to_owned();
                c.ws();
                if c.s[c.i..].starts_with("::") {
                    c.i += 2;
                    m.name = c.ident().to_owned();
                }
            }
            "struct" | "enum" => {
                let name = c.ident().to_owned();
                let generics = c.balanced(b'<', b'>');
                let type_params = type_params(generics);
                let kind = if word == "struct" {
                    match c.skip_to_body() {
                        Some(b'(') => {
                            let body = c.balanced(b'(', b')').unwrap_or("");
                            DeclKind::Struct(positional_fields(body))
                        }
                        Some(b'{') => {
                            let body = c.balanced(b'{', b'}').unwrap_or("");
                            DeclKind::Struct(named_fields(body))
                        }
                        _ => DeclKind::Struct(Vec::new()),
                    }
                } else {
                    if c.skip_to_body() != Some(b'{') {
                        return Err(format!("enum {name} without a body"));
                    }
                    let body = c.balanced(b'{', b'}').unwrap_or("");
                    let variants = split_top_level(body)
                        .into_iter()
                        .map(|v| {
                            let mut vc = Cursor { s: &v, i: 0 };
                            let vname = vc.ident().to_owned();
                            let fields = match vc.peek() {
                                Some(b'(') => {
                                    positional_fields(vc.balanced(b'(', b')').unwrap_or(""))
                                }
                                Some(b'{') => named_fields(vc.balanced(b'{', b'}').unwrap_or("")),
                                _ => Vec::new(),
                            };
                            (vname, fields)
                        })
                        .collect();
                    DeclKind::Enum(variants)
                };
                m.decls.insert(
                    name.clone(),
                    MoveDecl {
                        name,
                        type_params,
                        kind,
                    },
                );
                prev_words.clear();
                continue;
            }
            "const" => {
                let name = c.ident().to_owned();
                let rest = &c.s[c.i..];
                let end = find_outside_strings(rest, b';').unwrap_or(rest.len());
                let decl = &rest[..end];
                c.i += end;
                if let Some((ty, value)) = decl.split_once('=') {
                    let ty = ty.trim().trim_start_matches(':').trim();
                    if matches!(ty, "u8" | "u16" | "u32" | "u64" | "u128") {
                        if let Some(v) = parse_int(value) {
                            m.consts.insert(name, v);
                        }
                    }
                }
                prev_words.clear();
                continue;
            }
            "fun" if prev_words.last().is_some_and(|w| w == "use") => {}
            "fun" => {
                let name = c.ident().to_owned();
                let _generics = c.balanced(b'<', b'>');
                let params = c.balanced(b'(', b')').unwrap_or("");
                let params = split_top_level(params)
                    .into_iter()
                    .filter_map(|p| p.split_once(':').map(|(_, t)| normalize_ty(t)))
                    .collect();
                let vis: Vec<&str> = prev_words
                    .iter()
                    .map(String::as_str)
                    .filter(|w| w.starts_with("public") || *w == "entry")
                    .collect();
                let visibility = if vis.is_empty() {
                    "private".to_owned()
                } else {
                    vis.join(" ")
                };
                m.funs.insert(
                    name.clone(),
                    MoveFun {
                        name,
                        visibility,
                        params,
                    },
                );
                prev_words.clear();
                continue;
            }
            _ => {}
        }
        prev_words.push(word);
    }
    if m.name.is_empty() {
        return Err("no `module` declaration".into());
    }
    Ok(m)
}

fn move_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            // Only sources: tests and build output may redeclare names.
            if !matches!(name, "build" | "node_modules" | "tests") {
                move_files(&p, out);
            }
        } else if name.ends_with(".move") {
            out.push(p);
        }
    }
}

/// All modules under `move/`, keyed by (package, module).
fn load_move() -> BTreeMap<(String, String), MoveModule> {
    // HAULOUT_MOVE_DIR points the test at another checkout's `move/` (for development).
    let root = std::env::var_os("HAULOUT_MOVE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../move"));
    let mut files = Vec::new();
    move_files(&root, &mut files);
    files.sort();
    let mut modules = BTreeMap::new();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let m = parse_module(&src).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        modules.insert((m.package.clone(), m.name.clone()), m);
    }
    modules
}

/// Walrus types mirrored for completeness that haulout's Move does not declare: storage pools
/// and commission blocking are out of scope (contracts.md §3). If Move declares them, they
/// must still match.
const UPSTREAM_ONLY: &[&str] = &[
    "NewEpochCommissionBlockedForCollection",
    "StoragePoolCreated",
    "PooledBlobRegistered",
    "PooledBlobCertified",
    "PooledBlobDeleted",
    "StoragePoolExtended",
];

fn package_name(origin: Origin) -> Option<&'static str> {
    match origin {
        Origin::Walrus => Some("walrus"),
        Origin::Wal => Some("wal"),
        Origin::Seal => Some("seal"),
        Origin::Policies => Some("policies"),
        Origin::Std | Origin::Sui => None,
    }
}

fn normalize_fields(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, t)| (n.to_string(), normalize_ty(t)))
        .collect()
}

#[test]
fn structs_match_move() {
    let modules = load_move();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut checked = 0;
    for info in mirrored_types() {
        let Some(package) = package_name(info.origin) else {
            continue;
        };
        let Some(module) = modules.get(&(package.to_owned(), info.module.to_owned())) else {
            skipped.push(format!("{package}::{}::{}", info.module, info.name));
            continue;
        };
        let Some(decl) = module.decls.get(info.name) else {
            if UPSTREAM_ONLY.contains(&info.name) {
                skipped.push(format!(
                    "{package}::{}::{} (upstream only)",
                    info.module, info.name
                ));
                continue;
            }
            errors.push(format!(
                "{package}::{}::{} is mirrored in Rust but not declared in Move",
                info.module, info.name
            ));
            continue;
        };
        checked += 1;
        let params: Vec<String> = info.type_params.iter().map(|p| p.to_string()).collect();
        if params != decl.type_params {
            errors.push(format!(
                "{}: type parameters: Rust {params:?}, Move {:?}",
                info.name, decl.type_params
            ));
        }
        let rust_kind = match info.layout {
            Layout::Struct(fields) => DeclKind::Struct(normalize_fields(fields)),
            Layout::Enum(variants) => DeclKind::Enum(
                variants
                    .iter()
                    .map(|(v, f)| (v.to_string(), normalize_fields(f)))
                    .collect(),
            ),
        };
        if rust_kind != decl.kind {
            errors.push(format!(
                "{}: layout differs\n  Rust: {rust_kind:?}\n  Move: {:?}",
                info.name, decl.kind
            ));
        }
    }
    if !skipped.is_empty() {
        eprintln!(
            "not yet in move/ (skipped): {} types: {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
    eprintln!("checked {checked} mirrored types against move/");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Move types that never cross the chain boundary (built and consumed inside one call), so
/// they have no Rust mirror.
const MOVE_ONLY: &[&str] = &[
    "RequiredWeight",
    "CertifiedMessage",
    "CertifiedBlobMessage",
    "CertifiedInvalidBlobId",
    "ProofOfPossessionMessage",
];

#[test]
fn every_move_type_is_mirrored() {
    let modules = load_move();
    let mirrored: Vec<(String, String, String)> = mirrored_types()
        .iter()
        .filter_map(|t| {
            Some((
                package_name(t.origin)?.to_owned(),
                t.module.to_owned(),
                t.name.to_owned(),
            ))
        })
        .collect();
    let mut errors = Vec::new();
    for ((package, module), m) in &modules {
        for name in m.decls.keys() {
            let key = (package.clone(), module.clone(), name.clone());
            if !mirrored.contains(&key) && !MOVE_ONLY.contains(&name.as_str()) {
                errors.push(format!(
                    "{package}::{module}::{name} is declared in Move but not mirrored in haulout-types"
                ));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn abort_codes_match_move() {
    let modules = load_move();
    let mut errors = Vec::new();
    let mut mirrored: BTreeMap<(&str, &str), BTreeMap<&str, u128>> = BTreeMap::new();
    for (package, module, codes) in abort::ALL {
        mirrored.insert(
            (package, module),
            codes.iter().map(|(n, v)| (*n, u128::from(*v))).collect(),
        );
    }
    // Rust → Move.
    for ((package, module), codes) in &mirrored {
        let Some(m) = modules.get(&(package.to_string(), module.to_string())) else {
            eprintln!("abort codes of {package}::{module}: module not in move/ (skipped)");
            continue;
        };
        for (name, value) in codes {
            match m.consts.get(*name) {
                Some(v) if v == value => {}
                Some(v) => errors.push(format!(
                    "{package}::{module}::{name}: Rust {value}, Move {v}"
                )),
                None => errors.push(format!(
                    "{package}::{module}::{name} is mirrored in Rust but not declared in Move"
                )),
            }
        }
    }
    // Move → Rust: every abort code of every module has a mirror.
    for ((package, module), m) in &modules {
        for (name, value) in &m.consts {
            let is_abort_code =
                name.len() > 1 && name.starts_with('E') && name.as_bytes()[1].is_ascii_uppercase();
            if !is_abort_code {
                continue;
            }
            let mirror = mirrored
                .get(&(package.as_str(), module.as_str()))
                .and_then(|codes| codes.get(name.as_str()));
            if mirror.is_none() {
                errors.push(format!(
                    "{package}::{module}::{name} = {value} has no mirror in haulout_types::abort"
                ));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn is_abort_code(name: &str) -> bool {
    name.len() > 1 && name.starts_with('E') && name.as_bytes()[1].is_ascii_uppercase()
}

#[test]
fn constants_match_move() {
    let modules = load_move();
    let mut errors = Vec::new();
    let mut mirrored: BTreeMap<(&str, &str), BTreeMap<&str, u128>> = BTreeMap::new();
    for (package, module, name, value) in constants::ALL {
        mirrored
            .entry((package, module))
            .or_default()
            .insert(name, *value);
    }
    for ((package, module), consts) in &mirrored {
        let Some(m) = modules.get(&(package.to_string(), module.to_string())) else {
            eprintln!("constants of {package}::{module}: module not in move/ (skipped)");
            continue;
        };
        for (name, value) in consts {
            match m.consts.get(*name) {
                Some(v) if v == value => {}
                Some(v) => errors.push(format!(
                    "{package}::{module}::{name}: Rust {value}, Move {v}"
                )),
                None => errors.push(format!(
                    "{package}::{module}::{name} is mirrored in Rust but not declared in Move"
                )),
            }
        }
    }
    for ((package, module), m) in &modules {
        for (name, value) in &m.consts {
            let mirror = mirrored
                .get(&(package.as_str(), module.as_str()))
                .and_then(|c| c.get(name.as_str()));
            if !is_abort_code(name) && mirror.is_none() {
                errors.push(format!(
                    "{package}::{module}::{name} = {value} has no mirror in haulout_types::constants"
                ));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn rust_protocol_constants_agree_with_move_constants() {
    use constants::messages as m;
    use haulout_types::{INTENT_VERSION, IntentType, STORAGE_APP_ID, Wal};
    assert_eq!(m::APP_ID, STORAGE_APP_ID);
    assert_eq!(m::INTENT_VERSION, INTENT_VERSION);
    assert_eq!(
        m::PROOF_OF_POSSESSION_MSG_TYPE,
        IntentType::ProofOfPossession as u8
    );
    assert_eq!(m::BLOB_CERT_MSG_TYPE, IntentType::BlobCertMsg as u8);
    assert_eq!(
        m::INVALID_BLOB_ID_MSG_TYPE,
        IntentType::InvalidBlobIdMsg as u8
    );
    assert_eq!(constants::wal::DECIMALS, Wal::DECIMALS);
    assert_eq!(
        constants::wal::TOTAL_WAL_SUPPLY_TO_MINT * Wal::FROST_PER_WAL,
        Wal::TOTAL_SUPPLY_FROST
    );
}

#[test]
fn dispatched_functions_exist_in_move() {
    let modules = load_move();
    let mut errors = Vec::new();
    for f in functions::ALL {
        let Some(m) = modules.get(&(f.package.to_owned(), f.module.to_owned())) else {
            eprintln!(
                "{}::{}::{}: module not in move/ (skipped)",
                f.package, f.module, f.name
            );
            continue;
        };
        let Some(mf) = m.funs.get(f.name) else {
            errors.push(format!(
                "{}::{}::{} not found in Move",
                f.package, f.module, f.name
            ));
            continue;
        };
        if mf.visibility == "private" || mf.visibility.contains("package") {
            errors.push(format!(
                "{}::{}::{} is {} in Move; a transaction cannot call it",
                f.package, f.module, f.name, mf.visibility
            ));
        }
        let rust: Vec<String> = f.params.iter().map(|t| normalize_ty(t)).collect();
        if rust != mf.params {
            errors.push(format!(
                "{}::{}::{} parameters\n  Rust: {rust:?}\n  Move: {:?}",
                f.package, f.module, f.name, mf.params
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn reader_parses_inline_move() {
    let src = r#"
/// Doc.
module walrus::demo;

use sui::balance::Balance;

// Errors
/// Bad thing.
const EBadThing: u64 = 7;
const ENext: u64 = 0x10;
const NOT_AN_ERROR: u8 = 3;
const UNIT: u64 = 1_024 * 1_024;
#[error]
const EText: vector<u8> = b"a // not a comment; {";

/* block { comment } */
public struct Plain has key, store {
    id: UID,
    /// A field doc.
    amount: sui::balance::Balance<wal::wal::WAL>,
    pairs: VecMap<ID, vector<u16>>,
    maybe: std::option::Option<u32>,
}

public struct Pos(VecMap<u32, u64>) has copy, drop, store;
public struct Marker() has copy, drop, store;
public struct Empty has drop {}
public struct Gen<phantom T: store, K: copy + drop> has store { key: K }

public enum State has copy, drop, store {
    A,
    B(u32),
    C { wal_amount: u128, share_amount: u128 },
}

/// Does it.
public fun do_it<T>(self: &mut Plain, coin: &mut Coin<T>, n: u64, ctx: &mut TxContext): u64 {
    let x = Plain { id: object::new(ctx) };
    0
}

public(package) fun internal(x: u8) {}
entry fun poke(s: &Plain) {}
fun private_one() {}
"#;
    let m = parse_module(src).expect("parses");
    assert_eq!((m.package.as_str(), m.name.as_str()), ("walrus", "demo"));
    assert_eq!(
        m.consts,
        BTreeMap::from([
            ("EBadThing".into(), 7),
            ("ENext".into(), 16),
            ("NOT_AN_ERROR".into(), 3),
            ("UNIT".into(), 1 << 20),
        ])
    );
    assert_eq!(
        m.decls["Plain"].kind,
        DeclKind::Struct(vec![
            ("id".into(), "UID".into()),
            ("amount".into(), "Balance<WAL>".into()),
            ("pairs".into(), "VecMap<ID, vector<u16>>".into()),
            ("maybe".into(), "Option<u32>".into()),
        ])
    );
    assert_eq!(
        m.decls["Pos"].kind,
        DeclKind::Struct(vec![("0".into(), "VecMap<u32, u64>".into())])
    );
    assert_eq!(m.decls["Marker"].kind, DeclKind::Struct(vec![]));
    assert_eq!(m.decls["Empty"].kind, DeclKind::Struct(vec![]));
    assert_eq!(m.decls["Gen"].type_params, vec!["phantom T", "K"]);
    assert_eq!(
        m.decls["State"].kind,
        DeclKind::Enum(vec![
            ("A".into(), vec![]),
            ("B".into(), vec![("0".into(), "u32".into())]),
            (
                "C".into(),
                vec![
                    ("wal_amount".into(), "u128".into()),
                    ("share_amount".into(), "u128".into())
                ]
            ),
        ])
    );
    let f = &m.funs["do_it"];
    assert_eq!(f.visibility, "public");
    assert_eq!(
        f.params,
        vec!["&mut Plain", "&mut Coin<T>", "u64", "&mut TxContext"]
    );
    assert_eq!(m.funs["internal"].visibility, "public(package)");
    assert_eq!(m.funs["poke"].visibility, "entry");
    assert_eq!(m.funs["private_one"].visibility, "private");
    assert!(!m.decls.contains_key("x"));
}

/// A violation of Sui's ID-leak rule: a `key` struct packed with an `id` that does not come
/// from `object::new` in the packing function.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IdLeak {
    function: String,
    structure: String,
    id_expr: String,
}

/// The names of the structs declared `has key` in comment-free source.
fn key_structs(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(pos) = rest.find("struct ") {
        let preceded_by_ident = pos > 0 && is_ident_byte(rest.as_bytes()[pos - 1]);
        let after = &rest[pos + "struct ".len()..];
        rest = after;
        if preceded_by_ident {
            continue;
        }
        let name: String = after
            .trim_start()
            .bytes()
            .take_while(|b| is_ident_byte(*b))
            .map(char::from)
            .collect();
        let header_end = after.find(['{', ';']).unwrap_or(after.len());
        let header = &after[..header_end];
        if let Some(abilities) = header.split(" has ").nth(1)
            && abilities
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|a| a == "key")
        {
            out.push(name);
        }
    }
    out
}

/// Where a pack of a `key` struct takes its `id` from something other than `object::new`
/// (or, in tests, `test_scenario::new_object`) called in the same function.
fn id_leaks(raw: &str) -> Vec<IdLeak> {
    let src = strip_comments(raw);
    let keys = key_structs(&src);
    let mut leaks = Vec::new();
    let bytes = src.as_bytes();
    let mut search = 0;
    while let Some(found) = src[search..].find("fun ") {
        let start = search + found;
        search = start + 4;
        if start > 0 && is_ident_byte(bytes[start - 1]) {
            continue;
        }
        let mut c = Cursor {
            s: &src,
            i: start + 4,
        };
        let name = c.ident().to_owned();
        let _generics = c.balanced(b'<', b'>');
        c.ws();
        let Some(params) = c.balanced(b'(', b')') else {
            continue;
        };
        let param_names: Vec<String> = split_top_level(params)
            .iter()
            .filter_map(|p| p.split(':').next())
            .map(|p| p.trim().trim_start_matches("mut ").trim().to_owned())
            .collect();
        // The body: the first `{` after the signature (none for native functions).
        let Some(open) = src[c.i..].find(['{', ';']).map(|o| c.i + o) else {
            continue;
        };
        if bytes[open] == b';' {
            continue;
        }
        let mut body_cursor = Cursor { s: &src, i: open };
        let Some(body) = body_cursor.balanced(b'{', b'}') else {
            continue;
        };
        search = body_cursor.i;
        let fresh = |var: &str| {
            !param_names.iter().any(|p| p == var)
                && ["object::new(", "test_scenario::new_object("]
                    .iter()
                    .any(|call| {
                        body.contains(&format!("let {var} = {call}"))
                            || body.contains(&format!("let mut {var} = {call}"))
                    })
        };
        for structure in &keys {
            let mut at = 0;
            while let Some(hit) = body[at..].find(structure.as_str()) {
                let pos = at + hit;
                at = pos + structure.len();
                let b = body.as_bytes();
                if (pos > 0 && (is_ident_byte(b[pos - 1]) || b[pos - 1] == b':'))
                    || body[at..].bytes().next().is_some_and(is_ident_byte)
                {
                    continue;
                }
                let after = body[at..].trim_start();
                if !after.starts_with('{') {
                    continue;
                }
                // An unpack (`let S { id, .. } = x;` or a match arm) is not a pack.
                let before = body[..pos].trim_end();
                if before.ends_with("let") || before.ends_with("let mut") {
                    continue;
                }
                let mut fields_cursor = Cursor { s: after, i: 0 };
                let Some(fields) = fields_cursor.balanced(b'{', b'}') else {
                    continue;
                };
                let tail = after[fields_cursor.i..].trim_start();
                if tail.starts_with("=>") || (tail.starts_with('=') && !tail.starts_with("==")) {
                    continue;
                }
                let id_field = split_top_level(fields)
                    .into_iter()
                    .map(|f| f.trim().to_owned())
                    .find(|f| f == "id" || f.starts_with("id:"));
                let Some(id_field) = id_field else {
                    continue;
                };
                let expr = id_field
                    .strip_prefix("id:")
                    .map_or("id", str::trim)
                    .to_owned();
                let ok = expr.starts_with("object::new(")
                    || expr.starts_with("test_scenario::new_object(")
                    || (expr.bytes().all(is_ident_byte) && fresh(&expr));
                if !ok {
                    leaks.push(IdLeak {
                        function: name.clone(),
                        structure: structure.clone(),
                        id_expr: expr,
                    });
                }
            }
        }
    }
    leaks
}

/// Framework functions deprecated in the Sui framework the packages are written against, with
/// their replacements. Path-style calls are found here; method-style calls (`map.size()`) need
/// type information and are left to the Sui compiler's deprecation warnings.
const DEPRECATED_CALLS: &[(&str, &str)] = &[("vec_map::size(", "vec_map::length")];

/// Every `.move` file under `move/`, tests included (Sui verifies test code too).
fn all_move_sources() -> Vec<(PathBuf, String)> {
    let root = std::env::var_os("HAULOUT_MOVE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../move"));
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if !matches!(name, "build" | "node_modules") {
                    walk(&p, out);
                }
            } else if name.ends_with(".move") {
                out.push(p);
            }
        }
    }
    walk(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no Move sources under {}",
        root.display()
    );
    files
        .into_iter()
        .map(|f| {
            let src =
                std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            (f, src)
        })
        .collect()
}

#[test]
fn key_structs_are_packed_with_a_fresh_uid() {
    let mut errors = Vec::new();
    for (file, src) in all_move_sources() {
        for leak in id_leaks(&src) {
            errors.push(format!(
                "{}: `{}` packs `{}` with id `{}`, not a UID from `object::new(ctx)` in the same \
                 function (Sui's ID-leak verifier rejects this: error[Sui E01001])",
                file.display(),
                leak.function,
                leak.structure,
                leak.id_expr
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn no_deprecated_framework_calls() {
    let mut errors = Vec::new();
    for (file, src) in all_move_sources() {
        let src = strip_comments(&src);
        for (call, replacement) in DEPRECATED_CALLS {
            if src.contains(call) {
                errors.push(format!(
                    "{}: `{call}…)` is deprecated; use `{replacement}`",
                    file.display()
                ));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn id_leak_rule_catches_a_uid_passed_in() {
    // The shape Sui's verifier rejected in staking_pool.move: the UID is a parameter.
    let leaky = r#"
module walrus::demo;
public struct Pool has key, store { id: UID, value: u64 }
public struct Plain has store { id: u64 }
fun new(ctx: &mut TxContext): Pool {
    let id = object::new(ctx);
    new_unchecked(id, 1)
}
fun new_unchecked(id: UID, value: u64): Pool {
    Pool { id, value }
}
fun elsewhere(other: UID): Pool { Pool { id: other, value: 0 } }
fun plain(): Plain { Plain { id: 0 } }
fun unpack(p: Pool) { let Pool { id, value: _ } = p; id.delete(); }
"#;
    let leaks = id_leaks(leaky);
    assert_eq!(
        leaks,
        vec![
            IdLeak {
                function: "new_unchecked".into(),
                structure: "Pool".into(),
                id_expr: "id".into(),
            },
            IdLeak {
                function: "elsewhere".into(),
                structure: "Pool".into(),
                id_expr: "other".into(),
            },
        ]
    );
    let fixed = r#"
module walrus::demo;
public struct Pool has key, store { id: UID, value: u64 }
fun new(value: u64, ctx: &mut TxContext): Pool {
    let id = object::new(ctx);
    Pool { id, value }
}
fun inline(ctx: &mut TxContext): Pool { Pool { id: object::new(ctx), value: 0 } }
fun mutable(ctx: &mut TxContext): Pool {
    let mut id = object::new(ctx);
    Pool { id, value: 1 }
}
"#;
    assert_eq!(id_leaks(fixed), vec![]);
}
