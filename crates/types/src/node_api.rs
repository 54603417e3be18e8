//! The storage-node REST wire (walrus-protocol.md §5): the JSON envelopes every answer is
//! wrapped in, the error reasons, and the JSON payloads (`StoredOnNodeStatus`, `BlobStatus`,
//! confirmations, health). Shared by the node (which writes them) and the client (which reads
//! them), so both sides agree byte for byte with Walrus and the official TypeScript SDK.
//!
//! ```
//! use haulout_types::node_api::{ApiSuccess, StoredOnNodeStatus};
//!
//! let body = serde_json::to_string(&ApiSuccess::new(200, StoredOnNodeStatus::Stored))?;
//! assert_eq!(body, r#"{"success":{"code":200,"data":"stored"}}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::messages::{SignedMessage, StorageConfirmationBody};

/// The domain of every error a storage node reports (`ErrorInfo.domain`).
pub const ERROR_DOMAIN: &str = "storage.walrus.space";

/// `{"success":{"code":<http status>,"data":<T>}}`: the body of every JSON 2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSuccess<T> {
    /// The envelope's content.
    pub success: SuccessBody<T>,
}

/// The inside of [`ApiSuccess`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessBody<T> {
    /// The HTTP status code of the answer.
    pub code: u16,
    /// The payload.
    pub data: T,
}

impl<T> ApiSuccess<T> {
    /// Wraps `data` for an answer with HTTP status `code`.
    pub fn new(code: u16, data: T) -> Self {
        Self {
            success: SuccessBody { code, data },
        }
    }
}

/// `{"error":{…}}`: the body of every error answer (Google API style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The envelope's content.
    pub error: ErrorBody,
}

/// The inside of [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The HTTP status code.
    pub code: u16,
    /// The canonical status name (`FAILED_PRECONDITION`, `NOT_FOUND`, …).
    pub status: String,
    /// A message for people.
    pub message: String,
    /// One `ErrorInfo` with the machine-readable reason.
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

/// An `ErrorInfo` detail: the machine-readable reason of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Always `"ErrorInfo"`.
    #[serde(rename = "@type")]
    pub type_: String,
    /// The reason, one of [`reason`]'s constants.
    pub reason: String,
    /// Always [`ERROR_DOMAIN`].
    pub domain: String,
    /// Extra context (may be empty).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl ApiError {
    /// An error answer with HTTP status `code`, canonical `status`, `reason` and `message`.
    pub fn new(code: u16, status: &str, reason: &str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code,
                status: status.to_owned(),
                message: message.into(),
                details: vec![ErrorDetail {
                    type_: "ErrorInfo".to_owned(),
                    reason: reason.to_owned(),
                    domain: ERROR_DOMAIN.to_owned(),
                    metadata: BTreeMap::new(),
                }],
            },
        }
    }

    /// The reason of the first `ErrorInfo` detail, if any.
    pub fn reason(&self) -> Option<&str> {
        self.error.details.first().map(|d| d.reason.as_str())
    }
}

/// The canonical status names and their HTTP codes (walrus-protocol.md §5).
pub mod status {
    /// `(HTTP code, canonical name)` pairs.
    pub const INVALID_ARGUMENT: (u16, &str) = (400, "INVALID_ARGUMENT");
    /// A precondition (registration, metadata) is not met.
    pub const FAILED_PRECONDITION: (u16, &str) = (400, "FAILED_PRECONDITION");
    /// Nothing stored under that name.
    pub const NOT_FOUND: (u16, &str) = (404, "NOT_FOUND");
    /// The caller may not do this.
    pub const PERMISSION_DENIED: (u16, &str) = (403, "PERMISSION_DENIED");
    /// A body or value is too large.
    pub const SIZE_EXCEEDED: (u16, &str) = (403, "SIZE_EXCEEDED");
    /// Missing or bad credentials.
    pub const UNAUTHENTICATED: (u16, &str) = (401, "UNAUTHENTICATED");
    /// A range outside the data.
    pub const RANGE_NOT_SATISFIABLE: (u16, &str) = (416, "RANGE_NOT_SATISFIABLE");
    /// A limit (cache, concurrency) is reached.
    pub const RESOURCE_EXHAUSTED: (u16, &str) = (429, "RESOURCE_EXHAUSTED");
    /// The blob is blocked (invalid or deny-listed).
    pub const UNAVAILABLE_FOR_LEGAL_REASONS: (u16, &str) = (451, "UNAVAILABLE_FOR_LEGAL_REASONS");
    /// A bug or an I/O failure on the node.
    pub const INTERNAL: (u16, &str) = (500, "INTERNAL");
    /// The node cannot serve this now.
    pub const UNAVAILABLE: (u16, &str) = (503, "UNAVAILABLE");
    /// The node gave up waiting.
    pub const DEADLINE_EXCEEDED: (u16, &str) = (504, "DEADLINE_EXCEEDED");
}

