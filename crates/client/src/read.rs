//! Reading a blob: verified metadata from any node, then primary slivers in parallel —
//! systematic ones first — each checked against the metadata, decoded with a consistency
//! check. Slow, failed and lying nodes cost time, never correctness.

use std::collections::{BTreeMap, HashSet, VecDeque};

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use haulout_sui::Committee;
use redstuff::{
    BlobId, BlobMetadataWithId, ConsistencyCheck, DecodeError, EncodingConfig, Primary, SliverData,
    shard_index_for_pair,
};

use crate::client::Client;
use crate::error::{ClientError, Result, summarize};
use crate::nodes::NodeRequestError;

/// Sliver requests in flight at once.
const READ_CONCURRENCY: usize = 48;

impl Client {
    /// Reads blob `blob_id` from the current committee.
    ///
    /// # Errors
    /// If too few nodes serve valid data, or the blob is inconsistently encoded.
    pub async fn read(&self, blob_id: &BlobId) -> Result<Vec<u8>> {
        let committee = self.committee().await?;
        let config = EncodingConfig::new(committee.n_shards)?;
        let metadata = self.read_metadata(blob_id, &committee, &config).await?;
        self.read_slivers(blob_id, &committee, &config, &metadata)
            .await
    }

    /// Metadata from the first node that serves metadata matching the blob ID.
    ///
    /// # Errors
    /// If no node does.
    pub async fn read_metadata(
        &self,
        blob_id: &BlobId,
        committee: &Committee,
        config: &EncodingConfig,
    ) -> Result<BlobMetadataWithId> {
        let limit = config.metadata_length() as usize + 256;
        // Start with the node owning the most shards... any order works; rotate by blob ID so
        // that reads spread over the nodes.
        let n = committee.members.len().max(1);
        let start = usize::from(blob_id.as_bytes()[0]) % n;
        let mut errors = Vec::new();
        let mut invalid = 0;
        for k in 0..committee.members.len() {
            let member = &committee.members[(start + k) % n];
            match self
                .nodes
                .metadata(&member.network_address, blob_id, limit)
                .await
            {
                Ok(bytes) => match BlobMetadataWithId::from_bcs(&bytes) {
                    Ok(m) if m.blob_id() == blob_id => match m.verify(config) {
                        Ok(()) => return Ok(m),
                        Err(e) => errors.push(format!("{}: invalid metadata: {e}", member.name)),
                    },
                    Ok(_) => errors.push(format!("{}: metadata of another blob", member.name)),
                    Err(e) => errors.push(format!("{}: malformed metadata: {e}", member.name)),
                },
                Err(e) => {
                    if e.reason() == Some(haulout_types::node_api::reason::INVALID_BLOB) {
                        invalid += 1;
                    }
                    errors.push(format!("{}: {e}", member.name));
                }
            }
        }
        if invalid > 0 && invalid * 3 > committee.members.len() {
            return Err(ClientError::InvalidBlob(blob_id.to_string()));
        }
        Err(ClientError::MetadataUnavailable {
            blob_id: blob_id.to_string(),
            errors: summarize(&errors, 3),
        })
    }

    async fn read_slivers(
        &self,
        blob_id: &BlobId,
        committee: &Committee,
        config: &EncodingConfig,
        metadata: &BlobMetadataWithId,
    ) -> Result<Vec<u8>> {
        let n = config.n_shards();
        let needed = usize::from(config.n_primary_source_symbols());
        let length = metadata.metadata().unencoded_length();
        let limit = config.primary_sliver_size(length)? as usize + 64;
        // Pair index → the committee member holding it.
        let owner = |pair: u16| {
            committee
                .owner_of(shard_index_for_pair(blob_id, pair, n))
                .map(|(i, _)| i)
        };
        let mut candidates: VecDeque<u16> = (0..n).collect();
        let mut got: BTreeMap<u16, SliverData<Primary>> = BTreeMap::new();
        let mut down: HashSet<usize> = HashSet::new();
        let mut errors = Vec::new();
        loop {
            let mut inflight = FuturesUnordered::new();
            while got.len() < needed {
                while inflight.len() < READ_CONCURRENCY && got.len() + inflight.len() < needed + 2 {
                    let Some(pair) = candidates.pop_front() else {
                        break;
                    };
                    let Some(member) = owner(pair) else {
                        continue;
                    };
                    if down.contains(&member) {
                        continue;
                    }
                    let address = committee.members[member].network_address.clone();
                    let nodes = self.nodes.clone();
                    let blob = *blob_id;
                    inflight.push(async move {
                        let result = nodes.sliver(&address, &blob, pair, "primary", limit).await;
                        (pair, member, result)
                    });
                }
                let Some((pair, member, result)) = inflight.next().await else {
                    break;
                };
                let name = &committee.members[member].name;
                match result.map(|bytes| SliverData::<Primary>::from_bcs(&bytes)) {
                    Ok(Ok(sliver))
                        if sliver.index == pair
                            && sliver.check_shape(config, metadata.metadata()).is_ok() =>
                    {
                        got.insert(pair, sliver);
                    }
                    Ok(_) => {
                        errors.push(format!("{name}: malformed sliver {pair}"));
                        down.insert(member);
                    }
                    Err(e) => {
                        if matches!(e, NodeRequestError::Unreachable { .. }) {
                            down.insert(member);
                        }
                        errors.push(format!("{name}: {e}"));
                    }
                }
            }
            drop(inflight);
            if got.len() < needed {
                return Err(ClientError::NotEnoughSlivers {
                    blob_id: blob_id.to_string(),
                    got: got.len(),
                    needed,
                    errors: summarize(&errors, 3),
                });
            }
            let slivers: Vec<SliverData<Primary>> = got.values().take(needed).cloned().collect();
            let config_copy = *config;
            let metadata_copy = metadata.clone();
            let decoded = tokio::task::spawn_blocking(move || {
                config_copy.decode(&metadata_copy, slivers, ConsistencyCheck::Default)
            })
            .await
            .map_err(|e| ClientError::Invalid(format!("decoder panicked: {e}")))?;
            match decoded {
                Ok(data) => return Ok(data),
                Err(DecodeError::InvalidSliver { index, source }) => {
                    // A node served a sliver that does not match the metadata: drop it and
                    // everything else from that node, fetch others instead.
                    if let Some(member) = owner(index) {
                        errors.push(format!(
                            "{}: sliver {index} fails verification: {source}",
                            committee.members[member].name
                        ));
                        down.insert(member);
                        got.retain(|&pair, _| owner(pair) != Some(member));
                    } else {
                        got.remove(&index);
                    }
                }
                Err(
                    e @ (DecodeError::InconsistentBlob { .. } | DecodeError::BlobIdMismatch { .. }),
                ) => {
                    return Err(ClientError::Inconsistent {
                        blob_id: blob_id.to_string(),
                        reason: e.to_string(),
                    });
                }
                Err(e) => {
                    return Err(ClientError::Invalid(format!(
                        "decoding blob {blob_id}: {e}"
                    )));
                }
            }
        }
    }
}
