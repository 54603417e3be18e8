//! The data encapsulation mechanisms (DEMs) of Seal: AES-256-GCM with a fixed 16-byte IV, and
//! HMAC-SHA3-256 in counter mode with an HMAC-SHA3-256 MAC (the one Move can decrypt on chain).
//! Every DEM key is derived fresh for one object, so the fixed IV is never reused under a key.

use crate::{Error, KEY_SIZE};
use fastcrypto::aes::{AesKey, AuthenticatedCipher, GenericByteArray, InitializationVector};
use fastcrypto::hmac::{HmacKey, hmac_sha3_256};
use fastcrypto::traits::ToFromBytes;
use typenum::U16;

/// The fixed AES-GCM IV, `8a3799fdc62e79dba0805907d69c94dc`. It is 128 bits, so GCM derives its
/// counter block through GHASH.
pub const AES_GCM_IV: [u8; 16] = [
    0x8a, 0x37, 0x99, 0xfd, 0xc6, 0x2e, 0x79, 0xdb, 0xa0, 0x80, 0x59, 0x07, 0xd6, 0x9c, 0x94, 0xdc,
];

/// Length of the GCM tag appended to the ciphertext.
pub const AES_GCM_TAG_LEN: usize = 16;

/// The largest plaintext GCM allows under one key and IV: 2^36 − 32 bytes.
pub const AES_GCM_MAX_PLAINTEXT: u64 = (1 << 36) - 32;

const HMAC_CTR_ENC: &[u8] = b"HMAC-CTR-ENC";
const HMAC_CTR_MAC: &[u8] = b"HMAC-CTR-MAC";

type Cipher = fastcrypto::aes::Aes256Gcm<U16>;

fn cipher(key: &[u8; KEY_SIZE]) -> Result<(Cipher, InitializationVector<U16>), Error> {
    let key = AesKey::from_bytes(key).map_err(|_| Error::InvalidEncoding("AES-256 key"))?;
    let iv = GenericByteArray::from_bytes(&AES_GCM_IV).map_err(|_| Error::InvalidEncoding("IV"))?;
    Ok((Cipher::new(key), iv))
}

