//! Shamir secret sharing over GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 (0x11B), each byte
//! of the secret shared on its own, as Seal's `tss` module does.
//!
//! Share indices are the evaluation points: any nonzero, pairwise distinct `u8` values work
//! (current Seal uses 1..=n, older TypeScript versions used random indices).

use rand::CryptoRng;

/// Why a set of shares cannot be split or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShamirError {
    /// No shares were given, or the threshold is 0 or larger than the number of shares.
    #[error("threshold {threshold} with {shares} shares")]
    Threshold {
        /// The threshold.
        threshold: usize,
        /// Number of shares.
        shares: usize,
    },
    /// Index 0 is the secret itself.
    #[error("share index 0")]
    ZeroIndex,
    /// Each share needs its own evaluation point.
    #[error("share index {0} appears twice")]
    DuplicateIndex(u8),
}

/// Multiplication in GF(2^8) mod 0x11B, without tables or branches on the operands.
pub fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    for _ in 0..8 {
        p ^= a & 0u8.wrapping_sub(b & 1);
        let carry = a >> 7;
        a = (a << 1) ^ (0x1b & 0u8.wrapping_sub(carry));
        b >>= 1;
    }
    p
}

/// Multiplicative inverse in GF(2^8) (a^254); the inverse of 0 is taken as 0.
pub fn gf_inv(a: u8) -> u8 {
    // a^254 = a^(2+4+8+16+32+64+128)
    let mut result = 1u8;
    let mut power = a;
    for _ in 0..7 {
        power = gf_mul(power, power);
        result = gf_mul(result, power);
    }
    result
}

fn check_indices(indices: impl Iterator<Item = u8>) -> Result<(), ShamirError> {
    let mut seen = [false; 256];
    for i in indices {
        if i == 0 {
            return Err(ShamirError::ZeroIndex);
        }
        if std::mem::replace(&mut seen[i as usize], true) {
            return Err(ShamirError::DuplicateIndex(i));
        }
    }
    Ok(())
}

/// Splits `secret` into one share per index such that any `threshold` of them recover it.
/// The result is in the order of `indices`.
pub fn split<const N: usize, R: CryptoRng + ?Sized>(
    rng: &mut R,
    secret: &[u8; N],
    threshold: u8,
    indices: &[u8],
) -> Result<Vec<[u8; N]>, ShamirError> {
    if threshold == 0 || threshold as usize > indices.len() {
        return Err(ShamirError::Threshold {
            threshold: threshold as usize,
            shares: indices.len(),
        });
    }
    check_indices(indices.iter().copied())?;
    // coefficients[k][b] is the coefficient of x^k for byte b; coefficient 0 is the secret.
    let mut coefficients = vec![*secret];
    for _ in 1..threshold {
        let mut c = [0u8; N];
        rng.fill_bytes(&mut c);
        coefficients.push(c);
    }
    Ok(indices
        .iter()
        .map(|&x| {
            let mut share = [0u8; N];
            for (b, out) in share.iter_mut().enumerate() {
                // Horner from the highest coefficient down.
                *out = coefficients
                    .iter()
                    .rev()
                    .fold(0u8, |acc, c| gf_mul(acc, x) ^ c[b]);
            }
            share
        })
        .collect())
}

/// Evaluates at `x` the polynomial of lowest degree through all the given shares (Lagrange).
/// With fewer shares than the threshold the result is meaningless, but no error is returned.
pub fn interpolate_at<const N: usize>(
    shares: &[(u8, [u8; N])],
    x: u8,
) -> Result<[u8; N], ShamirError> {
    if shares.is_empty() {
        return Err(ShamirError::Threshold {
            threshold: 1,
            shares: 0,
        });
    }
    check_indices(shares.iter().map(|(i, _)| *i))?;
    let mut out = [0u8; N];
    for (i, (xi, yi)) in shares.iter().enumerate() {
        // l_i(x) = prod_{j != i} (x - x_j) / (x_i - x_j); subtraction is xor.
        let mut num = 1u8;
        let mut den = 1u8;
        for (j, (xj, _)) in shares.iter().enumerate() {
            if i != j {
                num = gf_mul(num, x ^ xj);
                den = gf_mul(den, xi ^ xj);
            }
        }
        let l = gf_mul(num, gf_inv(den));
        for (o, y) in out.iter_mut().zip(yi) {
            *o ^= gf_mul(l, *y);
        }
    }
    Ok(out)
}

