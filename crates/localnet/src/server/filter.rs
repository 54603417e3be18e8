//! `TransactionFilter` and `EventFilter`: disjunctions (terms) of conjunctions (literals) of
//! possibly negated predicates, checked and parsed once per request, then evaluated against the
//! chain's records while a list or a subscription scans the ledger.
//!
//! Supported predicates: `sender`, `affected_address`, `affected_object`, `move_call`,
//! `emit_module`, `event_type` and `package_write` on transactions; `sender`, `emit_module` and
//! `event_type` on events. `event_stream_head` is `UNIMPLEMENTED` (the chain has no
//! authenticated event streams); a malformed value is `INVALID_ARGUMENT`.

use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Command;
use sui_sdk_types::Event;
use sui_sdk_types::Identifier;
use sui_sdk_types::ObjectIn;
use sui_sdk_types::ObjectOut;
use sui_sdk_types::Owner;
use sui_sdk_types::StructTag;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionKind;
use sui_sdk_types::TypeTag;
use tonic::Status;

use crate::store::ExecutedTx;

/// Most literals a filter may hold, over all its terms: each is evaluated for every candidate
/// the scan reads, so this bounds the work of one request together with the scan budget.
pub(super) const MAX_FILTER_LITERALS: usize = 64;

/// A parsed `TransactionFilter`.
#[derive(Debug)]
pub(super) struct TransactionFilter {
    terms: Vec<Vec<Literal<TxPredicate>>>,
}

/// A parsed `EventFilter`.
#[derive(Debug)]
pub(super) struct EventFilter {
    terms: Vec<Vec<Literal<EventPredicate>>>,
}

#[derive(Debug)]
struct Literal<P> {
    negated: bool,
    predicate: P,
}

#[derive(Debug)]
enum TxPredicate {
    Sender(Address),
    AffectedAddress(Address),
    AffectedObject(Address),
    MoveCall(MovePath),
    EmitModule(ModulePath),
    EventType(TypePattern),
    PackageWrite,
}

#[derive(Debug)]
enum EventPredicate {
    Sender(Address),
    EmitModule(ModulePath),
    EventType(TypePattern),
}

/// `package[::module[::function]]`.
#[derive(Debug)]
struct MovePath {
    package: Address,
    module: Option<Identifier>,
    function: Option<Identifier>,
}

/// `package[::module]`.
#[derive(Debug)]
struct ModulePath {
    package: Address,
    module: Option<Identifier>,
}

/// `address[::module[::Name[<type_params>]]]`: without type parameters a name matches every
/// instantiation.
#[derive(Debug)]
struct TypePattern {
    address: Address,
    module: Option<Identifier>,
    name: Option<Identifier>,
    type_params: Option<Vec<TypeTag>>,
}

