//! Running the model: draws, then evaluation, with exact accumulators.
//!
//! **Random numbers are addressed, not streamed.** Every random quantity of a run has a key:
//! (seed, run, purpose, index) — the uniform that picks variant `v`'s option, the normal of
//! factor `f`, and per pair `i` of the [`crate::model::Structure`] its will, its delay and its
//! capacity. The key seeds a SplitMix64 stream of its own ([`Stream`]), so a number depends only
//! on its key: not on the thread or shard that runs it, not on which other numbers were drawn,
//! and not on parameters or participation masks. A run therefore draws only what it needs (a
//! pair's delay only if it honours, its capacity only if it also pledges capacity and is in
//! time), while common random numbers still line up across coalitions and parameter points.
//!
//! A run has two stages: [`Runner::draw`] fills a [`Draws`] with the numbers the run needs, and
//! [`Runner::evaluate`] scores it for a [`Participation`] (which parties and commitments take
//! part). The plain run is the evaluation with everyone taking part. [`Runner::chunk`] without
//! per-run records runs the same computation in blocks of runs of one combination, one quantity
//! at a time across the runs (`block`), with the same operations in the same order within each
//! run, so its accumulator is bit-identical (`tests/blocks.rs`).
//!
//! Runs are cut into chunks of [`CHUNK`] for scheduling and per-chunk sums. Accumulators hold
//! integers (counts, and sums in fixed point), so adding them up is exact in any order: the
//! same seed gives bit-identical results for any thread count or shard split.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::{RngExt, TryRng};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::model::SimModel;

mod block;
use block::{Block, LANES};

/// Runs per chunk (the unit of scheduling and of per-chunk sums).
pub const CHUNK: u64 = 4096;

// Per-chunk counts of honoured runs are u16.
const _: () = assert!(CHUNK < 1 << 16);

/// Largest delivered / required ratio accumulated. A run adds at most 10¹² · 2³² ≈ 2⁷² to
/// `delivered_sq`, so a `u128` holds 2⁵⁶ runs: far beyond any run count.
pub const MAX_RATIO: f64 = 1e6;

/// Fixed-point scale of accumulated fractions: exact to 2⁻³². The one definition; `stats`
/// divides by it.
pub const SCALE: f64 = 4_294_967_296.0;

/// 1 in fixed point.
const ONE: u128 = 1 << 32;

fn fixed(x: f64) -> u128 {
    // The i64 and u64 paths are exact below 2³¹ and 2³² and much faster than a software f64 →
    // u128 conversion; the i64 one is a single instruction on x86-64.
    if (0.0..2.0e9).contains(&x) {
        (x * SCALE + 0.5) as i64 as u128
    } else if (0.0..4.0e9).contains(&x) {
        (x * SCALE + 0.5) as u64 as u128
    } else {
        (x * SCALE).round().max(0.0) as u128
    }
}

/// Per-pair, per-horizon thresholds on the delay normal: delivered in time iff z ≤ t.
fn delay_thresholds(model: &SimModel, horizons: &[f64]) -> Vec<f64> {
    let mut t = Vec::with_capacity(model.pairs.len() * horizons.len());
    for p in &model.pairs {
        for h in horizons {
            let x = h.ln() - p.delay_mu;
            t.push(if p.delay_sigma > 0.0 {
                x / p.delay_sigma
            } else if x >= 0.0 {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            });
        }
    }
    t
}

/// What a random number is for: part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// The uniform that picks a variant's option (index: the variant).
    Variant = 1,
    /// A latent factor's normal (index: the factor).
    Factor = 2,
    /// A pair's idiosyncratic will normal (index: the pair).
    Will = 3,
    /// A pair's delay normal (index: the pair).
    Delay = 4,
    /// A pair's capacity uniform (index: the pair).
    Capacity = 5,
    /// Where a pair's pledge falls in its amount range (index: the pair); drawn only for pairs
    /// whose commitment gives a range.
    Amount = 6,
}

/// The key of run `run` under `seed`: every quantity of the run is keyed from it.
#[inline]
pub fn run_key(seed: u64, run: u64) -> u64 {
    splitmix64(splitmix64(seed) ^ splitmix64(run ^ 0x5851_F42D_4C95_7F2D))
}

/// The random stream of one quantity: SplitMix64 (Steele, Lea & Flood 2014) started at a state
/// mixed from the run's key, the purpose and the index. Most quantities take one 64-bit word
/// (a uniform; a Ziggurat normal, rarely more).
#[derive(Debug)]
pub struct Stream(u64);

impl Stream {
    /// The stream of quantity (`purpose`, `index`) of the run keyed `run_key`.
    /// The run key is already mixed, so the state is the key with the tag folded in; the first
    /// output mixes it (SplitMix64's output function is a full-avalanche bijection).
    #[inline(always)]
    pub fn new(run_key: u64, purpose: Purpose, index: usize) -> Stream {
        let tag = ((index as u64) << 3) | purpose as u64;
        Stream(run_key ^ tag.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        Ok(mix(self.0))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// A uniform in [0, 1) and a standard normal of quantity (`purpose`, `index`).
#[inline(always)]
fn uniform(key: u64, purpose: Purpose, index: usize) -> f64 {
    Stream::new(key, purpose, index).random()
}

#[inline(always)]
fn normal(key: u64, purpose: Purpose, index: usize) -> f64 {
    StandardNormal.sample(&mut Stream::new(key, purpose, index))
}

#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
fn splitmix64(z: u64) -> u64 {
    mix(z.wrapping_add(0x9E37_79B9_7F4A_7C15))
}

/// Which parties and commitments take part in an evaluation. A pair takes part when both its
/// party and its commitment do. A pair that does not take part stays obliged (the obligation
/// was derived with everyone present) but does not act: it is counted as not honouring,
/// delivers nothing and crosses no red line. Decisions of bodies and backstop activations are
/// those of the scenario's replay, which does not depend on participation (`docs/model.md`,
/// "Participation").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    pair_on: Vec<bool>,
    /// Every pair takes part (the plain run's fast path).
    all: bool,
}

impl Participation {
    /// Everyone takes part: the plain run.
    pub fn all(model: &SimModel) -> Participation {
        Participation { pair_on: vec![true; model.pairs.len()], all: true }
    }

    /// Only the parties with `parties[index] == true` and the commitments with
    /// `commitments[index] == true` take part (indices as in the spec; missing entries take part).
    pub fn new(model: &SimModel, parties: &[bool], commitments: &[bool]) -> Participation {
        let pair_on = model
            .pairs
            .iter()
            .zip(&model.pair_commitment)
            .map(|(p, &c)| {
                parties.get(p.party_index).copied().unwrap_or(true) && commitments.get(c).copied().unwrap_or(true)
            })
            .collect::<Vec<bool>>();
        let all = pair_on.iter().all(|on| *on);
        Participation { pair_on, all }
    }

    /// Only the parties whose bit is set in `mask` take part (bit = party index, < 128).
    pub fn parties(model: &SimModel, mask: u128) -> Participation {
        let parties: Vec<bool> = (0..model.parties).map(|p| p < 128 && mask & (1u128 << p) != 0).collect();
        Participation::new(model, &parties, &[])
    }

    /// Whether pair `i` takes part.
    pub fn pair(&self, i: usize) -> bool {
        self.pair_on[i]
    }
}

/// A run was stopped by its cancellation token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the simulation was cancelled")
    }
}
impl std::error::Error for Cancelled {}

