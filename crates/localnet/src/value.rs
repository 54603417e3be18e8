//! Runtime values of the programmable-transaction executor (typed BCS bytes), and helpers
//! for native function implementations: framework type tags, pure-value checks, ULEB128.
//!
//! Every Move value the executor handles is kept as the BCS encoding of the value together with
//! its type. Pure inputs arrive untyped and receive their type at their first use, exactly as in
//! Sui, where a pure argument is deserialized according to the parameter it is passed to.

use sui_sdk_types::Address;
use sui_sdk_types::Identifier;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;

/// `0x1`, the Move standard library.
pub const MOVE_STDLIB: Address = address_from_u8(1);
/// `0x6`, the address of the shared `Clock` object.
pub const CLOCK_ID: Address = address_from_u8(6);

/// The address whose last byte is `b` and every other byte zero.
pub const fn address_from_u8(b: u8) -> Address {
    let mut bytes = [0u8; 32];
    bytes[31] = b;
    Address::new(bytes)
}

/// A Move value during execution: BCS bytes and, once known, their type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The Move type of the value; `None` for a pure input that has not been used yet.
    pub ty: Option<TypeTag>,
    /// The BCS encoding of the value.
    pub bytes: Vec<u8>,
}

impl Value {
    /// A value of a known type.
    pub fn typed(ty: TypeTag, bytes: Vec<u8>) -> Self {
        Self {
            ty: Some(ty),
            bytes,
        }
    }

    /// A `u64` value.
    pub fn u64(v: u64) -> Self {
        Self::typed(TypeTag::U64, v.to_le_bytes().to_vec())
    }

    /// A `Coin<T>` object value.
    pub fn coin(coin_type: TypeTag, id: Address, balance: u64) -> Self {
        let mut bytes = id.as_bytes().to_vec();
        bytes.extend_from_slice(&balance.to_le_bytes());
        Self::typed(StructTag::coin(coin_type).into(), bytes)
    }

    /// A `Balance<T>` value.
    pub fn balance(coin_type: TypeTag, value: u64) -> Self {
        Self::typed(balance_type(coin_type).into(), value.to_le_bytes().to_vec())
    }

    /// The struct type of the value, if it is a struct.
    pub fn struct_tag(&self) -> Option<&StructTag> {
        match &self.ty {
            Some(TypeTag::Struct(s)) => Some(s),
            _ => None,
        }
    }

    /// The object ID held in the first 32 bytes (the `UID`), for values of a `key` type.
    pub fn object_id(&self) -> Option<Address> {
        self.bytes
            .get(..32)
            .and_then(|b| Address::from_bytes(b).ok())
    }

