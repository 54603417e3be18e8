//! Proto messages built from ledger records: full (wildcard) ones that services filter by read
//! mask, and checkpoints built straight from a mask.

use std::collections::BTreeMap;
use std::sync::Arc;

use sui_rpc::field::FieldMaskTree;
use sui_rpc::merge::Merge as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::timestamp_ms_to_proto;
use sui_sdk_types::Address;
use sui_sdk_types::Object;

use crate::executor::coin_of;
use crate::executor::contents_of;
use crate::store::CheckpointRecord;
use crate::store::ExecutedTx;

/// The `object_type` Sui gives package objects.
pub(crate) const PACKAGE_TYPE: &str = "package";

/// An object with every field set, including `balance` for coins.
pub(crate) fn object(o: &Object) -> proto::Object {
    let mut message = proto::Object::from(o.clone());
    if let Some((_, balance)) = coin_of(o) {
        message.balance = Some(balance);
    }
    message
}

fn object_set(objects: impl IntoIterator<Item = Object>) -> proto::ObjectSet {
    let mut unique: BTreeMap<(Address, u64), Object> = BTreeMap::new();
    for o in objects {
        unique.insert((o.object_id(), o.version()), o);
    }
    let mut set = proto::ObjectSet::default();
    set.objects = unique.values().map(object).collect();
    set
}

/// A transaction's effects with every field set, each changed object's type included.
fn executed_effects(tx: &ExecutedTx) -> proto::TransactionEffects {
    let mut effects = proto::TransactionEffects::from(tx.effects.clone());
    set_object_types(&mut effects, tx, true, true);
    effects
}

/// Sets the `object_type` of the changed objects (if `changed`) and of the gas object (if
/// `gas`) from the transaction's objects, as Sui reports them.
fn set_object_types(
    effects: &mut proto::TransactionEffects,
    tx: &ExecutedTx,
    changed: bool,
    gas: bool,
) {
    if !changed && !gas {
        return;
    }
    // Outputs after inputs: an object's type as the transaction left it.
    let types: BTreeMap<Address, String> = tx
        .input_objects
        .iter()
        .chain(&tx.output_objects)
        .map(|o| {
            let ty =
                contents_of(o).map_or_else(|| PACKAGE_TYPE.to_owned(), |(ty, _, _)| ty.to_string());
            (o.object_id(), ty)
        })
        .collect();
    let type_of = |id: Option<&String>| -> Option<String> {
        types.get(&id?.parse::<Address>().ok()?).cloned()
    };
    if changed {
        for change in &mut effects.changed_objects {
            change.object_type = type_of(change.object_id.as_ref());
        }
    }
    if gas {
        if let Some(g) = effects.gas_object.as_mut() {
            g.object_type = type_of(g.object_id.as_ref());
        }
    }
}

/// A transaction with every field set; `objects` only when `with_objects` (not in checkpoints).
pub(crate) fn executed_transaction(
    tx: &ExecutedTx,
    with_objects: bool,
) -> proto::ExecutedTransaction {
    let mut message = proto::ExecutedTransaction::default();
    message.digest = Some(tx.transaction.digest().to_string());
    message.transaction = Some(proto::Transaction::from(tx.transaction.clone()));
    message.signatures = tx
        .signatures
        .iter()
        .cloned()
        .map(proto::UserSignature::from)
        .collect();
    message.effects = Some(executed_effects(tx));
    message.events = Some(
        tx.events
            .clone()
            .map(proto::TransactionEvents::from)
            .unwrap_or_default(),
    );
    message.checkpoint = tx.checkpoint;
    message.timestamp = tx.timestamp_ms.map(timestamp_ms_to_proto);
    message.balance_changes = tx
        .balance_changes
        .iter()
        .cloned()
        .map(proto::BalanceChange::from)
        .collect();
    if with_objects {
        message.objects = Some(object_set(
            tx.input_objects.iter().chain(&tx.output_objects).cloned(),
        ));
    }
    message.transaction_index = tx.index_in_checkpoint;
    message
}

