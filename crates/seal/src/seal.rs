//! Threshold encryption and decryption of [`EncryptedObject`]s (Seal's `seal_encrypt` and
//! `seal_decrypt`).

use crate::dem;
use crate::ibe::{self, Nonce, PublicKey, UserSecretKey, hash_to_g1};
use crate::kdf::{KeyPurpose, h2, h3};
use crate::object::{
    Ciphertext, EncryptedObject, IbeEncryptions, ObjectId, put_option_bytes, put_uleb,
};
use crate::shamir;
use crate::{Error, KEY_SIZE};
use fastcrypto::groups::GroupElement;
use fastcrypto::groups::bls12381::{G1Element, G2Element, Scalar};
use fastcrypto::serde_helpers::ToFromByteArray;
use rand::CryptoRng;
use std::collections::HashMap;

/// The identity the key servers derive keys for: `package_id ‖ inner_id`.
pub fn full_id(package_id: &ObjectId, inner_id: &[u8]) -> Vec<u8> {
    let mut id = Vec::with_capacity(32 + inner_id.len());
    id.extend_from_slice(&package_id.0);
    id.extend_from_slice(inner_id);
    id
}

/// What to encrypt, and with which DEM.
#[derive(Clone, Copy, Debug)]
pub enum EncryptionInput<'a> {
    /// AES-256-GCM (the SDK's default).
    Aes256Gcm {
        /// The plaintext.
        data: &'a [u8],
        /// Associated data, stored in the clear in the object.
        aad: Option<&'a [u8]>,
    },
    /// HMAC-SHA3-256-CTR (decryptable on chain; slow for large data).
    Hmac256Ctr {
        /// The plaintext.
        data: &'a [u8],
        /// Associated data, stored in the clear in the object.
        aad: Option<&'a [u8]>,
    },
    /// No payload: Seal as a key manager; decryption returns the derived key.
    Plain,
}

/// The largest payload whose object is still valid BCS (a `vector<u8>` holds < 2^31 bytes).
pub const MAX_PAYLOAD: usize = bcs::MAX_SEQUENCE_LENGTH - dem::AES_GCM_TAG_LEN;

fn xor(a: &[u8; KEY_SIZE], b: &[u8; KEY_SIZE]) -> [u8; KEY_SIZE] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

fn share_key(
    gt: &fastcrypto::groups::bls12381::GTElement,
    nonce: &G2Element,
    gid: &G1Element,
    (object_id, index): &(ObjectId, u8),
) -> [u8; KEY_SIZE] {
    h2(gt, nonce, gid, object_id, *index)
}

/// Encrypts `input` under the identity `package_id ‖ inner_id` for the given key servers
/// (object id and master public key; a server may be listed several times to weigh it), so that
/// the user secret keys of any `threshold` of them decrypt.
///
/// Returns the object and the DEM key, which alone decrypts the payload (Seal's "backup key",
/// see [`decrypt_with_key`]; for [`EncryptionInput::Plain`] it is the managed key).
pub fn encrypt<R: CryptoRng + ?Sized>(
    package_id: ObjectId,
    inner_id: &[u8],
    key_servers: &[(ObjectId, PublicKey)],
    threshold: u8,
    input: EncryptionInput<'_>,
    rng: &mut R,
) -> Result<(EncryptedObject, [u8; KEY_SIZE]), Error> {
    let (mut object, dem_key) =
        encapsulate(package_id, inner_id, key_servers, threshold, input, rng)?;
    object.ciphertext = match input {
        EncryptionInput::Aes256Gcm { data, aad } => Ciphertext::Aes256Gcm {
            blob: dem::aes_gcm_encrypt(&dem_key, data, aad.unwrap_or_default())?,
            aad: aad.map(<[u8]>::to_vec),
        },
        EncryptionInput::Hmac256Ctr { data, aad } => {
            let (blob, mac) = dem::hmac_ctr_encrypt(&dem_key, data, aad.unwrap_or_default())?;
            Ciphertext::Hmac256Ctr {
                blob,
                aad: aad.map(<[u8]>::to_vec),
                mac,
            }
        }
        EncryptionInput::Plain => Ciphertext::Plain,
    };
    Ok((object, dem_key))
}