/// AES-256-GCM encryption with the fixed IV; returns ciphertext ‖ 16-byte tag.
pub fn aes_gcm_encrypt(key: &[u8; KEY_SIZE], data: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error> {
    if data.len() as u64 > AES_GCM_MAX_PLAINTEXT {
        return Err(Error::PlaintextTooLong(data.len()));
    }
    let (c, iv) = cipher(key)?;
    Ok(c.encrypt_authenticated(&iv, aad, data))
}

/// The AES-256-GCM of [`aes_gcm_encrypt`], straight from the `aes-gcm` crate (which fastcrypto
/// wraps) for its in-place, detached-tag interface.
type InPlaceCipher = aes_gcm::AesGcm<aes_gcm::aes::Aes256, U16>;

fn in_place_cipher(key: &[u8; KEY_SIZE]) -> InPlaceCipher {
    use aes_gcm::KeyInit as _;
    InPlaceCipher::new(key.into())
}

/// [`aes_gcm_encrypt`] in place: encrypts `buffer` and returns the tag (which
/// [`aes_gcm_encrypt`] appends), so a caller can lay the ciphertext out where it will be sent.
pub fn aes_gcm_encrypt_in_place(
    key: &[u8; KEY_SIZE],
    buffer: &mut [u8],
    aad: &[u8],
) -> Result<[u8; AES_GCM_TAG_LEN], Error> {
    use aes_gcm::AeadInPlace as _;
    if buffer.len() as u64 > AES_GCM_MAX_PLAINTEXT {
        return Err(Error::PlaintextTooLong(buffer.len()));
    }
    let tag = in_place_cipher(key)
        .encrypt_in_place_detached(&AES_GCM_IV.into(), aad, buffer)
        .map_err(|_| Error::PlaintextTooLong(buffer.len()))?;
    Ok(tag.into())
}

/// [`aes_gcm_decrypt`] in place: `blob` is ciphertext ‖ tag; on success its first
/// `blob.len() − 16` bytes are the plaintext. On failure `blob` is unchanged.
pub fn aes_gcm_decrypt_in_place(
    key: &[u8; KEY_SIZE],
    blob: &mut [u8],
    aad: &[u8],
) -> Result<usize, Error> {
    use aes_gcm::AeadInPlace as _;
    let Some(len) = blob.len().checked_sub(AES_GCM_TAG_LEN) else {
        return Err(Error::Authentication);
    };
    let (data, tag) = blob.split_at_mut(len);
    let tag: &[u8; AES_GCM_TAG_LEN] = (&*tag).try_into().map_err(|_| Error::Authentication)?;
    in_place_cipher(key)
        .decrypt_in_place_detached(&AES_GCM_IV.into(), aad, data, tag.into())
        .map_err(|_| Error::Authentication)?;
    Ok(len)
}

/// AES-256-GCM decryption with the fixed IV; checks the tag.
pub fn aes_gcm_decrypt(key: &[u8; KEY_SIZE], blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error> {
    let (c, iv) = cipher(key)?;
    c.decrypt_authenticated(&iv, aad, blob)
        .map_err(|_| Error::Authentication)
}

fn hmac_key(key: &[u8; KEY_SIZE]) -> Result<HmacKey, Error> {
    HmacKey::from_bytes(key).map_err(|_| Error::InvalidEncoding("HMAC key"))
}

/// XORs `data` with the keystream `HMAC(key, "HMAC-CTR-ENC" ‖ u64_le(i))`, i = 0, 1, …
fn ctr_xor(key: &HmacKey, data: &[u8]) -> Vec<u8> {
    let mut msg = [0u8; HMAC_CTR_ENC.len() + 8];
    msg[..HMAC_CTR_ENC.len()].copy_from_slice(HMAC_CTR_ENC);
    let mut out = Vec::with_capacity(data.len());
    for (i, chunk) in data.chunks(KEY_SIZE).enumerate() {
        msg[HMAC_CTR_ENC.len()..].copy_from_slice(&(i as u64).to_le_bytes());
        let block = hmac_sha3_256(key, &msg).digest;
        out.extend(chunk.iter().zip(block).map(|(a, b)| a ^ b));
    }
    out
}

/// `HMAC(key, "HMAC-CTR-MAC" ‖ u64_le(|aad|) ‖ aad ‖ ciphertext)`.
fn mac(key: &HmacKey, aad: &[u8], ciphertext: &[u8]) -> [u8; KEY_SIZE] {
    let mut msg = Vec::with_capacity(HMAC_CTR_MAC.len() + 8 + aad.len() + ciphertext.len());
    msg.extend_from_slice(HMAC_CTR_MAC);
    msg.extend_from_slice(&(aad.len() as u64).to_le_bytes());
    msg.extend_from_slice(aad);
    msg.extend_from_slice(ciphertext);
    hmac_sha3_256(key, &msg).digest
}

/// HMAC-SHA3-256-CTR encryption; returns the ciphertext (same length as `data`) and its MAC.
pub fn hmac_ctr_encrypt(
    key: &[u8; KEY_SIZE],
    data: &[u8],
    aad: &[u8],
) -> Result<(Vec<u8>, [u8; KEY_SIZE]), Error> {
    let k = hmac_key(key)?;
    let blob = ctr_xor(&k, data);
    let tag = mac(&k, aad, &blob);
    Ok((blob, tag))
}

/// HMAC-SHA3-256-CTR decryption; checks the MAC (in constant time) before decrypting.
pub fn hmac_ctr_decrypt(
    key: &[u8; KEY_SIZE],
    blob: &[u8],
    aad: &[u8],
    tag: &[u8; KEY_SIZE],
) -> Result<Vec<u8>, Error> {
    let k = hmac_key(key)?;
    let expected = mac(&k, aad, blob);
    let diff = expected
        .iter()
        .zip(tag)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return Err(Error::Authentication);
    }
    Ok(ctr_xor(&k, blob))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"The difference between a Miracle and a Fact is exactly the difference between a mermaid and a seal.";
    const AAD: &[u8] = b"Mark Twain";

    fn key(h: &str) -> [u8; 32] {
        hex::decode(h).unwrap().try_into().unwrap()
    }

    /// Seal's `dem.rs::regression_test_aes_gcm`.
    #[test]
    fn aes_gcm_regression() {
        let k = key("43041389faab1f789fa56722b1def4c3ec6da22675e9bd8ad7329cd931bc840a");
        let ct = hex::decode("a3a5c857ee27937f43ccfb42b41ca2155c9a4a77a8e54af35f78a78ff102206142d1be22dfc39a6374463255934ae640adceeffb17e56b9190d8c5f6456e9e7ff1c4eaa45114b640b407efd371f26b1f7d7e48bd86d742a01c0ad7dbe18b86df188e27cb029978b7fd243d9a63bdabd76aa478").unwrap();
        assert_eq!(ct.len(), MSG.len() + AES_GCM_TAG_LEN);
        assert_eq!(aes_gcm_encrypt(&k, MSG, AAD).unwrap(), ct);
        assert_eq!(aes_gcm_decrypt(&k, &ct, AAD).unwrap(), MSG);
        assert_eq!(
            aes_gcm_decrypt(&k, &ct, b"Mark Twain!"),
            Err(Error::Authentication)
        );
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(aes_gcm_decrypt(&k, &bad, AAD), Err(Error::Authentication));
        assert_eq!(aes_gcm_decrypt(&k, &[], AAD), Err(Error::Authentication));

        // The in-place forms give the same bytes.
        let mut buffer = MSG.to_vec();
        let tag = aes_gcm_encrypt_in_place(&k, &mut buffer, AAD).unwrap();
        buffer.extend_from_slice(&tag);
        assert_eq!(buffer, ct);
        assert_eq!(
            aes_gcm_decrypt_in_place(&k, &mut buffer, AAD),
            Ok(MSG.len())
        );
        assert_eq!(&buffer[..MSG.len()], MSG);
        let mut bad = ct.clone();
        bad[3] ^= 1;
        assert_eq!(
            aes_gcm_decrypt_in_place(&k, &mut bad, AAD),
            Err(Error::Authentication)
        );
        assert_eq!(
            aes_gcm_decrypt_in_place(&k, &mut ct[..15].to_vec(), AAD),
            Err(Error::Authentication)
        );
    }

    /// Seal's `dem.rs::regression_test_hmac_ctr`.
    #[test]
    fn hmac_ctr_regression() {
        let k = key("5bfdfd7c814903f1311bebacfffa3c001cbeb1cbb3275baa9aafe21fadd9f396");
        let ct = hex::decode("feadb8c8f781036f86b6a9f436cac6f9f68ba8fc8b8444f0331a5820f78580f32034f698f7ce15f25defae1749f0131c0a8b8c5e751b96aacf507d0dbd4d7790440d196a339fcb8498ca7dd236014e353729b7aa2cf524284a8d2305d2378494eadd6f").unwrap();
        let tag = key("85d498365972c3dc7a53f94232f9cb10dcc94eff064d6835d41d7a7536b47b51");
        assert_eq!(hmac_ctr_encrypt(&k, MSG, AAD).unwrap(), (ct.clone(), tag));
        assert_eq!(hmac_ctr_decrypt(&k, &ct, AAD, &tag).unwrap(), MSG);
        assert_eq!(
            hmac_ctr_decrypt(&k, &ct, b"something else", &tag),
            Err(Error::Authentication)
        );
        let mut bad = tag;
        bad[31] ^= 0x80;
        assert_eq!(
            hmac_ctr_decrypt(&k, &ct, AAD, &bad),
            Err(Error::Authentication)
        );
    }
}