/// How a caller watches and stops a simulation: `progress` is called with the number of runs
/// finished after each chunk; when `cancel` turns true, no new chunk starts and the simulation
/// returns [`Cancelled`].
#[derive(Clone, Copy)]
pub struct Control<'a> {
    pub progress: &'a (dyn Fn(u64) + Sync),
    pub cancel: Option<&'a AtomicBool>,
}

impl Control<'_> {
    /// No progress report, no cancellation.
    pub fn none() -> Control<'static> {
        Control { progress: &|_| {}, cancel: None }
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Sums over runs. Every field is an integer, so merging is exact and order-free.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Acc {
    pub runs: u64,
    /// [h]: runs adequate in every need.
    pub adequate_all: Vec<u64>,
    /// [h·needs + d]: runs adequate in need d.
    pub adequate: Vec<u64>,
    /// [h·needs + d]: Σ adequacy and Σ adequacy², fixed point.
    pub adequacy: Vec<u128>,
    pub adequacy_sq: Vec<u128>,
    /// [h·needs + d]: Σ delivered / required (capped at [`MAX_RATIO`]) and its square, fixed
    /// point. Normalising by the requirement keeps the sums far from overflow whatever the unit.
    pub delivered: Vec<u128>,
    pub delivered_sq: Vec<u128>,
    /// Σ credibility and Σ credibility² at the deterrence horizon (mean adequacy over needs).
    pub credibility: u128,
    pub credibility_sq: u128,
    /// Runs in which a delivered commitment crossed a threat red line.
    pub escalation: u64,
    /// Per pair: runs in which it was active, and honoured.
    pub pair_active: Vec<u64>,
    pub pair_honoured: Vec<u64>,
    /// Per commitment: runs in which any of its pairs was active.
    pub commitment_active: Vec<u64>,
    /// Per commitment, sums over runs of a_r (its active pairs in run r), h_r (those that
    /// honoured), a_r², h_r² and a_r·h_r: the run-level (clustered) moments behind the
    /// honour rate's interval, since pairs of one run share factors.
    pub commitment_pairs: Vec<u64>,
    pub commitment_honoured: Vec<u64>,
    pub commitment_pairs_sq: Vec<u128>,
    pub commitment_honoured_sq: Vec<u128>,
    pub commitment_cross: Vec<u128>,
    /// Per variant and option: runs that chose it.
    pub options: Vec<Vec<u64>>,
}

impl Acc {
    /// Whether every vector has the length `model` gives it (an accumulator read from a file
    /// must fit before it is summarised).
    pub fn fits(&self, model: &SimModel) -> bool {
        let empty = Acc::new(model);
        let cells = |a: &Acc| {
            [
                a.adequate.len(),
                a.adequacy.len(),
                a.adequacy_sq.len(),
                a.delivered.len(),
                a.delivered_sq.len(),
                a.adequate_all.len(),
                a.pair_active.len(),
                a.pair_honoured.len(),
                a.commitment_active.len(),
                a.commitment_pairs.len(),
                a.commitment_honoured.len(),
                a.commitment_pairs_sq.len(),
                a.commitment_honoured_sq.len(),
                a.commitment_cross.len(),
            ]
        };
        cells(self) == cells(&empty) && self.options.iter().map(Vec::len).eq(empty.options.iter().map(Vec::len))
    }

    pub fn new(model: &SimModel) -> Acc {
        let cells = model.horizons.len() * model.needs.len();
        Acc {
            runs: 0,
            adequate_all: vec![0; model.horizons.len()],
            adequate: vec![0; cells],
            adequacy: vec![0; cells],
            adequacy_sq: vec![0; cells],
            delivered: vec![0; cells],
            delivered_sq: vec![0; cells],
            credibility: 0,
            credibility_sq: 0,
            escalation: 0,
            pair_active: vec![0; model.pairs.len()],
            pair_honoured: vec![0; model.pairs.len()],
            commitment_active: vec![0; model.commitments.len()],
            commitment_pairs: vec![0; model.commitments.len()],
            commitment_honoured: vec![0; model.commitments.len()],
            commitment_pairs_sq: vec![0; model.commitments.len()],
            commitment_honoured_sq: vec![0; model.commitments.len()],
            commitment_cross: vec![0; model.commitments.len()],
            options: model.variants.iter().map(|v| vec![0; v.len()]).collect(),
        }
    }

    /// Adds another accumulator (exact).
    pub fn merge(mut self, other: &Acc) -> Acc {
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += *y);
        }
        self.runs += other.runs;
        add(&mut self.adequate_all, &other.adequate_all);
        add(&mut self.adequate, &other.adequate);
        add(&mut self.adequacy, &other.adequacy);
        add(&mut self.adequacy_sq, &other.adequacy_sq);
        add(&mut self.delivered, &other.delivered);
        add(&mut self.delivered_sq, &other.delivered_sq);
        self.credibility += other.credibility;
        self.credibility_sq += other.credibility_sq;
        self.escalation += other.escalation;
        add(&mut self.pair_active, &other.pair_active);
        add(&mut self.pair_honoured, &other.pair_honoured);
        add(&mut self.commitment_active, &other.commitment_active);
        add(&mut self.commitment_pairs, &other.commitment_pairs);
        add(&mut self.commitment_honoured, &other.commitment_honoured);
        add(&mut self.commitment_pairs_sq, &other.commitment_pairs_sq);
        add(&mut self.commitment_honoured_sq, &other.commitment_honoured_sq);
        add(&mut self.commitment_cross, &other.commitment_cross);
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            add(a, b);
        }
        self
    }
}

/// One run's outcome, for per-run output (Parquet).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub run: u64,
    /// Index of the combination of variant options.
    pub combination: u32,
    /// [h]: adequate in every need.
    pub adequate_all: Vec<bool>,
    /// [h·needs + d].
    pub adequacy: Vec<f64>,
    pub credibility: f64,
    pub escalation: bool,
    pub honoured: u32,
}

/// A chunk's sums for one horizon and need (see [`Acc`]). A run adds at most 2³² to
/// `adequacy` and `adequacy_sq` and at most [`MAX_RATIO`] · 2³² < 2⁵² to `delivered`, so over
/// [`CHUNK`] < 2¹² runs they fit a `u64`; `delivered_sq` needs a `u128`.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    adequate: u64,
    adequacy: u64,
    adequacy_sq: u64,
    delivered: u64,
    delivered_sq: u128,
}

const _: () = assert!(CHUNK <= 1 << 12 && MAX_RATIO < (1u64 << 20) as f64);

/// One need's figures in one run at one horizon: functions of the amount delivered alone.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    adequacy: f64,
    adequate: bool,
    /// The ratio delivered / required (capped) and its square, in fixed point.
    x: u64,
    x_sq: u128,
    /// The adequacy and its square, in fixed point.
    a: u64,
    a_sq: u64,
}

