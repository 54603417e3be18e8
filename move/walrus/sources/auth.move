/// Authentication of callers either by transaction sender or by an owned object, and the
/// matching authorization records stored in staking pools.
module walrus::auth;

/// Proof of who is calling: the sender, or the holder of an object. Never stored.
public enum Authenticated has drop {
    Sender(address),
    Object(ID),
}

/// Who may perform an action: an address, or the holder of the object with this ID.
public enum Authorized has copy, drop, store {
    Address(address),
    ObjectID(ID),
}

/// Authenticates the transaction sender.
public fun authenticate_sender(ctx: &TxContext): Authenticated {
    Authenticated::Sender(ctx.sender())
}

/// Authenticates the holder of `obj`.
public fun authenticate_with_object<T: key>(obj: &T): Authenticated {
    Authenticated::Object(object::id(obj))
}

/// Authorizes an address.
public fun authorized_address(addr: address): Authorized {
    Authorized::Address(addr)
}

/// Authorizes the holder of the object with ID `id`.
public fun authorized_object(id: ID): Authorized {
    Authorized::ObjectID(id)
}

/// Returns true if `authenticated` is the party named by `authorized`.
public(package) fun matches(authenticated: &Authenticated, authorized: &Authorized): bool {
    match (authenticated) {
        Authenticated::Sender(sender) => {
            match (authorized) {
                Authorized::Address(addr) => sender == addr,
                _ => false,
            }
        },
        Authenticated::Object(id) => {
            match (authorized) {
                Authorized::ObjectID(obj_id) => id == obj_id,
                _ => false,
            }
        },
    }
}
