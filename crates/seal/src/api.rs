//! The JSON of Seal's key-server HTTP API (`POST /v1/fetch_key`, `GET /v1/service`, error
//! bodies), as `@mysten/seal` and Seal's key server write it.

use crate::codec;
use crate::elgamal;
use crate::ibe::ProofOfPossession;
use crate::object::ObjectId;
use crate::session;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Request header with the SDK kind (`typescript`, `rust`).
pub const HEADER_SDK_TYPE: &str = "Client-Sdk-Type";
/// Request header with the SDK's semver.
pub const HEADER_SDK_VERSION: &str = "Client-Sdk-Version";
/// Request header with the client's request id (a UUID).
pub const HEADER_REQUEST_ID: &str = "Request-Id";
/// Response header the TS SDK requires (`x.y.z` ≥ 0.4.1).
pub const HEADER_KEY_SERVER_VERSION: &str = "X-KeyServer-Version";

/// The body of `POST /v1/fetch_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchKeyRequest {
    /// BCS `ProgrammableTransaction` (base64): only `seal_approve*` calls of one package.
    #[serde(with = "codec::b64")]
    pub ptb: Vec<u8>,
    /// The client's ephemeral ElGamal key `x·g1` (base64, 48 bytes).
    pub enc_key: elgamal::PublicKey,
    /// Its G2 twin `x·g2` (base64, 96 bytes).
    pub enc_verification_key: elgamal::VerificationKey,
    /// Ed25519 signature by the session key over [`FetchKeyRequest::signed_bytes`] (base64).
    #[serde(with = "codec::fixed")]
    pub request_signature: [u8; 64],
    /// The session certificate.
    pub certificate: Certificate,
}

impl FetchKeyRequest {
    /// The bytes the session key signed ([`session::signed_request`]).
    pub fn signed_bytes(&self) -> Vec<u8> {
        session::signed_request(&self.ptb, &self.enc_key, &self.enc_verification_key)
    }
}

/// A session certificate: the user's wallet signed, as a Sui personal message,
/// [`Certificate::message`], which names the session key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// The user's Sui address.
    pub user: ObjectId,
    /// The session's Ed25519 public key (base64, 32 bytes).
    #[serde(with = "codec::fixed")]
    pub session_vk: [u8; 32],
    /// Creation time, milliseconds since the Unix epoch.
    pub creation_time: u64,
    /// Lifetime in minutes.
    pub ttl_min: u16,
    /// The wallet's Sui serialized signature (flag ‖ signature ‖ public key, or a multisig or
    /// zkLogin encoding), base64.
    #[serde(with = "codec::b64")]
    pub signature: Vec<u8>,
    /// An MVR name standing for the package in the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mvr_name: Option<String>,
}

impl Certificate {
    /// The personal-message text the wallet signed, for the PTB's first-version package id.
    pub fn message(&self, first_package_id: &ObjectId) -> String {
        session::signed_message(
            &session::package_name(first_package_id, self.mvr_name.as_deref()),
            &self.session_vk,
            self.creation_time,
            self.ttl_min,
        )
    }
}

/// The body of a successful `POST /v1/fetch_key`: one key per PTB command, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchKeyResponse {
    /// The keys.
    pub decryption_keys: Vec<DecryptionKey>,
}

/// One ElGamal-encrypted user secret key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecryptionKey {
    /// The full id `package ‖ inner id`, as a JSON array of numbers.
    pub id: Vec<u8>,
    /// `[base64 c1, base64 c2]`.
    pub encrypted_key: elgamal::Encryption,
}

/// The body of `GET /v1/service?service_id=…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResponse {
    /// The key server's object id (the SDK compares it as a string with its configured id).
    pub service_id: ObjectId,
    /// The proof of possession of the master key (base64 G1).
    pub pop: ProofOfPossession,
}