/// Checks the shape of `terms` (each a list of `(negated, predicate)` literals) and parses every
/// predicate with `predicate`, which names the literal's field in its errors.
fn parse_terms<'a, M: 'a, P>(
    terms: Vec<Vec<(bool, Option<&'a M>)>>,
    predicate: impl Fn(Option<&'a M>, &str) -> Result<P, Status>,
) -> Result<Vec<Vec<Literal<P>>>, Status> {
    check_shape(terms.iter().map(Vec::len))?;
    terms
        .into_iter()
        .enumerate()
        .map(|(i, term)| {
            term.into_iter()
                .enumerate()
                .map(|(j, (negated, message))| {
                    let field = format!("filter.terms[{i}].literals[{j}]");
                    Ok(Literal {
                        negated,
                        predicate: predicate(message, &field)?,
                    })
                })
                .collect()
        })
        .collect()
}

/// Whether some term of `terms` has all its literals hold, `holds` evaluating a predicate.
fn some_term_holds<P>(terms: &[Vec<Literal<P>>], holds: impl Fn(&P) -> bool) -> bool {
    terms.iter().any(|term| {
        term.iter()
            .all(|literal| holds(&literal.predicate) != literal.negated)
    })
}

impl TransactionFilter {
    /// Checks and parses `filter`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a filter without terms, too many literals, a literal without a
    /// predicate or a malformed value; `UNIMPLEMENTED` for a predicate the chain cannot evaluate.
    pub(super) fn parse(filter: &proto::TransactionFilter) -> Result<Self, Status> {
        let terms = filter
            .terms
            .iter()
            .map(|t| {
                t.literals
                    .iter()
                    .map(|l| (l.negated, l.predicate.as_ref()))
                    .collect()
            })
            .collect();
        Ok(Self {
            terms: parse_terms(terms, tx_predicate)?,
        })
    }

    /// Whether `tx` satisfies the filter: some term whose literals all hold.
    pub(super) fn matches(&self, tx: &ExecutedTx) -> bool {
        some_term_holds(&self.terms, |p| p.matches(tx))
    }
}

impl EventFilter {
    /// Checks and parses `filter`.
    ///
    /// # Errors
    /// As [`TransactionFilter::parse`].
    pub(super) fn parse(filter: &proto::EventFilter) -> Result<Self, Status> {
        let terms = filter
            .terms
            .iter()
            .map(|t| {
                t.literals
                    .iter()
                    .map(|l| (l.negated, l.predicate.as_ref()))
                    .collect()
            })
            .collect();
        Ok(Self {
            terms: parse_terms(terms, event_predicate)?,
        })
    }

    /// Whether `event` satisfies the filter: some term whose literals all hold.
    pub(super) fn matches(&self, event: &Event) -> bool {
        some_term_holds(&self.terms, |p| p.matches(event))
    }
}

/// A present filter needs at least one term (an empty term, the conjunction of nothing,
/// matches everything) and at most [`MAX_FILTER_LITERALS`] literals.
fn check_shape(literals_per_term: impl ExactSizeIterator<Item = usize>) -> Result<(), Status> {
    if literals_per_term.len() == 0 {
        return Err(Status::invalid_argument(
            "filter.terms: a filter needs at least one term (omit the filter to match everything)",
        ));
    }
    let total: usize = literals_per_term.sum();
    if total > MAX_FILTER_LITERALS {
        return Err(Status::invalid_argument(format!(
            "filter.terms: {total} literals; at most {MAX_FILTER_LITERALS} are allowed"
        )));
    }
    Ok(())
}

fn tx_predicate(
    predicate: Option<&proto::transaction_literal::Predicate>,
    field: &str,
) -> Result<TxPredicate, Status> {
    use proto::transaction_literal::Predicate;
    Ok(match predicate {
        None => return Err(missing_predicate(field)),
        Some(Predicate::Sender(f)) => TxPredicate::Sender(address(
            f.address.as_deref(),
            &format!("{field}.sender.address"),
        )?),
        Some(Predicate::AffectedAddress(f)) => TxPredicate::AffectedAddress(address(
            f.address.as_deref(),
            &format!("{field}.affected_address.address"),
        )?),
        Some(Predicate::AffectedObject(f)) => TxPredicate::AffectedObject(address(
            f.object_id.as_deref(),
            &format!("{field}.affected_object.object_id"),
        )?),
        Some(Predicate::MoveCall(f)) => TxPredicate::MoveCall(move_path(
            f.function.as_deref(),
            &format!("{field}.move_call.function"),
        )?),
        Some(Predicate::EmitModule(f)) => TxPredicate::EmitModule(module_path(
            f.module.as_deref(),
            &format!("{field}.emit_module.module"),
        )?),
        Some(Predicate::EventType(f)) => TxPredicate::EventType(type_pattern(
            f.event_type.as_deref(),
            &format!("{field}.event_type.event_type"),
        )?),
        Some(Predicate::EventStreamHead(_)) => return Err(no_event_streams(field)),
        Some(Predicate::PackageWrite(_)) => TxPredicate::PackageWrite,
        Some(_) => return Err(unknown_predicate(field)),
    })
}

fn event_predicate(
    predicate: Option<&proto::event_literal::Predicate>,
    field: &str,
) -> Result<EventPredicate, Status> {
    use proto::event_literal::Predicate;
    Ok(match predicate {
        None => return Err(missing_predicate(field)),
        Some(Predicate::Sender(f)) => EventPredicate::Sender(address(
            f.address.as_deref(),
            &format!("{field}.sender.address"),
        )?),
        Some(Predicate::EmitModule(f)) => EventPredicate::EmitModule(module_path(
            f.module.as_deref(),
            &format!("{field}.emit_module.module"),
        )?),
        Some(Predicate::EventType(f)) => EventPredicate::EventType(type_pattern(
            f.event_type.as_deref(),
            &format!("{field}.event_type.event_type"),
        )?),
        Some(Predicate::EventStreamHead(_)) => return Err(no_event_streams(field)),
        Some(_) => return Err(unknown_predicate(field)),
    })
}

fn missing_predicate(field: &str) -> Status {
    Status::invalid_argument(format!("{field}: the literal names no predicate"))
}

fn unknown_predicate(field: &str) -> Status {
    Status::unimplemented(format!(
        "{field}: this predicate is not supported by the local chain"
    ))
}

fn no_event_streams(field: &str) -> Status {
    Status::unimplemented(format!(
        "{field}: event_stream_head filters are not supported by the local chain \
         (it has no authenticated event streams)"
    ))
}

fn required<'a>(value: Option<&'a str>, field: &str) -> Result<&'a str, Status> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Status::invalid_argument(format!("{field} is required")))
}

