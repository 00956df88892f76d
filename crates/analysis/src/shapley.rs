//! Shapley values and related attributions of cooperative games (Shapley 1953).
//!
//! A game on players `N = {0, …, n−1}` is a value function `v` on coalitions. Coalitions are
//! bitmasks: player `i` is in `S` when bit `i` of `S` is set.
//!
//! * **Exact** ([`exact_shapley`], [`banzhaf_values`], [`interaction_index`],
//!   [`all_interactions`], [`leave_one_out`]): from the full table `v[S]` of length `2ⁿ`,
//!   `n ≤` [`MAX_EXACT_PLAYERS`], by the subset-weight sum in `O(n·2ⁿ)` (pairs:
//!   `O(n²·2ⁿ)`), evaluated in fixed blocks of masks merged in order (deterministic whatever
//!   the thread count).
//! * **Sampled** ([`sample_shapley`], [`sample_shapley_par`]): permutation sampling with
//!   antithetic permutations (Castro, Gómez & Tejada 2009; antithetic pairing as in Mitchell et
//!   al. 2022) for larger `n`.

use rayon::prelude::*;
use serde::Serialize;

use crate::Result;
use crate::error::{AnalysisError, check_finite, invalid};
use crate::rng::{shuffle, stream_rng};
use crate::stats::{IntervalMethod, Moments, critical_value_95};

/// The largest `n` accepted by the exact full-table functions (a table of `2²⁵` values is
/// 256 MiB of `f64`).
pub const MAX_EXACT_PLAYERS: usize = 25;

/// Masks per block in the exact passes (fixed, so results do not depend on threads).
const MASK_BLOCK: usize = 1 << 14;

/// Exact Shapley values of a game, with the efficiency check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapleyValues {
    /// Number of players.
    pub n: usize,
    /// `φᵢ` for each player `i`.
    pub values: Vec<f64>,
    /// `v(∅)`.
    pub v_empty: f64,
    /// `v(N)`.
    pub v_grand: f64,
    /// `Σᵢ φᵢ`, which equals `v(N) − v(∅)` (efficiency) up to rounding.
    pub sum: f64,
    /// `Σᵢ φᵢ − (v(N) − v(∅))`, the rounding residue of efficiency.
    pub efficiency_gap: f64,
}

/// The Shapley interaction index of one pair of players.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interaction {
    /// First player (`i < j`).
    pub i: usize,
    /// Second player.
    pub j: usize,
    /// `I_ij` (see [`interaction_index`]).
    pub value: f64,
}

/// The number of players of a full table, after checking it.
fn players_of(v: &[f64]) -> Result<usize> {
    if v.is_empty() {
        return Err(AnalysisError::Empty { what: "value table" });
    }
    if !v.len().is_power_of_two() {
        return Err(invalid("value table", format!("length {} is not a power of two 2^n", v.len())));
    }
    let n = v.len().trailing_zeros() as usize;
    if n == 0 {
        return Err(invalid("value table", "a game needs at least one player"));
    }
    if n > MAX_EXACT_PLAYERS {
        return Err(AnalysisError::TooLarge {
            what: "number of players for the exact table",
            got: n,
            max: MAX_EXACT_PLAYERS,
        });
    }
    check_finite("value table", v)?;
    Ok(n)
}

/// `1 / (m · C(m−1, s))` for `s = 0..m`: the Shapley weight `s!(m−s−1)!/m!`.
fn shapley_weights(m: usize) -> Vec<f64> {
    let mut w = Vec::with_capacity(m);
    let mut binom = 1.0_f64; // C(m−1, s)
    for s in 0..m {
        w.push(1.0 / (m as f64 * binom));
        binom = binom * (m - 1 - s) as f64 / (s + 1) as f64;
    }
    w
}

/// Sums `per_mask(S, acc)` over all masks in fixed blocks, merging block sums in order.
fn block_sum<F>(len: usize, width: usize, per_mask: F) -> Vec<f64>
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let blocks: Vec<Vec<f64>> = (0..len.div_ceil(MASK_BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut acc = vec![0.0; width];
            for s in b * MASK_BLOCK..((b + 1) * MASK_BLOCK).min(len) {
                per_mask(s, &mut acc);
            }
            acc
        })
        .collect();
    let mut total = vec![0.0; width];
    for b in &blocks {
        for (t, x) in total.iter_mut().zip(b) {
            *t += x;
        }
    }
    total
}

