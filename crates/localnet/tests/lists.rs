//! `ListTransactions`, `ListEvents`, `ListCheckpoints`, `SubscribeTransactions` and
//! `SubscribeEvents` over gRPC with the `sui-rpc` client, on chains whose checkpoints the tests
//! seal themselves (`Node::seal_checkpoint`), so every ledger is known exactly: ordering,
//! ranges, pagination by cursor (by hand and with the client's own paginating and resumable
//! streams, which validate every watermark), each filter, read masks, the scan budget, refused
//! requests, and the Walrus keeper's events.
//!
//! The test-only package `0xcafe` emits events: `beacon::ping<T>(n)` emits
//! `beacon::Pinged<T> { n }`, `beacon::ring(n)` emits `beacon::Ponged { n }` and
//! `beacon::Ponged { n + 1 }`, `relay::ping(n)` emits `beacon::Pinged<u8> { n }` (a type of
//! another module).

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::StreamExt as _;
use haulout_localnet::Abilities;
use haulout_localnet::ExecutedTx;
use haulout_localnet::FunctionSig;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::Param;
use haulout_localnet::RpcOptions;
use haulout_localnet::SigType;
use haulout_localnet::TypeFilter;
use prost::bytes::Bytes;
use prost_types::FieldMask;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::QueryEndReason;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Digest;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;
use support::BUDGET;
use support::transaction;
use support::transfer_ptb;
use tokio_util::sync::CancellationToken;
use tonic::Code;

const PACKAGE: Address = Address::from_static("0xcafe");

fn pinged(t: TypeTag) -> StructTag {
    StructTag::new(
        PACKAGE,
        Identifier::from_static("beacon"),
        Identifier::from_static("Pinged"),
        vec![t],
    )
}

fn ponged() -> StructTag {
    StructTag::new(
        PACKAGE,
        Identifier::from_static("beacon"),
        Identifier::from_static("Ponged"),
        vec![],
    )
}

fn registry() -> NativeRegistry {
    let mut r = NativeRegistry::with_sui_framework();
    let sig = |type_params| FunctionSig {
        type_params,
        params: vec![Param::Val(SigType::U64)],
        returns: vec![],
        is_entry: false,
    };
    r.register(
        PACKAGE,
        "beacon",
        "ping",
        sig(vec![Abilities::default()]),
        Arc::new(|ctx, ty, a| {
            ctx.emit_event(pinged(ty[0].clone()), a[0].bytes.clone());
            Ok(vec![])
        }),
    );
    r.register(
        PACKAGE,
        "beacon",
        "ring",
        sig(vec![]),
        Arc::new(|ctx, _, a| {
            let n = haulout_localnet::args::u64_of(&a[0])?;
            ctx.emit_event(ponged(), n.to_le_bytes().to_vec());
            ctx.emit_event(ponged(), (n + 1).to_le_bytes().to_vec());
            Ok(vec![])
        }),
    );
    r.register(
        PACKAGE,
        "relay",
        "ping",
        sig(vec![]),
        Arc::new(|ctx, _, a| {
            ctx.emit_event(pinged(TypeTag::U8), a[0].bytes.clone());
            Ok(vec![])
        }),
    );
    r
}

fn call(
    module: &str,
    function: &str,
    type_arguments: Vec<TypeTag>,
    n: u64,
) -> ProgrammableTransaction {
    ProgrammableTransaction {
        inputs: vec![Input::Pure(n.to_le_bytes().to_vec())],
        commands: vec![Command::MoveCall(MoveCall {
            package: PACKAGE,
            module: Identifier::new(module).expect("module"),
            function: Identifier::new(function).expect("function"),
            type_arguments,
            arguments: vec![Argument::Input(0)],
        })],
    }
}

/// A chain served on 127.0.0.1:0 whose checkpoints the test seals.
struct Ledger {
    _dir: tempfile::TempDir,
    node: Arc<Node>,
    keys: Vec<Ed25519PrivateKey>,
    client: Client,
    shutdown: CancellationToken,
    time_ms: u64,
}

impl Ledger {
    async fn open(list_scan_budget: u64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (node, genesis) = Node::open(dir.path(), 2, registry()).expect("open");
        Self::serve(dir, node, genesis.expect("genesis").keys, list_scan_budget).await
    }

    async fn serve(
        dir: tempfile::TempDir,
        node: Arc<Node>,
        keys: Vec<Ed25519PrivateKey>,
        list_scan_budget: u64,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shutdown = CancellationToken::new();
        tokio::spawn(haulout_localnet::serve_with(
            node.clone(),
            listener,
            shutdown.clone(),
            RpcOptions {
                list_scan_budget,
                ..Default::default()
            },
        ));
        let client = Client::new(format!("http://{addr}")).expect("client");
        let time_ms = node.latest_checkpoint().summary.timestamp_ms;
        Self {
            _dir: dir,
            node,
            keys,
            client,
            shutdown,
            time_ms,
        }
    }

    fn addr(&self, i: usize) -> Address {
        self.keys[i].public_key().derive_address()
    }

    /// Account `i`'s largest SUI coin (so that small coins it receives stay out of its gas).
    fn gas(&self, i: usize) -> Object {
        let (coins, _) = self.node.owned_objects(
            self.addr(i),
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            1000,
        );
        coins
            .into_iter()
            .max_by_key(|c| sui_sdk_types::framework::Coin::try_from_object(c).map(|c| c.balance()))
            .expect("a gas coin")
    }

    fn exec(&self, i: usize, ptb: ProgrammableTransaction) -> Arc<ExecutedTx> {
        let gas = self.gas(i);
        let reference = ObjectReference::new(gas.object_id(), gas.version(), gas.digest());
        let tx = transaction(self.addr(i), vec![reference], BUDGET, ptb);
        let signature = self.keys[i].sign_transaction(&tx).expect("sign");
        let done = self.node.execute(tx, vec![signature]).expect("execute");
        assert_eq!(
            *done.effects.status(),
            sui_sdk_types::ExecutionStatus::Success
        );
        done
    }

    fn seal(&mut self) -> u64 {
        self.time_ms += 1_000;
        self.node
            .seal_checkpoint(self.time_ms)
            .expect("seal")
            .summary
            .sequence_number
    }

    fn tip(&self) -> u64 {
        self.node.latest_checkpoint().summary.sequence_number
    }

