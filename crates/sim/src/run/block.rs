//! The chunk loop across runs: up to [`LANES`] runs of one combination of variant options are
//! drawn and scored together, one quantity at a time across the runs (structure of arrays).
//!
//! This is the same computation as [`Runner::draw`] followed by [`Runner::evaluate`], run after
//! run, reorganised: every random number has the same address, every floating-point operation
//! is the same operation on the same operands in the same order within a run, and the sums are
//! integers, so the accumulator is bit-identical (tested against the run-by-run path in
//! `tests`). What changes is the shape of the work. A loop that generates one quantity (factor
//! `f`, or pair `i`'s will) for every run of the block has independent iterations, so the
//! generator's latency overlaps from run to run instead of stalling each run; the decisions
//! become lane masks (a bit per run), so that honour counts are popcounts; and the delivery and
//! the fixed-point sums are loops over the runs of the block that the compiler vectorises.

use super::{Acc, Figures, Scratch, fixed, normal, uniform};
use super::{CHUNK, DRAWS_WILL, PLACED, Participation, Purpose, Runner, TIMED};

/// Runs drawn and scored together: a bit per run in a `u64` lane mask.
pub(super) const LANES: usize = 64;

const _: () = assert!(LANES <= 64 && LANES as u64 <= CHUNK);

type Lanes<T> = [T; LANES];

/// A block's buffers (one per chunk being run; nothing is kept between blocks).
pub(super) struct Block {
    /// Per factor: its normal in each run.
    factors: Vec<Lanes<f64>>,
    /// Per loading group: its shared part of the will in each run.
    shared: Vec<Lanes<f64>>,
    /// Per pair: the runs in which it honours.
    honoured: Vec<u64>,
    /// Per pair: the runs in which it honours and is in place at some horizon.
    live: Vec<u64>,
    /// Per pair: its timeliness bits (one per horizon) in each run.
    timely: Vec<Lanes<u64>>,
    /// Per pair: its realised capacity fraction in each run in which it is drawn.
    fraction: Vec<Lanes<f64>>,
    /// [r·cells + n·horizons + h]: in run r, the current party's best amount, and the
    /// delivered amount.
    best: Vec<f64>,
    delivered: Vec<f64>,
    /// Per need: the current run's figures at the horizon being tallied.
    figures: Vec<Figures>,
}

impl Block {
    pub(super) fn new(runner: &Runner<'_>) -> Block {
        let m = runner.model;
        let cells = runner.horizons.len() * m.needs.len();
        Block {
            factors: vec![[0.0; LANES]; m.factors],
            shared: vec![[0.0; LANES]; runner.load_start.len() - 1],
            honoured: vec![0; m.pairs.len()],
            live: vec![0; m.pairs.len()],
            timely: vec![[0; LANES]; m.pairs.len()],
            fraction: vec![[0.0; LANES]; m.pairs.len()],
            best: vec![0.0; LANES * cells],
            delivered: vec![0.0; LANES * cells],
            figures: vec![Figures::default(); m.needs.len()],
        }
    }
}

/// The set bits of `mask`, lowest first.
#[inline(always)]
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let r = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            r
        })
    })
}

