//! Prints the figures behind issue 9's targets, on synthetic stand-ins for the simulation:
//!
//! (a) Shapley values of a 30-player game to ±0.005 (95 %), and the time taken;
//! (b) Sobol' first-order and total indices of a 20-input function, each ±0.05 (95 %), at the
//!     smallest power-of-two N that reaches it, and the time taken;
//! plus exact Shapley values of a 20-player table, and voting power of the UN Security Council
//! and of a 300-member weighted body.
//!
//! Run with `cargo run --release -p ironclad-analysis --example targets`.

use std::time::Instant;

use ironclad_analysis::marginal::Marginal;
use ironclad_analysis::power::{PowerMethod, VotingGame, banzhaf_indices, power_indices};
use ironclad_analysis::shapley::{SamplingOptions, exact_shapley, sample_shapley_par};
use ironclad_analysis::sobol::{Sampling, SobolOptions, sobol_indices_pointwise};

/// A 30-guarantor game with a threshold and a synergy: v(S) = σ((w(S) − W/2) / (W/20)) +
/// 0.3·[0, 1 ∈ S], σ the logistic function, wᵢ = 1 + (7i mod 30)/10; evaluated incrementally.
fn thirty(perm: &[usize], out: &mut [f64]) {
    let w = |i: usize| 1.0 + (i * 7 % 30) as f64 / 10.0;
    let total: f64 = (0..30).map(w).sum();
    let v = |sum: f64, both: bool| {
        1.0 / (1.0 + (-(sum - total / 2.0) / (total / 20.0)).exp()) + if both { 0.3 } else { 0.0 }
    };
    let (mut sum, mut has0, mut has1) = (0.0, false, false);
    for &i in perm {
        let before = v(sum, has0 && has1);
        sum += w(i);
        has0 |= i == 0;
        has1 |= i == 1;
        out[i] = v(sum, has0 && has1) - before;
    }
}

/// Sobol' G-function coefficients (Saltelli & Sobol' 1995) for 20 inputs.
const G_A: [f64; 20] =
    [0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 9.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 99.0];

fn g_function(x: &[f64]) -> f64 {
    x.iter().zip(G_A).map(|(&x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product()
}

/// Analytic G-function indices: Vᵢ = 1 / (3 (1 + aᵢ)²), V = Π(1 + Vᵢ) − 1.
fn g_truth() -> (Vec<f64>, Vec<f64>) {
    let vi: Vec<f64> = G_A.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
    let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
    let v = prod - 1.0;
    let s1 = vi.iter().map(|x| x / v).collect();
    let st = vi.iter().map(|x| x * prod / (1.0 + x) / v).collect();
    (s1, st)
}

fn main() {
    println!("threads: {}", rayon::current_num_threads());

    // (a) Sampled Shapley values, 30 players, ±0.005.
    let t = Instant::now();
    let o = SamplingOptions { precision: 0.005, seed: 2024, ..Default::default() };
    let s = sample_shapley_par(30, &o, || (), |_, p, out| thirty(p, out)).expect("sampling");
    let dt = t.elapsed();
    let worst = s.half_width.iter().cloned().fold(0.0, f64::max);
    println!(
        "(a) Shapley, 30 players: {} antithetic units ({} permutations), max 95 % half-width {:.4} \
         (target 0.005, reached: {}), sum {:.6}, in {:.3} s",
        s.units,
        s.permutations,
        worst,
        s.precision_reached,
        s.sum,
        dt.as_secs_f64()
    );
    println!(
        "    phi_0 = {:.4} ± {:.4}, phi_1 = {:.4} ± {:.4}, phi_29 = {:.4} ± {:.4}",
        s.mean[0], s.half_width[0], s.mean[1], s.half_width[1], s.mean[29], s.half_width[29]
    );

    // Exact Shapley values from a full 20-player table.
    let n = 20;
    let table: Vec<f64> = (0..1usize << n)
        .map(|m| {
            let w: f64 = (0..n).filter(|i| m >> i & 1 == 1).map(|i| 1.0 + i as f64).sum();
            (w / 50.0).min(1.0)
        })
        .collect();
    let t = Instant::now();
    let e = exact_shapley(&table).expect("exact");
    println!(
        "    exact Shapley, 20 players (2^20 coalitions): efficiency gap {:.1e}, in {:.3} s",
        e.efficiency_gap,
        t.elapsed().as_secs_f64()
    );

    // (b) Sobol' indices of a 20-input G-function, ±0.05.
    let marginals = vec![Marginal::uniform(0.0, 1.0); 20];
    let (s1, st) = g_truth();
    let opts = SobolOptions { bootstrap: 500, seed: 1 };
    let t = Instant::now();
    let mut n_rows = 256;
    loop {
        let r =
            sobol_indices_pointwise(&marginals, n_rows, Sampling::ScrambledSobol, 7, &opts, g_function).expect("sobol");
        let hw = r.max_half_width().unwrap_or(f64::INFINITY);
        let err = (0..20).map(|i| (r.first_order[i] - s1[i]).abs().max((r.total[i] - st[i]).abs())).fold(0.0, f64::max);
        println!(
            "(b) Sobol', 20 inputs, N = {n_rows} ({} evaluations): max 95 % half-width {hw:.4}, \
             max |error| vs analytic {err:.4}, cumulative {:.3} s",
            r.evaluations,
            t.elapsed().as_secs_f64()
        );
        if hw <= 0.05 || n_rows >= 1 << 16 {
            println!(
                "    S1[0..3] = {:.3?} (analytic {:.3?}); ST[0..3] = {:.3?} (analytic {:.3?})",
                &r.first_order[..3],
                &s1[..3],
                &r.total[..3],
                &st[..3]
            );
            break;
        }
        n_rows *= 2;
    }

    // Voting power.
    let unsc = VotingGame::count_quota(15, 9, vec![0, 1, 2, 3, 4]).expect("unsc");
    let p = power_indices(&unsc, PowerMethod::Auto).expect("power");
    let ss = p.shapley_shubik_exact.as_ref().expect("exact");
    let bz = p.banzhaf_exact.as_ref().expect("exact");
    println!(
        "UNSC: Shapley–Shubik permanent {:.6} ({}), elected {:.6} ({}); normalised Banzhaf \
         permanent {:.6} ({}), elected {:.6} ({})",
        p.shapley_shubik[0], ss[0], p.shapley_shubik[5], ss[5], p.banzhaf[0], bz[0], p.banzhaf[5], bz[5]
    );
    for max_w in [100u64, 10_000] {
        let weights: Vec<u64> = (0..300u64).map(|i| 1 + (i * 7919 + 13) % max_w).collect();
        let total: u64 = weights.iter().sum();
        let g = VotingGame::weighted(weights, total / 2 + 1).expect("game");
        let t = Instant::now();
        let b = banzhaf_indices(&g, PowerMethod::Auto).expect("banzhaf");
        let tb = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let p = power_indices(&g, PowerMethod::Auto).expect("power");
        println!(
            "300 members, weights 1..={max_w} (total {total}), {:?}: Banzhaf alone in {tb:.3} s \
             (Σ = {:.12}); Shapley–Shubik and Banzhaf in {:.3} s (Σ SS = {:.12})",
            p.method,
            b.banzhaf.iter().sum::<f64>(),
            t.elapsed().as_secs_f64(),
            p.shapley_shubik.iter().sum::<f64>(),
        );
    }
}
