//! HTTP access to storage nodes: the client side of the Walrus REST API (walrus-protocol.md
//! §5). Every answer is size-limited while it is read; JSON envelopes and error reasons are
//! parsed with `haulout_types::node_api`.

use std::time::Duration;

use haulout_types::node_api::{ApiError, ApiSuccess, BlobStatus, StorageConfirmationJson};
use haulout_types::{SignedMessage, StorageConfirmationBody};
use redstuff::BlobId;
use serde::de::DeserializeOwned;

/// The largest JSON answer read from a node.
const MAX_JSON: usize = 1 << 20;

/// What went wrong talking to one node.
#[derive(Debug, thiserror::Error)]
pub enum NodeRequestError {
    /// The node could not be reached, or the connection broke.
    #[error("{url}: {source}")]
    Unreachable {
        /// The request URL.
        url: String,
        /// Why.
        source: reqwest::Error,
    },
    /// The node answered with an error envelope.
    #[error("{url}: HTTP {code} {reason}: {message}")]
    Api {
        /// The request URL.
        url: String,
        /// The HTTP status.
        code: u16,
        /// The machine-readable reason (empty when the body had none).
        reason: String,
        /// The node's message.
        message: String,
    },
    /// The answer was larger than allowed or not of the expected shape.
    #[error("{url}: {reason}")]
    Malformed {
        /// The request URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

impl NodeRequestError {
    /// The error reason the node gave, if it answered with one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Api { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Whether the node is waiting for the chain: it has not yet seen the blob's registration,
    /// is still receiving its slivers, or is starting (worth retrying for a while).
    pub fn is_waiting_for_chain(&self) -> bool {
        use haulout_types::node_api::reason;
        match self {
            Self::Api { code, reason, .. } => {
                *code == 503
                    || reason == reason::NOT_REGISTERED
                    || reason == reason::MISSING_SLIVERS
            }
            _ => false,
        }
    }

    /// Whether trying again may help (the node is unreachable, overloaded, or waiting for the
    /// chain).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Api { code, .. } => *code >= 500 || *code == 429 || self.is_waiting_for_chain(),
            Self::Malformed { .. } => false,
        }
    }
}

/// A client for the storage nodes of a committee: one connection pool, per-request timeouts.
#[derive(Debug, Clone)]
pub struct NodeClient {
    http: reqwest::Client,
}

impl Default for NodeClient {
    fn default() -> Self {
        Self::new(Duration::from_secs(60))
    }
}

/// `host:port` or a URL → the node's base URL (`http://` unless a scheme is given).
pub fn base_url(network_address: &str) -> String {
    if network_address.starts_with("http://") || network_address.starts_with("https://") {
        network_address.trim_end_matches('/').to_owned()
    } else {
        format!("http://{network_address}")
    }
}