    /// Reads a little-endian `u64` at `offset` of the BCS bytes.
    pub fn read_u64(&self, offset: usize) -> Option<u64> {
        let b = self.bytes.get(offset..offset + 8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    /// Writes a little-endian `u64` at `offset` of the BCS bytes.
    pub fn write_u64(&mut self, offset: usize, v: u64) -> bool {
        match self.bytes.get_mut(offset..offset + 8) {
            Some(b) => {
                b.copy_from_slice(&v.to_le_bytes());
                true
            }
            None => false,
        }
    }
}

/// `0x2::balance::Balance<T>`.
pub fn balance_type(coin_type: TypeTag) -> StructTag {
    framework_struct(Address::TWO, "balance", "Balance", vec![coin_type])
}

/// `0x2::clock::Clock`.
pub fn clock_type() -> StructTag {
    framework_struct(Address::TWO, "clock", "Clock", vec![])
}

/// A struct tag from static parts.
pub fn framework_struct(
    address: Address,
    module: &'static str,
    name: &'static str,
    params: Vec<TypeTag>,
) -> StructTag {
    StructTag::new(
        address,
        Identifier::from_static(module),
        Identifier::from_static(name),
        params,
    )
}

/// If `ty` is `0x2::coin::Coin<T>`, returns `T`.
pub fn coin_type_of(ty: &TypeTag) -> Option<&TypeTag> {
    match ty {
        TypeTag::Struct(s) => s.is_coin(),
        _ => None,
    }
}

/// If `ty` is `0x2::balance::Balance<T>`, returns `T`.
pub fn balance_type_of(ty: &TypeTag) -> Option<&TypeTag> {
    match ty {
        TypeTag::Struct(s)
            if *s.address() == Address::TWO
                && s.module().as_str() == "balance"
                && s.name().as_str() == "Balance" =>
        {
            s.type_params().first()
        }
        _ => None,
    }
}

/// Whether `bytes` is exactly one valid BCS value of `ty`, for the types a pure argument may have.
///
/// Returns `None` when `ty` is not a type pure arguments may have.
pub fn validate_pure(ty: &TypeTag, bytes: &[u8]) -> Option<bool> {
    let mut cursor = bytes;
    let ok = consume_pure(ty, &mut cursor)?;
    Some(ok && cursor.is_empty())
}

/// The length of the BCS value of type `ty` at the start of `bytes`, for pure-able types.
pub fn bcs_prefix_len(ty: &TypeTag, bytes: &[u8]) -> Option<usize> {
    let mut cursor = bytes;
    consume_pure(ty, &mut cursor)?.then(|| bytes.len() - cursor.len())
}

fn consume_pure(ty: &TypeTag, cursor: &mut &[u8]) -> Option<bool> {
    fn take(cursor: &mut &[u8], n: usize) -> bool {
        if cursor.len() < n {
            return false;
        }
        *cursor = &cursor[n..];
        true
    }
    Some(match ty {
        TypeTag::Bool => match cursor.first() {
            Some(0 | 1) => take(cursor, 1),
            _ => false,
        },
        TypeTag::U8 => take(cursor, 1),
        TypeTag::U16 => take(cursor, 2),
        TypeTag::U32 => take(cursor, 4),
        TypeTag::U64 => take(cursor, 8),
        TypeTag::U128 => take(cursor, 16),
        TypeTag::U256 | TypeTag::Address => take(cursor, 32),
        TypeTag::Signer => return None,
        TypeTag::Vector(inner) => {
            let Some(len) = read_uleb(cursor) else {
                return Some(false);
            };
            for _ in 0..len {
                if !consume_pure(inner, cursor)? {
                    return Some(false);
                }
            }
            true
        }
        TypeTag::Struct(s) => {
            let module = s.module().as_str();
            let name = s.name().as_str();
            match (*s.address() == MOVE_STDLIB, module, name) {
                (true, "string", "String") | (true, "ascii", "String") => {
                    let Some(len) = read_uleb(cursor) else {
                        return Some(false);
                    };
                    let Ok(len) = usize::try_from(len) else {
                        return Some(false);
                    };
                    if cursor.len() < len {
                        return Some(false);
                    }
                    let text = &cursor[..len];
                    let valid = if module == "ascii" {
                        text.is_ascii()
                    } else {
                        std::str::from_utf8(text).is_ok()
                    };
                    valid && take(cursor, len)
                }
                (true, "option", "Option") => {
                    let inner = s.type_params().first()?;
                    match read_uleb(cursor) {
                        Some(0) => true,
                        Some(1) => consume_pure(inner, cursor)?,
                        _ => false,
                    }
                }
                _ if *s.address() == Address::TWO && module == "object" && name == "ID" => {
                    take(cursor, 32)
                }
                _ => return None,
            }
        }
    })
}

/// Reads a ULEB128 length prefix.
pub fn read_uleb(cursor: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = cursor.split_first()?;
        *cursor = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Appends a ULEB128 length prefix.
pub fn write_uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_validation_follows_bcs() {
        assert_eq!(
            validate_pure(&TypeTag::U64, &7u64.to_le_bytes()),
            Some(true)
        );
        assert_eq!(validate_pure(&TypeTag::U64, &[1, 2, 3]), Some(false));
        assert_eq!(validate_pure(&TypeTag::Bool, &[2]), Some(false));
        let v = TypeTag::Vector(Box::new(TypeTag::U64));
        let mut bytes = vec![2];
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&2u64.to_le_bytes());
        assert_eq!(validate_pure(&v, &bytes), Some(true));
        bytes.push(0);
        assert_eq!(validate_pure(&v, &bytes), Some(false));
        let string: TypeTag = "0x1::string::String".parse().expect("type");
        assert_eq!(validate_pure(&string, &[2, b'h', b'i']), Some(true));
        assert_eq!(validate_pure(&string, &[2, 0xff, 0xfe]), Some(false));
        assert_eq!(validate_pure(&TypeTag::from(clock_type()), &[]), None);
    }

    #[test]
    fn uleb_roundtrip() {
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            write_uleb(&mut out, v);
            let mut cursor = out.as_slice();
            assert_eq!(read_uleb(&mut cursor), Some(v));
            assert!(cursor.is_empty());
        }
    }
}