fn address(value: Option<&str>, field: &str) -> Result<Address, Status> {
    let value = required(value, field)?;
    parse_address(value, field)
}

fn parse_address(value: &str, field: &str) -> Result<Address, Status> {
    value
        .parse()
        .map_err(|e| Status::invalid_argument(format!("{field}: invalid address {value:?}: {e}")))
}

fn identifier(value: &str, field: &str) -> Result<Identifier, Status> {
    Identifier::new(value)
        .map_err(|_| Status::invalid_argument(format!("{field}: invalid identifier {value:?}")))
}

/// Splits a `::`-delimited Move path into at most `max` non-empty parts.
fn path_parts<'a>(
    value: &'a str,
    max: usize,
    field: &str,
    expected: &str,
) -> Result<Vec<&'a str>, Status> {
    let parts: Vec<&str> = value.split("::").collect();
    if parts.len() > max || parts.iter().any(|p| p.is_empty()) {
        return Err(Status::invalid_argument(format!(
            "{field}: {value:?} is not of the form `{expected}`"
        )));
    }
    Ok(parts)
}

fn move_path(value: Option<&str>, field: &str) -> Result<MovePath, Status> {
    let value = required(value, field)?;
    let parts = path_parts(value, 3, field, "package[::module[::function]]")?;
    Ok(MovePath {
        package: parse_address(parts[0], field)?,
        module: parts.get(1).map(|m| identifier(m, field)).transpose()?,
        function: parts.get(2).map(|f| identifier(f, field)).transpose()?,
    })
}

fn module_path(value: Option<&str>, field: &str) -> Result<ModulePath, Status> {
    let value = required(value, field)?;
    let parts = path_parts(value, 2, field, "package[::module]")?;
    Ok(ModulePath {
        package: parse_address(parts[0], field)?,
        module: parts.get(1).map(|m| identifier(m, field)).transpose()?,
    })
}

fn type_pattern(value: Option<&str>, field: &str) -> Result<TypePattern, Status> {
    let value = required(value, field)?;
    if value.contains('<') {
        // An exact instantiation: a whole struct type.
        let tag: StructTag = value.trim().parse().map_err(|e| {
            Status::invalid_argument(format!("{field}: invalid struct type {value:?}: {e}"))
        })?;
        return Ok(TypePattern {
            address: *tag.address(),
            module: Some(tag.module().clone()),
            name: Some(tag.name().clone()),
            type_params: Some(tag.type_params().to_vec()),
        });
    }
    let parts = path_parts(value, 3, field, "address[::module[::Name[<type_params>]]]")?;
    Ok(TypePattern {
        address: parse_address(parts[0], field)?,
        module: parts.get(1).map(|m| identifier(m, field)).transpose()?,
        name: parts.get(2).map(|n| identifier(n, field)).transpose()?,
        type_params: None,
    })
}

