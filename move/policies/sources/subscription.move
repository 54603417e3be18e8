/// Paid access: a shared `Service` sells subscriptions for a fee in WAL, each valid for `ttl`
/// milliseconds. Inner ids are `[service id][nonce]`. A `Subscription` has `key` only, so it
/// stays with the subscriber it was sent to, and the key server's dry run only accepts it as
/// an input of its owner.
module policies::subscription;

use policies::utils::is_prefix;
use std::string::String;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::dynamic_field as df;
use wal::wal::WAL;

/// The value of the dynamic field that records a published blob.
const MARKER: u64 = 3;

/// The cap is not the service's.
const EInvalidCap: u64 = 0;
/// The coin does not hold exactly the fee.
const EInvalidFee: u64 = 1;
/// Wrong service, expired subscription, or an id not under the service.
const ENoAccess: u64 = 2;

/// What a subscription costs and how long it lasts (shared).
public struct Service has key {
    id: UID,
    fee: u64,
    ttl: u64,
    owner: address,
    name: String,
}

/// A subscription to a service, from `created_at` (ms) for the service's `ttl`.
public struct Subscription has key {
    id: UID,
    service_id: ID,
    created_at: u64,
}

/// The right to publish under a service.
public struct Cap has key {
    id: UID,
    service_id: ID,
}

/// Shares a new service owned by the sender (fee in FROST, ttl in ms) and returns its cap.
public fun create_service(fee: u64, ttl: u64, name: String, ctx: &mut TxContext): Cap {
    let service = Service {
        id: object::new(ctx),
        fee,
        ttl,
        owner: ctx.sender(),
        name,
    };
    let cap = Cap {
        id: object::new(ctx),
        service_id: object::id(&service),
    };
    transfer::share_object(service);
    cap
}

/// `create_service`, sending the cap to the sender.
entry fun create_service_entry(fee: u64, ttl: u64, name: String, ctx: &mut TxContext) {
    transfer::transfer(create_service(fee, ttl, name, ctx), ctx.sender());
}

/// Pays the service's owner exactly the fee and returns a subscription starting now.
public fun subscribe(
    fee: Coin<WAL>,
    service: &Service,
    c: &Clock,
    ctx: &mut TxContext,
): Subscription {
    assert!(fee.value() == service.fee, EInvalidFee);
    transfer::public_transfer(fee, service.owner);
    Subscription {
        id: object::new(ctx),
        service_id: object::id(service),
        created_at: c.timestamp_ms(),
    }
}

/// Sends a subscription to `to`.
public fun transfer(sub: Subscription, to: address) {
    transfer::transfer(sub, to);
}

/// Records a Walrus blob ID under the service (a dynamic field `blob_id -> MARKER`).
public fun publish(service: &mut Service, cap: &Cap, blob_id: String) {
    assert!(cap.service_id == object::id(service), EInvalidCap);
    df::add(&mut service.id, blob_id, MARKER);
}

/// Allows the key of `id` to the holder of an unexpired subscription to the service `id`
/// starts with.
entry fun seal_approve(id: vector<u8>, sub: &Subscription, service: &Service, c: &Clock) {
    assert!(object::id(service) == sub.service_id, ENoAccess);
    assert!(c.timestamp_ms() <= sub.created_at + service.ttl, ENoAccess);
    assert!(is_prefix(service.id.to_bytes(), id), ENoAccess);
}
