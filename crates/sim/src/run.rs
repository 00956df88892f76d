//! Running the model: chunks of runs, one random stream per chunk, exact accumulators.
//!
//! Runs are cut into chunks of [`CHUNK`] runs. Chunk `k` draws from its own Xoshiro256++
//! stream, seeded by SplitMix64 from `(seed, k)`, so what a run draws depends only on the seed
//! and its index — not on the thread that runs it or the shard it falls in. Accumulators hold
//! integers (counts, and sums in fixed point), so adding them up is exact in any order: the
//! same seed gives bit-identical results for any thread count or shard split.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::model::SimModel;

/// Runs per chunk (and per random stream).
pub const CHUNK: u64 = 4096;

// Per-chunk counts of honoured runs are u16.
const _: () = assert!(CHUNK < 1 << 16);

/// Largest delivered / required ratio accumulated. A run adds at most 10¹² · 2³² ≈ 2⁷² to
/// `delivered_sq`, so a `u128` holds 2⁵⁶ runs: far beyond any run count.
pub const MAX_RATIO: f64 = 1e6;

/// Fixed-point scale of accumulated fractions: exact to 2⁻³².
const SCALE: f64 = 4_294_967_296.0;

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

/// Per-horizon, per-need thresholds on the delay normal: delivered in time iff z ≤ t.
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

/// The stream of chunk `chunk`.
pub fn stream(seed: u64, chunk: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix64(splitmix64(seed) ^ chunk))
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Sums over runs. Every field is an integer, so merging is exact and order-free.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// Per variant and option: runs that chose it.
    pub options: Vec<Vec<u64>>,
}