impl MovePath {
    fn matches(&self, package: &Address, module: &Identifier, function: &Identifier) -> bool {
        self.package == *package
            && self.module.as_ref().is_none_or(|m| m == module)
            && self.function.as_ref().is_none_or(|f| f == function)
    }
}

impl ModulePath {
    fn matches(&self, event: &Event) -> bool {
        self.package == event.package_id && self.module.as_ref().is_none_or(|m| *m == event.module)
    }
}

impl TypePattern {
    fn matches(&self, tag: &StructTag) -> bool {
        self.address == *tag.address()
            && self.module.as_ref().is_none_or(|m| m == tag.module())
            && self.name.as_ref().is_none_or(|n| n == tag.name())
            && self
                .type_params
                .as_ref()
                .is_none_or(|p| p.as_slice() == tag.type_params())
    }
}

impl TxPredicate {
    fn matches(&self, tx: &ExecutedTx) -> bool {
        let events = || tx.events.iter().flat_map(|e| e.0.iter());
        match self {
            Self::Sender(a) => tx.transaction.sender == *a,
            Self::AffectedAddress(a) => affects_address(&tx.effects, a),
            Self::AffectedObject(id) => changed_objects(&tx.effects).any(|c| c.object_id == *id),
            Self::MoveCall(path) => move_calls(&tx.transaction.kind)
                .any(|call| path.matches(&call.package, &call.module, &call.function)),
            Self::EmitModule(path) => events().any(|e| path.matches(e)),
            Self::EventType(pattern) => events().any(|e| pattern.matches(&e.type_)),
            Self::PackageWrite => changed_objects(&tx.effects)
                .any(|c| matches!(c.output_state, ObjectOut::PackageWrite { .. })),
        }
    }
}

impl EventPredicate {
    fn matches(&self, event: &Event) -> bool {
        match self {
            Self::Sender(a) => event.sender == *a,
            Self::EmitModule(path) => path.matches(event),
            Self::EventType(pattern) => pattern.matches(&event.type_),
        }
    }
}

/// The changed objects of `effects` (every transaction of this chain has version 2 effects).
fn changed_objects(
    effects: &TransactionEffects,
) -> impl Iterator<Item = &sui_sdk_types::ChangedObject> {
    let changed = match effects {
        TransactionEffects::V2(e) => e.changed_objects.as_slice(),
        TransactionEffects::V1(_) => &[],
    };
    changed.iter()
}

/// The address owning an object, if an account owns it (alone or through consensus).
fn owning_address(owner: &Owner) -> Option<&Address> {
    match owner {
        Owner::Address(a) | Owner::ConsensusAddress { owner: a, .. } => Some(a),
        _ => None,
    }
}

/// Whether `address`'s state moved: it owned a changed object before the transaction, owns one
/// after it, or its address balance changed (an accumulator write).
fn affects_address(effects: &TransactionEffects, address: &Address) -> bool {
    changed_objects(effects).any(|c| {
        let before = match &c.input_state {
            ObjectIn::Exist { owner, .. } => owning_address(owner),
            _ => None,
        };
        let after = match &c.output_state {
            ObjectOut::ObjectWrite { owner, .. } => owning_address(owner),
            ObjectOut::AccumulatorWrite(write) => Some(write.address()),
            _ => None,
        };
        before == Some(address) || after == Some(address)
    })
}

