//! Sobol' indices (Ishigami, linear, inert input), the scrambled Sobol' sequence, Morris.

#![allow(clippy::needless_range_loop)] // index-parallel vectors read clearer by index in tests

use std::f64::consts::PI;

use ironclad_analysis::AnalysisError;
use ironclad_analysis::marginal::Marginal;
use ironclad_analysis::morris::*;
use ironclad_analysis::sobol::*;

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Analytic Ishigami indices (a = 7, b = 0.1; Ishigami & Homma 1990).
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

#[test]
fn ishigami_within_two_hundredths() {
    let (s1, st) = ishigami_truth();
    assert!((s1[0] - 0.3139).abs() < 1e-4 && (st[2] - 0.2437).abs() < 1e-4);
    let m = vec![Marginal::uniform(-PI, PI); 3];
    let opts = SobolOptions { bootstrap: 300, seed: 1 };
    let r = sobol_indices_pointwise(&m, 4096, Sampling::ScrambledSobol, 11, &opts, ishigami).unwrap();
    assert_eq!(r.evaluations, 4096 * 5);
    for i in 0..3 {
        assert!((r.first_order[i] - s1[i]).abs() < 0.02, "S{i} = {}", r.first_order[i]);
        assert!((r.total[i] - st[i]).abs() < 0.02, "ST{i} = {}", r.total[i]);
        let c1 = r.first_order_ci[i].unwrap();
        let ct = r.total_ci[i].unwrap();
        assert!(c1.lo - 0.005 <= s1[i] && s1[i] <= c1.hi + 0.005, "{c1:?} vs {}", s1[i]);
        assert!(ct.lo - 0.005 <= st[i] && st[i] <= ct.hi + 0.005, "{ct:?} vs {}", st[i]);
        assert!(c1.contains(r.first_order[i]) && ct.contains(r.total[i]));
    }
    // Monte Carlo sampling converges too, more slowly.
    let mc = sobol_indices_pointwise(&m, 16384, Sampling::MonteCarlo, 3, &opts, ishigami).unwrap();
    for i in 0..3 {
        assert!((mc.first_order[i] - s1[i]).abs() < 0.04);
        assert!((mc.total[i] - st[i]).abs() < 0.04);
    }
}

#[test]
fn linear_model_tight() {
    let c = [1.0, 2.0, 3.0, 0.5];
    let sum: f64 = c.iter().map(|x| x * x).sum();
    let m: Vec<Marginal> = (0..4).map(|_| Marginal::uniform(0.0, 1.0)).collect();
    let r = sobol_indices(&m, 4096, Sampling::ScrambledSobol, 5, &SobolOptions::default(), |pts| {
        pts.iter().map(|x| x.iter().zip(&c).map(|(a, b)| a * b).sum()).collect()
    })
    .unwrap();
    for i in 0..4 {
        let truth = c[i] * c[i] / sum;
        assert!((r.first_order[i] - truth).abs() < 0.005, "S{i}");
        assert!((r.total[i] - truth).abs() < 0.005, "ST{i}");
    }
}

#[test]
fn inert_input_has_zero_indices() {
    let m = vec![
        Marginal::uniform(0.0, 1.0),
        Marginal::Triangular { lo: 0.0, mode: 0.3, hi: 1.0 },
        Marginal::Beta { alpha: 2.0, beta: 5.0, lo: 0.0, hi: 1.0 },
        Marginal::LogNormal { mu: 0.0, sigma: 0.5 },
    ];
    let f = |x: &[f64]| x[0] + x[1] * x[1] + x[0] * x[1] + 0.3 * x[3];
    let r = sobol_indices_pointwise(&m, 1024, Sampling::ScrambledSobol, 2, &SobolOptions::default(), f).unwrap();
    assert_eq!(r.first_order[2], 0.0);
    assert_eq!(r.total[2], 0.0);
    let ci = r.total_ci[2].unwrap();
    assert_eq!((ci.lo, ci.hi), (0.0, 0.0));
    assert!(r.total[0] > 0.1 && r.total[3] > 0.01);
}

