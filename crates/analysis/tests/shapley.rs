//! Shapley values: axioms, known games, exact vs sampled, determinism.

#![allow(clippy::needless_range_loop)] // index-parallel vectors read clearer by index in tests

use ironclad_analysis::shapley::*;
use ironclad_analysis::{AnalysisError, stats::IntervalMethod};
use proptest::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// A random game table from a seed (values in [0, 1)), via a small LCG so tests need no RNG.
fn random_game(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..1usize << n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn efficiency(n in 1usize..9, seed in any::<u64>()) {
        let v = random_game(n, seed);
        let s = exact_shapley(&v).unwrap();
        prop_assert!(close(s.sum, v[v.len() - 1] - v[0], 1e-12));
        prop_assert!(s.efficiency_gap.abs() < 1e-12);
    }

    #[test]
    fn symmetry(n in 2usize..9, seed in any::<u64>()) {
        // Symmetrise in players 0 and 1: v'(S) = v(S) + v(swap01(S)).
        let v = random_game(n, seed);
        let swap = |s: usize| {
            let (a, b) = (s & 1, (s >> 1) & 1);
            (s & !3) | (a << 1) | b
        };
        let w: Vec<f64> = (0..v.len()).map(|s| v[s] + v[swap(s)]).collect();
        let phi = exact_shapley(&w).unwrap().values;
        prop_assert!(close(phi[0], phi[1], 1e-12));
    }

    #[test]
    fn null_player(n in 1usize..8, k in 0usize..8, seed in any::<u64>()) {
        // Insert a null player at position k (≤ n) into an n-player game.
        let k = k.min(n);
        let v = random_game(n, seed);
        let low = (1usize << k) - 1;
        let w: Vec<f64> = (0..1usize << (n + 1))
            .map(|s| v[(s & low) | ((s >> (k + 1)) << k)])
            .collect();
        let phi = exact_shapley(&w).unwrap().values;
        let orig = exact_shapley(&v).unwrap().values;
        prop_assert!(phi[k].abs() < 1e-12);
        for i in 0..n {
            let j = if i < k { i } else { i + 1 };
            prop_assert!(close(phi[j], orig[i], 1e-12));
        }
        prop_assert!(banzhaf_values(&w).unwrap()[k].abs() < 1e-12);
    }

    #[test]
    fn additivity(n in 1usize..9, s1 in any::<u64>(), s2 in any::<u64>()) {
        let (v, w) = (random_game(n, s1), random_game(n, s2));
        let sum: Vec<f64> = v.iter().zip(&w).map(|(a, b)| a + b).collect();
        let (pv, pw, ps) = (
            exact_shapley(&v).unwrap().values,
            exact_shapley(&w).unwrap().values,
            exact_shapley(&sum).unwrap().values,
        );
        for i in 0..n {
            prop_assert!(close(ps[i], pv[i] + pw[i], 1e-12));
        }
    }

    #[test]
    fn interaction_matches_all_pairs(n in 2usize..8, seed in any::<u64>()) {
        let v = random_game(n, seed);
        for p in all_interactions(&v, None).unwrap() {
            prop_assert!(close(p.value, interaction_index(&v, p.i, p.j).unwrap(), 1e-12));
        }
    }
}

#[test]
fn glove_game() {
    // Players 0, 1 hold left gloves, player 2 a right glove; v = number of pairs.
    let v: Vec<f64> = (0..8usize)
        .map(|s| {
            let left = (s & 1) + ((s >> 1) & 1);
            let right = (s >> 2) & 1;
            left.min(right) as f64
        })
        .collect();
    let phi = exact_shapley(&v).unwrap().values;
    assert!(close(phi[0], 1.0 / 6.0, 1e-15) && close(phi[1], 1.0 / 6.0, 1e-15));
    assert!(close(phi[2], 2.0 / 3.0, 1e-15));
    // Banzhaf: left glove swings only with the right glove present (2 of 4 coalitions).
    let b = banzhaf_values(&v).unwrap();
    assert!(close(b[0], 0.25, 1e-15) && close(b[2], 0.75, 1e-15));
    assert_eq!(leave_one_out(&v).unwrap(), vec![0.0, 0.0, 1.0]);
    // Left gloves are substitutes: negative interaction; left and right complements.
    assert!(interaction_index(&v, 0, 1).unwrap() < 0.0);
    assert!(interaction_index(&v, 0, 2).unwrap() > 0.0);
}

#[test]
fn majority_game() {
    for n in [3usize, 5, 7] {
        let v: Vec<f64> = (0..1usize << n).map(|s| f64::from(u8::from(s.count_ones() as usize > n / 2))).collect();
        for x in exact_shapley(&v).unwrap().values {
            assert!(close(x, 1.0 / n as f64, 1e-14));
        }
    }
}