/// Exact Shapley values from the full table `v` (length `2ⁿ`, indexed by coalition mask).
///
/// `φᵢ = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))` (Shapley 1953), in
/// `O(n·2ⁿ)`.
///
/// # Errors
/// If the length is not `2ⁿ` with `1 ≤ n ≤` [`MAX_EXACT_PLAYERS`], or a value is not finite.
pub fn exact_shapley(v: &[f64]) -> Result<ShapleyValues> {
    let n = players_of(v)?;
    let w = shapley_weights(n);
    let values = block_sum(v.len(), n, |s, acc| {
        let Some(&ws) = w.get(s.count_ones() as usize) else {
            return; // the grand coalition has no one left to add
        };
        let vs = v[s];
        for (i, a) in acc.iter_mut().enumerate() {
            let bit = 1usize << i;
            if s & bit == 0 {
                *a += ws * (v[s | bit] - vs);
            }
        }
    });
    let v_empty = v[0];
    let v_grand = v[v.len() - 1];
    let sum: f64 = values.iter().sum();
    Ok(ShapleyValues { n, values, v_empty, v_grand, sum, efficiency_gap: sum - (v_grand - v_empty) })
}

/// Banzhaf values of the game: `βᵢ = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S))`
/// (Banzhaf 1965; the "probabilistic" Banzhaf value of Dubey & Shapley 1979), the mean marginal
/// contribution over coalitions of the others drawn uniformly.
///
/// # Errors
/// As [`exact_shapley`].
pub fn banzhaf_values(v: &[f64]) -> Result<Vec<f64>> {
    let n = players_of(v)?;
    let scale = 1.0 / (1u64 << (n - 1)) as f64;
    let raw = block_sum(v.len(), n, |s, acc| {
        let vs = v[s];
        for (i, a) in acc.iter_mut().enumerate() {
            let bit = 1usize << i;
            if s & bit == 0 {
                *a += v[s | bit] - vs;
            }
        }
    });
    Ok(raw.into_iter().map(|x| x * scale).collect())
}

/// Leave-one-out values `v(N) − v(N ∖ {i})`: what the grand coalition loses when player `i`
/// withdraws.
///
/// # Errors
/// As [`exact_shapley`].
pub fn leave_one_out(v: &[f64]) -> Result<Vec<f64>> {
    let n = players_of(v)?;
    let full = v.len() - 1;
    Ok((0..n).map(|i| v[full] - v[full & !(1 << i)]).collect())
}

/// The Shapley interaction index of players `i ≠ j` (Grabisch 1997):
///
/// `I_ij = Σ_{S ⊆ N∖{i,j}} |S|! (n − |S| − 2)! / (n − 1)! · (v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S))`.
///
/// Positive: `i` and `j` are complements ("only matter together"); negative: substitutes.
///
/// # Errors
/// As [`exact_shapley`], and if `n < 2`, `i == j` or either is out of range.
pub fn interaction_index(v: &[f64], i: usize, j: usize) -> Result<f64> {
    let n = players_of(v)?;
    if n < 2 {
        return Err(invalid("players", "an interaction needs two players"));
    }
    if i >= n || j >= n || i == j {
        return Err(invalid("pair", format!("({i}, {j}) is not a pair of distinct players below {n}")));
    }
    let w = shapley_weights(n - 1);
    let (bi, bj) = (1usize << i, 1usize << j);
    let total = block_sum(v.len(), 1, |s, acc| {
        if s & (bi | bj) == 0 {
            let d = v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s];
            acc[0] += w[s.count_ones() as usize] * d;
        }
    });
    Ok(total[0])
}

