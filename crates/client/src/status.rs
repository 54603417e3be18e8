//! A blob's status as the storage nodes report it.

use std::collections::HashMap;

use futures::StreamExt as _;
use haulout_types::node_api::BlobStatus;
use redstuff::BlobId;

use crate::client::Client;
use crate::error::{ClientError, Result, summarize};

impl Client {
    /// The status most shards' nodes report for `blob_id` (each node's answer weighs its
    /// shards); an error if fewer than a third of the shards answer.
    ///
    /// # Errors
    /// If the committee cannot be read or too few nodes answer.
    pub async fn blob_status(&self, blob_id: &BlobId) -> Result<BlobStatus> {
        let committee = self.committee().await?;
        let answers: Vec<_> = futures::stream::iter(committee.members.iter())
            .map(|m| async move { (m, self.nodes.blob_status(&m.network_address, blob_id).await) })
            .buffer_unordered(16)
            .collect()
            .await;
        let mut weights: HashMap<String, (u32, BlobStatus)> = HashMap::new();
        let mut answered = 0u32;
        let mut errors = Vec::new();
        for (member, answer) in answers {
            match answer {
                Ok(status) => {
                    let w = member.shards.len() as u32;
                    answered += w;
                    let key = serde_json::to_string(&status).unwrap_or_default();
                    weights.entry(key).or_insert((0, status)).0 += w;
                }
                Err(e) => errors.push(format!("{}: {e}", member.name)),
            }
        }
        if answered * 3 <= u32::from(committee.n_shards) {
            return Err(ClientError::Invalid(format!(
                "too few storage nodes answered for blob {blob_id}: {}",
                summarize(&errors, 3)
            )));
        }
        let (_, (_, status)) = weights
            .into_iter()
            .max_by_key(|(k, (w, _))| (*w, k.clone()))
            .ok_or_else(|| ClientError::Invalid("no status".into()))?;
        Ok(status)
    }
}
