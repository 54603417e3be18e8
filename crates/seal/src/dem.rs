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

/// How [`aes_gcm_encrypt_in_place`] and [`aes_gcm_decrypt_in_place`] walk a buffer.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Bytes per step (a multiple of 16): the GHASH and the CTR pass of one chunk run back to
    /// back while it is in cache, so the buffer crosses memory once.
    chunk: usize,
    /// From this length on the buffer is cut in two halves processed on two threads (CTR at a
    /// counter offset; the halves' GHASH values combined by a multiplication by a power of H).
    parallel_from: usize,
}

const LAYOUT: Layout = Layout {
    chunk: 64 << 10,
    parallel_from: 1 << 20,
};

type Block = aes::Block;

fn xor_block(a: &Block, b: &Block) -> Block {
    let mut out = *a;
    for (o, x) in out.iter_mut().zip(b) {
        *o ^= x;
    }
    out
}

/// `a·b` in GHASH's field: one GHASH step keyed with `b` from the zero state.
fn gf_mul(a: &Block, b: &Block) -> Block {
    use ghash::universal_hash::{KeyInit as _, UniversalHash as _};
    let mut g = ghash::GHash::new(b);
    g.update(&[*a]);
    g.finalize()
}

/// `h^k`, k ≥ 1.
fn gf_pow(h: &Block, mut k: usize) -> Block {
    let mut base = *h;
    let mut result: Option<Block> = None;
    while k > 0 {
        if k & 1 == 1 {
            result = Some(result.map_or(base, |r| gf_mul(&r, &base)));
        }
        k >>= 1;
        if k > 0 {
            base = gf_mul(&base, &base);
        }
    }
    result.unwrap_or(base)
}

/// AES-256-GCM with the fixed 16-byte IV, as NIST SP 800-38D and the `aes-gcm` crate define it:
/// H = E(0), J0 = GHASH(IV ‖ 0^64 ‖ [128]_64), the payload under CTR from inc32(J0), the tag
/// GHASH(aad ‖ C ‖ [len(aad)]_64 ‖ [len(C)]_64) ⊕ E(J0).
struct Gcm {
    cipher: aes::Aes256,
    h: Block,
    j0: Block,
}

impl Gcm {
    fn new(key: &[u8; KEY_SIZE]) -> Self {
        use aes::cipher::{BlockEncrypt as _, KeyInit as _};
        use ghash::universal_hash::UniversalHash as _;
        let cipher = aes::Aes256::new(key.into());
        let mut h = Block::default();
        cipher.encrypt_block(&mut h);
        let mut g = ghash::GHash::new(&h);
        g.update_padded(&AES_GCM_IV);
        let mut lengths = Block::default();
        lengths[8..].copy_from_slice(&((AES_GCM_IV.len() as u64) * 8).to_be_bytes());
        g.update(&[lengths]);
        Self {
            cipher,
            h,
            j0: g.finalize(),
        }
    }

    fn tag_mask(&self) -> Block {
        use aes::cipher::BlockEncrypt as _;
        let mut mask = self.j0;
        self.cipher.encrypt_block(&mut mask);
        mask
    }

    /// CTR over `part` (which starts `offset` bytes into the payload) and the GHASH state of
    /// `aad ‖ part` from zero (of the ciphertext: after CTR when encrypting, before when
    /// decrypting).
    fn process(
        &self,
        aad: &[u8],
        part: &mut [u8],
        offset: usize,
        encrypt: bool,
        chunk: usize,
    ) -> Block {
        use aes::cipher::{InnerIvInit as _, StreamCipher as _, StreamCipherSeek as _};
        use ghash::universal_hash::{KeyInit as _, UniversalHash as _};
        let mut ghash = ghash::GHash::new(&self.h);
        ghash.update_padded(aad);
        let mut ctr = ctr::Ctr32BE::<aes::Aes256>::from_core(ctr::CtrCore::inner_iv_init(
            self.cipher.clone(),
            &self.j0,
        ));
        // The first keystream block, E(J0), masks the tag.
        ctr.seek(16 + offset as u64);
        for piece in part.chunks_mut(chunk) {
            if encrypt {
                ctr.apply_keystream(piece);
                ghash.update_padded(piece);
            } else {
                ghash.update_padded(piece);
                ctr.apply_keystream(piece);
            }
        }
        ghash.finalize()
    }