/// The error kinds of Seal's key server, by their exact names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The PTB breaks the rules (only `seal_approve*` calls of one package, inputs only, …).
    InvalidPTB,
    /// The package does not exist or is not a package.
    InvalidPackage,
    /// The policy denied access (a `seal_approve*` call aborted).
    NoAccess,
    /// The certificate's time or TTL is invalid (the SDK reports an expired session key).
    InvalidCertificate,
    /// The user's signature over the certificate does not verify.
    InvalidSignature,
    /// The session key's signature over the request does not verify.
    InvalidSessionSignature,
    /// An argument of the PTB is invalid (often an object the full node has not seen yet).
    InvalidParameter,
    /// The MVR name does not resolve to the package.
    InvalidMVRName,
    /// Unknown `Client-Sdk-Type`.
    InvalidSDKType,
    /// Unparseable `Client-Sdk-Version`.
    InvalidSDKVersion,
    /// The `service_id` is not this server's.
    InvalidServiceId,
    /// This server does not serve the package.
    UnsupportedPackageId,
    /// A required header is missing.
    MissingRequiredHeader,
    /// The SDK is too old.
    DeprecatedSDKVersion,
    /// Internal error; retry later.
    Failure,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [ErrorKind; 15] = [
        Self::InvalidPTB,
        Self::InvalidPackage,
        Self::NoAccess,
        Self::InvalidCertificate,
        Self::InvalidSignature,
        Self::InvalidSessionSignature,
        Self::InvalidParameter,
        Self::InvalidMVRName,
        Self::InvalidSDKType,
        Self::InvalidSDKVersion,
        Self::InvalidServiceId,
        Self::UnsupportedPackageId,
        Self::MissingRequiredHeader,
        Self::DeprecatedSDKVersion,
        Self::Failure,
    ];

    /// The name in the `error` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::InvalidPTB => "InvalidPTB",
            Self::InvalidPackage => "InvalidPackage",
            Self::NoAccess => "NoAccess",
            Self::InvalidCertificate => "InvalidCertificate",
            Self::InvalidSignature => "InvalidSignature",
            Self::InvalidSessionSignature => "InvalidSessionSignature",
            Self::InvalidParameter => "InvalidParameter",
            Self::InvalidMVRName => "InvalidMVRName",
            Self::InvalidSDKType => "InvalidSDKType",
            Self::InvalidSDKVersion => "InvalidSDKVersion",
            Self::InvalidServiceId => "InvalidServiceId",
            Self::UnsupportedPackageId => "UnsupportedPackageId",
            Self::MissingRequiredHeader => "MissingRequiredHeader",
            Self::DeprecatedSDKVersion => "DeprecatedSDKVersion",
            Self::Failure => "Failure",
        }
    }

    /// The HTTP status Seal answers with: 403 for denials and bad credentials, 400 for bad
    /// headers and ids, 426 for an old SDK, 503 for failures.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidPTB
            | Self::InvalidPackage
            | Self::NoAccess
            | Self::InvalidCertificate
            | Self::InvalidSignature
            | Self::InvalidSessionSignature
            | Self::InvalidParameter
            | Self::InvalidMVRName => 403,
            Self::InvalidSDKType
            | Self::InvalidSDKVersion
            | Self::InvalidServiceId
            | Self::UnsupportedPackageId
            | Self::MissingRequiredHeader => 400,
            Self::DeprecatedSDKVersion => 426,
            Self::Failure => 503,
        }
    }

    /// Seal's message for the kind (the kinds that carry details prefix them to the detail).
    pub fn default_message(self) -> &'static str {
        match self {
            Self::InvalidPTB => "Invalid PTB",
            Self::InvalidPackage => "Invalid package ID",
            Self::NoAccess => "Access denied",
            Self::InvalidCertificate => "Invalid certificate time or ttl",
            Self::InvalidSignature => "Invalid user signature",
            Self::InvalidSessionSignature => "Invalid session key signature",
            Self::InvalidParameter => "Invalid parameter to PTB",
            Self::InvalidMVRName => "Invalid MVR name",
            Self::InvalidSDKType => "Invalid SDK type",
            Self::InvalidSDKVersion => "Invalid SDK version",
            Self::InvalidServiceId => "Invalid service ID",
            Self::UnsupportedPackageId => "Unsupported package ID",
            Self::MissingRequiredHeader => "Missing required header",
            Self::DeprecatedSDKVersion => "Deprecated SDK version",
            Self::Failure => "Internal server error, please try again later",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown error kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Seal error kind {0:?}")]
pub struct UnknownErrorKind(String);

impl FromStr for ErrorKind {
    type Err = UnknownErrorKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownErrorKind(s.chars().take(64).collect()))
    }
}

/// The body of an error answer: `{"error": <kind>, "message": <text>}`. `error` stays a string
/// so that kinds this crate does not know (from newer servers) still parse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The kind's name.
    pub error: String,
    /// Human-readable detail.
    pub message: String,
}