/// A checkpoint with every field set.
pub(crate) fn checkpoint(record: &CheckpointRecord, txs: &[Arc<ExecutedTx>]) -> proto::Checkpoint {
    let wildcard = FieldMaskTree::new_wildcard();
    let mut message = proto::Checkpoint::default();
    message.merge(&record.summary, &wildcard);
    message.merge(record.signature.clone(), &wildcard);
    message.merge(record.contents.clone(), &wildcard);
    message.transactions = txs
        .iter()
        .map(|tx| executed_transaction(tx, false))
        .collect();
    message.objects = Some(object_set(
        txs.iter()
            .flat_map(|tx| tx.input_objects.iter().chain(&tx.output_objects))
            .cloned(),
    ));
    message
}

// === mask-aware messages ===
//
// Building a full message and then masking it costs what the mask leaves out: the BCS and digest
// of every object, every transaction's commands and signatures. A checkpoint stream (an indexer
// catching up asks for thousands) is built directly from the records instead, field by field as
// the mask asks; `tests::masked_checkpoints_equal_the_full_ones_masked` holds the two equal.

/// `o` with the fields of `mask` (sub-mask of an object), as [`masked_object`] of the full one.
fn object_by_mask(o: &Object, mask: &FieldMaskTree) -> proto::Object {
    let mut message = proto::Object::merge_from(o.clone(), mask);
    if mask.contains(proto::Object::BALANCE_FIELD.name) {
        message.balance = coin_of(o).map(|(_, balance)| balance);
    }
    if mask.contains(proto::Object::JSON_FIELD.name) {
        message.json = contents_of(o)
            .and_then(|(ty, bcs, _)| crate::json::render(ty, bcs))
            .map(Box::new);
    }
    message
}

/// A checkpoint's transaction with the fields of `mask` (sub-mask of a transaction), as
/// [`masked_transaction`] of [`executed_transaction`]`(tx, false)`.
fn transaction_by_mask(tx: &ExecutedTx, mask: &FieldMaskTree) -> proto::ExecutedTransaction {
    use proto::ExecutedTransaction as T;
    let mut message = T::default();
    if mask.contains(T::DIGEST_FIELD.name) {
        message.digest = Some(tx.transaction.digest().to_string());
    }
    if let Some(sub) = mask.subtree(T::TRANSACTION_FIELD.name) {
        message.transaction = Some(proto::Transaction::merge_from(tx.transaction.clone(), &sub));
    }
    if let Some(sub) = mask.subtree(T::SIGNATURES_FIELD.name) {
        message.signatures = tx
            .signatures
            .iter()
            .map(|s| proto::UserSignature::merge_from(s.clone(), &sub))
            .collect();
    }
    if let Some(sub) = mask.subtree(T::EFFECTS_FIELD.name) {
        // The object types come from the objects, as in the full message (whose changed and
        // gas objects a mask keeps whole once it names them at all).
        let mut effects = proto::TransactionEffects::merge_from(&tx.effects, &sub);
        set_object_types(
            &mut effects,
            tx,
            sub.subtree("changed_objects").is_some(),
            sub.subtree("gas_object").is_some(),
        );
        message.effects = Some(effects);
    }
    if let Some(sub) = mask.subtree(T::EVENTS_FIELD.name) {
        let mut events = match &tx.events {
            Some(events) => proto::TransactionEvents::merge_from(events.clone(), &sub),
            None => {
                proto::TransactionEvents::merge_from(&proto::TransactionEvents::default(), &sub)
            }
        };
        if sub.contains("events.json") {
            if let Some(source) = &tx.events {
                for (e, f) in events.events.iter_mut().zip(&source.0) {
                    e.json = crate::json::render(&f.type_, &f.contents).map(Box::new);
                }
            }
        }
        message.events = Some(events);
    }
    if mask.contains(T::CHECKPOINT_FIELD.name) {
        message.checkpoint = tx.checkpoint;
    }
    if mask.contains(T::TIMESTAMP_FIELD.name) {
        message.timestamp = tx.timestamp_ms.map(timestamp_ms_to_proto);
    }
    if mask.contains(T::BALANCE_CHANGES_FIELD.name) {
        message.balance_changes = tx
            .balance_changes
            .iter()
            .cloned()
            .map(proto::BalanceChange::from)
            .collect();
    }
    if mask.contains(T::TRANSACTION_INDEX_FIELD.name) {
        message.transaction_index = tx.index_in_checkpoint;
    }
    message
}

