//! Seeded generators and portable integer sampling.
//!
//! Integer draws use Lemire's multiply-shift rejection method on `next_u64`, written here so
//! that results stay bit-identical whatever `rand`'s own range-sampling algorithm becomes.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for stream `stream` of the master seed `seed`.
pub(crate) fn stream_rng(seed: u64, stream: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix64(splitmix64(seed) ^ splitmix64(stream ^ 0xA5A5)))
}

/// A uniform integer in `0..n` (`n ≥ 1`), unbiased (Lemire 2019).
pub(crate) fn below(rng: &mut impl Rng, n: u64) -> u64 {
    debug_assert!(n > 0);
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(n);
        let low = m as u64;
        if low >= n.wrapping_neg() % n {
            return (m >> 64) as u64;
        }
    }
}

/// A uniform `f64` in the open interval `(0, 1)`: `(k + ½) / 2⁵³`.
pub(crate) fn open_unit(rng: &mut impl Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// Fisher–Yates shuffle with [`below`].
pub(crate) fn shuffle(rng: &mut impl Rng, xs: &mut [usize]) {
    for i in (1..xs.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        xs.swap(i, j);
    }
}