impl Acc {
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

/// Reusable per-thread buffers, so that runs do not allocate.
struct Scratch {
    factors: Vec<f64>,
    /// Per loading group: the shared part of the will of its pairs.
    shared: Vec<f64>,
    honoured: Vec<bool>,
    delay_z: Vec<f64>,
    u: Vec<f64>,
    /// [d·horizons + h]: the current party's largest timely amount.
    best: Vec<f64>,
    /// [d·horizons + h]: delivered amount.
    delivered: Vec<f64>,
    combos: Vec<u64>,
    /// Per pair: runs of this chunk in which it was active and honoured ([`CHUNK`] < 2¹⁶).
    honoured_runs: Vec<u16>,
    /// [h·needs + d]: this chunk's sums per horizon and need.
    cells: Vec<Cell>,
}

/// A chunk's sums for one horizon and need (see [`Acc`]).
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    adequate: u64,
    adequacy: u128,
    adequacy_sq: u128,
    delivered: u128,
    delivered_sq: u128,
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

/// The model plus what runs precompute from it.
pub struct Runner<'m> {
    model: &'m SimModel,
    /// User horizons, then the deterrence horizon.
    horizons: Vec<f64>,
    thresholds: Vec<f64>,
    quantile: Quantile,
    /// Per variant: its options' cumulative weights but the last, and its radix in the index
    /// of a combination of options.
    cumulative: Vec<Vec<f64>>,
    radix: Vec<usize>,
    /// Pairs' thresholds, idiosyncratic weights and loading groups.
    threshold: Vec<f64>,
    idio: Vec<f64>,
    group: Vec<usize>,
    /// Distinct loading lists (most pairs of a party share one), so a run computes each
    /// shared part once: group `g` loads `load_factor/load_value[load_start[g]..load_start[g + 1]]`.
    load_start: Vec<usize>,
    load_factor: Vec<usize>,
    load_value: Vec<f64>,
    /// Per outcome and pair: whether the pair is active.
    active: Vec<Vec<bool>>,
    /// Per outcome: the active pairs that pledge something, grouped by party, and where each
    /// party's group ends in that list.
    delivering: Vec<Vec<usize>>,
    party_ends: Vec<Vec<usize>>,
    /// Per pair: the needs it pledges to, the amount, and whether the need counts pledges.
    contrib: Vec<Vec<(usize, f64, bool)>>,
    /// Per pair: whether it pledges to a need measured in capacity (so its fraction is drawn).
    uses_fraction: Vec<bool>,
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
        let delivering: Vec<Vec<usize>> = model
            .outcomes
            .iter()
            .map(|o| {
                let mut v: Vec<usize> =
                    o.active.iter().copied().filter(|&i| model.pairs[i].pledge.iter().any(|x| *x > 0.0)).collect();
                v.sort_by_key(|&i| model.pairs[i].party_index);
                v
            })
            .collect();
        let party_ends = delivering
            .iter()
            .map(|v| {
                (0..v.len())
                    .filter(|&k| k + 1 == v.len() || model.pairs[v[k]].party_index != model.pairs[v[k + 1]].party_index)
                    .map(|k| k + 1)
                    .collect()
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
        Runner {
            cumulative,
            radix,
            threshold: model.pairs.iter().map(|p| p.threshold).collect(),
            idio: model.pairs.iter().map(|p| p.idio).collect(),
            group,
            load_start,
            load_factor,
            load_value,
            model,
            horizons,
            thresholds,
            quantile: Quantile::new(model.capacity.a, model.capacity.b),
            active: model
                .outcomes
                .iter()
                .map(|o| {
                    let mut v = vec![false; model.pairs.len()];
                    o.active.iter().for_each(|&i| v[i] = true);
                    v
                })
                .collect(),
            delivering,
            party_ends,
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
            uses_fraction: model
                .pairs
                .iter()
                .map(|p| p.pledge.iter().zip(&model.needs).any(|(x, n)| *x > 0.0 && !n.count))
                .collect(),
        }
    }

    fn scratch(&self) -> Scratch {
        let m = self.model;
        let cells = self.horizons.len() * m.needs.len();
        Scratch {
            factors: vec![0.0; m.factors],
            shared: vec![0.0; self.load_start.len() - 1],
            honoured: vec![false; m.pairs.len()],
            delay_z: vec![0.0; m.pairs.len()],
            u: vec![0.0; m.pairs.len()],
            best: vec![0.0; cells],
            delivered: vec![0.0; cells],
            combos: vec![0; m.outcomes.len()],
            honoured_runs: vec![0; m.pairs.len()],
            cells: vec![Cell::default(); m.horizons.len() * m.needs.len()],
        }
    }

    /// Runs chunk `chunk` of a simulation of `total` runs into `acc`; records each run if asked.
    pub fn chunk(&self, seed: u64, chunk: u64, total: u64, acc: &mut Acc, mut records: Option<&mut Vec<Record>>) {
        let start = chunk * CHUNK;
        let end = (start + CHUNK).min(total);
        let mut rng = stream(seed, chunk);
        let mut s = self.scratch();
        for run in start..end {
            // Separate instances with and without records, so that the common case tests nothing.
            let record = if records.is_some() {
                self.run::<true>(&mut rng, &mut s, acc, run)
            } else {
                self.run::<false>(&mut rng, &mut s, acc, run)
            };
            if let (Some(out), Some(record)) = (records.as_deref_mut(), record) {
                out.push(record);
            }
        }
        for (k, cell) in s.cells.iter().enumerate() {
            acc.adequate[k] += cell.adequate;
            acc.adequacy[k] += cell.adequacy;
            acc.adequacy_sq[k] += cell.adequacy_sq;
            acc.delivered[k] += cell.delivered;
            acc.delivered_sq[k] += cell.delivered_sq;
        }
        for (total, &n) in acc.pair_honoured.iter_mut().zip(&s.honoured_runs) {
            *total += u64::from(n);
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
            for &k in &outcome.commitments {
                acc.commitment_active[k] += n;
            }
        }
    }

    fn run<const RECORD: bool>(
        &self,
        rng: &mut Xoshiro256PlusPlus,
        s: &mut Scratch,
        acc: &mut Acc,
        run: u64,
    ) -> Option<Record> {
        let m = self.model;
        // Variant options.
        let mut combination = 0usize;
        for (cumulative, radix) in self.cumulative.iter().zip(&self.radix) {
            let u: f64 = rng.random();
            combination += option(cumulative, u) * radix;
        }
        // Latent factors, then every pair's will, delay and capacity (a fixed count of draws).
        for f in s.factors.iter_mut() {
            *f = StandardNormal.sample(rng);
        }
        for (shared, range) in s.shared.iter_mut().zip(self.load_start.windows(2)) {
            let (factors, values) = (&self.load_factor[range[0]..range[1]], &self.load_value[range[0]..range[1]]);
            *shared = factors.iter().zip(values).map(|(f, l)| l * s.factors[*f]).sum();
        }
        let pairs = self.threshold.iter().zip(&self.idio).zip(&self.group);
        for (((threshold, idio), group), ((honoured, delay_z), slot)) in
            pairs.zip(s.honoured.iter_mut().zip(s.delay_z.iter_mut()).zip(s.u.iter_mut()))
        {
            let eps: f64 = StandardNormal.sample(rng);
            let z: f64 = StandardNormal.sample(rng);
            let u: f64 = rng.random();
            *honoured = s.shared[*group] + idio * eps < *threshold;
            *delay_z = z;
            *slot = u;
        }
        let outcome = &m.outcomes[combination];
        let needs = m.needs.len();
        for ((count, honoured), active) in s.honoured_runs.iter_mut().zip(&s.honoured).zip(&self.active[combination]) {
            *count += u16::from(*honoured & *active);
        }
        s.combos[combination] += 1;
        acc.runs += 1;
        let mut rec = RECORD.then(|| Record {
            run,
            combination: combination as u32,
            adequate_all: Vec::with_capacity(m.horizons.len()),
            adequacy: Vec::with_capacity(m.horizons.len() * needs),
            credibility: 0.0,
            escalation: false,
            honoured: outcome.active.iter().map(|&i| u32::from(s.honoured[i])).sum(),
        });
        // Delivered per horizon and need: each party contributes its largest timely pledge per
        // need (forces are sent once), and parties add up, in party order.
        let hs = self.horizons.len();
        s.delivered.iter_mut().for_each(|x| *x = 0.0);
        let delivering = &self.delivering[combination];
        let mut begin = 0;
        for &end in &self.party_ends[combination] {
            let mut any = false;
            for &i in &delivering[begin..end] {
                if !s.honoured[i] {
                    continue;
                }
                // A bit per horizon at which the pair is in time.
                let mask = if outcome.placed[i] {
                    u32::MAX
                } else {
                    let t = &self.thresholds[i * hs..(i + 1) * hs];
                    t.iter().enumerate().fold(0u32, |m, (h, t)| m | (u32::from(s.delay_z[i] <= *t) << h))
                };
                if mask == 0 {
                    continue;
                }
                if !any {
                    s.best.iter_mut().for_each(|x| *x = 0.0);
                    any = true;
                }
                let fraction = if self.uses_fraction[i] { self.quantile.at(s.u[i]) } else { 0.0 };
                for &(d, pledge, count) in &self.contrib[i] {
                    let amount = if count { pledge } else { pledge * fraction };
                    for (h, best) in s.best[d * hs..(d + 1) * hs].iter_mut().enumerate() {
                        if mask & (1 << h) != 0 && amount > *best {
                            *best = amount;
                        }
                    }
                }
            }
            if any {
                s.delivered.iter_mut().zip(&s.best).for_each(|(x, b)| *x += *b);
            }
            begin = end;
        }
        for h in 0..hs {
            let deterrence = h == hs - 1;
            let mut all = true;
            let mut credibility = 0.0;
            for (d, need) in m.needs.iter().enumerate() {
                let delivered = s.delivered[d * hs + h];
                let quotient = delivered / need.required;
                let adequacy = quotient.min(1.0);
                credibility += adequacy;
                let adequate = delivered >= need.required;
                all &= adequate;
                if !deterrence {
                    let cell = &mut s.cells[h * needs + d];
                    cell.adequate += u64::from(adequate);
                    let ratio = quotient.min(MAX_RATIO);
                    let (r, r_sq) = (fixed(ratio), fixed(ratio * ratio));
                    cell.delivered += r;
                    cell.delivered_sq += r_sq;
                    // Below 1 the adequacy is the ratio itself, so its fixed-point values are too.
                    let (a, a_sq) = if quotient < 1.0 { (r, r_sq) } else { (ONE, ONE) };
                    cell.adequacy += a;
                    cell.adequacy_sq += a_sq;
                    if let Some(r) = rec.as_mut() {
                        r.adequacy.push(adequacy);
                    }
                }
            }
            if deterrence {
                let c = credibility / needs as f64;
                acc.credibility += fixed(c);
                acc.credibility_sq += fixed(c * c);
                if let Some(r) = rec.as_mut() {
                    r.credibility = c;
                }
            } else {
                acc.adequate_all[h] += u64::from(all);
                if let Some(r) = rec.as_mut() {
                    r.adequate_all.push(all);
                }
            }
        }
        let escalation = outcome.escalating.iter().any(|&i| {
            s.honoured[i]
                && (outcome.placed[i]
                    || s.delay_z[i] <= self.thresholds[i * self.horizons.len() + self.horizons.len() - 1])
        });
        acc.escalation += u64::from(escalation);
        if let Some(r) = rec.as_mut() {
            r.escalation = escalation;
        }
        rec
    }

    /// Draws exactly the random numbers `runs` runs need, and nothing else: the RNG-bound limit.
    pub fn draw_only(&self, seed: u64, runs: u64) -> f64 {
        let m = self.model;
        let chunks = runs.div_ceil(CHUNK);
        let mut sink = 0.0;
        for chunk in 0..chunks {
            let mut rng = stream(seed, chunk);
            for _ in (chunk * CHUNK)..((chunk + 1) * CHUNK).min(runs) {
                for _ in &m.variants {
                    sink += rng.random::<f64>();
                }
                for _ in 0..m.factors {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    sink += z;
                }
                for _ in &m.pairs {
                    let a: f64 = StandardNormal.sample(&mut rng);
                    let b: f64 = StandardNormal.sample(&mut rng);
                    sink += a + b + rng.random::<f64>();
                }
            }
        }
        sink
    }
}

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub runs: u64,
    pub seed: u64,
    /// Run only the chunks `k` with `k % shards == shard` (for job arrays); (0, 1) runs all.
    pub shard: (u64, u64),
}

