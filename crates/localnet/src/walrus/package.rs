//! The `wal` and `walrus` packages behind the chain's package seam ([`ChainPackage`]).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use haulout_types::Origin;
use sui_sdk_types::Address;

use super::WalrusArgs;
use super::genesis::GenesisOutput;
use super::genesis::WalrusGenesis;
use super::keeper::Keeper;
use crate::natives::NativeRegistry;
use crate::node::GenesisContext;
use crate::node::GenesisObjectSpec;
use crate::node::Node;
use crate::package::ChainPackage;
use crate::package::JsonFields;

/// Name of the Walrus genesis description (the Walrus part of `localnet.json`).
pub const WALRUS_JSON: &str = "walrus.json";

/// The address of the Walrus packages' mirrored types of `origin`.
pub(crate) fn origin_address(origin: Origin) -> Option<Address> {
    match origin {
        Origin::Walrus => Some(super::walrus_package()),
        Origin::Wal => Some(super::wal_package()),
        _ => None,
    }
}

/// The Walrus packages on a chain: genesis by [`super::genesis::build`], the storage nodes'
/// configuration files, `walrus.json`, and the keeper after each checkpoint.
#[derive(Debug)]
pub struct WalrusPackage {
    args: WalrusArgs,
    built: Option<GenesisOutput>,
    info: Option<WalrusGenesis>,
    keeper: Option<Keeper>,
}

impl WalrusPackage {
    /// The Walrus packages with these genesis flags (`nodes: 0`: none).
    pub fn new(args: WalrusArgs) -> Self {
        Self {
            args,
            built: None,
            info: None,
            keeper: None,
        }
    }
}

impl ChainPackage for WalrusPackage {
    fn name(&self) -> &'static str {
        "walrus"
    }

    fn register(&self, registry: &mut NativeRegistry) {
        super::register(registry);
    }

    fn genesis(&mut self, ctx: &GenesisContext<'_>) -> anyhow::Result<Vec<GenesisObjectSpec>> {
        if self.args.nodes == 0 {
            return Ok(Vec::new());
        }
        let output = super::genesis::build(&self.args, ctx)?;
        let objects = output.objects.clone();
        self.built = Some(output);
        Ok(objects)
    }

    fn package_objects(&self, registry: &NativeRegistry) -> Vec<sui_sdk_types::MovePackage> {
        super::package_objects(registry)
    }

    fn open(
        &mut self,
        data: &Path,
        rpc_url: &str,
        _node: &Arc<Node>,
    ) -> anyhow::Result<JsonFields> {
        let path = data.join(WALRUS_JSON);
        let info = match self.built.take() {
            Some(output) => {
                let mut info = output.info;
                super::genesis::write_node_configs(data, rpc_url, &output.nodes, &mut info)?;
                crate::run::write_json(&path, &info)?;
                Some(info)
            }
            None if path.exists() => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("while reading {}", path.display()))?;
                Some(
                    serde_json::from_str(&text)
                        .with_context(|| format!("while parsing {}", path.display()))?,
                )
            }
            None => None,
        };
        let Some(info) = info else {
            return Ok(JsonFields::new());
        };
        self.keeper = Some(Keeper::new(&info)?);
        let fields = match serde_json::to_value(&info)? {
            serde_json::Value::Object(fields) => fields,
            _ => JsonFields::new(),
        };
        self.info = Some(info);
        Ok(fields)
    }

    fn fresh_paths(&self) -> &'static [&'static str] {
        &[WALRUS_JSON, "nodes"]
    }

    fn after_checkpoint(&self, node: &Arc<Node>) {
        let Some(keeper) = &self.keeper else {
            return;
        };
        match keeper.tick(node) {
            Ok(Some(tx)) => {
                let ok = match &tx.effects {
                    sui_sdk_types::TransactionEffects::V2(e) => {
                        e.status == sui_sdk_types::ExecutionStatus::Success
                    }
                    _ => false,
                };
                if ok {
                    tracing::info!(digest = %tx.transaction.digest(), "walrus keeper: epoch step sent");
                } else {
                    tracing::warn!(digest = %tx.transaction.digest(), "walrus keeper: epoch step failed");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("walrus keeper: {e:#}"),
        }
    }

    fn summary(&self) -> Vec<String> {
        let Some(walrus) = &self.info else {
            return Vec::new();
        };
        let mut lines = vec![
            format!(
                "walrus     {} nodes, {} shards, epoch {} ms",
                walrus.nodes.len(),
                walrus.n_shards,
                walrus.epoch_duration_ms
            ),
            format!("  wal package      {}", walrus.wal_package_id),
            format!("  walrus package   {}", walrus.walrus_package_id),
            format!("  system object    {}", walrus.system_object_id),
            format!("  staking object   {}", walrus.staking_object_id),
            format!("  governance       {}", walrus.governance_config_id),
        ];
        for node in &walrus.nodes {
            lines.push(format!(
                "  node {} at {} ({})",
                node.node_id, node.network_address, node.config
            ));
        }
        lines
    }
}