/// The `ErrorInfo.reason` strings a node sends (walrus-protocol.md §5).
pub mod reason {
    /// The blob is not registered on chain (the TS SDK retries metadata on this one).
    pub const NOT_REGISTERED: &str = "NOT_REGISTERED";
    /// The metadata does not verify against the blob ID.
    pub const INVALID_METADATA: &str = "INVALID_METADATA";
    /// The blob is marked invalid.
    pub const INVALID_BLOB: &str = "INVALID_BLOB";
    /// An encoding type other than RS2.
    pub const UNSUPPORTED_ENCODING_TYPE: &str = "UNSUPPORTED_ENCODING_TYPE";
    /// The buffer for data of not-yet-registered blobs is full.
    pub const CACHE_SATURATED: &str = "CACHE_SATURATED";
    /// No metadata stored for the blob.
    pub const METADATA_NOT_FOUND: &str = "METADATA_NOT_FOUND";
    /// No such sliver stored.
    pub const SLIVER_NOT_FOUND: &str = "SLIVER_NOT_FOUND";
    /// The sliver's shard is not owned by this node.
    pub const SHARD_NOT_ASSIGNED: &str = "SHARD_NOT_ASSIGNED";
    /// A pair or sliver index beyond the shard count.
    pub const INDEX_OUT_OF_RANGE: &str = "INDEX_OUT_OF_RANGE";
    /// The sliver's index does not belong to the pair in the path.
    pub const SLIVER_INDEX_MISMATCH: &str = "SLIVER_INDEX_MISMATCH";
    /// The sliver does not verify against the metadata.
    pub const INVALID_SLIVER: &str = "INVALID_SLIVER";
    /// The sliver body is larger than the blob allows.
    pub const SLIVER_TOO_LARGE: &str = "SLIVER_TOO_LARGE";
    /// A confirmation was asked for before every owned sliver is stored.
    pub const MISSING_SLIVERS: &str = "MISSING_SLIVERS";
    /// A binary body without `Content-Type: application/octet-stream`.
    pub const INVALID_CONTENT_TYPE: &str = "INVALID_CONTENT_TYPE";
    /// The blob is invalid or deny-listed.
    pub const FORBIDDEN_BLOB: &str = "FORBIDDEN_BLOB";
    /// A recovery-symbol request named no symbol.
    pub const NO_SYMBOLS_SPECIFIED: &str = "NO_SYMBOLS_SPECIFIED";
    /// A malformed symbol filter.
    pub const INVALID_FILTER: &str = "INVALID_FILTER";
    /// None of the node's shards holds the symbols asked for.
    pub const SYMBOL_NOT_PRESENT_AT_SHARDS: &str = "SYMBOL_NOT_PRESENT_AT_SHARDS";
    /// An inconsistency proof that does not prove inconsistency.
    pub const INVALID_PROOF: &str = "INVALID_PROOF";
    /// A shard-sync caller outside the committee.
    pub const REQUEST_UNAUTHORIZED: &str = "REQUEST_UNAUTHORIZED";
    /// A shard-sync request for the wrong epoch.
    pub const INVALID_EPOCH: &str = "INVALID_EPOCH";
    /// A shard-sync request for too many slivers.
    pub const SLIVER_COUNT_EXCEEDS_LIMIT: &str = "SLIVER_COUNT_EXCEEDS_LIMIT";
    /// A shard-sync request whose signature does not verify.
    pub const MESSAGE_VERIFICATION_FAILED: &str = "MESSAGE_VERIFICATION_FAILED";
    /// A malformed request (path, query or body).
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    /// A body larger than the endpoint accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// Something failed on the node.
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
}

/// Whether the node holds a blob's metadata or a sliver (`…/status` endpoints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredOnNodeStatus {
    /// Not held.
    Nonexistent,
    /// Held in the buffer of a blob whose registration has not been seen yet.
    Buffered,
    /// Stored.
    Stored,
}

/// A Sui event's ID: `{"txDigest": base58, "eventSeq": "<u64>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventId {
    /// The digest of the transaction that emitted the event (base58).
    pub tx_digest: String,
    /// The event's index in the transaction, as a decimal string.
    #[serde(with = "u64_string")]
    pub event_seq: u64,
}

/// How many deletable registrations a blob ID has, and how many of them are certified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletableCounts {
    /// Live deletable registrations.
    pub count_deletable_total: u32,
    /// Certified ones among them.
    pub count_deletable_certified: u32,
}

