//! Dynamic-field object IDs (walrus-onchain.md §3).

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde::Serialize;
use sui_sdk_types::TypeTag;

use crate::framework::framework_tag;
use crate::ids::ObjectId;
use crate::move_type::{MoveType, Packages};

/// `HashingIntentScope::ChildObjectId`, the domain separator of dynamic-field IDs.
const CHILD_OBJECT_ID_SCOPE: u8 = 0xf0;

/// The ID of the `0x2::dynamic_field::Field` object that stores the dynamic field of `parent`
/// whose key has type `key_type` and BCS `key_bcs`:
/// `BLAKE2b-256(0xF0 ‖ parent ‖ u64_le(len(key_bcs)) ‖ key_bcs ‖ bcs(key_type))`.
pub fn derive_dynamic_field_id(parent: ObjectId, key_type: &TypeTag, key_bcs: &[u8]) -> ObjectId {
    let mut hasher = Blake2b::<U32>::new();
    hasher.update([CHILD_OBJECT_ID_SCOPE]);
    hasher.update(parent.as_bytes());
    hasher.update((key_bcs.len() as u64).to_le_bytes());
    hasher.update(key_bcs);
    // Serializing a type tag into memory cannot fail: it has no maps and no invalid values.
    hasher.update(bcs::to_bytes(key_type).unwrap_or_default());
    ObjectId::new(hasher.finalize().into())
}

/// The ID of the field object of a dynamic **object** field (as used by `ObjectTable`,
/// `ObjectBag` and `dynamic_object_field::add`): the key type is wrapped in
/// `0x2::dynamic_object_field::Wrapper<K>` while the key bytes stay `key_bcs`.
pub fn derive_dynamic_object_field_id(
    parent: ObjectId,
    key_type: &TypeTag,
    key_bcs: &[u8],
) -> ObjectId {
    let wrapper = framework_tag("dynamic_object_field", "Wrapper", vec![key_type.clone()]);
    derive_dynamic_field_id(parent, &wrapper, key_bcs)
}

/// Typed form of [`derive_dynamic_field_id`]: the key's type tag and BCS come from `key`.
///
/// # Errors
/// If `key` cannot be BCS-serialized (never for the types of this crate).
pub fn dynamic_field_id_of<K: MoveType + Serialize>(
    parent: ObjectId,
    key: &K,
    packages: &Packages,
) -> Result<ObjectId, bcs::Error> {
    Ok(derive_dynamic_field_id(
        parent,
        &K::type_tag(packages),
        &bcs::to_bytes(key)?,
    ))
}

/// Typed form of [`derive_dynamic_object_field_id`].
///
/// # Errors
/// If `key` cannot be BCS-serialized (never for the types of this crate).
pub fn dynamic_object_field_id_of<K: MoveType + Serialize>(
    parent: ObjectId,
    key: &K,
    packages: &Packages,
) -> Result<ObjectId, bcs::Error> {
    Ok(derive_dynamic_object_field_id(
        parent,
        &K::type_tag(packages),
        &bcs::to_bytes(key)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Address;

    #[test]
    fn type_tag_bcs_matches_spec() {
        assert_eq!(bcs::to_bytes(&TypeTag::U64).unwrap(), [0x02]);
        assert_eq!(
            bcs::to_bytes(&TypeTag::Vector(Box::new(TypeTag::U8))).unwrap(),
            [0x06, 0x01]
        );
        let id_tag = framework_tag("object", "ID", vec![]);
        let mut expected = vec![0x07];
        expected.extend_from_slice(Address::TWO.as_bytes());
        expected.extend_from_slice(b"\x06object\x02ID\x00");
        assert_eq!(bcs::to_bytes(&id_tag).unwrap(), expected);
        for (tag, byte) in [
            (TypeTag::Bool, 0u8),
            (TypeTag::U8, 1),
            (TypeTag::U128, 3),
            (TypeTag::Address, 4),
            (TypeTag::Signer, 5),
            (TypeTag::U16, 8),
            (TypeTag::U32, 9),
            (TypeTag::U256, 10),
        ] {
            assert_eq!(bcs::to_bytes(&tag).unwrap(), [byte]);
        }
    }

    #[test]
    fn agrees_with_sui_sdk_types() {
        let parent = Address::new([0xab; 32]);
        let tag = TypeTag::U64;
        let key = 4u64.to_le_bytes();
        assert_eq!(
            derive_dynamic_field_id(parent.into(), &tag, &key).to_address(),
            parent.derive_dynamic_child_id(&tag, &key)
        );
    }
}