/// A checkpoint with the fields of `mask`, as [`masked_checkpoint`] of [`checkpoint`].
pub(crate) fn checkpoint_by_mask(
    record: &CheckpointRecord,
    txs: &[Arc<ExecutedTx>],
    mask: &FieldMaskTree,
) -> proto::Checkpoint {
    let mut message = proto::Checkpoint::default();
    message.merge(&record.summary, mask);
    message.merge(record.signature.clone(), mask);
    message.merge(record.contents.clone(), mask);
    if let Some(sub) = mask.subtree(proto::Checkpoint::TRANSACTIONS_FIELD.name) {
        message.transactions = txs.iter().map(|tx| transaction_by_mask(tx, &sub)).collect();
    }
    if let Some(sub) = mask.subtree(proto::Checkpoint::OBJECTS_FIELD.name) {
        let mut set = proto::ObjectSet::default();
        if let Some(objects) = sub.subtree(proto::ObjectSet::OBJECTS_FIELD.name) {
            let mut unique: BTreeMap<(Address, u64), &Object> = BTreeMap::new();
            for o in txs
                .iter()
                .flat_map(|tx| tx.input_objects.iter().chain(&tx.output_objects))
            {
                unique.insert((o.object_id(), o.version()), o);
            }
            set.objects = unique
                .values()
                .map(|o| object_by_mask(o, &objects))
                .collect();
        }
        message.objects = Some(set);
    }
    message
}

// === json renderings ===
//
// `json` costs a decode per value, so it is never part of the full messages above: the services
// mask a full message and then render `json` only where the mask asks for it. `merge_from` keeps
// repeated fields element for element, so the masked lists line up with the full ones.

/// The JSON rendering of a full object's Move contents (none for packages).
fn object_json(full: &proto::Object) -> Option<Box<prost_types::Value>> {
    let ty: sui_sdk_types::StructTag = full.object_type.as_deref()?.parse().ok()?;
    let bcs = full.contents.as_ref()?.value.as_deref()?;
    crate::json::render(&ty, bcs).map(Box::new)
}

/// The JSON rendering of a full event's contents.
fn event_json(full: &proto::Event) -> Option<Box<prost_types::Value>> {
    let ty: sui_sdk_types::StructTag = full.event_type.as_deref()?.parse().ok()?;
    let bcs = full.contents.as_ref()?.value.as_deref()?;
    crate::json::render(&ty, bcs).map(Box::new)
}

fn fill_objects(out: Option<&mut proto::ObjectSet>, full: Option<&proto::ObjectSet>) {
    if let (Some(out), Some(full)) = (out, full) {
        for (o, f) in out.objects.iter_mut().zip(&full.objects) {
            o.json = object_json(f);
        }
    }
}

fn fill_events(
    out: Option<&mut proto::TransactionEvents>,
    full: Option<&proto::TransactionEvents>,
) {
    if let (Some(out), Some(full)) = (out, full) {
        for (e, f) in out.events.iter_mut().zip(&full.events) {
            e.json = event_json(f);
        }
    }
}

/// `full` filtered by `mask`, with `json` rendered if the mask asks for it.
pub(crate) fn masked_object(full: &proto::Object, mask: &FieldMaskTree) -> proto::Object {
    let mut out = proto::Object::merge_from(full, mask);
    if mask.contains(proto::Object::JSON_FIELD.name) {
        out.json = object_json(full);
    }
    out
}

/// `full` filtered by `mask`, with `json` rendered if the mask asks for it.
pub(crate) fn masked_event(full: &proto::Event, mask: &FieldMaskTree) -> proto::Event {
    let mut out = proto::Event::merge_from(full, mask);
    if mask.contains(proto::Event::JSON_FIELD.name) {
        out.json = event_json(full);
    }
    out
}