/// Shapley interaction indices of all pairs `i < j`, sorted by decreasing `|I_ij|` (ties by
/// `(i, j)`), truncated to the `top` first when `top` is `Some`. `O(n²·2ⁿ)`.
///
/// # Errors
/// As [`interaction_index`].
pub fn all_interactions(v: &[f64], top: Option<usize>) -> Result<Vec<Interaction>> {
    let n = players_of(v)?;
    if n < 2 {
        return Err(invalid("players", "an interaction needs two players"));
    }
    let w = shapley_weights(n - 1);
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
    let sums = block_sum(v.len(), pairs.len(), |s, acc| {
        let vs = v[s];
        let ws = w.get(s.count_ones() as usize).copied().unwrap_or(0.0);
        let mut k = 0;
        for i in 0..n {
            let bi = 1usize << i;
            for j in i + 1..n {
                let bj = 1usize << j;
                if s & (bi | bj) == 0 {
                    acc[k] += ws * (v[s | bi | bj] - v[s | bi] - v[s | bj] + vs);
                }
                k += 1;
            }
        }
    });
    let mut out: Vec<Interaction> =
        pairs.iter().zip(sums).map(|(&(i, j), value)| Interaction { i, j, value }).collect();
    out.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()).then((a.i, a.j).cmp(&(b.i, b.j))));
    if let Some(k) = top {
        out.truncate(k);
    }
    Ok(out)
}

/// Options of the sampled Shapley estimators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SamplingOptions {
    /// Stop once every player's 95 % half-width is at most this (≥ 0; 0 means run to
    /// `max_units`).
    pub precision: f64,
    /// Never use fewer units than this before testing the precision (≥ 2; default 100), so the
    /// variance estimate behind the interval is itself stable.
    pub min_units: usize,
    /// Stop at this many units whatever the precision (≥ `min_units`).
    pub max_units: usize,
    /// Units per block; block `b` draws its permutations from stream `b` of `seed` (default 64).
    pub block_units: usize,
    /// Blocks between precision checks (default 16). The check points depend only on this and
    /// `block_units`, never on the thread count.
    pub blocks_per_round: usize,
    /// Master seed.
    pub seed: u64,
    /// How the interval on each per-player mean is formed.
    pub interval: IntervalMethod,
    /// Per player (empty: none), where one unit's value lies, when the player's value could vary
    /// from unit to unit. A player whose every unit then gave the same value has no sample
    /// variance, and the t interval would have no width; its half-width is instead the bound
    /// for a constant sample of m units — the value may move by u = 1 − 0.05^(1/m) (the exact
    /// bound for 0 of m; ≈ 3/m) of the way to either end of the range — and the precision test
    /// uses it. `None` for a player that is constant by construction.
    pub ranges: Vec<Option<(f64, f64)>>,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        Self {
            precision: 0.01,
            min_units: 100,
            max_units: 1_000_000,
            block_units: 64,
            blocks_per_round: 16,
            seed: 0,
            interval: IntervalMethod::StudentT,
            ranges: Vec::new(),
        }
    }
}

/// Sampled Shapley values with their 95 % intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledShapley {
    /// Number of players.
    pub n: usize,
    /// Estimated `φᵢ`: the mean over units of the unit value (see [`sample_shapley`]).
    pub mean: Vec<f64>,
    /// 95 % half-width of each `φᵢ`: `c · sᵢ / √m` with `c` from
    /// [`SamplingOptions::interval`], `sᵢ` the standard deviation of the unit values, `m` the
    /// number of units.
    pub half_width: Vec<f64>,
    /// Standard deviation `sᵢ` of the unit values.
    pub unit_sd: Vec<f64>,
    /// Number of independent units `m` (each is an antithetic pair of permutations).
    pub units: usize,
    /// Number of permutations evaluated (`2m`).
    pub permutations: usize,
    /// Whether every half-width reached [`SamplingOptions::precision`].
    pub precision_reached: bool,
    /// `Σᵢ meanᵢ`; each unit's values sum exactly to `v(N) − v(∅)`, so this equals it up to
    /// rounding.
    pub sum: f64,
    /// How the intervals were formed.
    pub interval: IntervalMethod,
}