/// The option a uniform draw `u` picks, given the options' cumulative weights but the last:
/// the first whose cumulative weight exceeds `u` (the last if none does). Cumulative weights
/// do not decrease, so that is the number of them not above `u`, counted without branches.
fn option(cumulative: &[f64], u: f64) -> usize {
    cumulative.iter().map(|c| usize::from(*c <= u)).sum()
}

/// The quantile function of Kumaraswamy(a, b), (1 − (1 − u)^(1/b))^(1/a), with exp and ln
/// rather than `powf` (which costs twice as much), and square roots when a is a power of two
/// (the default a = 8).
#[derive(Debug, Clone, Copy)]
struct Quantile {
    inv_a: f64,
    inv_b: f64,
    /// k when a = 2^k (k ≤ 6): then the power 1/a is k square roots.
    sqrt_a: Option<u32>,
}

impl Quantile {
    fn new(a: f64, b: f64) -> Quantile {
        Quantile { inv_a: 1.0 / a, inv_b: 1.0 / b, sqrt_a: (0..=6).find(|&k| a == f64::from(1u32 << k)) }
    }

    fn at(&self, u: f64) -> f64 {
        let y = 1.0 - ((1.0 - u).ln() * self.inv_b).exp();
        match self.sqrt_a {
            Some(k) => (0..k).fold(y, |y, _| y.sqrt()),
            None => (y.ln() * self.inv_a).exp(),
        }
    }
}

/// One run's random outcome, filled by [`Runner::draw`]: which variant options hold, which
/// obliged pairs honour, when they arrive and how much of their pledge does. Only the entries
/// of the pairs active in `combination` are written; the others are stale and never read.
/// The draws are read-only outside this module (their accessors), since the list of pairs
/// that deliver is derived from them in the draw: edited draws would mislead the evaluation.
#[derive(Debug, Clone)]
pub struct Draws {
    run: u64,
    /// Index of the combination of variant options (mixed radix, variant 0 fastest).
    combination: usize,
    /// Per factor: its normal (factors that no pair loads are not drawn).
    factors: Vec<f64>,
    /// Per pair: whether its latent will is below its threshold.
    honoured: Vec<bool>,
    /// Per pair that honours: a bit per horizon (the simulation's horizons, then the
    /// deterrence horizon) at which it is in place.
    timely: Vec<u64>,
    /// Per pair that honours, pledges capacity and is in time somewhere: the realised fraction.
    fraction: Vec<f64>,
    /// How many random numbers this run drew.
    drawn: u32,
    shared: Vec<f64>,
    /// The pairs that honour, pledge something and are in time at some horizon, in party
    /// order: `delivering[..delivering_len]` (written without branches, so one slot more
    /// than the pairs).
    delivering: Vec<u32>,
    delivering_len: usize,
    /// Work list of the pairs whose delay or capacity is drawn next.
    pending: Vec<u32>,
}

impl Draws {
    /// The run drawn.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// Index of the combination of variant options (mixed radix, variant 0 fastest).
    pub fn combination(&self) -> usize {
        self.combination
    }

    /// Factor `f`'s normal (0 for a factor that no pair loads: it is not drawn).
    pub fn factor(&self, f: usize) -> f64 {
        self.factors[f]
    }

    /// How many random numbers the run drew.
    pub fn drawn(&self) -> u32 {
        self.drawn
    }
}

/// The evaluation's buffers and its sums since the last [`Runner::fold`]: one per thread and per
/// participation being scored, so that runs do not allocate.
pub struct Scratch {
    /// [d·horizons + h]: the current party's largest timely amount.
    best: Vec<f64>,
    /// [d·horizons + h]: delivered amount.
    delivered: Vec<f64>,
    combos: Vec<u64>,
    /// Per pair: runs of this chunk in which it was active, took part and honoured ([`CHUNK`] < 2¹⁶).
    honoured_runs: Vec<u16>,
    /// Per commitment: this chunk's Σ h_r, Σ h_r² and Σ a_r·h_r.
    c_honoured: Vec<u64>,
    c_honoured_sq: Vec<u64>,
    c_cross: Vec<u64>,
    /// [h·needs + d]: this chunk's sums per horizon and need.
    cells: Vec<Cell>,
    /// [h]: runs since the last fold in which nobody delivered at horizon h: their sums at h
    /// are [`Runner::empty`]'s each, added at the fold (an exact integer product).
    empty: Vec<u64>,
}

/// The sums of one run in which nobody delivers, computed once by the same code as any run.
#[derive(Debug, Clone, Default)]
struct Empty {
    cells: Vec<Cell>,
    adequate_all: Vec<u64>,
    credibility: u128,
    credibility_sq: u128,
}

/// Where [`Runner::tally`] puts one run's sums: a chunk's cells and the accumulator's run sums.
struct Tally<'a> {
    /// Horizons at which nothing was delivered: counted in `empty`, not summed.
    skip: u64,
    empty: &'a mut [u64],
    cells: &'a mut [Cell],
    adequate_all: &'a mut [u64],
    credibility: &'a mut u128,
    credibility_sq: &'a mut u128,
}

/// An active pair of one outcome, with what its draws need at hand.
#[derive(Debug, Clone, Copy)]
struct Active {
    pair: u32,
    group: u32,
    flags: u8,
    threshold: f64,
    idio: f64,
}

/// Flags of an active pair in one outcome.
const DELIVERS: u8 = 1;
const ESCALATES: u8 = 2;
const PLACED: u8 = 4;
const FRACTION: u8 = 8;
/// Its will has an idiosyncratic part and a finite threshold: a normal is drawn.
const DRAWS_WILL: u8 = 16;
/// Its timing matters (it delivers or escalates) and it is not in place: a delay is drawn if it
/// honours.
const TIMED: u8 = 32;

/// The model plus what runs precompute from it.
pub struct Runner<'m> {
    model: &'m SimModel,
    /// User horizons, then the deterrence horizon.
    horizons: Vec<f64>,
    thresholds: Vec<f64>,
    quantile: Quantile,
    /// Per variant: its options' cumulative weights but the last, its radix in the index of a
    /// combination of options, and whether its choice is random (more than one option with
    /// weight); a pinned variant draws nothing.
    cumulative: Vec<Vec<f64>>,
    radix: Vec<usize>,
    random_variant: Vec<bool>,
    /// The factors some pair loads: the only ones drawn.
    used_factors: Vec<usize>,
    /// Distinct loading lists (most pairs of a party share one), so a run computes each
    /// shared part once: group `g` loads `load_factor/load_value[load_start[g]..load_start[g + 1]]`.
    load_start: Vec<usize>,
    load_factor: Vec<usize>,
    load_value: Vec<f64>,
    /// Per outcome: its active pairs with their flags, grouped by commitment, and where each
    /// commitment's group ends: (commitment, end, number of pairs).
    active: Vec<Vec<Active>>,
    /// Per outcome: the active pairs that pledge capacity.
    fractioned: Vec<Vec<u32>>,
    commitment_ends: Vec<Vec<(usize, usize, u64)>>,
    /// Per outcome: the active pairs that pledge something, in party order.
    delivering: Vec<Vec<u32>>,
    /// Per pair: its party's index.
    party: Vec<u32>,
    /// Per outcome: its escalating pairs.
    escalating: Vec<Vec<usize>>,
    /// The sums of a run in which nobody delivers.
    empty: Empty,
    /// Per need: 1 / required when the requirement is a power of two, so that the quotient is
    /// an exact product (the same bits as the division).
    inverse: Vec<Option<f64>>,
    /// Per pair: the needs it pledges to, the amount, and whether the need counts pledges.
    contrib: Vec<Vec<(usize, f64, bool)>>,
}

