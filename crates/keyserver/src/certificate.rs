//! The session certificate and the request signature (spec seal.md §1.7, §1.8 step 3): the
//! user's wallet signs a personal message naming the package, the TTL, the creation time and
//! an ephemeral Ed25519 session key; the session key signs the request (the PTB and the
//! ElGamal keys the answer is encrypted to), so a replayed or rewritten request is refused.

use haulout_seal::ObjectId;
use haulout_seal::api::{Certificate, ErrorKind};
use haulout_sui::crypto::ed25519::Ed25519VerifyingKey;
use haulout_sui::crypto::{SuiVerifier as _, UserSignatureVerifier, Verifier as _};
use haulout_sui::sdk::{
    Address, Ed25519PublicKey, Ed25519Signature, PersonalMessage, UserSignature,
};

use crate::error::ApiError;

/// Checks the certificate's times: the TTL is at most `ttl_max_min` minutes, it was not made
/// in the future and has not expired at `now_ms`.
///
/// # Errors
/// `InvalidCertificate` saying which.
pub fn check_times(cert: &Certificate, now_ms: u64, ttl_max_min: u16) -> Result<(), ApiError> {
    let invalid = |message: String| ApiError::new(ErrorKind::InvalidCertificate, message);
    if cert.ttl_min == 0 || cert.ttl_min > ttl_max_min {
        return Err(invalid(format!(
            "the session's TTL is {} min; this server allows 1 to {ttl_max_min} min",
            cert.ttl_min
        )));
    }
    if cert.creation_time > now_ms {
        return Err(invalid(format!(
            "the certificate was created at {} ms, after the server's time {now_ms} ms",
            cert.creation_time
        )));
    }
    // In u64 ms: no wrapping for any u16 TTL.
    let ttl_ms = u64::from(cert.ttl_min) * 60_000;
    if now_ms - cert.creation_time > ttl_ms {
        return Err(invalid(
            "the session key has expired; create a new one".into(),
        ));
    }
    Ok(())
}

/// Verifies the wallet's signature of the certificate (the personal message for `package_name`,
/// the first package ID in `0x` + 64 hex) and the session key's signature of the request bytes.
///
/// # Errors
/// `InvalidSignature` if the wallet signature is malformed, from another address or does not
/// verify; `InvalidSessionSignature` if the session signature does not.
pub fn verify(
    cert: &Certificate,
    first_package: Address,
    request_bytes: &[u8],
    request_signature: &[u8; 64],
) -> Result<(), ApiError> {
    let invalid_signature = |message: String| ApiError::new(ErrorKind::InvalidSignature, message);
    let message = cert.message(&ObjectId(first_package.into_inner()));
    let signature = UserSignature::from_bytes(&cert.signature)
        .map_err(|e| invalid_signature(format!("the certificate's signature is malformed: {e}")))?;
    if matches!(signature, UserSignature::ZkLogin(_)) {
        return Err(invalid_signature(
            "zkLogin signatures are not supported by this key server".into(),
        ));
    }
    let user = Address::new(cert.user.0);
    let signer = signature.derive_address();
    if signer != user {
        return Err(invalid_signature(format!(
            "the certificate is signed by {signer}, not by its user {user}"
        )));
    }
    UserSignatureVerifier::new()
        .verify_personal_message(&PersonalMessage(message.as_bytes().into()), &signature)
        .map_err(|e| {
            invalid_signature(format!("the certificate's signature does not verify: {e}"))
        })?;

    let key = Ed25519VerifyingKey::new(&Ed25519PublicKey::new(cert.session_vk)).map_err(|e| {
        ApiError::new(
            ErrorKind::InvalidCertificate,
            format!("invalid session key: {e}"),
        )
    })?;
    key.verify(request_bytes, &Ed25519Signature::new(*request_signature))
        .map_err(|_| {
            ApiError::new(
                ErrorKind::InvalidSessionSignature,
                "the request is not signed by the certificate's session key",
            )
        })
}

#[cfg(test)]
mod tests {
    use haulout_seal::elgamal;
    use haulout_sui::Ed25519PrivateKey;
    use haulout_sui::crypto::{Signer as _, SuiSigner as _};

    use super::*;

    const PKG: Address = Address::new([0xab; 32]);

    struct Session {
        cert: Certificate,
        session: Ed25519PrivateKey,
    }