fn check_options(n: usize, o: &SamplingOptions) -> Result<()> {
    if n == 0 {
        return Err(invalid("players", "a game needs at least one player"));
    }
    if !(o.precision.is_finite() && o.precision >= 0.0) {
        return Err(invalid("precision", "must be finite and ≥ 0"));
    }
    if o.min_units < 2 {
        return Err(invalid("min_units", "at least 2 units are needed for an interval"));
    }
    if o.max_units < o.min_units {
        return Err(invalid("max_units", "must be ≥ min_units"));
    }
    if o.block_units == 0 || o.blocks_per_round == 0 {
        return Err(invalid("block_units", "blocks must hold at least one unit"));
    }
    Ok(())
}

/// One block's statistics, or the first non-finite marginal it met.
fn run_block<F>(n: usize, o: &SamplingOptions, block: usize, marginals: &mut F) -> Result<Vec<Moments>>
where
    F: FnMut(&[usize], &mut [f64]),
{
    run_block_indexed(n, o, block, &mut |_: usize, p: &[usize], out: &mut [f64]| marginals(p, out))
}

/// As [`run_block`], with the unit's global index handed to `marginals`.
fn run_block_indexed<F>(n: usize, o: &SamplingOptions, block: usize, marginals: &mut F) -> Result<Vec<Moments>>
where
    F: FnMut(usize, &[usize], &mut [f64]),
{
    let start = block * o.block_units;
    let units = o.block_units.min(o.max_units - start);
    let mut rng = stream_rng(o.seed, block as u64);
    let mut perm: Vec<usize> = (0..n).collect();
    let mut fwd = vec![0.0; n];
    let mut rev = vec![0.0; n];
    let mut stats = vec![Moments::default(); n];
    for unit in start..start + units {
        // A fresh uniform permutation from the identity keeps each block self-contained.
        for (k, p) in perm.iter_mut().enumerate() {
            *p = k;
        }
        shuffle(&mut rng, &mut perm);
        fwd.iter_mut().for_each(|x| *x = 0.0);
        marginals(unit, &perm, &mut fwd);
        perm.reverse();
        rev.iter_mut().for_each(|x| *x = 0.0);
        marginals(unit, &perm, &mut rev);
        check_finite("marginal contribution", &fwd)?;
        check_finite("marginal contribution", &rev)?;
        for i in 0..n {
            stats[i].push(0.5 * (fwd[i] + rev[i]));
        }
    }
    Ok(stats)
}

/// Each player's 95 % half-width after `m` units: `c · sᵢ / √m`, or for a player with a range
/// whose units all gave the same value, the bound for a constant sample
/// ([`SamplingOptions::ranges`]).
fn half_widths(o: &SamplingOptions, total: &[Moments], m: usize) -> Vec<f64> {
    let c = critical_value_95(o.interval, m);
    let u = crate::stats::constant_bound(m as u64);
    total
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let var = t.variance();
            match o.ranges.get(i).copied().flatten() {
                // Rounding of the running moments leaves far less than 2⁻⁴⁰ of spurious
                // variance on a range of half-width 1, and proportionally less on a narrower one
                // (the unit values are sums and differences of figures within it): the
                // threshold scales with the range below half-width 1, so that a sample that
                // varies on a small scale (`delivered:NEED` in a large unit) is not taken for
                // a constant one.
                Some((lo, hi))
                    if var <= 2f64.powi(-40) * ((hi - lo) / 2.0).min(1.0).powi(2) + 1e-12 * t.mean * t.mean =>
                {
                    u * (t.mean - lo).max(hi - t.mean).max(0.0)
                }
                _ => c * (var / m as f64).sqrt(),
            }
        })
        .collect()
}

fn finish(n: usize, o: &SamplingOptions, total: &[Moments], reached: bool) -> SampledShapley {
    let m = total.first().map_or(0, |t| t.n as usize);
    let mean: Vec<f64> = total.iter().map(|t| t.mean).collect();
    let unit_sd: Vec<f64> = total.iter().map(|t| t.variance().sqrt()).collect();
    let half_width = half_widths(o, total, m);
    SampledShapley {
        n,
        sum: mean.iter().sum(),
        mean,
        half_width,
        unit_sd,
        units: m,
        permutations: 2 * m,
        precision_reached: reached,
        interval: o.interval,
    }
}