impl<'m> Runner<'m> {
    pub fn new(model: &'m SimModel) -> Runner<'m> {
        let mut horizons = model.horizons.clone();
        horizons.push(model.deterrence.horizon);
        let thresholds = delay_thresholds(model, &horizons);
        let mut groups: Vec<&[(usize, f64)]> = Vec::new();
        let mut group = Vec::with_capacity(model.pairs.len());
        for p in &model.pairs {
            let g = match groups.iter().position(|l| *l == p.loadings.as_slice()) {
                Some(g) => g,
                None => {
                    groups.push(&p.loadings);
                    groups.len() - 1
                }
            };
            group.push(g);
        }
        let mut load_start = vec![0];
        let mut load_factor = Vec::new();
        let mut load_value = Vec::new();
        for loadings in &groups {
            for (f, l) in *loadings {
                load_factor.push(*f);
                load_value.push(*l);
            }
            load_start.push(load_factor.len());
        }
        let mut used_factors = load_factor.clone();
        used_factors.sort_unstable();
        used_factors.dedup();
        let pledges = |i: usize| model.pairs[i].pledge.iter().any(|x| *x > 0.0);
        let uses_fraction =
            |i: usize| model.pairs[i].pledge.iter().zip(&model.needs).any(|(x, n)| *x > 0.0 && !n.count);
        let mut active = Vec::with_capacity(model.outcomes.len());
        let mut commitment_ends = Vec::with_capacity(model.outcomes.len());
        for o in &model.outcomes {
            let mut list: Vec<Active> = o
                .active
                .iter()
                .map(|&i| {
                    let mut flags = 0;
                    let (threshold, idio) = (model.pairs[i].threshold, model.pairs[i].idio);
                    if threshold.is_finite() && idio > 0.0 {
                        flags |= DRAWS_WILL;
                    }
                    if pledges(i) {
                        flags |= DELIVERS;
                    }
                    if o.escalating.contains(&i) {
                        flags |= ESCALATES;
                    }
                    if o.placed[i] {
                        flags |= PLACED;
                    }
                    if uses_fraction(i) {
                        flags |= FRACTION;
                    }
                    if flags & (DELIVERS | ESCALATES) != 0 && flags & PLACED == 0 {
                        flags |= TIMED;
                    }
                    Active { pair: i as u32, group: group[i] as u32, flags, threshold, idio }
                })
                .collect();
            list.sort_by_key(|a| (model.pair_commitment[a.pair as usize], a.pair));
            let mut ends = Vec::new();
            let mut begin = 0;
            for k in 0..list.len() {
                let c = model.pair_commitment[list[k].pair as usize];
                if k + 1 == list.len() || model.pair_commitment[list[k + 1].pair as usize] != c {
                    ends.push((c, k + 1, (k + 1 - begin) as u64));
                    begin = k + 1;
                }
            }
            active.push(list);
            commitment_ends.push(ends);
        }
        let delivering: Vec<Vec<u32>> = model
            .outcomes
            .iter()
            .map(|o| {
                let mut v: Vec<u32> = o.active.iter().filter(|&&i| pledges(i)).map(|&i| i as u32).collect();
                v.sort_by_key(|&i| model.pairs[i as usize].party_index);
                v
            })
            .collect();
        let cumulative = model
            .variants
            .iter()
            .map(|weights| {
                let mut sum = 0.0;
                let mut c: Vec<f64> = weights
                    .iter()
                    .map(|w| {
                        sum += w;
                        sum
                    })
                    .collect();
                c.pop();
                c
            })
            .collect();
        let radix = model
            .variants
            .iter()
            .scan(1usize, |r, w| {
                let here = *r;
                *r *= w.len();
                Some(here)
            })
            .collect();
        let pick = |want: &dyn Fn(u8) -> bool| -> Vec<Vec<u32>> {
            active.iter().map(|list| list.iter().filter(|a| want(a.flags)).map(|a| a.pair).collect()).collect()
        };
        let fractioned = pick(&|f| f & FRACTION != 0);
        let mut runner = Runner {
            fractioned,
            cumulative,
            radix,
            random_variant: model.variants.iter().map(|w| w.iter().filter(|x| **x > 0.0).count() > 1).collect(),
            used_factors,
            load_start,
            load_factor,
            load_value,
            model,
            horizons,
            thresholds,
            quantile: Quantile::new(model.capacity.a, model.capacity.b),
            active,
            commitment_ends,
            delivering,
            party: model.pairs.iter().map(|p| p.party_index as u32).collect(),
            escalating: model.outcomes.iter().map(|o| o.escalating.clone()).collect(),
            empty: Empty::default(),
            inverse: model
                .needs
                .iter()
                .map(|n| {
                    let r = n.required;
                    let power_of_two = r.is_normal() && r > 0.0 && r.to_bits() & ((1 << 52) - 1) == 0;
                    power_of_two.then(|| 1.0 / r).filter(|i| i.is_normal())
                })
                .collect(),
            contrib: model
                .pairs
                .iter()
                .map(|p| {
                    p.pledge
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| **x > 0.0)
                        .map(|(d, x)| (d, *x, model.needs[d].count))
                        .collect()
                })
                .collect(),
        };
        let cells = runner.horizons.len() * model.needs.len();
        let mut empty = Empty {
            cells: vec![Cell::default(); cells],
            adequate_all: vec![0; model.horizons.len()],
            credibility: 0,
            credibility_sq: 0,
        };
        let zero = vec![0.0; cells];
        runner.tally(
            &zero,
            Tally {
                skip: 0,
                empty: &mut [],
                cells: &mut empty.cells,
                adequate_all: &mut empty.adequate_all,
                credibility: &mut empty.credibility,
                credibility_sq: &mut empty.credibility_sq,
            },
            None,
        );
        runner.empty = empty;
        runner
    }

    /// Buffers for [`Runner::draw`].
    pub fn draws(&self) -> Draws {
        let m = self.model;
        Draws {
            run: 0,
            combination: 0,
            factors: vec![0.0; m.factors],
            honoured: vec![false; m.pairs.len()],
            timely: vec![0; m.pairs.len()],
            fraction: vec![0.0; m.pairs.len()],
            drawn: 0,
            shared: vec![0.0; self.load_start.len() - 1],
            delivering: vec![0; m.pairs.len() + 1],
            delivering_len: 0,
            pending: vec![0; m.pairs.len() + 1],
        }
    }