/// Runs the simulation on the current rayon pool. `progress` is called with the number of runs
/// finished after each chunk; `sink` receives per-run records, in run order, in batches.
pub fn simulate(
    model: &SimModel,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    sink: Option<&mut dyn FnMut(Vec<Record>)>,
) -> Acc {
    let chunks: Vec<u64> =
        (0..options.runs.div_ceil(CHUNK)).filter(|k| k % options.shards() == options.shard.0).collect();
    simulate_chunks(model, options.seed, options.runs, &chunks, progress, sink)
}

/// Runs the given chunks of a simulation of `total_runs` runs (see [`simulate`]).
pub fn simulate_chunks(
    model: &SimModel,
    seed: u64,
    total_runs: u64,
    chunks: &[u64],
    progress: &(dyn Fn(u64) + Sync),
    mut sink: Option<&mut dyn FnMut(Vec<Record>)>,
) -> Acc {
    let recording = sink.is_some();
    let runner = Runner::new(model);
    let mut total = Acc::new(model);
    // Batches bound the memory held by per-run records; without records one batch is all.
    if !recording {
        // Integer accumulators merge exactly in any order, so a parallel fold needs no
        // per-chunk results in memory: one accumulator per worker.
        let folded = chunks
            .par_iter()
            .fold(
                || Acc::new(model),
                |mut acc, &k| {
                    let before = acc.runs;
                    runner.chunk(seed, k, total_runs, &mut acc, None);
                    progress(acc.runs - before);
                    acc
                },
            )
            .reduce(|| Acc::new(model), |a, b| a.merge(&b));
        return total.merge(&folded);
    }
    // With per-run records, batches bound the memory they hold and keep them in run order.
    let batch = (rayon::current_num_threads() * 4).max(1);
    for group in chunks.chunks(batch) {
        let results: Vec<(Acc, Vec<Record>)> = group
            .par_iter()
            .map(|&k| {
                let mut acc = Acc::new(model);
                let mut records = Vec::new();
                runner.chunk(seed, k, total_runs, &mut acc, Some(&mut records));
                progress(acc.runs);
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
    total
}

impl RunOptions {
    fn shards(&self) -> u64 {
        self.shard.1.max(1)
    }
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