    fn session(user: &Ed25519PrivateKey, creation_time: u64, ttl_min: u16) -> Session {
        let session = Ed25519PrivateKey::new([9; 32]);
        let mut cert = Certificate {
            user: ObjectId(user.public_key().derive_address().into_inner()),
            session_vk: session.public_key().into_inner(),
            creation_time,
            ttl_min,
            signature: vec![],
            mvr_name: None,
        };
        let message = cert.message(&ObjectId(PKG.into_inner()));
        let signature = user
            .sign_personal_message(&PersonalMessage(message.as_bytes().into()))
            .unwrap();
        cert.signature = signature.to_bytes();
        Session { cert, session }
    }

    fn request_bytes() -> Vec<u8> {
        let (_, pk, vk) = elgamal::generate(&mut rand::rng());
        haulout_seal::session::signed_request(&[1, 2, 3], &pk, &vk)
    }

    fn sign(session: &Ed25519PrivateKey, bytes: &[u8]) -> [u8; 64] {
        let signature: Ed25519Signature = session.try_sign(bytes).unwrap();
        signature.into_inner()
    }

    #[test]
    fn a_signed_session_and_request_verify() {
        let user = Ed25519PrivateKey::new([1; 32]);
        let s = session(&user, 1_000, 30);
        let bytes = request_bytes();
        verify(&s.cert, PKG, &bytes, &sign(&s.session, &bytes)).unwrap();
    }

    #[test]
    fn forged_or_misused_signatures_are_refused() {
        let user = Ed25519PrivateKey::new([1; 32]);
        let other = Ed25519PrivateKey::new([2; 32]);
        let s = session(&user, 1_000, 30);
        let bytes = request_bytes();
        let good = sign(&s.session, &bytes);

        // Signed for another package.
        let err = verify(&s.cert, Address::TWO, &bytes, &good).unwrap_err();
        assert!(err.is(ErrorKind::InvalidSignature), "{err}");
        // Claimed by another user.
        let mut stolen = s.cert.clone();
        stolen.user = ObjectId(other.public_key().derive_address().into_inner());
        let err = verify(&stolen, PKG, &bytes, &good).unwrap_err();
        assert!(err.is(ErrorKind::InvalidSignature) && err.message.contains("not by its user"));
        // A changed TTL breaks the wallet signature.
        let mut longer = s.cert.clone();
        longer.ttl_min = 29;
        assert!(
            verify(&longer, PKG, &bytes, &good)
                .unwrap_err()
                .is(ErrorKind::InvalidSignature)
        );
        // Garbage signature bytes.
        let mut garbage = s.cert.clone();
        garbage.signature = vec![0, 1, 2];
        assert!(
            verify(&garbage, PKG, &bytes, &good)
                .unwrap_err()
                .is(ErrorKind::InvalidSignature)
        );
        // The request signed by another key, or another request.
        let err = verify(&s.cert, PKG, &bytes, &sign(&other, &bytes)).unwrap_err();
        assert!(err.is(ErrorKind::InvalidSessionSignature), "{err}");
        let err = verify(&s.cert, PKG, &request_bytes(), &good).unwrap_err();
        assert!(err.is(ErrorKind::InvalidSessionSignature), "{err}");
    }

    #[test]
    fn times_are_checked() {
        let user = Ed25519PrivateKey::new([1; 32]);
        let cert = session(&user, 1_000_000, 30).cert;
        check_times(&cert, 1_000_000, 30).unwrap();
        check_times(&cert, 1_000_000 + 30 * 60_000, 30).unwrap();
        for (now, max) in [
            (1_000_000 + 30 * 60_000 + 1, 30), // expired
            (999_999, 30),                     // from the future
            (1_000_000, 10),                   // TTL above the server's maximum
        ] {
            assert!(
                check_times(&cert, now, max)
                    .unwrap_err()
                    .is(ErrorKind::InvalidCertificate)
            );
        }
        let mut zero = cert;
        zero.ttl_min = 0;
        assert!(check_times(&zero, 1_000_000, 30).is_err());
        // A huge TTL does not wrap.
        let mut huge = session(&user, 0, u16::MAX).cert;
        huge.ttl_min = u16::MAX;
        check_times(&huge, u64::from(u16::MAX) * 60_000, u16::MAX).unwrap();
    }
}