/// [`encrypt`], returning the object's BCS bytes ([`EncryptedObject::to_bytes`]) instead of the
/// object: the same bytes for the same randomness, but an AES-256-GCM payload is copied once,
/// into its place in the serialized object, and encrypted there (no separate ciphertext and
/// serialization copies of a large file).
pub fn encrypt_to_bytes<R: CryptoRng + ?Sized>(
    package_id: ObjectId,
    inner_id: &[u8],
    key_servers: &[(ObjectId, PublicKey)],
    threshold: u8,
    input: EncryptionInput<'_>,
    rng: &mut R,
) -> Result<(Vec<u8>, [u8; KEY_SIZE]), Error> {
    let EncryptionInput::Aes256Gcm { data, aad } = input else {
        let (object, dem_key) = encrypt(package_id, inner_id, key_servers, threshold, input, rng)?;
        return Ok((object.to_bytes(), dem_key));
    };
    let (object, dem_key) = encapsulate(package_id, inner_id, key_servers, threshold, input, rng)?;
    let blob_len = data.len() + dem::AES_GCM_TAG_LEN;
    // Header, DEM tag, two ULEB lengths (at most 5 bytes each below 2^31), option tag, aad.
    let mut out = Vec::with_capacity(
        object.header_len() + 1 + 5 + blob_len + 1 + 5 + aad.map_or(0, <[u8]>::len),
    );
    object.put_header(&mut out);
    out.push(0); // Aes256Gcm
    put_uleb(&mut out, blob_len);
    let start = out.len();
    out.extend_from_slice(data);
    let tag = dem::aes_gcm_encrypt_in_place(&dem_key, &mut out[start..], aad.unwrap_or_default())?;
    out.extend_from_slice(&tag);
    put_option_bytes(&mut out, aad);
    Ok((out, dem_key))
}

/// The KEM part of [`encrypt`]: the object with every field but the DEM ciphertext (left
/// `Plain`), and the DEM key. All of the randomness is drawn here.
fn encapsulate<R: CryptoRng + ?Sized>(
    package_id: ObjectId,
    inner_id: &[u8],
    key_servers: &[(ObjectId, PublicKey)],
    threshold: u8,
    input: EncryptionInput<'_>,
    rng: &mut R,
) -> Result<(EncryptedObject, [u8; KEY_SIZE]), Error> {
    let n = key_servers.len();
    if threshold == 0 || threshold as usize > n || n > 255 {
        return Err(Error::InvalidThreshold {
            threshold,
            servers: n,
        });
    }
    if let EncryptionInput::Aes256Gcm { data, .. } | EncryptionInput::Hmac256Ctr { data, .. } =
        input
        && data.len() > MAX_PAYLOAD
    {
        return Err(Error::PlaintextTooLong(data.len()));
    }
    let id = full_id(&package_id, inner_id);

    let mut base_key = [0u8; KEY_SIZE];
    rng.fill_bytes(&mut base_key);
    let indices: Vec<u8> = (1..=n as u8).collect();
    let shares = shamir::split(rng, &base_key, threshold, &indices).map_err(|_| {
        Error::InvalidThreshold {
            threshold,
            servers: n,
        }
    })?;
    let services: Vec<(ObjectId, u8)> = key_servers
        .iter()
        .map(|(o, _)| *o)
        .zip(indices.iter().copied())
        .collect();

    let r = ibe::random_scalar(rng);
    let nonce = G2Element::generator() * r;
    let gid = hash_to_g1(&id);
    let gid_r = gid * r;
    let encrypted_shares: Vec<[u8; KEY_SIZE]> = key_servers
        .iter()
        .zip(&services)
        .zip(&shares)
        .map(|(((_, pk), service), share)| {
            let gt = ibe::encapsulate(&gid_r, pk);
            xor(share, &share_key(&gt, &nonce, &gid, service))
        })
        .collect();

    let object_ids = || services.iter().map(|(o, _)| *o);
    let randomness_key = h3(
        KeyPurpose::EncryptedRandomness,
        &base_key,
        threshold,
        &encrypted_shares,
        object_ids(),
    );
    let encrypted_randomness = xor(&r.to_byte_array(), &randomness_key);
    let dem_key = h3(
        KeyPurpose::Dem,
        &base_key,
        threshold,
        &encrypted_shares,
        object_ids(),
    );

    Ok((
        EncryptedObject {
            version: 0,
            package_id,
            id: inner_id.to_vec(),
            services,
            threshold,
            encrypted_shares: IbeEncryptions::BonehFranklinBls12381 {
                nonce: Nonce(nonce),
                encrypted_shares,
                encrypted_randomness,
            },
            ciphertext: Ciphertext::Plain,
        },
        dem_key,
    ))
}

/// Decrypts an object with user secret keys keyed by key-server object id.
///
/// Every service of the object that has a key in `usks` contributes its share; at least
/// `threshold` must. The keys are assumed verified ([`UserSecretKey::verify`]); wrong keys make
/// the nonce check fail. The randomness is recovered and checked (`r·g2 == nonce`).
///
/// With `public_keys` (one per service, in the object's order) the shares of *all* services are
/// recomputed and must lie on one polynomial: every admissible subset of keys then gives the
/// same answer. Use it when the encryptor is not trusted.
///
/// Returns the plaintext, or for a `Plain` object the derived key.
pub fn decrypt(
    obj: &EncryptedObject,
    usks: &HashMap<ObjectId, UserSecretKey>,
    public_keys: Option<&[PublicKey]>,
) -> Result<Vec<u8>, Error> {
    let dem_key = recover_dem_key(obj, usks, public_keys)?;
    decrypt_with_key(obj, &dem_key)
}