impl ErrorBody {
    /// A body for `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            error: kind.name().to_owned(),
            message: message.into(),
        }
    }

    /// The kind, if it is one of Seal's.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.error.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ibe::MasterKey;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use serde_json::json;

    #[test]
    fn fetch_key_request_json() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (_, pk, vk) = elgamal::generate(&mut rng);
        let b64 = codec::b64_encode;
        // what @mysten/seal sends (mvr_name omitted)
        let body = json!({
            "ptb": b64(&[0, 1, 2]),
            "enc_key": b64(&pk.to_bytes()),
            "enc_verification_key": b64(&vk.to_bytes()),
            "request_signature": b64(&[7u8; 64]),
            "certificate": {
                "user": "0x0000000000000000000000000000000000000000000000000000000000000abc",
                "session_vk": b64(&[9u8; 32]),
                "creation_time": 1_700_000_000_000u64,
                "ttl_min": 10,
                "signature": b64(&[0u8; 97]),
            }
        });
        let req: FetchKeyRequest = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(req.ptb, vec![0, 1, 2]);
        assert_eq!(req.enc_key, pk);
        assert_eq!(req.certificate.user, "0xabc".parse().unwrap());
        assert_eq!(req.certificate.mvr_name, None);
        assert_eq!(serde_json::to_value(&req).unwrap(), body);
        assert_eq!(
            req.signed_bytes(),
            session::signed_request(&[0, 1, 2], &pk, &vk)
        );
        assert!(
            req.certificate
                .message(&ObjectId([1; 32]))
                .starts_with("Accessing keys of package 0x0101")
        );

        // wrong sizes and bad points are rejected
        let mut bad = body.clone();
        bad["request_signature"] = json!(b64(&[7u8; 63]));
        assert!(serde_json::from_value::<FetchKeyRequest>(bad).is_err());
        let mut bad = body.clone();
        bad["enc_key"] = json!(b64(&[7u8; 48]));
        assert!(serde_json::from_value::<FetchKeyRequest>(bad).is_err());
        let mut bad = body;
        bad["certificate"]["user"] = json!("abc");
        assert!(serde_json::from_value::<FetchKeyRequest>(bad).is_err());
    }

    #[test]
    fn response_and_service_json() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let msk = MasterKey::generate(&mut rng);
        let (_, pk, _) = elgamal::generate(&mut rng);
        let resp = FetchKeyResponse {
            decryption_keys: vec![DecryptionKey {
                id: vec![1, 2, 255],
                encrypted_key: elgamal::encrypt(&msk.extract(&[1, 2, 255]), &pk, &mut rng),
            }],
        };
        let v = serde_json::to_value(&resp).unwrap();
        assert_eq!(v["decryption_keys"][0]["id"], json!([1, 2, 255]));
        assert!(v["decryption_keys"][0]["encrypted_key"][1].is_string());
        assert_eq!(serde_json::from_value::<FetchKeyResponse>(v).unwrap(), resp);

        let object = ObjectId([0xab; 32]);
        let service = ServiceResponse {
            service_id: object,
            pop: msk.proof_of_possession(&object),
        };
        let v = serde_json::to_value(&service).unwrap();
        assert_eq!(v["service_id"], json!(format!("0x{}", "ab".repeat(32))));
        let back: ServiceResponse = serde_json::from_value(v).unwrap();
        back.pop
            .verify(&msk.public_key(), &back.service_id)
            .unwrap();
    }

    #[test]
    fn error_kinds() {
        for k in ErrorKind::ALL {
            assert_eq!(k.name().parse::<ErrorKind>().unwrap(), k);
        }
        assert_eq!(ErrorKind::NoAccess.status(), 403);
        assert_eq!(ErrorKind::InvalidParameter.status(), 403);
        assert_eq!(ErrorKind::MissingRequiredHeader.status(), 400);
        assert_eq!(ErrorKind::DeprecatedSDKVersion.status(), 426);
        assert_eq!(ErrorKind::Failure.status(), 503);
        let body = ErrorBody::new(ErrorKind::InvalidPTB, "Invalid PTB: no commands");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":"InvalidPTB","message":"Invalid PTB: no commands"}"#
        );
        let other: ErrorBody =
            serde_json::from_str(r#"{"error":"StaleFullnode","message":"x"}"#).unwrap();
        assert_eq!(other.kind(), None);
    }
}