    /// Buffers for [`Runner::evaluate`].
    pub fn scratch(&self) -> Scratch {
        let m = self.model;
        let cells = self.horizons.len() * m.needs.len();
        Scratch {
            best: vec![0.0; cells],
            delivered: vec![0.0; cells],
            combos: vec![0; m.outcomes.len()],
            honoured_runs: vec![0; m.pairs.len()],
            c_honoured: vec![0; m.commitments.len()],
            c_honoured_sq: vec![0; m.commitments.len()],
            c_cross: vec![0; m.commitments.len()],
            cells: vec![Cell::default(); m.horizons.len() * m.needs.len()],
            empty: vec![0; self.horizons.len()],
        }
    }

    /// Draws what run `run` needs, and nothing else: the option of each variant whose choice is
    /// random; the factors some pair loads; for each active pair its will (unless its prior is 0
    /// or 1), then, if it honours and its timing matters, its delay, then, if it pledges capacity
    /// and is in time at some horizon, its capacity. Every number comes from its own key.
    pub fn draw(&self, seed: u64, run: u64, d: &mut Draws) {
        self.draw_into::<false>(seed, run, d, &mut Vec::new());
    }

    /// [`Runner::draw`], recording the address of every number drawn when `RECORD`.
    fn draw_into<const RECORD: bool>(
        &self,
        seed: u64,
        run: u64,
        d: &mut Draws,
        drawn_at: &mut Vec<(u64, Purpose, u32)>,
    ) {
        let key = run_key(seed, run);
        let (combination, drawn) = self.combination::<RECORD>(key, drawn_at);
        self.draw_outcome::<RECORD>(key, run, combination, drawn, d, drawn_at);
    }

    /// The combination of variant options of the run keyed `key`, and how many numbers picking
    /// it drew.
    #[inline]
    fn combination<const RECORD: bool>(&self, key: u64, drawn_at: &mut Vec<(u64, Purpose, u32)>) -> (usize, u32) {
        let mut drawn = 0u32;
        let mut combination = 0usize;
        for (v, (cumulative, radix)) in self.cumulative.iter().zip(&self.radix).enumerate() {
            let u = if self.random_variant[v] {
                drawn += 1;
                if RECORD {
                    drawn_at.push((key, Purpose::Variant, v as u32));
                }
                uniform(key, Purpose::Variant, v)
            } else {
                0.5
            };
            combination += option(cumulative, u) * radix;
        }
        (combination, drawn)
    }

    /// The rest of run `run`'s draws once its combination is known: factors, wills, delays and
    /// capacities. The lists of pairs whose delay and capacity are drawn are compacted without
    /// branches first, so that no branch depends on a random honour decision.
    fn draw_outcome<const RECORD: bool>(
        &self,
        key: u64,
        run: u64,
        combination: usize,
        mut drawn: u32,
        d: &mut Draws,
        drawn_at: &mut Vec<(u64, Purpose, u32)>,
    ) {
        let mut note = |purpose: Purpose, index: usize| {
            if RECORD {
                drawn_at.push((key, purpose, index as u32));
            }
        };
        for &f in &self.used_factors {
            note(Purpose::Factor, f);
            d.factors[f] = normal(key, Purpose::Factor, f);
        }
        drawn += self.used_factors.len() as u32;
        for (shared, range) in d.shared.iter_mut().zip(self.load_start.windows(2)) {
            let (factors, values) = (&self.load_factor[range[0]..range[1]], &self.load_value[range[0]..range[1]]);
            *shared = factors.iter().zip(values).map(|(f, l)| l * d.factors[*f]).sum();
        }
        let hs = self.horizons.len();
        // The will of every active pair; the honouring pairs whose timing matters are listed.
        let mut timed = 0;
        for a in &self.active[combination] {
            let (i, flags) = (a.pair as usize, a.flags);
            let honoured = if flags & DRAWS_WILL != 0 {
                drawn += 1;
                note(Purpose::Will, i);
                d.shared[a.group as usize] + a.idio * normal(key, Purpose::Will, i) < a.threshold
            } else if a.threshold.is_infinite() {
                a.threshold > 0.0
            } else {
                d.shared[a.group as usize] < a.threshold
            };
            d.honoured[i] = honoured;
            d.timely[i] = if flags & PLACED != 0 { u64::MAX } else { 0 };
            d.pending[timed] = a.pair;
            timed += usize::from(honoured & (flags & TIMED != 0));
        }
        // Their delays.
        for &i in &d.pending[..timed] {
            let i = i as usize;
            drawn += 1;
            note(Purpose::Delay, i);
            let z = normal(key, Purpose::Delay, i);
            let t = &self.thresholds[i * hs..(i + 1) * hs];
            d.timely[i] = t.iter().enumerate().fold(0u64, |m, (h, t)| m | (u64::from(z <= *t) << h));
        }
        // The capacity of those that pledge it, honour and are in time somewhere.
        let mut placed = 0;
        for &i in &self.fractioned[combination] {
            d.pending[placed] = i;
            placed += usize::from(d.honoured[i as usize] & (d.timely[i as usize] != 0));
        }
        for &i in &d.pending[..placed] {
            let i = i as usize;
            drawn += 1;
            note(Purpose::Capacity, i);
            d.fraction[i] = self.quantile.at(uniform(key, Purpose::Capacity, i));
            let floor = self.model.pairs[i].pledge_floor;
            if floor < 1.0 {
                drawn += 1;
                note(Purpose::Amount, i);
                d.fraction[i] *= floor + (1.0 - floor) * uniform(key, Purpose::Amount, i);
            }
        }
        // Who delivers, in party order.
        let mut delivering = 0;
        for &i in &self.delivering[combination] {
            d.delivering[delivering] = i;
            delivering += usize::from(d.honoured[i as usize] & (d.timely[i as usize] != 0));
        }
        d.delivering_len = delivering;
        d.run = run;
        d.combination = combination;
        d.drawn = drawn;
    }

    /// Scores one run's draws for `part`: into `s` (sums folded into `acc` by [`Runner::fold`],
    /// which must be called at least every [`CHUNK`] evaluations) and `acc`. The same draws can
    /// be scored for any number of participations, each with its own `Scratch` and `Acc`: the
    /// common random numbers of an attribution.
    pub fn evaluate(&self, d: &Draws, part: &Participation, s: &mut Scratch, acc: &mut Acc) {
        self.score::<false>(d, part, s, acc);
    }

    /// Each party's own delivery in run `d` at horizon index `h` (the simulation's horizons,
    /// then the deterrence horizon), with everyone taking part: `out[party · needs + n]` is the
    /// largest timely amount the party's honouring pairs bring to need `n` (forces are sent
    /// once), as [`Runner::evaluate`] computes it. Since a party that does not take part acts in
    /// none of its pairs, the delivery of a coalition `S` to need `n` is the sum of these over
    /// the parties of `S` in ascending order — the very additions `evaluate` makes under
    /// [`Participation::parties`], so a coalition's figures from these are bit-identical to a
    /// run with that participation (tested in `crates/ironclad/tests/attribute.rs`). This lets
    /// an analysis score all 2ⁿ coalitions of one run's draws without re-evaluating it.
    pub fn party_delivery(&self, d: &Draws, h: usize, out: &mut [f64]) {
        let needs = self.model.needs.len();
        let hs = self.horizons.len();
        out.iter_mut().for_each(|x| *x = 0.0);
        if h >= hs {
            return;
        }
        for &i in &d.delivering[..d.delivering_len] {
            let i = i as usize;
            if d.timely[i] & (1 << h) == 0 {
                continue;
            }
            let p = self.model.pairs[i].party_index;
            let fraction = d.fraction[i];
            for &(n, pledge, count) in &self.contrib[i] {
                let amount = if count { pledge } else { pledge * fraction };
                let best = &mut out[p * needs + n];
                if amount > *best {
                    *best = amount;
                }
            }
        }
    }