impl Runner<'_> {
    /// Draws and scores the runs keyed `keys` (at most [`LANES`]), all of combination
    /// `combination`, for `part`, into `s` and `acc`: what [`Runner::draw`] then
    /// [`Runner::evaluate`] do for each of them.
    pub(super) fn block(
        &self,
        keys: &[u64],
        combination: usize,
        part: &Participation,
        b: &mut Block,
        s: &mut Scratch,
        acc: &mut Acc,
    ) {
        self.draw_block(keys, combination, b);
        self.score_block(keys.len(), combination, part, b, s, acc);
    }

    /// The draws of the runs keyed `keys`, all of combination `combination`, into `b`: what
    /// [`Runner::draw`] draws for each of them, but the numbers that pick the combination.
    /// Returns how many numbers were drawn.
    pub(super) fn draw_block(&self, keys: &[u64], combination: usize, b: &mut Block) -> u64 {
        let n = keys.len();
        debug_assert!(n > 0 && n <= LANES);
        let lanes = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let mut drawn = (self.used_factors.len() * n) as u64;
        // Factors, then each loading group's shared part (`Iterator::sum`'s order: from -0.0).
        for &f in &self.used_factors {
            for (x, &key) in b.factors[f].iter_mut().zip(keys) {
                *x = normal(key, Purpose::Factor, f);
            }
        }
        for (g, range) in self.load_start.windows(2).enumerate() {
            let shared = &mut b.shared[g];
            shared[..n].fill(-0.0);
            for (&f, &l) in self.load_factor[range[0]..range[1]].iter().zip(&self.load_value[range[0]..range[1]]) {
                for (x, y) in shared[..n].iter_mut().zip(&b.factors[f][..n]) {
                    *x += l * y;
                }
            }
        }
        let hs = self.horizons.len();
        // Wills, then the delays of the honouring pairs whose timing matters.
        for a in &self.active[combination] {
            let (i, flags) = (a.pair as usize, a.flags);
            let shared = &b.shared[a.group as usize][..n];
            let honoured = if flags & DRAWS_WILL != 0 {
                drawn += n as u64;
                let mut mask = 0u64;
                for (r, (&key, &x)) in keys.iter().zip(shared).enumerate() {
                    let z = normal(key, Purpose::Will, i);
                    mask |= u64::from(x + a.idio * z < a.threshold) << r;
                }
                mask
            } else if a.threshold.is_infinite() {
                if a.threshold > 0.0 { lanes } else { 0 }
            } else {
                shared.iter().enumerate().fold(0u64, |m, (r, &x)| m | (u64::from(x < a.threshold) << r))
            };
            b.honoured[i] = honoured;
            if flags & PLACED != 0 {
                b.timely[i][..n].fill(u64::MAX);
                b.live[i] = honoured;
            } else if flags & TIMED != 0 {
                let t = &self.thresholds[i * hs..(i + 1) * hs];
                let mut live = 0u64;
                drawn += u64::from(honoured.count_ones());
                for r in bits(honoured) {
                    let z = normal(keys[r], Purpose::Delay, i);
                    let mask = t.iter().enumerate().fold(0u64, |m, (h, t)| m | (u64::from(z <= *t) << h));
                    b.timely[i][r] = mask;
                    live |= u64::from(mask != 0) << r;
                }
                b.live[i] = live;
            } else {
                b.live[i] = 0;
            }
        }
        // Capacities of the pairs that pledge it, honour and are in time somewhere.
        for &i in &self.fractioned[combination] {
            let i = i as usize;
            let floor = self.model.pairs[i].pledge_floor;
            drawn += u64::from(b.live[i].count_ones()) * if floor < 1.0 { 2 } else { 1 };
            for r in bits(b.live[i]) {
                let mut fraction = self.quantile.at(uniform(keys[r], Purpose::Capacity, i));
                if floor < 1.0 {
                    fraction *= floor + (1.0 - floor) * uniform(keys[r], Purpose::Amount, i);
                }
                b.fraction[i][r] = fraction;
            }
        }
        drawn
    }

    /// Scores the `n` runs drawn into `b`, of combination `combination`, for `part`.
    fn score_block(
        &self,
        n: usize,
        combination: usize,
        part: &Participation,
        b: &mut Block,
        s: &mut Scratch,
        acc: &mut Acc,
    ) {
        let hs = self.horizons.len();
        // Who acts: honours and takes part.
        let acts = |i: usize| if part.all || part.pair_on[i] { b.honoured[i] } else { 0 };
        let active = &self.active[combination];
        let mut begin = 0;
        for &(k, end, a) in &self.commitment_ends[combination] {
            // Σ_r h_r² = Σ_i |b_i| + 2 Σ_{i<j} |b_i ∧ b_j| over the commitment's pairs' masks.
            let (mut h, mut h_sq) = (0u64, 0u64);
            for (x, p) in active[begin..end].iter().enumerate() {
                let bi = acts(p.pair as usize);
                let count = u64::from(bi.count_ones());
                s.honoured_runs[p.pair as usize] += count as u16;
                h += count;
                h_sq += count;
                for q in &active[begin..begin + x] {
                    h_sq += 2 * u64::from((bi & acts(q.pair as usize)).count_ones());
                }
            }
            s.c_honoured[k] += h;
            s.c_honoured_sq[k] += h_sq;
            s.c_cross[k] += a * h;
            begin = end;
        }
        s.combos[combination] += n as u64;
        acc.runs += n as u64;
        let mut escalation = 0u64;
        for &i in &self.escalating[combination] {
            for r in bits(acts(i)) {
                escalation |= ((b.timely[i][r] >> (hs - 1)) & 1) << r;
            }
        }
        acc.escalation += u64::from(escalation.count_ones());
        // Delivered per horizon and need: each party contributes its largest timely pledge per
        // need (forces are sent once), and parties add up, in party order, as in
        // `Runner::score`: pair by pair, for the runs in which the pair acts and is in time.
        let delivering = &self.delivering[combination];
        let cells = hs * self.model.needs.len();
        // [r]: the horizons at which anything is delivered in run r.
        let mut any = [0u64; LANES];
        let mut delivers = 0u64;
        // The runs of the current party in which it has something to add.
        let mut party_runs = 0u64;
        for (k, &i) in delivering.iter().enumerate() {
            let i = i as usize;
            let on = acts(i) & b.live[i];
            if on != 0 {
                if delivers & on != on {
                    // Runs that deliver for the first time in this block start from zero.
                    for r in bits(on & !delivers) {
                        b.delivered[r * cells..(r + 1) * cells].fill(0.0);
                    }
                    delivers |= on;
                }
                party_runs |= on;
                for r in bits(on) {
                    let mask = b.timely[i][r];
                    any[r] |= mask;
                    let fraction = b.fraction[i][r];
                    let best = &mut b.best[r * cells..(r + 1) * cells];
                    for &(d, pledge, count) in &self.contrib[i] {
                        let amount = if count { pledge } else { pledge * fraction };
                        for (h, best) in best[d * hs..(d + 1) * hs].iter_mut().enumerate() {
                            let candidate = if mask & (1 << h) != 0 { amount } else { 0.0 };
                            *best = best.max(candidate);
                        }
                    }
                }
            }
            // At the end of a party's pairs, its best amounts join the sums.
            let last = delivering.get(k + 1).is_none_or(|&j| self.party[j as usize] != self.party[i]);
            if last {
                for r in bits(party_runs) {
                    let (x, best) =
                        (&mut b.delivered[r * cells..(r + 1) * cells], &mut b.best[r * cells..(r + 1) * cells]);
                    x.iter_mut().zip(best).for_each(|(x, b)| {
                        *x += *b;
                        *b = 0.0;
                    });
                }
                party_runs = 0;
            }
        }
        // Each run that delivers somewhere is tallied at the horizons at which it delivers
        // something; the others add the empty run's sums at the fold. A need's figures depend
        // only on the amount delivered, so when a run's amounts at a horizon are those of the
        // last horizon tallied (everyone was already in place; the deterrence horizon is one of
        // the horizons), its figures are reused rather than computed again.
        let needs = self.model.needs.len();
        let nowhere = n as u64 - u64::from(delivers.count_ones());
        s.empty.iter_mut().for_each(|e| *e += nowhere);
        for r in bits(delivers) {
            let row = &b.delivered[r * cells..(r + 1) * cells];
            let mut last: Option<usize> = None;
            for h in 0..hs {
                if (any[r] >> h) & 1 == 0 {
                    s.empty[h] += 1;
                    continue;
                }
                let same =
                    last.is_some_and(|k| (0..needs).all(|d| row[d * hs + h].to_bits() == row[d * hs + k].to_bits()));
                if !same {
                    for (d, f) in b.figures.iter_mut().enumerate() {
                        *f = self.figures(d, row[d * hs + h]);
                    }
                }
                last = Some(h);
                self.add_figures(h, &b.figures, s, acc);
            }
        }
    }

    /// Adds one run's figures at horizon index `h` (one per need) to the chunk's cells, or at
    /// the deterrence horizon to the credibility sums (as [`Runner::tally`]).
    #[inline]
    fn add_figures(&self, h: usize, figures: &[Figures], s: &mut Scratch, acc: &mut Acc) {
        let (hs, needs) = (self.horizons.len(), figures.len());
        if h == hs - 1 {
            let mut credibility = 0.0;
            for f in figures {
                credibility += f.adequacy;
            }
            let c = credibility / needs as f64;
            acc.credibility += fixed(c);
            acc.credibility_sq += fixed(c * c);
            return;
        }
        let mut all = true;
        for (cell, f) in s.cells[h * needs..(h + 1) * needs].iter_mut().zip(figures) {
            cell.adequate += u64::from(f.adequate);
            cell.delivered += f.x;
            cell.delivered_sq += f.x_sq;
            cell.adequacy += f.a;
            cell.adequacy_sq += f.a_sq;
            all &= f.adequate;
        }
        acc.adequate_all[h] += u64::from(all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_lists_the_set_bits_lowest_first() {
        assert_eq!(bits(0).count(), 0);
        assert_eq!(bits(0b1010_0001).collect::<Vec<_>>(), vec![0, 5, 7]);
        assert_eq!(bits(u64::MAX).count(), 64);
        assert_eq!(bits(1 << 63).collect::<Vec<_>>(), vec![63]);
    }
}