/// Runs rounds of blocks until the precision or `max_units`; `round` computes the given
/// blocks' statistics in block order.
fn drive<R>(n: usize, o: &SamplingOptions, mut round: R) -> Result<SampledShapley>
where
    R: FnMut(std::ops::Range<usize>) -> Result<Vec<Vec<Moments>>>,
{
    check_options(n, o)?;
    let total_blocks = o.max_units.div_ceil(o.block_units);
    let mut total = vec![Moments::default(); n];
    let mut next = 0;
    while next < total_blocks {
        let end = (next + o.blocks_per_round).min(total_blocks);
        for block in round(next..end)? {
            for (t, b) in total.iter_mut().zip(&block) {
                t.merge(b);
            }
        }
        next = end;
        let m = total[0].n as usize;
        if m >= o.min_units && o.precision > 0.0 && half_widths(o, &total, m).iter().all(|h| *h <= o.precision) {
            return Ok(finish(n, o, &total, true));
        }
    }
    let m = total[0].n as usize;
    let reached = o.precision > 0.0 && half_widths(o, &total, m).iter().all(|h| *h <= o.precision);
    Ok(finish(n, o, &total, reached))
}

/// Sampled Shapley values by antithetic permutation sampling, sequentially.
///
/// `φᵢ = E_π[v(Pᵢ(π) ∪ {i}) − v(Pᵢ(π))]` over uniform permutations `π`, where `Pᵢ(π)` are the
/// players before `i` (Shapley 1953; sampling: Castro, Gómez & Tejada 2009). One **unit** is a
/// uniform permutation `π` together with its reverse; its value for player `i` is the mean of
/// `i`'s two marginal contributions. Units are independent and identically distributed, so the
/// interval is the Student-t (or normal) interval on the mean of `m` unit values; the reverse
/// permutation is antithetic and typically reduces the variance.
///
/// `marginals(perm, out)` must set `out[i]` to player `i`'s marginal contribution when players
/// join in the order `perm` (`out` is zeroed beforehand); the caller evaluates the coalitions
/// `perm[..1]`, `perm[..2]`, … incrementally.
///
/// Units are drawn in blocks of [`SamplingOptions::block_units`] from per-block seeded streams
/// and checked against the precision every [`SamplingOptions::blocks_per_round`] blocks, so the
/// result is bit-identical to [`sample_shapley_par`] with the same options.
///
/// # Errors
/// On invalid options, `n == 0`, or a non-finite marginal.
pub fn sample_shapley<F>(n: usize, options: &SamplingOptions, mut marginals: F) -> Result<SampledShapley>
where
    F: FnMut(&[usize], &mut [f64]),
{
    drive(n, options, |blocks| blocks.map(|b| run_block(n, options, b, &mut marginals)).collect())
}