    /// En- or decrypts `buffer` in place; the tag of the ciphertext.
    fn run(
        &self,
        buffer: &mut [u8],
        aad: &[u8],
        encrypt: bool,
        layout: Layout,
    ) -> [u8; AES_GCM_TAG_LEN] {
        let n = buffer.len();
        let state = if n >= layout.parallel_from && n >= 32 {
            let split = (n / 2) & !15;
            let (first, second) = buffer.split_at_mut(split);
            let second_blocks = second.len().div_ceil(16);
            let (a, b) = std::thread::scope(|s| {
                let other = s.spawn(|| self.process(&[], second, split, encrypt, layout.chunk));
                let a = self.process(aad, first, 0, encrypt, layout.chunk);
                (
                    a,
                    other
                        .join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                )
            });
            xor_block(&gf_mul(&a, &gf_pow(&self.h, second_blocks)), &b)
        } else {
            self.process(aad, buffer, 0, encrypt, layout.chunk)
        };
        let mut lengths = Block::default();
        lengths[..8].copy_from_slice(&((aad.len() as u64) * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&((n as u64) * 8).to_be_bytes());
        let s = gf_mul(&xor_block(&state, &lengths), &self.h);
        xor_block(&s, &self.tag_mask()).into()
    }
}

/// [`aes_gcm_encrypt`] in place: encrypts `buffer` and returns the tag (which
/// [`aes_gcm_encrypt`] appends), so a caller can lay the ciphertext out where it will be sent.
/// One pass over memory, on two threads for large buffers.
pub fn aes_gcm_encrypt_in_place(
    key: &[u8; KEY_SIZE],
    buffer: &mut [u8],
    aad: &[u8],
) -> Result<[u8; AES_GCM_TAG_LEN], Error> {
    encrypt_in_place_with(key, buffer, aad, LAYOUT)
}

fn encrypt_in_place_with(
    key: &[u8; KEY_SIZE],
    buffer: &mut [u8],
    aad: &[u8],
    layout: Layout,
) -> Result<[u8; AES_GCM_TAG_LEN], Error> {
    if buffer.len() as u64 > AES_GCM_MAX_PLAINTEXT {
        return Err(Error::PlaintextTooLong(buffer.len()));
    }
    Ok(Gcm::new(key).run(buffer, aad, true, layout))
}

/// [`aes_gcm_decrypt`] in place: `blob` is ciphertext ‖ tag; on success its first
/// `blob.len() − 16` bytes are the plaintext (the length is returned). The decryption runs
/// alongside the authentication, so on failure `blob` is zeroed, never left half decrypted.
pub fn aes_gcm_decrypt_in_place(
    key: &[u8; KEY_SIZE],
    blob: &mut [u8],
    aad: &[u8],
) -> Result<usize, Error> {
    decrypt_in_place_with(key, blob, aad, LAYOUT)
}

fn decrypt_in_place_with(
    key: &[u8; KEY_SIZE],
    blob: &mut [u8],
    aad: &[u8],
    layout: Layout,
) -> Result<usize, Error> {
    let Some(len) = blob.len().checked_sub(AES_GCM_TAG_LEN) else {
        return Err(Error::Authentication);
    };
    if len as u64 > AES_GCM_MAX_PLAINTEXT {
        return Err(Error::Authentication);
    }
    let (data, tag) = blob.split_at_mut(len);
    let expected = Gcm::new(key).run(data, aad, false, layout);
    let diff = expected
        .iter()
        .zip(tag.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        blob.fill(0);
        return Err(Error::Authentication);
    }
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

        // The in-place forms give the same bytes (a failed in-place decryption zeroes).
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
        assert!(bad.iter().all(|b| *b == 0));
        assert_eq!(
            aes_gcm_decrypt_in_place(&k, &mut ct[..15].to_vec(), AAD),
            Err(Error::Authentication)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The chunked, two-thread GCM gives the `aes-gcm` crate's bytes (through fastcrypto)
        /// for every length, aad, chunk size and split, and decrypts them back.
        #[test]
        fn in_place_matches_aes_gcm(
            k in proptest::prelude::any::<[u8; 32]>(),
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700),
            aad in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            chunk_blocks in 1usize..5,
            parallel in proptest::prelude::any::<bool>(),
            flip in proptest::prelude::any::<usize>(),
        ) {
            let layout = Layout {
                chunk: 16 * chunk_blocks,
                parallel_from: if parallel { 0 } else { usize::MAX },
            };
            let expected = aes_gcm_encrypt(&k, &data, &aad).unwrap();
            let mut buffer = data.clone();
            let tag = encrypt_in_place_with(&k, &mut buffer, &aad, layout).unwrap();
            buffer.extend_from_slice(&tag);
            proptest::prop_assert_eq!(&buffer, &expected);
            let mut bad = buffer.clone();
            proptest::prop_assert_eq!(decrypt_in_place_with(&k, &mut buffer, &aad, layout), Ok(data.len()));
            proptest::prop_assert_eq!(&buffer[..data.len()], &data[..]);
            let at = flip % bad.len();
            bad[at] ^= 1;
            proptest::prop_assert_eq!(
                decrypt_in_place_with(&k, &mut bad, &aad, layout),
                Err(Error::Authentication)
            );
        }
    }

    /// The default layout on a buffer past its two-thread threshold and over several chunks.
    #[test]
    fn in_place_matches_aes_gcm_past_the_threshold() {
        let k = [9u8; 32];
        let data: Vec<u8> = (0..LAYOUT.parallel_from + 3 * LAYOUT.chunk + 5)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let expected = aes_gcm_encrypt(&k, &data, AAD).unwrap();
        let mut buffer = data.clone();
        let tag = aes_gcm_encrypt_in_place(&k, &mut buffer, AAD).unwrap();
        assert!(buffer[..] == expected[..data.len()] && tag[..] == expected[data.len()..]);
        buffer.extend_from_slice(&tag);
        assert_eq!(
            aes_gcm_decrypt_in_place(&k, &mut buffer, AAD),
            Ok(data.len())
        );
        assert!(buffer[..data.len()] == data[..]);
    }

    #[test]
    fn gf_pow_is_repeated_multiplication() {
        let h: Block = [7u8; 16].into();
        let mut p = h;
        for k in 1..40 {
            assert_eq!(gf_pow(&h, k), p, "{k}");
            p = gf_mul(&p, &h);
        }
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
