/// A wrapper that stores a value of type `T` as a dynamic field of its own UID, so that a struct
/// can hold a value whose type may change across upgrades without changing the struct's layout.
module walrus::extended_field;

use sui::dynamic_field as df;

/// The key under which the value is stored (BCS `00`).
public struct Key() has copy, drop, store;

/// An object whose only field is its UID; the value lives under `Key()`.
public struct ExtendedField<phantom T: store> has key, store {
    id: UID,
}

/// Creates a new extended field holding `value`.
public fun new<T: store>(value: T, ctx: &mut TxContext): ExtendedField<T> {
    let mut id = object::new(ctx);
    df::add(&mut id, Key(), value);
    ExtendedField { id }
}

/// Borrows the stored value.
public fun borrow<T: store>(field: &ExtendedField<T>): &T {
    df::borrow(&field.id, Key())
}

/// Borrows the stored value mutably.
public(package) fun borrow_mut<T: store>(field: &mut ExtendedField<T>): &mut T {
    df::borrow_mut(&mut field.id, Key())
}

/// Replaces the stored value with `value` and returns the old one.
public(package) fun swap<T: store>(field: &mut ExtendedField<T>, value: T): T {
    let old = df::remove(&mut field.id, Key());
    df::add(&mut field.id, Key(), value);
    old
}

/// Destroys the extended field and returns the stored value.
public(package) fun destroy<T: store>(field: ExtendedField<T>): T {
    let ExtendedField { mut id } = field;
    let value = df::remove(&mut id, Key());
    id.delete();
    value
}