/// [`sample_shapley`] with blocks evaluated in parallel (rayon). `init` makes per-block scratch
/// state handed to `marginals`. Results are bit-identical to [`sample_shapley`] whatever the
/// number of threads.
///
/// # Errors
/// As [`sample_shapley`].
pub fn sample_shapley_par<T, I, F>(n: usize, options: &SamplingOptions, init: I, marginals: F) -> Result<SampledShapley>
where
    I: Fn() -> T + Sync,
    F: Fn(&mut T, &[usize], &mut [f64]) + Sync,
{
    drive(n, options, |blocks| {
        blocks
            .into_par_iter()
            .map(|b| {
                let mut state = init();
                run_block(n, options, b, &mut |p: &[usize], out: &mut [f64]| marginals(&mut state, p, out))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    })
}

/// [`sample_shapley_par`] for games that are themselves estimated: `marginals(state, unit,
/// perm, out)` also gets the unit's global index (0, 1, 2, … in block order, the same for both
/// permutations of an antithetic pair), so a caller can evaluate each unit on fresh, unit-keyed
/// random numbers (e.g. a block of simulation runs of its own). Units then stay independent and
/// identically distributed, and the interval covers both the permutation and the run sampling.
/// Bit-identical for any number of threads.
///
/// # Errors
/// As [`sample_shapley`].
pub fn sample_shapley_par_indexed<T, I, F>(
    n: usize,
    options: &SamplingOptions,
    init: I,
    marginals: F,
) -> Result<SampledShapley>
where
    I: Fn() -> T + Sync,
    F: Fn(&mut T, usize, &[usize], &mut [f64]) + Sync,
{
    drive(n, options, |blocks| par_blocks(n, options, blocks, &init, &marginals))
}

/// The blocks `blocks` of [`sample_shapley_par_indexed`], evaluated in parallel with no
/// stopping rule: per block, each player's moments of the unit values. Together with
/// [`sample_shapley_from_blocks`] this splits a sampled estimate across machines: every block
/// of `max_units` is computed somewhere, and the stopping rule is applied to them afterwards,
/// in block order, exactly as the one-machine run applies it.
///
/// # Errors
/// As [`sample_shapley`]; also a block range beyond `max_units`.
pub fn sample_shapley_blocks<T, I, F>(
    n: usize,
    options: &SamplingOptions,
    blocks: std::ops::Range<usize>,
    init: I,
    marginals: F,
) -> Result<Vec<Vec<Moments>>>
where
    I: Fn() -> T + Sync,
    F: Fn(&mut T, usize, &[usize], &mut [f64]) + Sync,
{
    check_options(n, options)?;
    if blocks.end > sample_blocks(options) {
        return Err(invalid("blocks", "beyond the blocks of max_units"));
    }
    par_blocks(n, options, blocks, &init, &marginals)
}

/// The blocks `blocks` evaluated in parallel, each with a fresh state: per block, each
/// player's moments of its units' values, in block order.
fn par_blocks<T, I, F>(
    n: usize,
    options: &SamplingOptions,
    blocks: std::ops::Range<usize>,
    init: &I,
    marginals: &F,
) -> Result<Vec<Vec<Moments>>>
where
    I: Fn() -> T + Sync,
    F: Fn(&mut T, usize, &[usize], &mut [f64]) + Sync,
{
    blocks
        .into_par_iter()
        .map(|b| {
            let mut state = init();
            run_block_indexed(n, options, b, &mut |u: usize, p: &[usize], out: &mut [f64]| {
                marginals(&mut state, u, p, out)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The number of blocks of `max_units` units.
pub fn sample_blocks(options: &SamplingOptions) -> usize {
    options.max_units.div_ceil(options.block_units.max(1))
}

/// [`sample_shapley_par_indexed`]'s result from every block's moments (as
/// [`sample_shapley_blocks`] computes them): the same rounds, the same stopping rule, the same
/// merges in block order, so the same bits.
///
/// # Errors
/// On invalid options, or when `blocks` are not all [`sample_blocks`] blocks of `n` players.
pub fn sample_shapley_from_blocks(
    n: usize,
    options: &SamplingOptions,
    blocks: &[Vec<Moments>],
) -> Result<SampledShapley> {
    if blocks.len() != sample_blocks(options) || blocks.iter().any(|b| b.len() != n) {
        return Err(invalid("blocks", "not every block of max_units, for every player"));
    }
    drive(n, options, |range| Ok(blocks[range].to_vec()))
}

/// Marginal contributions along `perm` of a game given by a full value table (a helper for
/// callers and tests): `out[perm[k]] = v(perm[..=k]) − v(perm[..k])`.
///
/// Returns nothing useful if `v` is not a table for `perm.len()` players; use with
/// [`sample_shapley`] as `|p, out| table_marginals(&v, p, out)`.
pub fn table_marginals(v: &[f64], perm: &[usize], out: &mut [f64]) {
    let mut mask = 0usize;
    let mut prev = v.first().copied().unwrap_or(0.0);
    for &p in perm {
        mask |= 1usize.checked_shl(p as u32).unwrap_or(0);
        let cur = v.get(mask).copied().unwrap_or(f64::NAN);
        if let Some(o) = out.get_mut(p) {
            *o = cur - prev;
        }
        prev = cur;
    }
}
