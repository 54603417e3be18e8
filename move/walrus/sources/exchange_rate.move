/// The exchange rate between WAL and the shares of a staking pool in an epoch.
module walrus::pool_exchange_rate;

/// The share amount is larger than the WAL amount.
const EInvalidRate: u64 = 0;

/// A pool's exchange rate: one to one, or `wal_amount` WAL for `share_amount` shares.
public enum PoolExchangeRate has copy, drop, store {
    Flat,
    Variable { wal_amount: u128, share_amount: u128 },
}

/// The one-to-one rate.
public(package) fun flat(): PoolExchangeRate { PoolExchangeRate::Flat }

/// The rate of a pool holding `wal_amount` WAL for `share_amount` shares (flat if the pool is
/// empty). Aborts with `EInvalidRate` if there are more shares than WAL.
public(package) fun new(wal_amount: u64, share_amount: u64): PoolExchangeRate {
    assert!(share_amount <= wal_amount, EInvalidRate);
    if (wal_amount == 0) {
        PoolExchangeRate::Flat
    } else {
        PoolExchangeRate::Variable {
            wal_amount: wal_amount as u128,
            share_amount: share_amount as u128,
        }
    }
}

/// Converts shares to WAL (rounding down).
public(package) fun convert_to_wal_amount(exchange_rate: &PoolExchangeRate, amount: u64): u64 {
    match (exchange_rate) {
        PoolExchangeRate::Flat => amount,
        PoolExchangeRate::Variable { wal_amount, share_amount } => {
            ((amount as u128) * *wal_amount / *share_amount) as u64
        },
    }
}

/// Converts WAL to shares (rounding down).
public(package) fun convert_to_share_amount(exchange_rate: &PoolExchangeRate, amount: u64): u64 {
    match (exchange_rate) {
        PoolExchangeRate::Flat => amount,
        PoolExchangeRate::Variable { wal_amount, share_amount } => {
            ((amount as u128) * *share_amount / *wal_amount) as u64
        },
    }
}