    /// Scores one run's draws for `part` into the chunk's sums and `acc`; returns the run's
    /// record when `RECORD`.
    fn score<const RECORD: bool>(
        &self,
        d: &Draws,
        part: &Participation,
        s: &mut Scratch,
        acc: &mut Acc,
    ) -> Option<Record> {
        let m = self.model;
        let combination = d.combination;
        let all_take_part = part.all;
        let acts = |i: usize| d.honoured[i] & (all_take_part || part.pair_on[i]);
        // Honour counts, per pair and per commitment (run-level moments).
        let active = &self.active[combination];
        let mut begin = 0;
        let mut honoured_total = 0u32;
        for &(k, end, a) in &self.commitment_ends[combination] {
            let mut h = 0u64;
            for a in &active[begin..end] {
                let i = a.pair as usize;
                let on = acts(i);
                s.honoured_runs[i] += u16::from(on);
                h += u64::from(on);
            }
            s.c_honoured[k] += h;
            s.c_honoured_sq[k] += h * h;
            s.c_cross[k] += a * h;
            honoured_total += h as u32;
            begin = end;
        }
        s.combos[combination] += 1;
        acc.runs += 1;
        let hs = self.horizons.len();
        let escalation = self.escalating[combination]
            .iter()
            .fold(false, |e, &i| e | (acts(i) & (d.timely[i] & (1 << (hs - 1)) != 0)));
        acc.escalation += u64::from(escalation);
        // Delivered per horizon and need: each party contributes its largest timely pledge per
        // need (forces are sent once), and parties add up, in party order.
        let delivering = &d.delivering[..d.delivering_len];
        if !RECORD && (delivering.is_empty() || !all_take_part && !delivering.iter().any(|&i| part.pair_on[i as usize]))
        {
            // Nobody delivers: the sums are those of the empty run, added at the fold.
            s.empty.iter_mut().for_each(|n| *n += 1);
            return None;
        }
        s.delivered.iter_mut().for_each(|x| *x = 0.0);
        // `s.best` is zero here: the last pair of the list always ends its party's group.
        let mut any = 0u64;
        for (k, &i) in delivering.iter().enumerate() {
            let i = i as usize;
            if all_take_part || part.pair_on[i] {
                let mask = d.timely[i];
                any |= mask;
                let fraction = d.fraction[i];
                for &(n, pledge, count) in &self.contrib[i] {
                    let amount = if count { pledge } else { pledge * fraction };
                    for (h, best) in s.best[n * hs..(n + 1) * hs].iter_mut().enumerate() {
                        let candidate = if mask & (1 << h) != 0 { amount } else { 0.0 };
                        *best = best.max(candidate);
                    }
                }
            }
            // At the end of a party's pairs, its best amounts join the sums.
            let last = delivering.get(k + 1).is_none_or(|&j| self.party[j as usize] != self.party[i]);
            if last {
                s.delivered.iter_mut().zip(&mut s.best).for_each(|(x, b)| {
                    *x += *b;
                    *b = 0.0;
                });
            }
        }
        let mut rec = RECORD.then(|| Record {
            run: d.run,
            combination: combination as u32,
            adequate_all: Vec::with_capacity(m.horizons.len()),
            adequacy: Vec::with_capacity(m.horizons.len() * m.needs.len()),
            credibility: 0.0,
            escalation,
            honoured: honoured_total,
        });
        let every = if hs >= 64 { u64::MAX } else { (1u64 << hs) - 1 };
        self.tally(
            &s.delivered,
            Tally {
                skip: if RECORD { 0 } else { !any & every },
                empty: &mut s.empty,
                cells: &mut s.cells,
                adequate_all: &mut acc.adequate_all,
                credibility: &mut acc.credibility,
                credibility_sq: &mut acc.credibility_sq,
            },
            rec.as_mut(),
        );
        rec
    }

    /// Adds one run's sums for `delivered` ([d·horizons + h]) to `out`, and to `rec`.
    #[inline]
    fn tally(&self, delivered: &[f64], out: Tally<'_>, mut rec: Option<&mut Record>) {
        let m = self.model;
        let (hs, needs) = (self.horizons.len(), m.needs.len());
        for h in 0..hs {
            if out.skip & (1 << h) != 0 {
                out.empty[h] += 1;
                continue;
            }
            let deterrence = h == hs - 1;
            let mut all = true;
            let mut credibility = 0.0;
            for n in 0..needs {
                let f = self.figures(n, delivered[n * hs + h]);
                credibility += f.adequacy;
                all &= f.adequate;
                if !deterrence {
                    let cell = &mut out.cells[h * needs + n];
                    cell.adequate += u64::from(f.adequate);
                    cell.delivered += f.x;
                    cell.delivered_sq += f.x_sq;
                    cell.adequacy += f.a;
                    cell.adequacy_sq += f.a_sq;
                    if let Some(r) = rec.as_deref_mut() {
                        r.adequacy.push(f.adequacy);
                    }
                }
            }
            if deterrence {
                let c = credibility / needs as f64;
                *out.credibility += fixed(c);
                *out.credibility_sq += fixed(c * c);
                if let Some(r) = rec.as_deref_mut() {
                    r.credibility = c;
                }
            } else {
                out.adequate_all[h] += u64::from(all);
                if let Some(r) = rec.as_deref_mut() {
                    r.adequate_all.push(all);
                }
            }
        }
    }

    /// Need `d`'s figures in a run that delivers `delivered` toward it (the one definition, for [`Runner::tally`] and the block loop).
    #[inline]
    fn figures(&self, d: usize, delivered: f64) -> Figures {
        let required = self.model.needs[d].required;
        let quotient = match self.inverse[d] {
            Some(inverse) => delivered * inverse,
            None => delivered / required,
        };
        let ratio = quotient.min(MAX_RATIO);
        // `fixed` of a ratio, which is below 2²⁰: the exact i64 path.
        let x = (ratio * SCALE + 0.5) as i64 as u64;
        let x_sq = fixed(ratio * ratio);
        // Below 1 the adequacy is the ratio itself, so its fixed-point values are too.
        let below = quotient < 1.0;
        Figures {
            adequacy: quotient.min(1.0),
            adequate: delivered >= required,
            x,
            x_sq,
            a: if below { x } else { ONE as u64 },
            a_sq: if below { x_sq as u64 } else { ONE as u64 },
        }
    }