impl NodeClient {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(3))
            .pool_max_idle_per_host(64)
            .build()
            .unwrap_or_default();
        Self { http }
    }

    async fn body(
        &self,
        url: &str,
        response: reqwest::Response,
        limit: usize,
    ) -> Result<Vec<u8>, NodeRequestError> {
        let status = response.status();
        let malformed = |reason: String| NodeRequestError::Malformed {
            url: url.to_owned(),
            reason,
        };
        if response.content_length().is_some_and(|l| l > limit as u64) {
            return Err(malformed(format!("answer larger than {limit} bytes")));
        }
        let mut response = response;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(malformed(format!("answer larger than {limit} bytes")));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(source) => {
                    return Err(NodeRequestError::Unreachable {
                        url: url.to_owned(),
                        source,
                    });
                }
            }
        }
        if status.is_success() {
            return Ok(body);
        }
        let (reason, message) = match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => (e.reason().unwrap_or_default().to_owned(), e.error.message),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            ),
        };
        Err(NodeRequestError::Api {
            url: url.to_owned(),
            code: status.as_u16(),
            reason,
            message,
        })
    }

    async fn send(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<Vec<u8>, NodeRequestError> {
        let response = request
            .send()
            .await
            .map_err(|source| NodeRequestError::Unreachable {
                url: url.to_owned(),
                source,
            })?;
        self.body(url, response, limit).await
    }

    async fn json<T: DeserializeOwned>(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, NodeRequestError> {
        let body = self.send(url, request, MAX_JSON).await?;
        serde_json::from_slice::<ApiSuccess<T>>(&body)
            .map(|s| s.success.data)
            .map_err(|e| NodeRequestError::Malformed {
                url: url.to_owned(),
                reason: format!("unexpected JSON: {e}"),
            })
    }

    /// `PUT /v1/blobs/{id}/metadata`: the BCS `BlobMetadata`.
    ///
    /// # Errors
    /// If the node refuses it or cannot be reached.
    pub async fn put_metadata(
        &self,
        node: &str,
        blob: &BlobId,
        metadata_bcs: impl Into<bytes::Bytes>,
    ) -> Result<(), NodeRequestError> {
        let url = format!("{}/v1/blobs/{blob}/metadata", base_url(node));
        let request = self
            .http
            .put(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(metadata_bcs.into());
        self.send(&url, request, MAX_JSON).await.map(drop)
    }

    /// `PUT /v1/blobs/{id}/slivers/{pair}/{axis}`: the BCS `SliverData`.
    ///
    /// # Errors
    /// If the node refuses it or cannot be reached.
    pub async fn put_sliver(
        &self,
        node: &str,
        blob: &BlobId,
        pair: u16,
        axis: &str,
        sliver_bcs: impl Into<bytes::Bytes>,
    ) -> Result<(), NodeRequestError> {
        let url = format!("{}/v1/blobs/{blob}/slivers/{pair}/{axis}", base_url(node));
        let request = self
            .http
            .put(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(sliver_bcs.into());
        self.send(&url, request, MAX_JSON).await.map(drop)
    }

    /// `GET /v1/blobs/{id}/confirmation/permanent` or `…/deletable/{object}`.
    ///
    /// # Errors
    /// If the node has not stored every sliver it owes, or cannot be reached.
    pub async fn confirmation(
        &self,
        node: &str,
        blob: &BlobId,
        deletable_object: Option<&str>,
    ) -> Result<SignedMessage<StorageConfirmationBody>, NodeRequestError> {
        let url = match deletable_object {
            None => format!("{}/v1/blobs/{blob}/confirmation/permanent", base_url(node)),
            Some(object) => format!(
                "{}/v1/blobs/{blob}/confirmation/deletable/{object}",
                base_url(node)
            ),
        };
        let request = self.http.get(&url);
        let StorageConfirmationJson::Signed(signed) = self.json(&url, request).await?;
        Ok(signed)
    }

    /// `GET /v1/blobs/{id}/metadata`: the BCS `BlobMetadataWithId` (not yet verified).
    ///
    /// # Errors
    /// If the node does not have it or cannot be reached.
    pub async fn metadata(
        &self,
        node: &str,
        blob: &BlobId,
        limit: usize,
    ) -> Result<Vec<u8>, NodeRequestError> {
        let url = format!("{}/v1/blobs/{blob}/metadata", base_url(node));
        let request = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/octet-stream");
        self.send(&url, request, limit).await
    }

    /// `GET /v1/blobs/{id}/slivers/{pair}/{axis}`: the BCS `SliverData` (not yet verified).
    ///
    /// # Errors
    /// If the node does not have it or cannot be reached.
    pub async fn sliver(
        &self,
        node: &str,
        blob: &BlobId,
        pair: u16,
        axis: &str,
        limit: usize,
    ) -> Result<Vec<u8>, NodeRequestError> {
        let url = format!("{}/v1/blobs/{blob}/slivers/{pair}/{axis}", base_url(node));
        let request = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/octet-stream");
        self.send(&url, request, limit).await
    }

    /// `GET /v1/blobs/{id}/status`.
    ///
    /// # Errors
    /// If the node cannot be reached or answers nonsense.
    pub async fn blob_status(
        &self,
        node: &str,
        blob: &BlobId,
    ) -> Result<BlobStatus, NodeRequestError> {
        let url = format!("{}/v1/blobs/{blob}/status", base_url(node));
        let request = self.http.get(&url);
        self.json(&url, request).await
    }
}