/// [`decrypt`], consuming the object: an AES-256-GCM payload is decrypted where it lies, and
/// its buffer becomes the plaintext (no copy of a large file). Same checks, same result.
pub fn decrypt_in_place(
    mut obj: EncryptedObject,
    usks: &HashMap<ObjectId, UserSecretKey>,
    public_keys: Option<&[PublicKey]>,
) -> Result<Vec<u8>, Error> {
    let dem_key = recover_dem_key(&obj, usks, public_keys)?;
    match &mut obj.ciphertext {
        Ciphertext::Aes256Gcm { blob, aad } => {
            let len =
                dem::aes_gcm_decrypt_in_place(&dem_key, blob, aad.as_deref().unwrap_or_default())?;
            let mut plaintext = std::mem::take(blob);
            plaintext.truncate(len);
            Ok(plaintext)
        }
        _ => decrypt_with_key(&obj, &dem_key),
    }
}

/// The checks and key recovery of [`decrypt`]: the DEM key.
fn recover_dem_key(
    obj: &EncryptedObject,
    usks: &HashMap<ObjectId, UserSecretKey>,
    public_keys: Option<&[PublicKey]>,
) -> Result<[u8; KEY_SIZE], Error> {
    obj.validate()?;
    let IbeEncryptions::BonehFranklinBls12381 {
        nonce,
        encrypted_shares,
        encrypted_randomness,
    } = &obj.encrypted_shares;
    if let Some(pks) = public_keys
        && pks.len() != obj.services.len()
    {
        return Err(Error::PublicKeyCount {
            keys: pks.len(),
            services: obj.services.len(),
        });
    }
    let id = obj.full_id();
    let gid = hash_to_g1(&id);

    let shares: Vec<(u8, [u8; KEY_SIZE])> = obj
        .services
        .iter()
        .zip(encrypted_shares)
        .filter_map(|(service, enc)| {
            let usk = usks.get(&service.0)?;
            let gt = ibe::decapsulate(usk, nonce);
            Some((
                service.1,
                xor(enc, &share_key(&gt, &nonce.0, &gid, service)),
            ))
        })
        .collect();
    if shares.len() < obj.threshold as usize {
        return Err(Error::NotEnoughKeys {
            have: shares.len(),
            need: obj.threshold,
        });
    }

    let base_key = shamir::combine(&shares).map_err(|_| Error::InvalidNonce)?;
    let object_ids = || obj.services.iter().map(|(o, _)| *o);
    let randomness_key = h3(
        KeyPurpose::EncryptedRandomness,
        &base_key,
        obj.threshold,
        encrypted_shares,
        object_ids(),
    );
    let r = Scalar::from_byte_array(&xor(encrypted_randomness, &randomness_key))
        .map_err(|_| Error::InvalidNonce)?;
    if G2Element::generator() * r != nonce.0 {
        return Err(Error::InvalidNonce);
    }

    if let Some(pks) = public_keys {
        let gid_r = gid * r;
        for ((service, enc), pk) in obj.services.iter().zip(encrypted_shares).zip(pks) {
            let gt = ibe::encapsulate(&gid_r, pk);
            let share = xor(enc, &share_key(&gt, &nonce.0, &gid, service));
            let on_polynomial = shamir::interpolate_at(&shares, service.1)
                .map_err(|_| Error::InconsistentShares)?;
            if on_polynomial != share {
                return Err(Error::InconsistentShares);
            }
        }
    }

    Ok(h3(
        KeyPurpose::Dem,
        &base_key,
        obj.threshold,
        encrypted_shares,
        object_ids(),
    ))
}

/// Decrypts the payload with the DEM key returned by [`encrypt`] (Seal's `symmetric-decrypt`).
/// For a `Plain` object it returns the key.
pub fn decrypt_with_key(obj: &EncryptedObject, dem_key: &[u8; KEY_SIZE]) -> Result<Vec<u8>, Error> {
    match &obj.ciphertext {
        Ciphertext::Aes256Gcm { blob, aad } => {
            dem::aes_gcm_decrypt(dem_key, blob, aad.as_deref().unwrap_or_default())
        }
        Ciphertext::Hmac256Ctr { blob, aad, mac } => {
            dem::hmac_ctr_decrypt(dem_key, blob, aad.as_deref().unwrap_or_default(), mac)
        }
        Ciphertext::Plain => Ok(dem_key.to_vec()),
    }
}

#[cfg(test)]
#[path = "seal_tests.rs"]
mod tests;
