//! Seal-compatible threshold encryption, byte for byte.
//!
//! This crate re-implements the cryptography and the wire formats of Mysten Labs' Seal
//! (`crates/crypto` and `seal-sdk` in the Seal repository, and `@mysten/seal` 1.4): ciphertexts made
//! here decrypt with the official SDK and the other way round. It is a pure library: no I/O, no
//! async, randomness is passed in by the caller.
//!
//! The two users and what they need:
//!
//! * **a key server**: [`ibe::MasterKey`] (generate, load), [`ibe::MasterKey::extract`] for
//!   `usk = msk·H1(full_id)`, [`ibe::MasterKey::proof_of_possession`] for `GET /v1/service`,
//!   [`elgamal::encrypt`] for the answer, [`session::signed_message`] and
//!   [`session::signed_request`] for the bytes it verifies, and the JSON types of [`api`].
//! * **a client**: [`encrypt`], [`EncryptedObject::parse`], [`elgamal::generate`] and
//!   [`elgamal::decrypt`], [`ibe::UserSecretKey::verify`], then [`decrypt`].
//!
//! The building blocks ([`shamir`], [`dem`], the key derivations in [`kdf`]) are public for tests
//! and tools but are not needed for ordinary use.

// Tests may unwrap; library code may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
mod codec;
pub mod dem;
pub mod elgamal;
mod error;
pub mod ibe;
pub mod kdf;
mod object;
mod seal;
pub mod session;
pub mod shamir;

pub use error::{Error, ParseError};
pub use ibe::{MasterKey, PublicKey, UserSecretKey};
pub use object::{Ciphertext, EncryptedObject, IbeEncryptions, ObjectId};
pub use seal::{
    EncryptionInput, MAX_PAYLOAD, decrypt, decrypt_in_place, decrypt_with_key, encrypt,
    encrypt_to_bytes, full_id,
};

/// Size of every symmetric key, share and hash output in Seal: 32 bytes.
pub const KEY_SIZE: usize = 32;
