//! The seam between the generic chain and each natively mirrored Move package.
//!
//! A package (a folder such as `src/walrus/` or `src/seal/`) implements [`ChainPackage`]: it
//! registers its natives and datatypes, names the addresses of its mirrored types (for the JSON
//! renderings), adds its objects to the genesis transaction, writes the files genesis produced
//! (or reads them back on a restart), contributes fields to `localnet.json`, names what
//! `--fresh` removes and may act after each checkpoint. The chain ([`crate::Localnet`]) only
//! walks the list [`packages`] returns, so adding a package touches no generic chain file.

use std::path::Path;
use std::sync::Arc;

use haulout_types::Origin;
use sui_sdk_types::Address;

use crate::natives::NativeRegistry;
use crate::node::GenesisContext;
use crate::node::GenesisObjectSpec;
use crate::node::Node;

/// Fields a package adds to `localnet.json` (top-level keys).
pub type JsonFields = serde_json::Map<String, serde_json::Value>;

/// A Move package (or set of packages) mirrored natively on the local chain.
pub trait ChainPackage: Send + Sync {
    /// Its short name (`walrus`, `seal`), for logs and errors.
    fn name(&self) -> &'static str;

    /// Adds its native functions and datatypes to `registry`.
    fn register(&self, registry: &mut NativeRegistry);

    /// The objects it adds to the genesis transaction (called only when genesis runs now;
    /// empty if the package is disabled by its flags).
    ///
    /// # Errors
    /// If its arguments are inconsistent or an object does not encode.
    fn genesis(&mut self, ctx: &GenesisContext<'_>) -> anyhow::Result<Vec<GenesisObjectSpec>>;

    /// Once the chain is open and its address known: writes the files its genesis produced
    /// (if genesis ran now) or reads back what an earlier genesis wrote, and returns the fields
    /// it adds to `localnet.json` (none if it is absent from this chain).
    ///
    /// # Errors
    /// If a file cannot be written or read.
    fn open(&mut self, data: &Path, rpc_url: &str, node: &Arc<Node>) -> anyhow::Result<JsonFields>;

    /// Files and directories (relative to the data directory) that `--fresh` removes.
    fn fresh_paths(&self) -> &'static [&'static str];

    /// Runs after each sealed checkpoint, on a blocking thread (the Walrus keeper sends the
    /// epoch steps that are due). Failures are the package's to log.
    fn after_checkpoint(&self, _node: &Arc<Node>) {}

    /// Lines of the start-up summary (after the Sui part), without indentation.
    fn summary(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The packages of `haulout localnet`, in genesis order, configured by `args`.
pub fn packages(args: &crate::LocalnetArgs) -> Vec<Box<dyn ChainPackage>> {
    vec![
        Box::new(crate::walrus::WalrusPackage::new(args.walrus.clone())),
        Box::new(crate::seal::SealPackage::new(args.seal.clone())),
    ]
}

/// The address of the package a mirrored type of `origin` lives in (for JSON layouts).
pub(crate) fn origin_address(origin: Origin) -> Option<Address> {
    match origin {
        Origin::Std => Some(Address::from_static("0x1")),
        Origin::Sui => Some(Address::TWO),
        other => {
            crate::walrus::origin_address(other).or_else(|| crate::seal::origin_address(other))
        }
    }
}

/// A registry with the Sui framework and every package of [`packages`].
pub fn registry() -> NativeRegistry {
    let mut registry = NativeRegistry::with_sui_framework();
    crate::walrus::register(&mut registry);
    crate::seal::register(&mut registry);
    registry
}