    /// Runs chunk `chunk` of a simulation of `total` runs into `acc`, for `part`; records each
    /// run if asked.
    pub fn chunk(
        &self,
        seed: u64,
        chunk: u64,
        total: u64,
        part: &Participation,
        acc: &mut Acc,
        records: Option<&mut Vec<Record>>,
    ) {
        let start = chunk * CHUNK;
        let end = (start + CHUNK).min(total);
        let mut s = self.scratch();
        if let Some(out) = records {
            // Records come in run order.
            let mut d = self.draws();
            for run in start..end {
                self.draw(seed, run, &mut d);
                out.extend(self.score::<true>(&d, part, &mut s, acc));
            }
        } else {
            let mut b = Block::new(self);
            self.blocks(seed, start, end, |keys, combination, _| {
                self.block(keys, combination, part, &mut b, &mut s, acc)
            });
        }
        self.fold(&mut s, acc);
    }

    /// Runs `start..end` grouped by their combination of variant options and cut into blocks of
    /// at most [`LANES`] runs of one combination: `f(keys, combination, picked)` for each block,
    /// where `picked` counts the numbers drawn to pick the block's combinations. Each variant's
    /// option is picked for all the runs in one loop (independent iterations), then the run keys
    /// are sorted by combination (a counting sort, stable in run order): runs of one
    /// combination take the same paths through the draw and the score, so their branches
    /// repeat. The sums are integers, so the order in which runs are scored changes no bit of a
    /// result.
    fn blocks(&self, seed: u64, start: u64, end: u64, mut f: impl FnMut(&[u64], usize, u32)) {
        let keys: Vec<u64> = (start..end).map(|run| run_key(seed, run)).collect();
        // The options of pinned variants are the same in every run (as `Runner::combination`).
        let fixed: usize = (self.cumulative.iter().zip(&self.radix).zip(&self.random_variant))
            .filter(|(_, random)| !**random)
            .map(|((cumulative, radix), _)| option(cumulative, 0.5) * radix)
            .sum();
        let mut combination = vec![fixed; keys.len()];
        let mut picked = 0u32;
        for (v, (cumulative, radix)) in self.cumulative.iter().zip(&self.radix).enumerate() {
            if self.random_variant[v] {
                picked += 1;
                for (c, &key) in combination.iter_mut().zip(&keys) {
                    *c += option(cumulative, uniform(key, Purpose::Variant, v)) * radix;
                }
            }
        }
        let mut at = vec![0usize; self.active.len() + 1];
        for &c in &combination {
            at[c + 1] += 1;
        }
        for c in 1..at.len() {
            at[c] += at[c - 1];
        }
        let bounds = at.clone();
        let mut sorted = vec![0u64; keys.len()];
        for (&c, &key) in combination.iter().zip(&keys) {
            sorted[at[c]] = key;
            at[c] += 1;
        }
        for (c, range) in bounds.windows(2).enumerate() {
            for block in sorted[range[0]..range[1]].chunks(LANES) {
                f(block, c, picked * block.len() as u32);
            }
        }
    }

    /// Adds the sums kept in `s` since the last fold to `acc`, and clears them.
    pub fn fold(&self, s: &mut Scratch, acc: &mut Acc) {
        let e = &self.empty;
        let needs = self.model.needs.len().max(1);
        for (k, (cell, none)) in s.cells.iter().zip(&e.cells).enumerate() {
            let empty = s.empty[k / needs];
            let times = u128::from(empty);
            acc.adequate[k] += cell.adequate + empty * none.adequate;
            acc.adequacy[k] += u128::from(cell.adequacy) + times * u128::from(none.adequacy);
            acc.adequacy_sq[k] += u128::from(cell.adequacy_sq) + times * u128::from(none.adequacy_sq);
            acc.delivered[k] += u128::from(cell.delivered) + times * u128::from(none.delivered);
            acc.delivered_sq[k] += cell.delivered_sq + times * none.delivered_sq;
        }
        for ((total, none), empty) in acc.adequate_all.iter_mut().zip(&e.adequate_all).zip(&s.empty) {
            *total += empty * none;
        }
        let times = u128::from(s.empty[self.horizons.len() - 1]);
        acc.credibility += times * e.credibility;
        acc.credibility_sq += times * e.credibility_sq;
        s.empty.iter_mut().for_each(|n| *n = 0);
        for (total, &n) in acc.pair_honoured.iter_mut().zip(&s.honoured_runs) {
            *total += u64::from(n);
        }
        for k in 0..self.model.commitments.len() {
            acc.commitment_honoured[k] += s.c_honoured[k];
            acc.commitment_honoured_sq[k] += u128::from(s.c_honoured_sq[k]);
            acc.commitment_cross[k] += u128::from(s.c_cross[k]);
        }
        for (c, &n) in s.combos.iter().enumerate() {
            if n == 0 {
                continue;
            }
            for ((options, radix), cumulative) in acc.options.iter_mut().zip(&self.radix).zip(&self.cumulative) {
                options[(c / radix) % (cumulative.len() + 1)] += n;
            }
            let outcome = &self.model.outcomes[c];
            for &i in &outcome.active {
                acc.pair_active[i] += n;
            }
            for &(k, _, a) in &self.commitment_ends[c] {
                acc.commitment_active[k] += n;
                acc.commitment_pairs[k] += n * a;
                acc.commitment_pairs_sq[k] += u128::from(n) * u128::from(a * a);
            }
        }
        s.cells.iter_mut().for_each(|c| *c = Cell::default());
        s.honoured_runs.iter_mut().for_each(|n| *n = 0);
        s.combos.iter_mut().for_each(|n| *n = 0);
        for v in [&mut s.c_honoured, &mut s.c_honoured_sq, &mut s.c_cross] {
            v.iter_mut().for_each(|n| *n = 0);
        }
    }

    /// The RNG bound: how long merely generating the random numbers that `runs` runs strictly
    /// need takes. Per chunk of runs, an untimed pass finds which numbers the runs need (their
    /// addresses); a timed pass then generates exactly those numbers (a uniform or a Ziggurat
    /// normal each, as the run would) and nothing else. Returns the count of numbers and the
    /// timed seconds.
    pub fn generation_bound(&self, seed: u64, runs: u64) -> (u64, f64) {
        let mut d = self.draws();
        let mut addresses = Vec::with_capacity(CHUNK as usize * 128);
        let (mut uniforms, mut normals) = (Vec::new(), Vec::new());
        let (mut count, mut seconds, mut sink) = (0u64, 0.0, 0.0f64);
        let mut start = 0;
        while start < runs {
            let end = (start + CHUNK).min(runs);
            addresses.clear();
            for run in start..end {
                self.draw_into::<true>(seed, run, &mut d, &mut addresses);
            }
            // Uniforms, then normals: two tight loops, with no branch on the kind of number.
            uniforms.clear();
            normals.clear();
            for &(key, purpose, index) in &addresses {
                match purpose {
                    Purpose::Variant | Purpose::Capacity | Purpose::Amount => uniforms.push((key, purpose, index)),
                    Purpose::Factor | Purpose::Will | Purpose::Delay => normals.push((key, purpose, index)),
                }
            }
            let started = std::time::Instant::now();
            for &(key, purpose, index) in &uniforms {
                sink += uniform(key, purpose, index as usize);
            }
            for &(key, purpose, index) in &normals {
                sink += normal(key, purpose, index as usize);
            }
            seconds += started.elapsed().as_secs_f64();
            count += addresses.len() as u64;
            start = end;
        }
        std::hint::black_box(sink);
        (count, seconds)
    }