#[test]
fn design_is_deterministic_and_bad_inputs_are_errors() {
    let m = vec![Marginal::uniform(0.0, 1.0); 3];
    let a = SaltelliDesign::new(&m, 64, Sampling::ScrambledSobol, 9).unwrap();
    let b = SaltelliDesign::new(&m, 64, Sampling::ScrambledSobol, 9).unwrap();
    let c = SaltelliDesign::new(&m, 64, Sampling::ScrambledSobol, 10).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.a, c.a);
    assert_eq!(a.points().len(), a.len());
    let y: Vec<f64> = a.points().iter().map(|x| x[0] + x[1]).collect();
    let o = SobolOptions { bootstrap: 50, seed: 4 };
    assert_eq!(a.analyze(&y, &o).unwrap(), a.analyze(&y, &o).unwrap());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    assert_eq!(pool.install(|| a.analyze(&y, &o)).unwrap(), a.analyze(&y, &o).unwrap());
    assert!(matches!(a.analyze(&y[1..], &o), Err(AnalysisError::LengthMismatch { .. })));
    let mut bad = y.clone();
    bad[3] = f64::NAN;
    assert!(matches!(a.analyze(&bad, &o), Err(AnalysisError::NonFinite { index: 3, .. })));
    assert!(matches!(a.analyze(&vec![1.0; a.len()], &o), Err(AnalysisError::Degenerate { .. })));
    assert!(SaltelliDesign::new(&[], 64, Sampling::ScrambledSobol, 0).is_err());
    assert!(SaltelliDesign::new(&m, 1, Sampling::ScrambledSobol, 0).is_err());
    assert!(SaltelliDesign::new(&m, 1 << 17, Sampling::ScrambledSobol, 0).is_err());
    assert!(SaltelliDesign::new(&vec![Marginal::uniform(0.0, 1.0); 129], 8, Sampling::ScrambledSobol, 0).is_err());
    assert!(SaltelliDesign::new(&[Marginal::uniform(1.0, 0.0)], 8, Sampling::MonteCarlo, 0).is_err());
    let nan = Marginal::quantile("broken", |_| f64::NAN);
    assert!(SaltelliDesign::new(&[nan], 8, Sampling::MonteCarlo, 0).is_err());
}

#[test]
fn scrambled_sobol_is_stratified() {
    let m = 10;
    let n = 1 << m;
    for seed in [0u64, 1, 77] {
        let pts = scrambled_sobol(n, 8, seed).unwrap();
        // Every coordinate: one point in each of the n intervals [k/n, (k+1)/n).
        for k in 0..8 {
            let mut seen = vec![false; n];
            for p in &pts {
                let b = (p[k] * n as f64) as usize;
                assert!(p[k] > 0.0 && p[k] < 1.0);
                assert!(!seen[b], "dim {k} bin {b} twice");
                seen[b] = true;
            }
        }
        // Dimensions 0 and 1 form a (0, m, 2)-net: one point in every elementary box.
        for bits_x in 0..=m {
            let (nx, ny) = (1usize << bits_x, 1usize << (m - bits_x));
            let mut count = vec![0u32; n];
            for p in &pts {
                let (i, j) = ((p[0] * nx as f64) as usize, (p[1] * ny as f64) as usize);
                count[i * ny + j] += 1;
            }
            assert!(count.iter().all(|&c| c == 1), "boxes {nx}x{ny}");
        }
        // Mean of each coordinate is 1/2 to within the stratification error.
        for k in 0..8 {
            let mean: f64 = pts.iter().map(|p| p[k]).sum::<f64>() / n as f64;
            assert!((mean - 0.5).abs() < 1.0 / n as f64);
        }
    }
    assert_ne!(scrambled_sobol(4, 2, 0).unwrap(), scrambled_sobol(4, 2, 1).unwrap());
}

#[test]
fn morris_linear_inert_and_interacting() {
    let m = vec![
        Marginal::uniform(0.0, 2.0),
        Marginal::uniform(-1.0, 1.0),
        Marginal::uniform(10.0, 15.0),
        Marginal::uniform(0.0, 1.0),
    ];
    let c = [3.0, -2.0, 0.5, 0.0];
    let lin =
        morris(&m, 20, 4, 8, |pts| pts.iter().map(|x| x.iter().zip(&c).map(|(a, b)| a * b).sum()).collect()).unwrap();
    let ranges = [2.0, 2.0, 5.0, 1.0];
    for i in 0..4 {
        assert!((lin.mu_star[i] - c[i].abs() * ranges[i]).abs() < 1e-9, "mu* {i}");
        assert!((lin.mu[i] - c[i] * ranges[i]).abs() < 1e-9, "mu {i}");
        assert!(lin.sigma[i] < 1e-9, "sigma {i}");
    }
    assert_eq!(lin.mu_star[3], 0.0);
    assert_eq!(lin.evaluations, 20 * 5);
    // x0·x1 interacts: σ > 0 for both; x3 inert.
    let inter = morris(&m, 30, 4, 9, |pts| pts.iter().map(|x| x[0] * x[1] + x[2]).collect()).unwrap();
    assert!(inter.sigma[0] > 0.1 && inter.sigma[1] > 0.1);
    assert!(inter.sigma[2] < 1e-9 && inter.mu_star[3] == 0.0);
    assert!(inter.mu_star_half_width[0] > 0.0);
    // Deterministic; errors.
    let d1 = MorrisDesign::new(&m, 5, 4, 3).unwrap();
    assert_eq!(d1, MorrisDesign::new(&m, 5, 4, 3).unwrap());
    assert!(MorrisDesign::new(&m, 1, 4, 3).is_err());
    assert!(MorrisDesign::new(&m, 5, 3, 3).is_err());
    assert!(MorrisDesign::new(&[Marginal::LogNormal { mu: 0.0, sigma: 1.0 }], 5, 4, 3).is_err());
    assert!(d1.analyze(&[0.0; 3]).is_err());
}