#[test]
fn only_together_game() {
    // "The US and the UK only matter together": v(S) = 1 iff {0, 1} ⊆ S, in 4 players.
    let v: Vec<f64> = (0..16usize).map(|s| f64::from(u8::from(s & 3 == 3))).collect();
    let top = all_interactions(&v, Some(1)).unwrap();
    assert_eq!((top[0].i, top[0].j), (0, 1));
    assert!(close(top[0].value, 1.0, 1e-14));
    assert!(interaction_index(&v, 2, 3).unwrap().abs() < 1e-15);
    let phi = exact_shapley(&v).unwrap().values;
    assert!(close(phi[0], 0.5, 1e-15) && phi[2].abs() < 1e-15);
}

#[test]
fn bad_tables_are_errors() {
    assert!(matches!(exact_shapley(&[]), Err(AnalysisError::Empty { .. })));
    assert!(exact_shapley(&[1.0, 2.0, 3.0]).is_err());
    assert!(exact_shapley(&[1.0]).is_err());
    assert!(matches!(exact_shapley(&[0.0, f64::NAN]), Err(AnalysisError::NonFinite { index: 1, .. })));
    assert!(interaction_index(&[0.0, 1.0, 1.0, 2.0], 0, 0).is_err());
    assert!(interaction_index(&[0.0, 1.0, 1.0, 2.0], 0, 2).is_err());
    let o = SamplingOptions { min_units: 1, ..Default::default() };
    assert!(sample_shapley(3, &o, |_, _| {}).is_err());
    let o = SamplingOptions { precision: f64::NAN, ..Default::default() };
    assert!(sample_shapley(3, &o, |_, _| {}).is_err());
    let o = SamplingOptions::default();
    assert!(sample_shapley(0, &o, |_, _| {}).is_err());
    assert!(matches!(sample_shapley(2, &o, |_, out| out[0] = f64::INFINITY), Err(AnalysisError::NonFinite { .. })));
}

#[test]
fn sampled_agrees_with_exact() {
    let z999 = 3.2905 / 1.96;
    let mut inside = 0;
    let mut total = 0;
    for (k, n) in (8usize..=12).enumerate() {
        let v = random_game(n, 1000 + k as u64);
        let exact = exact_shapley(&v).unwrap().values;
        let o = SamplingOptions {
            precision: 0.0,
            min_units: 100,
            max_units: 2000,
            seed: 7 + k as u64,
            ..Default::default()
        };
        let s = sample_shapley(n, &o, |p, out| table_marginals(&v, p, out)).unwrap();
        assert_eq!(s.units, 2000);
        assert!(!s.precision_reached);
        assert!(close(s.sum, v[v.len() - 1] - v[0], 1e-9));
        for i in 0..n {
            let err = (s.mean[i] - exact[i]).abs();
            assert!(err <= z999 * s.half_width[i], "n={n} i={i} err={err} hw={}", s.half_width[i]);
            inside += usize::from(err <= s.half_width[i]);
            total += 1;
        }
    }
    // 95 % intervals: coverage over 50 values should be well above 85 %.
    assert!(inside as f64 / total as f64 >= 0.85, "{inside}/{total}");
}

/// A 30-player game with interactions, marginals computed incrementally in O(1) per step:
/// v(S) = 1 − Π_{i∈S}(1 − pᵢ) + 0.3·[0 ∈ S ∧ 1 ∈ S].
pub fn thirty_marginals(perm: &[usize], out: &mut [f64]) {
    let p = |i: usize| 0.02 + 0.1 * ((i * 7 % 30) as f64 / 30.0);
    let mut miss = 1.0;
    let (mut has0, mut has1) = (false, false);
    for &i in perm {
        let before = 1.0 - miss + if has0 && has1 { 0.3 } else { 0.0 };
        miss *= 1.0 - p(i);
        has0 |= i == 0;
        has1 |= i == 1;
        let after = 1.0 - miss + if has0 && has1 { 0.3 } else { 0.0 };
        out[i] = after - before;
    }
}

#[test]
fn thirty_players_to_half_a_percent() {
    let o = SamplingOptions { precision: 0.005, seed: 2024, ..Default::default() };
    let s = sample_shapley(30, &o, thirty_marginals).unwrap();
    assert!(s.precision_reached);
    assert!(s.half_width.iter().all(|&h| h <= 0.005));
    let grand = {
        let miss: f64 = (0..30).map(|i| 1.0 - (0.02 + 0.1 * ((i * 7 % 30) as f64 / 30.0))).product();
        1.0 - miss + 0.3
    };
    assert!(close(s.sum, grand, 1e-9));
    // Players 0 and 1 share the 0.3 synergy.
    assert!(s.mean[0] > 0.15 && s.mean[1] > 0.15);
    assert_eq!(s.interval, IntervalMethod::StudentT);
}