/// The Move calls of a programmable transaction (user or system).
fn move_calls(kind: &TransactionKind) -> impl Iterator<Item = &sui_sdk_types::MoveCall> {
    let commands = match kind {
        TransactionKind::ProgrammableTransaction(ptb)
        | TransactionKind::ProgrammableSystemTransaction(ptb) => ptb.commands.as_slice(),
        _ => &[],
    };
    commands.iter().filter_map(|c| match c {
        Command::MoveCall(call) => Some(call),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(package: &str, module: &str, ty: &str) -> Event {
        Event {
            package_id: package.parse().expect("package"),
            module: Identifier::new(module).expect("module"),
            sender: Address::ZERO,
            type_: ty.parse().expect("type"),
            contents: vec![],
        }
    }

    fn event_filter(
        terms: Vec<Vec<(bool, proto::event_literal::Predicate)>>,
    ) -> proto::EventFilter {
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

    fn event_type(s: &str) -> proto::event_literal::Predicate {
        let mut f = proto::EventTypeFilter::default();
        f.event_type = Some(s.into());
        proto::event_literal::Predicate::EventType(f)
    }

    fn emit_module(s: &str) -> proto::event_literal::Predicate {
        let mut f = proto::EmitModuleFilter::default();
        f.module = Some(s.into());
        proto::event_literal::Predicate::EmitModule(f)
    }

    #[test]
    fn event_type_specificity_levels() {
        let coin = event("0x2", "coin", "0x2::coin::CoinEvent<0x2::sui::SUI>");
        let other = event("0x2", "coin", "0x3::coin::CoinEvent<0x2::sui::SUI>");
        for (pattern, expected) in [
            ("0x2", true),
            (
                "0x0000000000000000000000000000000000000000000000000000000000000002",
                true,
            ),
            ("0x2::coin", true),
            ("0x2::pay", false),
            ("0x2::coin::CoinEvent", true),
            ("0x2::coin::Other", false),
            ("0x2::coin::CoinEvent<0x2::sui::SUI>", true),
            ("0x2::coin::CoinEvent<0x2::coin::X>", false),
        ] {
            let filter =
                EventFilter::parse(&event_filter(vec![vec![(false, event_type(pattern))]]))
                    .expect(pattern);
            assert_eq!(filter.matches(&coin), expected, "{pattern}");
            assert!(!filter.matches(&other), "{pattern}");
        }
    }

    #[test]
    fn terms_are_ored_and_literals_anded_with_negation() {
        let a = event("0x2", "coin", "0x2::coin::A");
        let b = event("0x2", "pay", "0x2::pay::B");
        // (emit 0x2::coin AND NOT type 0x2::coin::A) OR (type 0x2::pay)
        let filter = EventFilter::parse(&event_filter(vec![
            vec![
                (false, emit_module("0x2::coin")),
                (true, event_type("0x2::coin::A")),
            ],
            vec![(false, event_type("0x2::pay"))],
        ]))
        .expect("filter");
        assert!(!filter.matches(&a));
        assert!(filter.matches(&b));
        // An empty term matches everything.
        let all = EventFilter::parse(&event_filter(vec![vec![]])).expect("filter");
        assert!(all.matches(&a) && all.matches(&b));
    }

    #[test]
    fn malformed_and_unsupported_filters_are_refused() {
        let code = |terms| {
            EventFilter::parse(&event_filter(terms))
                .expect_err("refused")
                .code()
        };
        assert_eq!(code(vec![]), tonic::Code::InvalidArgument);
        for bad in [
            "",
            "0xzz",
            "0x2::",
            "0x2::coin::A::B",
            "0x2::9bad",
            "0x2::coin::A<",
        ] {
            assert_eq!(
                code(vec![vec![(false, event_type(bad))]]),
                tonic::Code::InvalidArgument,
                "{bad:?}"
            );
        }
        assert_eq!(
            code(vec![vec![(false, emit_module("0x2::coin::f"))]]),
            tonic::Code::InvalidArgument
        );
        let mut head = proto::EventStreamHeadFilter::default();
        head.stream_id = Some("0x1".into());
        assert_eq!(
            code(vec![vec![(
                false,
                proto::event_literal::Predicate::EventStreamHead(head)
            )]]),
            tonic::Code::Unimplemented
        );
        let many = (0..=MAX_FILTER_LITERALS)
            .map(|_| (false, event_type("0x2")))
            .collect();
        assert_eq!(code(vec![many]), tonic::Code::InvalidArgument);
        let mut filter = event_filter(vec![vec![(false, event_type("0x2"))]]);
        filter.terms[0].literals[0].predicate = None;
        assert_eq!(
            EventFilter::parse(&filter).expect_err("refused").code(),
            tonic::Code::InvalidArgument
        );
    }
}
