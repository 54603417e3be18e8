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

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use haulout_types::Origin;
use sui_sdk_types::Address;
use sui_sdk_types::Identifier;
use sui_sdk_types::MovePackage;
use sui_sdk_types::TypeOrigin;

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

    /// The Move packages it publishes, each created by the genesis transaction as an immutable
    /// package object at version 1 (see [`package_object`]); called whenever genesis runs,
    /// whatever the package's flags, since its natives are callable either way.
    fn package_objects(&self, _registry: &NativeRegistry) -> Vec<MovePackage> {
        Vec::new()
    }

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

/// The package object of the natively mirrored package at `id`, whose types are those of
/// `origin`: `modules` has an entry per module with a native function or a type there, with
/// empty bytecode (the Move twin cannot be compiled here), `type_origin_table` lists every type
/// of `origin` (mirrored or registered) as defined by the package itself, and the linkage
/// table is empty. `None` if `registry` has no native function at `id` (the package is not on
/// this chain).
pub fn package_object(
    registry: &NativeRegistry,
    id: Address,
    origin: Origin,
) -> Option<MovePackage> {
    let mut modules = BTreeSet::new();
    for (package, module, _, _) in registry.functions() {
        if *package == id {
            modules.insert(module.to_owned());
        }
    }
    if modules.is_empty() {
        return None;
    }
    let mut types: BTreeSet<(String, String)> = registry
        .datatypes()
        .filter(|(package, _, _)| **package == id)
        .map(|(_, module, name)| (module.to_owned(), name.to_owned()))
        .collect();
    types.extend(
        haulout_types::mirrored_types()
            .into_iter()
            .filter(|t| t.origin == origin)
            .map(|t| (t.module.to_owned(), t.name.to_owned())),
    );
    modules.extend(types.iter().map(|(module, _)| module.clone()));
    let identifier = |s: &str| Identifier::new(s).ok();
    Some(MovePackage {
        id,
        version: 1,
        modules: modules
            .iter()
            .filter_map(|m| Some((identifier(m)?, Vec::new())))
            .collect(),
        type_origin_table: types
            .iter()
            .filter_map(|(module, name)| {
                Some(TypeOrigin {
                    module_name: identifier(module)?,
                    struct_name: identifier(name)?,
                    package: id,
                })
            })
            .collect(),
        linkage_table: BTreeMap::new(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_objects_follow_the_registry() {
        let registry = registry();
        let policies = crate::seal::policies_package();
        let package = package_object(&registry, policies, Origin::Policies).expect("policies");
        assert_eq!((package.id, package.version), (policies, 1));
        let modules: Vec<&str> = package.modules.keys().map(Identifier::as_str).collect();
        for module in ["allowlist", "private", "subscription", "tle"] {
            assert!(modules.contains(&module), "{module} in {modules:?}");
        }
        assert!(package.modules.values().all(Vec::is_empty));
        assert!(package.linkage_table.is_empty());
        let mirrored = haulout_types::mirrored_types()
            .into_iter()
            .filter(|t| t.origin == Origin::Policies)
            .count();
        assert_eq!(package.type_origin_table.len(), mirrored);
        assert!(
            package
                .type_origin_table
                .iter()
                .all(|t| t.package == policies)
        );
        // A registry without the package's natives: not on this chain.
        let framework = NativeRegistry::with_sui_framework();
        assert!(package_object(&framework, policies, Origin::Policies).is_none());
        assert!(crate::seal::package_objects(&framework).is_empty());
        assert_eq!(crate::walrus::package_objects(&registry).len(), 2);
    }
}