    /// The draw stage alone for `runs` runs, as the simulation runs it (chunks, runs grouped by
    /// combination, blocks of runs drawn together): the numbers they need and the decisions of
    /// which to draw (will against threshold, timeliness masks, capacity quantiles). Returns
    /// how many numbers were drawn.
    pub fn draw_only(&self, seed: u64, runs: u64) -> u64 {
        let mut b = Block::new(self);
        let mut drawn = 0u64;
        let mut start = 0;
        while start < runs {
            let end = (start + CHUNK).min(runs);
            self.blocks(seed, start, end, |keys, combination, picked| {
                drawn += u64::from(picked) + self.draw_block(keys, combination, &mut b);
            });
            start = end;
        }
        drawn
    }
}

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub runs: u64,
    pub seed: u64,
    /// Run only shard `j` of `n` (0-based): the `j`-th of `n` contiguous, near-equal ranges of
    /// chunks (see [`shard_chunks`]); (0, 1) runs all.
    pub shard: (u64, u64),
}

impl RunOptions {
    /// The chunks this shard runs.
    pub fn chunks(&self) -> std::ops::Range<u64> {
        shard_chunks(self.runs, self.shard.0, self.shard.1)
    }
}

/// The chunks of shard `index` of `count` of a simulation of `runs` runs: the `index`-th of
/// `count` contiguous ranges, whose sizes differ by at most one chunk. The ranges of
/// `index = 0..count` tile `0..⌈runs / CHUNK⌉` in order. Computed in `u128`, so any `count`
/// is safe (ranges are empty when there are more shards than chunks).
pub fn shard_chunks(runs: u64, index: u64, count: u64) -> std::ops::Range<u64> {
    let total = u128::from(runs.div_ceil(CHUNK));
    let count = u128::from(count.max(1));
    let index = u128::from(index).min(count);
    let at = |k: u128| (total * k / count) as u64;
    at(index)..at((index + 1).min(count))
}

/// Runs the simulation with everyone taking part on the current rayon pool. `progress` is
/// called with the number of runs finished after each chunk; `sink` receives per-run records,
/// in run order, in batches.
pub fn simulate(
    model: &SimModel,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    sink: Option<&mut dyn FnMut(Vec<Record>)>,
) -> Acc {
    let control = Control { progress, cancel: None };
    let all = Participation::all(model);
    // Without a cancellation token the run cannot be cancelled; an empty accumulator is the
    // (unreachable) fallback rather than a panic.
    simulate_chunks(model, options.seed, options.runs, options.chunks(), &all, control, sink)
        .unwrap_or_else(|Cancelled| Acc::new(model))
}

/// Runs the given chunks of a simulation of `total_runs` runs for `part` (see [`simulate`]).
pub fn simulate_chunks(
    model: &SimModel,
    seed: u64,
    total_runs: u64,
    chunks: std::ops::Range<u64>,
    part: &Participation,
    control: Control<'_>,
    mut sink: Option<&mut dyn FnMut(Vec<Record>)>,
) -> Result<Acc, Cancelled> {
    let runner = Runner::new(model);
    let mut total = Acc::new(model);
    if sink.is_none() {
        // Integer accumulators merge exactly in any order, so a parallel fold needs no
        // per-chunk results in memory: one accumulator per worker.
        let folded = chunks
            .into_par_iter()
            .try_fold(
                || Acc::new(model),
                |mut acc, k| {
                    if control.cancelled() {
                        return Err(Cancelled);
                    }
                    let before = acc.runs;
                    runner.chunk(seed, k, total_runs, part, &mut acc, None);
                    (control.progress)(acc.runs - before);
                    Ok(acc)
                },
            )
            .try_reduce(|| Acc::new(model), |a, b| Ok(a.merge(&b)))?;
        return Ok(total.merge(&folded));
    }
    // With per-run records, batches bound the memory they hold and keep them in run order.
    let batch = (rayon::current_num_threads() as u64 * 4).max(1);
    let mut start = chunks.start;
    while start < chunks.end {
        let group = start..(start + batch).min(chunks.end);
        start = group.end;
        if control.cancelled() {
            return Err(Cancelled);
        }
        let results: Vec<(Acc, Vec<Record>)> = group
            .into_par_iter()
            .map(|k| {
                let mut acc = Acc::new(model);
                let mut records = Vec::new();
                runner.chunk(seed, k, total_runs, part, &mut acc, Some(&mut records));
                (control.progress)(acc.runs);
                (acc, records)
            })
            .collect();
        for (acc, records) in results {
            total = total.merge(&acc);
            if let Some(sink) = sink.as_mut() {
                sink(records);
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_matches_the_closed_form_with_powf() {
        for (a, b) in [(8.0, 3.114_018_069_965_161_4), (1.0, 1.0), (2.0, 5.0), (3.7, 0.8), (0.5, 2.0)] {
            let q = Quantile::new(a, b);
            for k in 0..=1000 {
                let u = f64::from(k) / 1000.0 * (1.0 - f64::EPSILON);
                let exact = (1.0 - (1.0 - u).powf(1.0 / b)).powf(1.0 / a);
                let fast = q.at(u);
                assert!((0.0..=1.0).contains(&fast), "a={a} b={b} u={u}: {fast}");
                assert!(
                    (fast - exact).abs() <= 1e-12 * exact.max(1e-300) + 1e-300,
                    "a={a} b={b} u={u}: {fast} vs {exact}"
                );
            }
        }
        assert_eq!(Quantile::new(8.0, 3.0).sqrt_a, Some(3));
        assert_eq!(Quantile::new(3.0, 3.0).sqrt_a, None);
    }

    #[test]
    fn the_option_is_the_first_whose_cumulative_weight_exceeds_u() {
        let weights = [0.3, 0.0, 0.25, 0.45];
        let mut cumulative: Vec<f64> = weights
            .iter()
            .scan(0.0, |sum, w| {
                *sum += w;
                Some(*sum)
            })
            .collect();
        cumulative.pop();
        for k in 0..=1000 {
            let u = f64::from(k) / 1000.0;
            let mut sum = 0.0;
            let expected = weights
                .iter()
                .position(|w| {
                    sum += w;
                    u < sum
                })
                .unwrap_or(weights.len() - 1);
            assert_eq!(option(&cumulative, u), expected, "u = {u}");
        }
    }

    #[test]
    fn fixed_point_rounds_to_the_nearest_multiple_of_two_to_the_minus_32() {
        for x in [0.0, 1.0, 0.5, 1e-10, 0.123_456_789, 1.9e9, 2.1e9, 3.9e9, 5e9, 1e12] {
            assert_eq!(fixed(x), (x * SCALE).round() as u128, "x = {x}");
        }
        assert_eq!(fixed(1.0), ONE);
    }
}
