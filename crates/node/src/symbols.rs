//! Recovery symbols on the REST wire: `GeneralRecoverySymbol` (walrus-protocol.md §3.3) and
//! how a node produces them from the slivers it holds.

use redstuff::merkle::MerkleProof;
use redstuff::{
    BlobMetadata, DecodingSymbol, EncodingConfig, Primary, RecoverySymbol, Secondary, SliverData,
};
use serde::{Deserialize, Serialize};

use crate::state::{NodeError, NodeState};
use crate::store::Axis;

/// A decoding symbol of either axis; the variant is the axis of the **target** sliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EitherDecodingSymbol {
    /// A symbol of a primary sliver (produced from a secondary sliver).
    Primary(DecodingSymbol<Primary>),
    /// A symbol of a secondary sliver (produced from a primary sliver).
    Secondary(DecodingSymbol<Secondary>),
}

/// A recovery symbol as `GET /v1/blobs/{id}/recoverySymbols` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralRecoverySymbol {
    /// The symbol.
    pub symbol: EitherDecodingSymbol,
    /// The target sliver's index.
    pub target_index: u16,
    /// The proof in the source sliver's tree (leaf `target_index`).
    pub proof: MerkleProof,
}

impl GeneralRecoverySymbol {
    /// The symbol as a primary recovery symbol, if it targets a primary sliver.
    pub fn into_primary(self) -> Option<RecoverySymbol<Primary>> {
        match self.symbol {
            EitherDecodingSymbol::Primary(symbol) => Some(RecoverySymbol {
                symbol,
                proof: self.proof,
            }),
            EitherDecodingSymbol::Secondary(_) => None,
        }
    }

    /// The symbol as a secondary recovery symbol, if it targets a secondary sliver.
    pub fn into_secondary(self) -> Option<RecoverySymbol<Secondary>> {
        match self.symbol {
            EitherDecodingSymbol::Secondary(symbol) => Some(RecoverySymbol {
                symbol,
                proof: self.proof,
            }),
            EitherDecodingSymbol::Primary(_) => None,
        }
    }
}

/// The recovery symbols this node can give for target sliver `target` of axis `axis`: one per
/// owned shard, from the orthogonal sliver stored there.
///
/// # Errors
/// `IndexOutOfRange`, `MetadataNotFound`, `InvalidBlob`, or a store failure.
pub fn recovery_symbols(
    state: &NodeState,
    blob: &[u8; 32],
    target: u16,
    axis: Axis,
) -> Result<Vec<GeneralRecoverySymbol>, NodeError> {
    let config: &EncodingConfig = state.encoding();
    let n = config.n_shards();
    if target >= n {
        return Err(NodeError::IndexOutOfRange(target, n));
    }
    if state.is_invalid(blob)? {
        return Err(NodeError::InvalidBlob(redstuff::BlobId(*blob).to_string()));
    }
    let metadata: BlobMetadata = state.metadata(blob)?;
    let offset = redstuff::BlobId(*blob).rotation_offset(n);
    let mut out = Vec::new();
    for shard in state.owned_shards() {
        let pair = (n + shard - offset) % n;
        match axis {
            // A primary target: from the secondary sliver of each held pair.
            Axis::Primary => {
                let Some(bytes) = state.store().sliver(shard, blob, Axis::Secondary)? else {
                    continue;
                };
                let Ok(sliver) = SliverData::<Secondary>::from_bcs(&bytes) else {
                    continue;
                };
                let _ = pair;
                let Ok(source) = sliver.symbol_source(config, &metadata) else {
                    continue;
                };
                if let Some(s) = source.recovery_symbol(target) {
                    out.push(GeneralRecoverySymbol {
                        symbol: EitherDecodingSymbol::Primary(s.symbol),
                        target_index: target,
                        proof: s.proof,
                    });
                }
            }
            Axis::Secondary => {
                let Some(bytes) = state.store().sliver(shard, blob, Axis::Primary)? else {
                    continue;
                };
                let Ok(sliver) = SliverData::<Primary>::from_bcs(&bytes) else {
                    continue;
                };
                let Ok(source) = sliver.symbol_source(config, &metadata) else {
                    continue;
                };
                if let Some(s) = source.recovery_symbol(target) {
                    out.push(GeneralRecoverySymbol {
                        symbol: EitherDecodingSymbol::Secondary(s.symbol),
                        target_index: target,
                        proof: s.proof,
                    });
                }
            }
        }
    }
    Ok(out)
}