/// The status of a blob ID on a node (`GET /v1/blobs/{id}/status`), externally tagged in
/// camelCase as Walrus serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BlobStatus {
    /// No live registration is known.
    Nonexistent,
    /// The blob ID was invalidated on chain.
    Invalid {
        /// The `InvalidBlobID` event.
        event: EventId,
    },
    /// At least one permanent registration is live.
    #[serde(rename_all = "camelCase")]
    Permanent {
        /// The latest end epoch of the permanent registrations.
        end_epoch: u32,
        /// Whether a permanent registration is certified.
        is_certified: bool,
        /// The event of the registration (or certification) that gives `end_epoch`.
        status_event: EventId,
        /// The deletable registrations besides.
        deletable_counts: DeletableCounts,
        /// The first epoch in which the blob ID was certified, if it was.
        initial_certified_epoch: Option<u32>,
    },
    /// Only deletable registrations are live.
    #[serde(rename_all = "camelCase")]
    Deletable {
        /// The first epoch in which the blob ID was certified, if it was.
        initial_certified_epoch: Option<u32>,
        /// The deletable registrations.
        deletable_counts: DeletableCounts,
    },
}

/// A storage confirmation as served: `{"signed":{"serializedMessage","signature"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StorageConfirmationJson {
    /// The node's BLS signature over the confirmation message.
    Signed(SignedMessage<StorageConfirmationBody>),
}

/// `secs` and `nanos` of a duration, as Walrus's health endpoint reports its uptime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uptime {
    /// Whole seconds.
    pub secs: u64,
    /// Nanoseconds beyond them.
    pub nanos: u32,
}

/// Event-processing progress in [`HealthInfo`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventProgress {
    /// Events persisted.
    pub persisted: u64,
    /// Events seen but not yet persisted.
    pub pending: u64,
    /// The index of the last event fully processed, if any.
    pub highest_finished_event_index: Option<u64>,
}

/// How many owned shards are in which state, in [`HealthInfo`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnedShardStatus {
    /// State not known yet.
    pub unknown: u32,
    /// Serving.
    pub ready: u32,
    /// Being fetched from the previous owner.
    pub in_transfer: u32,
    /// Being rebuilt from recovery symbols.
    pub in_recovery: u32,
}

/// The shard summary in [`HealthInfo`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShardSummary {
    /// Shards owned in the current committee.
    pub owned: u32,
    /// Their states.
    pub owned_shard_status: OwnedShardStatus,
    /// Shards held but no longer owned (served read-only until the epoch change is done).
    pub read_only: u32,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthInfo {
    /// Time since the node started.
    pub uptime: Uptime,
    /// The node's current committee epoch.
    pub epoch: u32,
    /// The node's BLS public key (standard base64 of the 48-byte compressed key).
    pub public_key: String,
    /// `Active`, `RecoveryCatchUp`, `Standby`, …
    pub node_status: String,
    /// Event-processing progress.
    pub event_progress: EventProgress,
    /// Shard states.
    pub shard_summary: ShardSummary,
    /// The last checkpoint the node processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_checkpoint_sequence_number: Option<u64>,
}

mod u64_string {
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(super) fn serialize<S: Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::messages::{BlsSignature, ProtocolMessage, StorageConfirmation};

    #[test]
    fn envelopes_match_walrus() {
        let err = ApiError::new(400, "FAILED_PRECONDITION", reason::NOT_REGISTERED, "no");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error":{"code":400,"status":"FAILED_PRECONDITION","message":"no",
                "details":[{"@type":"ErrorInfo","reason":"NOT_REGISTERED",
                    "domain":"storage.walrus.space","metadata":{}}]}})
        );
        let back: ApiError = serde_json::from_value(json).unwrap();
        assert_eq!(back.reason(), Some("NOT_REGISTERED"));
    }

    #[test]
    fn blob_status_json() {
        let event = EventId {
            tx_digest: "abc".into(),
            event_seq: 3,
        };
        let status = BlobStatus::Permanent {
            end_epoch: 5,
            is_certified: true,
            status_event: event.clone(),
            deletable_counts: DeletableCounts::default(),
            initial_certified_epoch: Some(2),
        };
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"permanent":{"endEpoch":5,"isCertified":true,
                "statusEvent":{"txDigest":"abc","eventSeq":"3"},
                "deletableCounts":{"count_deletable_total":0,"count_deletable_certified":0},
                "initialCertifiedEpoch":2}})
        );
        assert_eq!(
            serde_json::to_value(BlobStatus::Nonexistent).unwrap(),
            serde_json::json!("nonexistent")
        );
        assert_eq!(serde_json::from_value::<BlobStatus>(json).unwrap(), status);
    }

    #[test]
    fn confirmation_json() {
        let message: StorageConfirmation = ProtocolMessage::new(
            1,
            StorageConfirmationBody {
                blob_id: crate::BlobId::from([7; 32]),
                blob_type: crate::BlobPersistenceType::Permanent,
            },
        );
        let signed =
            StorageConfirmationJson::Signed(SignedMessage::new(&message, BlsSignature([1; 96])));
        let json = serde_json::to_value(&signed).unwrap();
        let inner = &json["signed"];
        assert!(inner["serializedMessage"].is_string());
        assert!(inner["signature"].is_string());
        let back: StorageConfirmationJson = serde_json::from_value(json).unwrap();
        assert_eq!(back, signed);
    }
}