    /// Every transaction in ledger order: (checkpoint, index, digest).
    fn transactions(&self) -> Vec<(u64, u64, Digest)> {
        (0..=self.tip())
            .flat_map(|c| {
                let record = self.node.checkpoint(c).expect("checkpoint");
                self.node
                    .checkpoint_transactions(&record)
                    .into_iter()
                    .enumerate()
                    .map(move |(i, tx)| (c, i as u64, tx.transaction.digest()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every event in ledger order: (checkpoint, transaction index, event index, type).
    fn events(&self) -> Vec<(u64, u64, u32, String)> {
        (0..=self.tip())
            .flat_map(|c| {
                let record = self.node.checkpoint(c).expect("checkpoint");
                self.node
                    .checkpoint_transactions(&record)
                    .into_iter()
                    .enumerate()
                    .flat_map(move |(i, tx)| {
                        tx.events
                            .iter()
                            .flat_map(|e| e.0.iter())
                            .enumerate()
                            .map(|(e, ev)| (c, i as u64, e as u32, ev.type_.to_string()))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn stop(self) {
        self.shutdown.cancel();
    }
}

/// The transactions of [`scenario`].
struct Scenario {
    ping_u64: Digest,
    transfer_to_0: Digest,
    /// The coin `transfer_to_0` created for account 0.
    received_coin: Address,
    ring: Digest,
    relay: Digest,
    ping_bool: Digest,
    transfer_to_1: Digest,
}

/// Checkpoint 1: account 0 `ping<u64>(1)`, account 1 sends 1,000 MIST to account 0, account 0
/// `ring(10)`; checkpoint 2: account 1 `relay::ping(5)`, account 0 `ping<bool>(2)`;
/// checkpoint 3: nothing; checkpoint 4: account 0 sends 7 MIST to account 1. Every checkpoint
/// ends with the chain's clock update.
fn scenario(l: &mut Ledger) -> Scenario {
    let ping_u64 = l.exec(0, call("beacon", "ping", vec![TypeTag::U64], 1));
    let transfer_to_0 = l.exec(1, transfer_ptb(1_000, l.addr(0)));
    let ring = l.exec(0, call("beacon", "ring", vec![], 10));
    assert_eq!(l.seal(), 1);
    let relay = l.exec(1, call("relay", "ping", vec![], 5));
    let ping_bool = l.exec(0, call("beacon", "ping", vec![TypeTag::Bool], 2));
    assert_eq!(l.seal(), 2);
    assert_eq!(l.seal(), 3);
    let transfer_to_1 = l.exec(0, transfer_ptb(7, l.addr(1)));
    assert_eq!(l.seal(), 4);
    let sui_sdk_types::TransactionEffects::V2(effects) = &transfer_to_0.effects else {
        panic!("effects v2")
    };
    let received_coin = effects
        .changed_objects
        .iter()
        .find(|c| c.id_operation == sui_sdk_types::IdOperation::Created)
        .expect("a created coin")
        .object_id;
    Scenario {
        ping_u64: ping_u64.transaction.digest(),
        transfer_to_0: transfer_to_0.transaction.digest(),
        received_coin,
        ring: ring.transaction.digest(),
        relay: relay.transaction.digest(),
        ping_bool: ping_bool.transaction.digest(),
        transfer_to_1: transfer_to_1.transaction.digest(),
    }
}

// === requests and frames ===

#[derive(Clone, Debug, Default)]
struct Q {
    start: Option<u64>,
    end: Option<u64>,
    limit: Option<u32>,
    descending: bool,
    after: Option<Bytes>,
    before: Option<Bytes>,
}

impl Q {
    fn options(&self) -> proto::QueryOptions {
        let mut options = proto::QueryOptions::default();
        options.limit = self.limit;
        options.after = self.after.clone();
        options.before = self.before.clone();
        if self.descending {
            options.ordering = Some(proto::Ordering::Descending as i32);
        }
        options
    }
}

/// The parts of a list response frame.
trait ListFrame {
    type Item;
    fn parts(
        self,
    ) -> (
        Option<Self::Item>,
        Option<proto::Watermark>,
        Option<proto::QueryEnd>,
    );
}

impl ListFrame for proto::ListTransactionsResponse {
    type Item = proto::ExecutedTransaction;
    fn parts(
        self,
    ) -> (
        Option<Self::Item>,
        Option<proto::Watermark>,
        Option<proto::QueryEnd>,
    ) {
        (self.transaction, self.watermark, self.end)
    }
}

impl ListFrame for proto::ListEventsResponse {
    type Item = proto::Event;
    fn parts(
        self,
    ) -> (
        Option<Self::Item>,
        Option<proto::Watermark>,
        Option<proto::QueryEnd>,
    ) {
        (self.event, self.watermark, self.end)
    }
}

impl ListFrame for proto::ListCheckpointsResponse {
    type Item = proto::Checkpoint;
    fn parts(
        self,
    ) -> (
        Option<Self::Item>,
        Option<proto::Watermark>,
        Option<proto::QueryEnd>,
    ) {
        (self.checkpoint, self.watermark, self.end)
    }
}

/// One response of a list request, checked frame by frame.
#[derive(Debug)]
struct Page<I> {
    /// The items with their frames' cursors.
    items: Vec<(Bytes, I)>,
    end: QueryEndReason,
    /// The cursor and coverage of the final frame.
    cursor: Bytes,
    covered: Option<u64>,
}

/// Checks the frames of one response: a watermark with a cursor on every frame, one `end` on
/// the last, distinct item cursors, coverage that never disappears or regresses, and the item
/// on the final frame only for `ITEM_LIMIT`.
fn page<R: ListFrame>(frames: Vec<R>, ascending: bool) -> Page<R::Item> {
    let count = frames.len();
    let mut items = Vec::new();
    let mut covered: Option<u64> = None;
    let mut last = None;
    for (i, frame) in frames.into_iter().enumerate() {
        let (item, watermark, end) = frame.parts();
        let watermark = watermark.expect("every frame has a watermark");
        let cursor = watermark
            .cursor
            .clone()
            .expect("every watermark has a cursor");
        match (covered, watermark.checkpoint) {
            (Some(_), None) => panic!("coverage disappeared at frame {i}"),
            (Some(before), Some(now)) => assert!(
                if ascending {
                    now >= before
                } else {
                    now <= before
                },
                "coverage regressed from {before} to {now}"
            ),
            _ => {}
        }
        covered = watermark.checkpoint;
        assert_eq!(
            end.is_some(),
            i + 1 == count,
            "end exactly on the last frame"
        );
        if let Some(end) = end {
            let reason = end.reason();
            assert_eq!(
                item.is_some(),
                reason == QueryEndReason::ItemLimit,
                "{reason:?}"
            );
            last = Some((reason, cursor.clone()));
        }
        if let Some(item) = item {
            assert!(
                items.iter().all(|(c, _)| *c != cursor),
                "an item cursor repeated"
            );
            items.push((cursor, item));
        }
    }
    let (end, cursor) = last.expect("a final frame");
    Page {
        items,
        end,
        cursor,
        covered,
    }
}

async fn list_transactions(
    client: &mut Client,
    q: &Q,
    filter: Option<proto::TransactionFilter>,
    mask: Option<&str>,
) -> Result<Page<proto::ExecutedTransaction>, tonic::Status> {
    let mut request = proto::ListTransactionsRequest::default();
    request.read_mask = mask.map(FieldMask::from_str);
    request.start_checkpoint = q.start;
    request.end_checkpoint = q.end;
    request.filter = filter;
    request.options = Some(q.options());
    let stream = client
        .ledger_client()
        .list_transactions(request)
        .await?
        .into_inner();
    let frames: Vec<_> = stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(page(frames, !q.descending))
}

async fn list_events(
    client: &mut Client,
    q: &Q,
    filter: Option<proto::EventFilter>,
    mask: Option<&str>,
) -> Result<Page<proto::Event>, tonic::Status> {
    let mut request = proto::ListEventsRequest::default();
    request.read_mask = mask.map(FieldMask::from_str);
    request.start_checkpoint = q.start;
    request.end_checkpoint = q.end;
    request.filter = filter;
    request.options = Some(q.options());
    let stream = client
        .ledger_client()
        .list_events(request)
        .await?
        .into_inner();
    let frames: Vec<_> = stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(page(frames, !q.descending))
}

async fn list_checkpoints(
    client: &mut Client,
    q: &Q,
    filter: Option<proto::TransactionFilter>,
) -> Result<Page<proto::Checkpoint>, tonic::Status> {
    let mut request = proto::ListCheckpointsRequest::default();
    request.read_mask = Some(FieldMask::from_str("sequence_number"));
    request.start_checkpoint = q.start;
    request.end_checkpoint = q.end;
    request.filter = filter;
    request.options = Some(q.options());
    let stream = client
        .ledger_client()
        .list_checkpoints(request)
        .await?
        .into_inner();
    let frames: Vec<_> = stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(page(frames, !q.descending))
}

fn digests(page: &Page<proto::ExecutedTransaction>) -> Vec<Digest> {
    page.items
        .iter()
        .map(|(_, t)| t.digest().parse().expect("digest"))
        .collect()
}

fn position(t: &proto::ExecutedTransaction) -> (u64, u64) {
    (
        t.checkpoint.expect("checkpoint"),
        t.transaction_index.expect("transaction_index"),
    )
}

// === filters ===

type TxPredicate = proto::transaction_literal::Predicate;
type EventPredicate = proto::event_literal::Predicate;

fn tx_filter(terms: Vec<Vec<(bool, TxPredicate)>>) -> proto::TransactionFilter {
    let mut filter = proto::TransactionFilter::default();
    filter.terms = terms
        .into_iter()
        .map(|literals| {
            let mut term = proto::TransactionTerm::default();
            term.literals = literals
                .into_iter()
                .map(|(negated, predicate)| {
                    let mut literal = proto::TransactionLiteral::default();
                    literal.negated = negated;
                    literal.predicate = Some(predicate);
                    literal
                })
                .collect();
            term
        })
        .collect();
    filter
}

fn one(predicate: TxPredicate) -> Option<proto::TransactionFilter> {
    Some(tx_filter(vec![vec![(false, predicate)]]))
}

fn event_filter(terms: Vec<Vec<(bool, EventPredicate)>>) -> proto::EventFilter {
    let mut filter = proto::EventFilter::default();
    filter.terms = terms
        .into_iter()
        .map(|literals| {
            let mut term = proto::EventTerm::default();
            term.literals = literals
                .into_iter()
                .map(|(negated, predicate)| {
                    let mut literal = proto::EventLiteral::default();
                    literal.negated = negated;
                    literal.predicate = Some(predicate);
                    literal
                })
                .collect();
            term
        })
        .collect();
    filter
}

fn one_event(predicate: EventPredicate) -> Option<proto::EventFilter> {
    Some(event_filter(vec![vec![(false, predicate)]]))
}

fn sender(a: impl ToString) -> proto::SenderFilter {
    let mut f = proto::SenderFilter::default();
    f.address = Some(a.to_string());
    f
}

fn move_call(s: &str) -> TxPredicate {
    let mut f = proto::MoveCallFilter::default();
    f.function = Some(s.into());
    TxPredicate::MoveCall(f)
}

fn affected_address(a: impl ToString) -> TxPredicate {
    let mut f = proto::AffectedAddressFilter::default();
    f.address = Some(a.to_string());
    TxPredicate::AffectedAddress(f)
}

fn affected_object(a: impl ToString) -> TxPredicate {
    let mut f = proto::AffectedObjectFilter::default();
    f.object_id = Some(a.to_string());
    TxPredicate::AffectedObject(f)
}

fn emit_module(s: &str) -> proto::EmitModuleFilter {
    let mut f = proto::EmitModuleFilter::default();
    f.module = Some(s.into());
    f
}

fn event_type(s: &str) -> proto::EventTypeFilter {
    let mut f = proto::EventTypeFilter::default();
    f.event_type = Some(s.into());
    f
}

// === tests ===

#[tokio::test]
async fn transactions_in_both_orders_over_ranges_with_the_read_mask() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    let s = scenario(&mut l);
    let ledger = l.transactions();
    let all: Vec<Digest> = ledger.iter().map(|(_, _, d)| *d).collect();
    assert_eq!(all.len(), 11, "genesis, 4 + 3 + 1 + 2 transactions");
    let mask = Some("digest,checkpoint,transaction_index");

    // Ascending, to the tip.
    let asc = list_transactions(&mut l.client, &Q::default(), None, mask)
        .await
        .expect("list");
    assert_eq!(digests(&asc), all);
    let positions: Vec<(u64, u64)> = asc.items.iter().map(|(_, t)| position(t)).collect();
    assert_eq!(
        positions,
        ledger.iter().map(|(c, i, _)| (*c, *i)).collect::<Vec<_>>()
    );
    assert_eq!(asc.end, QueryEndReason::LedgerTip);
    assert_eq!(asc.covered, Some(4));

    // Descending: the same, reversed; it ends at the start of the range.
    let q = Q {
        descending: true,
        ..Q::default()
    };
    let desc = list_transactions(&mut l.client, &q, None, mask)
        .await
        .expect("list");
    assert_eq!(
        digests(&desc),
        all.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(desc.end, QueryEndReason::CheckpointBound);
    assert_eq!(desc.covered, Some(0));

    // A checkpoint range [1, 3), both ways.
    let in_range: Vec<Digest> = ledger
        .iter()
        .filter(|(c, _, _)| (1..3).contains(c))
        .map(|(_, _, d)| *d)
        .collect();
    assert_eq!(in_range.len(), 7);
    for descending in [false, true] {
        let q = Q {
            start: Some(1),
            end: Some(3),
            descending,
            ..Q::default()
        };
        let page = list_transactions(&mut l.client, &q, None, mask)
            .await
            .expect("list");
        let mut expected = in_range.clone();
        if descending {
            expected.reverse();
        }
        assert_eq!(digests(&page), expected);
        assert_eq!(page.end, QueryEndReason::CheckpointBound);
        assert_eq!(page.covered, Some(if descending { 1 } else { 2 }));
    }
    // An empty range, and one beyond the tip.
    let empty = Q {
        start: Some(2),
        end: Some(2),
        ..Q::default()
    };
    let page = list_transactions(&mut l.client, &empty, None, mask)
        .await
        .expect("list");
    assert!(page.items.is_empty());
    assert_eq!(page.end, QueryEndReason::CheckpointBound);
    for descending in [false, true] {
        let beyond = Q {
            start: Some(9),
            descending,
            ..Q::default()
        };
        let page = list_transactions(&mut l.client, &beyond, None, mask)
            .await
            .expect("list");
        assert!(page.items.is_empty());
        assert_eq!(page.end, QueryEndReason::LedgerTip);
    }

    // The default mask is `digest`; `*` renders exactly what GetTransaction renders.
    let page = list_transactions(&mut l.client, &Q::default(), None, None)
        .await
        .expect("list");
    let (_, first) = &page.items[0];
    assert!(first.digest.is_some() && first.effects.is_none() && first.checkpoint.is_none());
    let page = list_transactions(&mut l.client, &Q::default(), None, Some("*"))
        .await
        .expect("list");
    for (_, listed) in &page.items {
        let mut request = proto::GetTransactionRequest::default();
        request.digest = listed.digest.clone();
        request.read_mask = Some(FieldMask::from_str("*"));
        let got = l
            .client
            .ledger_client()
            .get_transaction(request)
            .await
            .expect("get")
            .into_inner()
            .transaction
            .expect("transaction");
        assert_eq!(*listed, got);
        assert!(listed.transaction_index.is_some() && listed.objects.is_some());
    }
    let account_1 = l.addr(1);
    let page = list_transactions(
        &mut l.client,
        &Q::default(),
        one(TxPredicate::Sender(sender(account_1))),
        Some("effects.status,events"),
    )
    .await
    .expect("list");
    let (_, relay) = &page.items[1];
    assert!(relay.digest.is_none() && relay.transaction.is_none());
    assert_eq!(
        relay
            .effects
            .as_ref()
            .and_then(|e| e.status.as_ref())
            .and_then(|s| s.success),
        Some(true)
    );
    assert_eq!(relay.events.as_ref().map(|e| e.events.len()), Some(1));
    assert!(page.items.iter().all(|(_, t)| t.digest.is_none()));
    // The relay call's events, as GetTransaction renders them.
    assert_eq!(
        relay
            .events
            .as_ref()
            .map(|e| e.events[0].event_type().to_owned()),
        Some(pinged(TypeTag::U8).to_string())
    );
    assert!(l.node.transaction(&s.relay).is_some());
    l.stop();
}

#[tokio::test]
async fn pagination_by_cursor_has_no_gaps_or_duplicates() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    scenario(&mut l);
    let all: Vec<Digest> = l.transactions().iter().map(|(_, _, d)| *d).collect();
    let tip = l.tip();
    let mask = Some("digest");
    for descending in [false, true] {
        for limit in [1, 2, 3, 4, 11, 12] {
            let mut q = Q {
                limit: Some(limit),
                end: Some(tip + 1),
                descending,
                ..Q::default()
            };
            let mut seen = Vec::new();
            let mut pages = 0;
            loop {
                let page = list_transactions(&mut l.client, &q, None, mask)
                    .await
                    .expect("list");
                pages += 1;
                assert!(page.items.len() <= limit as usize);
                seen.extend(digests(&page));
                if page.end != QueryEndReason::ItemLimit {
                    assert_eq!(page.end, QueryEndReason::CheckpointBound);
                    break;
                }
                // Resume from the last cursor: `after` ascending, `before` descending.
                if descending {
                    q.before = Some(page.cursor);
                } else {
                    q.after = Some(page.cursor);
                }
            }
            let mut expected = all.clone();
            if descending {
                expected.reverse();
            }
            assert_eq!(seen, expected, "limit {limit}, descending {descending}");
            // A page that ends exactly at the last item needs no extra request.
            assert_eq!(
                pages,
                all.len().div_ceil(limit as usize).max(1),
                "limit {limit}"
            );
        }
    }

    // Cursors are ledger positions: `after` and `before` bound the interval in both orders
    // (the example of the QueryOptions docs: descending, resumed by moving `before`).
    let page = list_transactions(&mut l.client, &Q::default(), None, mask)
        .await
        .expect("list");
    let cursors: Vec<Bytes> = page.items.iter().map(|(c, _)| c.clone()).collect();
    let (a, b) = (cursors[1].clone(), cursors[8].clone());
    let between: Vec<Digest> = all[2..8].to_vec();
    let mut q = Q {
        after: Some(a.clone()),
        before: Some(b.clone()),
        limit: Some(4),
        descending: true,
        ..Q::default()
    };
    let first = list_transactions(&mut l.client, &q, None, mask)
        .await
        .expect("list");
    assert_eq!(first.end, QueryEndReason::ItemLimit);
    q.before = Some(first.cursor.clone());
    let second = list_transactions(&mut l.client, &q, None, mask)
        .await
        .expect("list");
    assert_eq!(second.end, QueryEndReason::CursorBound);
    let mut got = digests(&first);
    got.extend(digests(&second));
    got.reverse();
    assert_eq!(got, between);
    let q = Q {
        after: Some(a),
        before: Some(b),
        ..Q::default()
    };
    let asc = list_transactions(&mut l.client, &q, None, mask)
        .await
        .expect("list");
    assert_eq!(digests(&asc), between);
    assert_eq!(asc.end, QueryEndReason::CursorBound);

    // The client's own pagination (it follows ITEM_LIMIT and checks every watermark).
    let mut request = proto::ListTransactionsRequest::default();
    request.read_mask = Some(FieldMask::from_str("digest,checkpoint,transaction_index"));
    request.end_checkpoint = Some(tip + 1);
    let mut options = proto::QueryOptions::default();
    options.limit = Some(3);
    request.options = Some(options);
    let listed: Vec<Digest> = l
        .client
        .list_transactions(request)
        .filter_map(|r| async move {
            r.expect("frame")
                .transaction
                .map(|t| t.digest().parse::<Digest>().expect("digest"))
        })
        .collect()
        .await;
    assert_eq!(listed, all);
    l.stop();
}

#[tokio::test]
async fn transaction_filters() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    let s = scenario(&mut l);
    let (a0, a1) = (l.addr(0), l.addr(1));
    let genesis = l.transactions()[0].2;
    let user = |d: &[Digest]| d.to_vec();
    let cases: Vec<(&str, Option<proto::TransactionFilter>, Vec<Digest>)> = vec![
        (
            "sender 0",
            one(TxPredicate::Sender(sender(a0))),
            user(&[s.ping_u64, s.ring, s.ping_bool, s.transfer_to_1]),
        ),
        (
            "sender 1 (short address form)",
            one(TxPredicate::Sender(sender(a1))),
            user(&[s.transfer_to_0, s.relay]),
        ),
        (
            "affected address 1: its genesis coins, its gas, and the coin it received",
            one(affected_address(a1)),
            user(&[genesis, s.transfer_to_0, s.relay, s.transfer_to_1]),
        ),
        (
            "affected object: the coin account 0 received",
            one(affected_object(s.received_coin)),
            user(&[s.transfer_to_0]),
        ),
        (
            "move call: package",
            one(move_call("0xcafe")),
            user(&[s.ping_u64, s.ring, s.relay, s.ping_bool]),
        ),
        (
            "move call: module",
            one(move_call("0xcafe::beacon")),
            user(&[s.ping_u64, s.ring, s.ping_bool]),
        ),
        (
            "move call: function",
            one(move_call(
                "0x000000000000000000000000000000000000000000000000000000000000cafe::beacon::ping",
            )),
            user(&[s.ping_u64, s.ping_bool]),
        ),
        (
            "move call: another module's function",
            one(move_call("0xcafe::relay::ping")),
            user(&[s.relay]),
        ),
        (
            "emit module",
            one(TxPredicate::EmitModule(emit_module("0xcafe::relay"))),
            user(&[s.relay]),
        ),
        (
            "event type: any instantiation",
            one(TxPredicate::EventType(event_type("0xcafe::beacon::Pinged"))),
            user(&[s.ping_u64, s.relay, s.ping_bool]),
        ),
        (
            "event type: one instantiation",
            one(TxPredicate::EventType(event_type(
                "0xcafe::beacon::Pinged<bool>",
            ))),
            user(&[s.ping_bool]),
        ),
        (
            "event type: module",
            one(TxPredicate::EventType(event_type("0xcafe::beacon"))),
            user(&[s.ping_u64, s.ring, s.relay, s.ping_bool]),
        ),
        (
            "event type: a module that defines none",
            one(TxPredicate::EventType(event_type("0xcafe::relay"))),
            vec![],
        ),
        (
            "sender 0 and not a beacon call",
            Some(tx_filter(vec![vec![
                (false, TxPredicate::Sender(sender(a0))),
                (true, move_call("0xcafe::beacon")),
            ]])),
            user(&[s.transfer_to_1]),
        ),
        (
            "sender 1 or a Ponged event",
            Some(tx_filter(vec![
                vec![(false, TxPredicate::Sender(sender(a1)))],
                vec![(
                    false,
                    TxPredicate::EventType(event_type("0xcafe::beacon::Ponged")),
                )],
            ])),
            user(&[s.transfer_to_0, s.ring, s.relay]),
        ),
    ];
    for (name, filter, expected) in cases {
        for descending in [false, true] {
            let q = Q {
                descending,
                ..Q::default()
            };
            let page = list_transactions(&mut l.client, &q, filter.clone(), None)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut expected = expected.clone();
            if descending {
                expected.reverse();
            }
            assert_eq!(digests(&page), expected, "{name}");
        }
    }

    // Every transaction not sent by the system: a negated literal on its own.
    let page = list_transactions(
        &mut l.client,
        &Q::default(),
        Some(tx_filter(vec![vec![(
            true,
            TxPredicate::Sender(sender(Address::ZERO)),
        )]])),
        None,
    )
    .await
    .expect("list");
    let from_system: BTreeSet<Digest> = l
        .transactions()
        .iter()
        .filter(|(_, _, d)| l.node.transaction(d).expect("tx").transaction.sender == Address::ZERO)
        .map(|(_, _, d)| *d)
        .collect();
    assert_eq!(page.items.len(), 11 - from_system.len());
    assert!(digests(&page).iter().all(|d| !from_system.contains(d)));

    // Package writes: what the ledger's effects say.
    let writes: Vec<Digest> = l
        .transactions()
        .iter()
        .filter(|(_, _, d)| {
            let tx = l.node.transaction(d).expect("tx");
            let sui_sdk_types::TransactionEffects::V2(e) = &tx.effects else {
                return false;
            };
            e.changed_objects.iter().any(|c| {
                matches!(
                    c.output_state,
                    sui_sdk_types::ObjectOut::PackageWrite { .. }
                )
            })
        })
        .map(|(_, _, d)| *d)
        .collect();
    let page = list_transactions(
        &mut l.client,
        &Q::default(),
        one(TxPredicate::PackageWrite(
            proto::PackageWriteFilter::default(),
        )),
        None,
    )
    .await
    .expect("list");
    assert_eq!(digests(&page), writes);

    // ListCheckpoints takes the same filter: the checkpoints holding a matching transaction.
    for descending in [false, true] {
        let q = Q {
            descending,
            ..Q::default()
        };
        let page = list_checkpoints(&mut l.client, &q, one(TxPredicate::Sender(sender(a1))))
            .await
            .expect("list");
        let seqs: Vec<u64> = page
            .items
            .iter()
            .map(|(_, c)| c.sequence_number())
            .collect();
        assert_eq!(seqs, if descending { vec![2, 1] } else { vec![1, 2] });
    }
    l.stop();
}

#[tokio::test]
async fn malformed_and_unsupported_requests_are_refused() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    scenario(&mut l);
    let q = Q::default();
    let code =
        |r: Result<Page<proto::ExecutedTransaction>, tonic::Status>| r.expect_err("refused").code();
    // Filters.
    for (filter, expected) in [
        (tx_filter(vec![]), Code::InvalidArgument),
        (
            tx_filter(vec![vec![(false, TxPredicate::Sender(sender("0xnothex")))]]),
            Code::InvalidArgument,
        ),
        (
            tx_filter(vec![vec![(
                false,
                TxPredicate::Sender(proto::SenderFilter::default()),
            )]]),
            Code::InvalidArgument,
        ),
        (
            tx_filter(vec![vec![(
                false,
                move_call("0xcafe::beacon::ping::extra"),
            )]]),
            Code::InvalidArgument,
        ),
        (
            tx_filter(vec![vec![(
                false,
                TxPredicate::EventType(event_type("0xcafe::beacon::Pinged<")),
            )]]),
            Code::InvalidArgument,
        ),
        (
            tx_filter(vec![vec![(false, {
                let mut f = proto::EventStreamHeadFilter::default();
                f.stream_id = Some("0x1".into());
                TxPredicate::EventStreamHead(f)
            })]]),
            Code::Unimplemented,
        ),
    ] {
        let status = list_transactions(&mut l.client, &q, Some(filter.clone()), None)
            .await
            .expect_err("refused");
        assert_eq!(status.code(), expected, "{filter:?}: {status:?}");
        assert!(status.message().contains("filter"), "{status:?}");
    }
    let mut literal_only = tx_filter(vec![vec![(false, move_call("0xcafe"))]]);
    literal_only.terms[0].literals[0].predicate = None;
    assert_eq!(
        code(list_transactions(&mut l.client, &q, Some(literal_only), None).await),
        Code::InvalidArgument
    );
    let status = list_events(
        &mut l.client,
        &q,
        one_event(EventPredicate::EventStreamHead(
            proto::EventStreamHeadFilter::default(),
        )),
        None,
    )
    .await
    .expect_err("refused");
    assert_eq!(status.code(), Code::Unimplemented);

    // Cursors: garbage, and another list's cursor.
    let garbage = Q {
        after: Some(Bytes::from_static(b"nonsense")),
        ..Q::default()
    };
    assert_eq!(
        code(list_transactions(&mut l.client, &garbage, None, None).await),
        Code::InvalidArgument
    );
    let events = list_events(&mut l.client, &Q::default(), None, None)
        .await
        .expect("list");
    let foreign = Q {
        before: Some(events.items[0].0.clone()),
        descending: true,
        ..Q::default()
    };
    assert_eq!(
        code(list_transactions(&mut l.client, &foreign, None, None).await),
        Code::InvalidArgument
    );
    // Read masks and orderings.
    assert_eq!(
        code(list_transactions(&mut l.client, &q, None, Some("no_such_field")).await),
        Code::InvalidArgument
    );
    let mut request = proto::ListTransactionsRequest::default();
    let mut options = proto::QueryOptions::default();
    options.ordering = Some(7);
    request.options = Some(options);
    let status = l
        .client
        .ledger_client()
        .list_transactions(request)
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    l.stop();
}

#[tokio::test]
async fn events_with_their_positions_filters_and_pages() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    let s = scenario(&mut l);
    let ledger = l.events();
    assert_eq!(ledger.len(), 5);
    let mask = Some(
        "event_type,package_id,module,sender,contents,checkpoint,transaction_digest,transaction_index,event_index",
    );
    let page = list_events(&mut l.client, &Q::default(), None, mask)
        .await
        .expect("list");
    assert_eq!(page.end, QueryEndReason::LedgerTip);
    let listed: Vec<(u64, u64, u32, String)> = page
        .items
        .iter()
        .map(|(_, e)| {
            (
                e.checkpoint(),
                e.transaction_index(),
                e.event_index(),
                e.event_type().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, ledger);
    // The two events of `ring`: one transaction, indexes 0 and 1, their own contents.
    let ring: Vec<&proto::Event> = page
        .items
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.transaction_digest() == s.ring.to_string())
        .collect();
    assert_eq!(ring.len(), 2);
    assert_eq!(
        ring.iter()
            .map(|e| (
                e.event_index(),
                e.contents.as_ref().and_then(|c| c.value.clone())
            ))
            .collect::<Vec<_>>(),
        vec![
            (0, Some(Bytes::from(10u64.to_le_bytes().to_vec()))),
            (1, Some(Bytes::from(11u64.to_le_bytes().to_vec())))
        ]
    );
    assert_eq!(ring[0].module(), "beacon");
    assert_eq!(ring[0].sender(), l.addr(0).to_string());
    // The default mask is `event_type`.
    let page = list_events(&mut l.client, &Q::default(), None, None)
        .await
        .expect("list");
    let (_, first) = &page.items[0];
    assert!(first.event_type.is_some() && first.checkpoint.is_none() && first.contents.is_none());

    let pinged_u8 = pinged(TypeTag::U8).to_string();
    let cases: Vec<(&str, Option<proto::EventFilter>, Vec<String>)> = vec![
        (
            "type: any instantiation",
            one_event(EventPredicate::EventType(event_type(
                "0xcafe::beacon::Pinged",
            ))),
            vec![
                pinged(TypeTag::U64).to_string(),
                pinged_u8.clone(),
                pinged(TypeTag::Bool).to_string(),
            ],
        ),
        (
            "type: exact instantiation",
            one_event(EventPredicate::EventType(event_type(
                "0xcafe::beacon::Pinged<u8>",
            ))),
            vec![pinged_u8.clone()],
        ),
        (
            "type: module",
            one_event(EventPredicate::EventType(event_type("0xcafe::beacon"))),
            ledger.iter().map(|e| e.3.clone()).collect(),
        ),
        (
            "type: address",
            one_event(EventPredicate::EventType(event_type("0xcafe"))),
            ledger.iter().map(|e| e.3.clone()).collect(),
        ),
        (
            "emitted by relay, whatever the type's module",
            one_event(EventPredicate::EmitModule(emit_module("0xcafe::relay"))),
            vec![pinged_u8.clone()],
        ),
        (
            "sender 1",
            one_event(EventPredicate::Sender(sender(l.addr(1)))),
            vec![pinged_u8.clone()],
        ),
        (
            "Pinged but not emitted by beacon",
            Some(event_filter(vec![vec![
                (
                    false,
                    EventPredicate::EventType(event_type("0xcafe::beacon::Pinged")),
                ),
                (
                    true,
                    EventPredicate::EmitModule(emit_module("0xcafe::beacon")),
                ),
            ]])),
            vec![pinged_u8.clone()],
        ),
        (
            "Ponged or sender 1",
            Some(event_filter(vec![
                vec![(
                    false,
                    EventPredicate::EventType(event_type("0xcafe::beacon::Ponged")),
                )],
                vec![(false, EventPredicate::Sender(sender(l.addr(1))))],
            ])),
            vec![
                ponged().to_string(),
                ponged().to_string(),
                pinged_u8.clone(),
            ],
        ),
    ];
    for (name, filter, expected) in cases {
        let page = list_events(&mut l.client, &Q::default(), filter, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let types: Vec<String> = page
            .items
            .iter()
            .map(|(_, e)| e.event_type().to_owned())
            .collect();
        assert_eq!(types, expected, "{name}");
    }

    // Pages of one event, both ways, by hand and with the client.
    for descending in [false, true] {
        let mut q = Q {
            limit: Some(1),
            descending,
            end: Some(l.tip() + 1),
            ..Q::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = list_events(&mut l.client, &q, None, mask)
                .await
                .expect("list");
            seen.extend(page.items.iter().map(|(_, e)| {
                (
                    e.checkpoint(),
                    e.transaction_index(),
                    e.event_index(),
                    e.event_type().to_owned(),
                )
            }));
            if page.end != QueryEndReason::ItemLimit {
                break;
            }
            if descending {
                q.before = Some(page.cursor);
            } else {
                q.after = Some(page.cursor);
            }
        }
        let mut expected = ledger.clone();
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected);
    }
    let mut request = proto::ListEventsRequest::default();
    request.read_mask = Some(FieldMask::from_str(
        "event_type,checkpoint,transaction_index,event_index",
    ));
    let mut options = proto::QueryOptions::default();
    options.limit = Some(2);
    request.options = Some(options);
    let listed: Vec<String> = l
        .client
        .list_events(request)
        .filter_map(|r| async move { r.expect("frame").event.map(|e| e.event_type().to_owned()) })
        .collect()
        .await;
    assert_eq!(
        listed,
        ledger.iter().map(|e| e.3.clone()).collect::<Vec<_>>()
    );
    l.stop();
}

#[tokio::test]
async fn the_scan_budget_ends_a_request_with_scan_limit_and_a_cursor_to_resume() {
    let mut l = Ledger::open(2).await;
    let s = scenario(&mut l);
    // From checkpoint 1 on, only checkpoint 4 holds a match (account 1 receives a coin it did
    // not send itself): requests read two checkpoints each.
    let only_last = Some(tx_filter(vec![vec![
        (false, affected_address(l.addr(1))),
        (true, TxPredicate::Sender(sender(l.addr(1)))),
    ]]));
    let mut q = Q {
        start: Some(1),
        ..Q::default()
    };
    let mut ends = Vec::new();
    let mut found = Vec::new();
    loop {
        let page = list_transactions(&mut l.client, &q, only_last.clone(), None)
            .await
            .expect("list");
        found.extend(digests(&page));
        ends.push((page.end, page.covered));
        if page.end != QueryEndReason::ScanLimit {
            break;
        }
        assert!(page.items.is_empty());
        q.after = Some(page.cursor);
    }
    // Checkpoints 1-2 (nothing), then 3-4, the match and the tip.
    assert_eq!(
        ends,
        vec![
            (QueryEndReason::ScanLimit, Some(2)),
            (QueryEndReason::LedgerTip, Some(4)),
        ]
    );
    assert_eq!(found, vec![s.transfer_to_1]);

    // Descending, the frontier moves down.
    let q = Q {
        descending: true,
        ..Q::default()
    };
    let page = list_transactions(
        &mut l.client,
        &q,
        one(move_call("0x2::no_such::call")),
        None,
    )
    .await
    .expect("list");
    assert_eq!(
        (page.end, page.covered),
        (QueryEndReason::ScanLimit, Some(3))
    );
    let q = Q {
        before: Some(page.cursor),
        descending: true,
        ..Q::default()
    };
    let page = list_transactions(
        &mut l.client,
        &q,
        one(move_call("0x2::no_such::call")),
        None,
    )
    .await
    .expect("list");
    assert_eq!(
        (page.end, page.covered),
        (QueryEndReason::ScanLimit, Some(1))
    );

    // The client follows SCAN_LIMIT on its own.
    let mut request = proto::ListTransactionsRequest::default();
    request.read_mask = Some(FieldMask::from_str("digest"));
    request.start_checkpoint = Some(1);
    request.filter = only_last.clone();
    let listed: Vec<Digest> = l
        .client
        .list_transactions(request)
        .filter_map(|r| async move {
            r.expect("frame")
                .transaction
                .map(|t| t.digest().parse::<Digest>().expect("digest"))
        })
        .collect()
        .await;
    assert_eq!(listed, vec![s.transfer_to_1]);
    // ListCheckpoints, filtered, too.
    let mut request = proto::ListCheckpointsRequest::default();
    request.read_mask = Some(FieldMask::from_str("sequence_number"));
    request.start_checkpoint = Some(1);
    request.filter = only_last;
    let listed: Vec<u64> = l
        .client
        .list_checkpoints(request)
        .filter_map(|r| async move { r.expect("frame").checkpoint.map(|c| c.sequence_number()) })
        .collect()
        .await;
    assert_eq!(listed, vec![4]);
    // Unfiltered, every checkpoint read holds items: the budget bounds the work, not the page.
    let page = list_transactions(&mut l.client, &Q::default(), None, None)
        .await
        .expect("list");
    assert_eq!(page.end, QueryEndReason::ScanLimit);
    assert_eq!(page.items.len(), 5, "checkpoints 0 and 1");
    l.stop();
}

#[tokio::test]
async fn checkpoints_page_both_ways() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    scenario(&mut l);
    for descending in [false, true] {
        let mut q = Q {
            limit: Some(2),
            descending,
            ..Q::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = list_checkpoints(&mut l.client, &q, None)
                .await
                .expect("list");
            seen.extend(page.items.iter().map(|(_, c)| c.sequence_number()));
            if page.end != QueryEndReason::ItemLimit {
                assert_eq!(
                    page.end,
                    if descending {
                        QueryEndReason::CheckpointBound
                    } else {
                        QueryEndReason::LedgerTip
                    }
                );
                break;
            }
            if descending {
                q.before = Some(page.cursor);
            } else {
                q.after = Some(page.cursor);
            }
        }
        let expected: Vec<u64> = if descending {
            (0..=4).rev().collect()
        } else {
            (0..=4).collect()
        };
        assert_eq!(seen, expected);
    }
    l.stop();
}

#[tokio::test]
async fn subscriptions_deliver_new_transactions_and_events_with_list_cursors() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    scenario(&mut l);
    let tip = l.tip();

    let mut request = proto::SubscribeTransactionsRequest::default();
    request.read_mask = Some(FieldMask::from_str("digest,checkpoint,transaction_index"));
    request.filter = one(TxPredicate::Sender(sender(l.addr(0))));
    let mut txs = l
        .client
        .subscription_client()
        .subscribe_transactions(request)
        .await
        .expect("subscribe")
        .into_inner();
    let mut request = proto::SubscribeEventsRequest::default();
    request.read_mask = Some(FieldMask::from_str(
        "event_type,checkpoint,transaction_index,event_index",
    ));
    let mut events = l
        .client
        .subscription_client()
        .subscribe_events(request)
        .await
        .expect("subscribe")
        .into_inner();

    // The first frame marks the start: the tip, covered, and nothing else.
    let first = txs.next().await.expect("frame").expect("frame");
    assert!(first.transaction.is_none());
    let start = first.watermark.expect("watermark");
    assert_eq!(start.checkpoint, Some(tip));
    let first_event = events.next().await.expect("frame").expect("frame");
    assert!(first_event.event.is_none());

    // A checkpoint without a match is a progress frame; matches come in ledger order.
    assert_eq!(l.seal(), tip + 1);
    let ping = l.exec(0, call("beacon", "ping", vec![TypeTag::U64], 3));
    l.exec(1, transfer_ptb(5, l.addr(0)));
    let ring = l.exec(0, call("beacon", "ring", vec![], 20));
    assert_eq!(l.seal(), tip + 2);

    let progress = txs.next().await.expect("frame").expect("frame");
    assert!(progress.transaction.is_none());
    assert_eq!(
        progress.watermark.as_ref().and_then(|w| w.checkpoint),
        Some(tip + 1)
    );
    let mut got = Vec::new();
    let mut live_cursors = Vec::new();
    for _ in 0..2 {
        let frame = txs.next().await.expect("frame").expect("frame");
        let tx = frame.transaction.expect("a transaction");
        got.push((
            position(&tx),
            tx.digest().parse::<Digest>().expect("digest"),
        ));
        live_cursors.push(frame.watermark.expect("watermark"));
    }
    assert_eq!(
        got,
        vec![
            ((tip + 2, 0), ping.transaction.digest()),
            ((tip + 2, 2), ring.transaction.digest())
        ]
    );
    assert_eq!(live_cursors[0].checkpoint, Some(tip + 1));
    assert_eq!(
        live_cursors[1].checkpoint,
        Some(tip + 2),
        "the checkpoint's last match"
    );

    let progress = events.next().await.expect("frame").expect("frame");
    assert!(progress.event.is_none());
    let mut types = Vec::new();
    for _ in 0..3 {
        let frame = events.next().await.expect("frame").expect("frame");
        let e = frame.event.expect("an event");
        types.push((
            e.transaction_index(),
            e.event_index(),
            e.event_type().to_owned(),
        ));
    }
    assert_eq!(
        types,
        vec![
            (0, 0, pinged(TypeTag::U64).to_string()),
            (2, 0, ponged().to_string()),
            (2, 1, ponged().to_string())
        ]
    );

    // Subscription cursors are list cursors: the interval from the start frame to the first
    // live item holds nothing; after the first item comes the second.
    let q = Q {
        after: start.cursor.clone(),
        before: live_cursors[0].cursor.clone(),
        ..Q::default()
    };
    let filter = one(TxPredicate::Sender(sender(l.addr(0))));
    let page = list_transactions(&mut l.client, &q, filter.clone(), None)
        .await
        .expect("list");
    assert!(page.items.is_empty());
    assert_eq!(page.end, QueryEndReason::CursorBound);
    let q = Q {
        after: live_cursors[0].cursor.clone(),
        ..Q::default()
    };
    let page = list_transactions(&mut l.client, &q, filter, None)
        .await
        .expect("list");
    assert_eq!(digests(&page), vec![ring.transaction.digest()]);
    l.stop();
}

#[tokio::test]
async fn the_clients_resumable_streams_replay_then_follow() {
    let mut l = Ledger::open(haulout_localnet::DEFAULT_LIST_SCAN_BUDGET).await;
    let s = scenario(&mut l);
    let request = sui_rpc::client::TransactionStreamRequest::new()
        .with_read_mask(FieldMask::from_str("digest,checkpoint,transaction_index"))
        .with_filter(tx_filter(vec![vec![(
            false,
            TxPredicate::Sender(sender(l.addr(0))),
        )]]))
        .with_start(sui_rpc::client::TransactionStreamStart::Checkpoint(2));
    let mut stream = Box::pin(l.client.stream_transactions(request));
    let request = sui_rpc::client::EventStreamRequest::new()
        .with_read_mask(FieldMask::from_str(
            "event_type,checkpoint,transaction_index,event_index",
        ))
        .with_filter(event_filter(vec![vec![(
            false,
            EventPredicate::EventType(event_type("0xcafe::beacon::Ponged")),
        )]]))
        .with_start(sui_rpc::client::EventStreamStart::Checkpoint(0));
    let mut event_stream = Box::pin(l.client.stream_events(request));

    // Replayed from the ledger: account 0's transactions from checkpoint 2 on.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let frame = stream.next().await.expect("frame").expect("frame");
        if let Some(tx) = frame.transaction {
            seen.push(tx.digest().parse::<Digest>().expect("digest"));
        }
    }
    assert_eq!(seen, vec![s.ping_bool, s.transfer_to_1]);
    let mut ponged_seen = 0;
    while ponged_seen < 2 {
        let frame = event_stream.next().await.expect("frame").expect("frame");
        if frame.event.is_some() {
            ponged_seen += 1;
        }
    }

    // Then live: new transactions, whichever way the client joins replay and subscription.
    let mut expected = Vec::new();
    for round in 0..3 {
        expected.push(
            l.exec(0, call("beacon", "ring", vec![], round))
                .transaction
                .digest(),
        );
        l.exec(1, call("beacon", "ring", vec![], round));
        l.seal();
    }
    let mut live = Vec::new();
    while live.len() < expected.len() {
        let frame = stream.next().await.expect("frame").expect("frame");
        if let Some(tx) = frame.transaction {
            live.push(tx.digest().parse::<Digest>().expect("digest"));
        }
    }
    assert_eq!(live, expected);
    let mut live_events = 0;
    while live_events < 12 {
        let frame = event_stream.next().await.expect("frame").expect("frame");
        if let Some(event) = frame.event {
            assert_eq!(event.event_type(), ponged().to_string());
            live_events += 1;
        }
    }
    l.stop();
}

#[tokio::test]
async fn walrus_keeper_events_by_type() {
    use haulout_types::MoveStruct as _;
    let w = support::walrus::W::with(haulout_localnet::walrus::WalrusArgs {
        nodes: 4,
        n_shards: 8,
        ..Default::default()
    });
    // A real epoch change: the keeper's `voting_end` and `initiate_epoch_change`, then every
    // node's `epoch_sync_done`.
    assert_eq!(w.advance_epoch(), 2);
    // The nodes' `epoch_sync_done` transactions, into a checkpoint.
    let now = w.node.latest_checkpoint().summary.timestamp_ms;
    w.node.seal_checkpoint(now + 1).expect("seal");
    let packages = support::walrus::packages();
    let mut l = Ledger::serve(
        tempfile::tempdir().expect("tempdir"),
        w.node.clone(),
        w.keys.clone(),
        1_000,
    )
    .await;
    let all = l.events();
    let mask = Some("event_type,checkpoint,transaction_index,event_index");
    let positions = |page: &Page<proto::Event>| -> Vec<(u64, u64, u32, String)> {
        page.items
            .iter()
            .map(|(_, e)| {
                (
                    e.checkpoint(),
                    e.transaction_index(),
                    e.event_index(),
                    e.event_type().to_owned(),
                )
            })
            .collect()
    };
    for type_tag in [
        haulout_types::EpochParametersSelected::struct_tag(&packages),
        haulout_types::EpochChangeStart::struct_tag(&packages),
        haulout_types::ShardsReceived::struct_tag(&packages),
        haulout_types::EpochChangeDone::struct_tag(&packages),
    ] {
        let expected: Vec<(u64, u64, u32, String)> = all
            .iter()
            .filter(|e| e.3 == type_tag.to_string())
            .cloned()
            .collect();
        assert!(!expected.is_empty(), "{type_tag}");
        let page = list_events(
            &mut l.client,
            &Q::default(),
            one_event(EventPredicate::EventType(event_type(&type_tag.to_string()))),
            mask,
        )
        .await
        .expect("list");
        assert_eq!(positions(&page), expected, "{type_tag}");
    }
    // Every Walrus event, by the package that defines the types.
    let walrus = haulout_localnet::walrus::walrus_package();
    let page = list_events(
        &mut l.client,
        &Q::default(),
        one_event(EventPredicate::EventType(event_type(&format!(
            "{walrus}::events"
        )))),
        mask,
    )
    .await
    .expect("list");
    let expected: Vec<_> = all
        .iter()
        .filter(|e| e.3.starts_with(&format!("{walrus}::events::")))
        .cloned()
        .collect();
    assert!(expected.len() >= 4);
    assert_eq!(positions(&page), expected);

    // The epoch change's transaction, by the event it emitted, with its events decoded.
    let start = haulout_types::EpochChangeStart::struct_tag(&packages);
    let page = list_transactions(
        &mut l.client,
        &Q::default(),
        one(TxPredicate::EventType(event_type(&start.to_string()))),
        Some("digest,events"),
    )
    .await
    .expect("list");
    assert_eq!(page.items.len(), 1);
    let (_, tx) = &page.items[0];
    let decoded: Vec<haulout_types::EpochChangeStart> = tx
        .events
        .as_ref()
        .expect("events")
        .events
        .iter()
        .filter(|e| e.event_type() == start.to_string())
        .map(|e| {
            let bytes = e.contents.as_ref().and_then(|c| c.value.as_deref());
            bcs::from_bytes(bytes.expect("contents")).expect("decode")
        })
        .collect();
    assert_eq!(decoded.len(), 1);
    assert_eq!(decoded[0].epoch, 2);
    l.stop();
}

/// At most `max_subscriptions` streams are open at once, whichever service they belong to;
/// one more is refused with RESOURCE_EXHAUSTED.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_subscriptions_are_capped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = Node::open(dir.path(), 1, registry()).expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = CancellationToken::new();
    tokio::spawn(haulout_localnet::serve_with(
        node,
        listener,
        shutdown.clone(),
        RpcOptions {
            max_subscriptions: 2,
            ..Default::default()
        },
    ));
    let mut client = Client::new(format!("http://{addr}")).expect("client");
    let checkpoints = client
        .subscription_client()
        .subscribe_checkpoints(proto::SubscribeCheckpointsRequest::default())
        .await
        .expect("first subscription");
    let transactions = client
        .subscription_client()
        .subscribe_transactions(proto::SubscribeTransactionsRequest::default())
        .await
        .expect("second subscription");
    let refused = client
        .subscription_client()
        .subscribe_events(proto::SubscribeEventsRequest::default())
        .await
        .expect_err("a third subscription");
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted, "{refused}");
    drop((checkpoints, transactions));
    shutdown.cancel();
}