#[test]
fn deterministic_and_thread_independent() {
    let o = SamplingOptions { precision: 0.004, seed: 99, ..Default::default() };
    let a = sample_shapley(30, &o, thirty_marginals).unwrap();
    let b = sample_shapley(30, &o, thirty_marginals).unwrap();
    assert_eq!(a, b);
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let c = pool.install(|| sample_shapley_par(30, &o, || (), |_, p, out| thirty_marginals(p, out))).unwrap();
        assert_eq!(a, c, "threads = {threads}");
    }
    let d = sample_shapley(30, &SamplingOptions { seed: 100, ..o.clone() }, thirty_marginals).unwrap();
    assert_ne!(a.mean, d.mean);
}

#[test]
fn exact_is_thread_independent() {
    let v = random_game(16, 5);
    let a = exact_shapley(&v).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| exact_shapley(&v)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn blocks_computed_apart_give_the_same_bits() {
    // Every block of max_units computed in pieces (as shards would), then the stopping rule
    // applied to them: the one-machine result, whether it stops early or runs to max_units.
    for precision in [0.004, 0.0] {
        let o = SamplingOptions { precision, seed: 7, max_units: 3000, ..Default::default() };
        let one = sample_shapley_par_indexed(30, &o, || (), |_, _, p, out| thirty_marginals(p, out)).unwrap();
        let total = sample_blocks(&o);
        assert_eq!(total, 47);
        let mut blocks = Vec::new();
        for range in [0..10, 10..11, 11..total] {
            blocks
                .extend(sample_shapley_blocks(30, &o, range, || (), |_, _, p, out| thirty_marginals(p, out)).unwrap());
        }
        assert_eq!(sample_shapley_from_blocks(30, &o, &blocks).unwrap(), one, "precision {precision}");
        assert!(sample_shapley_from_blocks(30, &o, &blocks[1..]).is_err());
        assert!(sample_shapley_blocks(30, &o, 40..48, || (), |_, _, p, out| thirty_marginals(p, out)).is_err());
    }
}

#[test]
fn a_player_constant_in_every_unit_gets_the_bound_of_a_constant_sample_when_it_has_a_range() {
    // Player 0 contributes 1 wherever it stands; player 1 never contributes in the sample.
    let marginals = |_: &[usize], out: &mut [f64]| {
        out[0] = 1.0;
        out[1] = 0.0;
    };
    let plain = SamplingOptions { precision: 0.01, seed: 3, block_units: 8, blocks_per_round: 1, ..Default::default() };
    let s = sample_shapley(2, &plain, marginals).unwrap();
    // Without ranges: no variance, no width, and the precision is "reached" at the first test.
    assert_eq!(s.half_width, vec![0.0, 0.0]);
    assert!(s.precision_reached);
    let first = s.units;
    // With a range for player 1 only, its half-width is u of the way to the range's far end,
    // and the sampler goes on until that is within the precision.
    let ranged = SamplingOptions { ranges: vec![None, Some((-1.0, 1.0))], ..plain };
    let s = sample_shapley(2, &ranged, marginals).unwrap();
    let u = 1.0 - 0.05f64.powf(1.0 / s.units as f64);
    assert_eq!(s.half_width[0], 0.0);
    assert!((s.half_width[1] - u).abs() < 1e-15, "{} vs {u}", s.half_width[1]);
    assert!(s.precision_reached && s.half_width[1] <= 0.01);
    assert_eq!(first, 104, "the first test after min_units = 100");
    assert_eq!(s.units, 304, "the first test at which u ≤ 0.01 (m ≥ 299)");
}

#[test]
fn a_player_whose_units_vary_keeps_its_t_interval_whatever_the_scale_of_its_range() {
    // Player 0 adds `scale` when it comes first, else nothing: a unit (a permutation and its
    // reverse) gives it scale/2 when it is first or last (2 in 3), else 0. Its units vary, so
    // its interval is the t interval, in proportion to the scale: the same at scale 1 and 10⁻⁷,
    // where the unit variance (≈ 5.6·10⁻¹⁶) is below any absolute "no variance" threshold.
    let interval = |scale: f64| {
        let marginals = move |p: &[usize], out: &mut [f64]| {
            out[p[0]] = if p[0] == 0 { scale } else { 0.0 };
        };
        let ranges = vec![Some((-scale, scale)); 3];
        let o = SamplingOptions { precision: 0.0, max_units: 1024, seed: 5, ranges, ..Default::default() };
        let s = sample_shapley(3, &o, marginals).unwrap();
        let c = ironclad_analysis::stats::critical_value_95(IntervalMethod::StudentT, s.units);
        assert!(s.unit_sd[0] > 0.0);
        let t = c * s.unit_sd[0] / (s.units as f64).sqrt();
        assert!((s.half_width[0] - t).abs() <= 1e-9 * t, "scale {scale}: {} vs the t half-width {t}", s.half_width[0]);
        s.half_width[0] / scale
    };
    let (one, small) = (interval(1.0), interval(1e-7));
    assert!((one - small).abs() <= 1e-6 * one, "{one} vs {small}");
}
