/// The parameters of an epoch that the committee votes on: capacity and prices.
module walrus::epoch_parameters;

/// Parameters selected for the next epoch.
public struct EpochParams has copy, drop, store {
    /// The storage capacity of the system, in encoded bytes.
    total_capacity_size: u64,
    /// FROST per MiB of encoded size per epoch.
    storage_price_per_unit_size: u64,
    /// FROST per MiB of encoded size, paid once at registration.
    write_price_per_unit_size: u64,
}

/// Creates epoch parameters.
public(package) fun new(capacity: u64, storage_price: u64, write_price: u64): EpochParams {
    EpochParams {
        total_capacity_size: capacity,
        storage_price_per_unit_size: storage_price,
        write_price_per_unit_size: write_price,
    }
}

/// The total capacity, in encoded bytes.
public fun capacity(self: &EpochParams): u64 {
    self.total_capacity_size
}

/// The storage price per unit size (FROST per MiB per epoch).
public fun storage_price(self: &EpochParams): u64 {
    self.storage_price_per_unit_size
}

/// The write price per unit size (FROST per MiB).
public fun write_price(self: &EpochParams): u64 {
    self.write_price_per_unit_size
}