/// Recovers the secret (the value at 0) from the given shares.
pub fn combine<const N: usize>(shares: &[(u8, [u8; N])]) -> Result<[u8; N], ShamirError> {
    interpolate_at(shares, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn field_arithmetic() {
        // FIPS-197 §4.2: {57} · {83} = {c1}, {57} · {13} = {fe}.
        assert_eq!(gf_mul(0x57, 0x83), 0xc1);
        assert_eq!(gf_mul(0x57, 0x13), 0xfe);
        for a in 1..=255u8 {
            assert_eq!(gf_mul(a, gf_inv(a)), 1, "inverse of {a}");
        }
    }

    /// Seal's `tss.rs` test: Lagrange at 0 of (1,2),(2,3),(3,4),(4,5) is 202.
    #[test]
    fn combine_byte_regression() {
        let shares = [(1u8, [2u8]), (2, [3]), (3, [4]), (4, [5])];
        assert_eq!(combine(&shares).unwrap(), [202]);
    }

    /// Seal's `tss.rs::typescript_test_vector`: 2-of-3 shares of a 23-byte secret made by the
    /// TypeScript SDK, each with its (random) index appended.
    #[test]
    fn typescript_shamir_vector() {
        let expected = *b"My super secret message";
        let shares: Vec<(u8, [u8; 23])> = [
            "C7rQzQ0iL+L+fBcIAZipXBhtZsUju7ot",
            "lO0Boejog7ARBVXjjLUMqAFP/Iut0ZpZ",
            "FsrVroJ5+eWfw7sFgXq8Y3AWDN2Ogvc9",
        ]
        .iter()
        .map(|s| {
            let b = base64::engine::general_purpose::STANDARD.decode(s).unwrap();
            (b[23], b[..23].try_into().unwrap())
        })
        .collect();
        assert_eq!(combine(&shares[..2]).unwrap(), expected);
        assert_eq!(combine(&shares[1..]).unwrap(), expected);
        assert_eq!(combine(&shares).unwrap(), expected);
        assert_ne!(combine(&shares[..1]).unwrap(), expected);
    }

    #[test]
    fn rejects_bad_indices() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        assert_eq!(
            split(&mut rng, &[1u8; 4], 2, &[1, 0, 3]),
            Err(ShamirError::ZeroIndex)
        );
        assert_eq!(
            split(&mut rng, &[1u8; 4], 2, &[1, 3, 3]),
            Err(ShamirError::DuplicateIndex(3))
        );
        assert!(split(&mut rng, &[1u8; 4], 0, &[1, 2]).is_err());
        assert!(split(&mut rng, &[1u8; 4], 3, &[1, 2]).is_err());
        assert!(combine::<4>(&[]).is_err());
        assert_eq!(
            combine(&[(1, [1u8; 4]), (1, [2u8; 4])]),
            Err(ShamirError::DuplicateIndex(1))
        );
    }

    proptest! {
        /// Any t of n shares, at any distinct nonzero indices, recover the secret; every share
        /// lies on the polynomial interpolated from any t of them.
        #[test]
        fn split_combine_round_trip(
            seed in any::<u64>(),
            secret in any::<[u8; 32]>(),
            index_set in proptest::collection::btree_set(1u8..=255, 1..12),
            t_frac in 0.0f64..1.0,
            pick in any::<u64>(),
        ) {
            let indices: Vec<u8> = index_set.into_iter().collect();
            let n = indices.len();
            let t = 1 + ((n as f64 - 1.0) * t_frac).round() as usize;
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let shares = split(&mut rng, &secret, t as u8, &indices).unwrap();
            let mut all: Vec<(u8, [u8; 32])> = indices.iter().copied().zip(shares).collect();
            // a pseudo-random t-subset
            let mut order = ChaCha20Rng::seed_from_u64(pick);
            for i in (1..all.len()).rev() {
                let j = (rand::Rng::random::<u64>(&mut order) % (i as u64 + 1)) as usize;
                all.swap(i, j);
            }
            let subset = &all[..t];
            prop_assert_eq!(combine(subset).unwrap(), secret);
            for (x, y) in &all {
                prop_assert_eq!(interpolate_at(subset, *x).unwrap(), *y);
            }
        }
    }
}