/// `full` filtered by `mask`, with the `json` of its events and objects where the mask asks.
pub(crate) fn masked_transaction(
    full: &proto::ExecutedTransaction,
    mask: &FieldMaskTree,
) -> proto::ExecutedTransaction {
    let mut out = proto::ExecutedTransaction::merge_from(full, mask);
    fill_transaction(&mut out, full, mask, "");
    out
}

fn fill_transaction(
    out: &mut proto::ExecutedTransaction,
    full: &proto::ExecutedTransaction,
    mask: &FieldMaskTree,
    prefix: &str,
) {
    if mask.contains(format!("{prefix}events.events.json")) {
        fill_events(out.events.as_mut(), full.events.as_ref());
    }
    if mask.contains(format!("{prefix}objects.objects.json")) {
        fill_objects(out.objects.as_mut(), full.objects.as_ref());
    }
}

/// `full` filtered by `mask`, with the `json` of its events and objects where the mask asks.
pub(crate) fn masked_checkpoint(
    full: &proto::Checkpoint,
    mask: &FieldMaskTree,
) -> proto::Checkpoint {
    let mut out = proto::Checkpoint::merge_from(full, mask);
    for (o, f) in out.transactions.iter_mut().zip(&full.transactions) {
        fill_transaction(o, f, mask, "transactions.");
    }
    if mask.contains("objects.objects.json") {
        fill_objects(out.objects.as_mut(), full.objects.as_ref());
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use sui_rpc::field::FieldMaskUtil as _;

    use super::*;

    /// Every checkpoint of a chain with the Walrus genesis (packages, coins, shared and owned
    /// objects) and a transfer, under masks of every shape the services see.
    #[test]
    fn masked_checkpoints_equal_the_full_ones_masked() {
        let dir = tempfile::tempdir().unwrap();
        let args = crate::walrus::WalrusArgs {
            nodes: 4,
            n_shards: 12,
            ..Default::default()
        };
        let (node, _, _) =
            crate::walrus::open(dir.path(), 2, crate::walrus::registry(), &args).unwrap();
        let to = node.accounts()[1];
        node.faucet_transfer(to, 1_000).unwrap();
        node.seal_checkpoint(node.latest_checkpoint().summary.timestamp_ms + 1)
            .unwrap();
        let tip = node.latest_checkpoint().summary.sequence_number;
        assert!(tip >= 1);
        let masks = [
            "*",
            "sequence_number",
            "digest,summary.epoch,signature",
            "summary,contents",
            "transactions",
            "transactions.digest,transactions.effects.changed_objects",
            "transactions.effects.changed_objects.object_id,transactions.effects.gas_object",
            "transactions.effects.bcs,transactions.effects.digest,transactions.effects.status",
            "transactions.transaction.bcs,transactions.signatures",
            "transactions.events,transactions.balance_changes,transactions.timestamp",
            "transactions.events.events.json,transactions.events.events.event_type",
            "objects",
            "objects.objects.object_id,objects.objects.version,objects.objects.owner,\
             objects.objects.object_type,objects.objects.contents",
            "objects.objects.json,objects.objects.balance,objects.objects.bcs",
            "objects.objects.package,objects.objects.digest",
        ];
        let mut objects = 0;
        for seq in 0..=tip {
            let record = node.checkpoint(seq).unwrap();
            let txs = node.checkpoint_transactions(&record);
            let full = checkpoint(&record, &txs);
            objects += full.objects.as_ref().map_or(0, |s| s.objects.len());
            for mask in masks {
                let mask = FieldMaskTree::from_field_mask(&prost_types::FieldMask::from_str(mask));
                assert_eq!(
                    checkpoint_by_mask(&record, &txs, &mask),
                    masked_checkpoint(&full, &mask),
                    "checkpoint {seq}, mask {mask:?}"
                );
            }
        }
        assert!(objects > 10, "the chain has objects to compare ({objects})");
    }
}
