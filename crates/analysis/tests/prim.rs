//! PRIM: a planted box is recovered; no structure gives no lift.

#![allow(clippy::needless_range_loop)] // index-parallel vectors read clearer by index in tests

use ironclad_analysis::AnalysisError;
use ironclad_analysis::prim::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn u(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn planted(seed: u64, rows: usize) -> (PrimData, Vec<Vec<f64>>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let cols: Vec<Vec<f64>> = (0..4).map(|_| (0..rows).map(|_| u(&mut rng)).collect()).collect();
    let outcome: Vec<bool> = (0..rows)
        .map(|r| {
            let inside = (0.2..=0.5).contains(&cols[0][r]) && (0.6..=0.9).contains(&cols[1][r]);
            u(&mut rng) < if inside { 0.9 } else { 0.03 }
        })
        .collect();
    let mut data = PrimData::new(outcome);
    for (k, c) in cols.iter().enumerate() {
        data = data.numeric(format!("x{k}"), c.clone()).unwrap();
    }
    (data, cols)
}

fn bounds(b: &PrimBox, name: &str) -> Option<(Option<f64>, Option<f64>)> {
    b.restrictions.iter().find_map(|r| match r {
        Restriction::Numeric { name: n, lower, upper } if n == name => Some((*lower, *upper)),
        _ => None,
    })
}

#[test]
fn recovers_a_planted_box() {
    for seed in [1u64, 2, 3] {
        let (data, _) = planted(seed, 3000);
        let res = prim(&data, &PrimOptions::default()).unwrap();
        let b = &res.chosen;
        println!(
            "seed {seed}: {} — coverage {:.3}, density {:.3}, lift {:.2}, qp {:?}",
            b.describe(),
            b.coverage,
            b.density,
            b.lift,
            b.quasi_p
        );
        let (l0, u0) = bounds(b, "x0").expect("x0 restricted");
        let (l1, u1) = bounds(b, "x1").expect("x1 restricted");
        assert!((l0.unwrap() - 0.2).abs() <= 0.05 && (u0.unwrap() - 0.5).abs() <= 0.05, "{l0:?} {u0:?}");
        assert!((l1.unwrap() - 0.6).abs() <= 0.05 && (u1.unwrap() - 0.9).abs() <= 0.05, "{l1:?} {u1:?}");
        assert!(bounds(b, "x2").is_none() && bounds(b, "x3").is_none(), "{}", b.describe());
        assert!(b.density > 0.8 && b.coverage > 0.6);
        assert!(b.lift > 5.0);
        assert_eq!(b.quasi_p.len(), b.restrictions.len());
        assert!(b.quasi_p.iter().all(|&p| p < 1e-6));
        // The trajectory starts with all runs and never drops below the minimum support.
        assert_eq!(res.trajectory[0].rows, 3000);
        assert!(res.trajectory.iter().all(|t| t.support >= 0.05));
        assert!(res.trajectory.len() > 10);
    }
}

#[test]
fn categorical_levels_are_peeled() {
    let rows = 3000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let x: Vec<f64> = (0..rows).map(|_| u(&mut rng)).collect();
    let y: Vec<f64> = (0..rows).map(|_| u(&mut rng)).collect();
    let cat: Vec<String> = (0..rows).map(|_| ["a", "b", "c", "d"][(rng.next_u64() % 4) as usize].to_string()).collect();
    let outcome: Vec<bool> =
        (0..rows).map(|r| u(&mut rng) < if x[r] <= 0.31 && cat[r] == "b" { 0.85 } else { 0.02 }).collect();
    let data =
        PrimData::new(outcome).numeric("x2", x).unwrap().numeric("noise", y).unwrap().categorical("cat", cat).unwrap();
    let res = prim(&data, &PrimOptions::default()).unwrap();
    let text = res.chosen.describe();
    println!("{text}");
    assert!(text.contains("cat = 'b'"), "{text}");
    let (lo, hi) = bounds(&res.chosen, "x2").unwrap();
    assert!(lo.is_none() && (hi.unwrap() - 0.31).abs() <= 0.05, "{text}");
    assert!(bounds(&res.chosen, "noise").is_none(), "{text}");
    assert!(text.starts_with("x2 ≤ 0.3") && text.contains(" AND cat = 'b'"), "{text}");
}

#[test]
fn no_structure_no_lift() {
    let rows = 3000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mut data = PrimData::new((0..rows).map(|_| u(&mut rng) < 0.2).collect());
    for k in 0..4 {
        data = data.numeric(format!("x{k}"), (0..rows).map(|_| u(&mut rng)).collect()).unwrap();
    }
    let res = prim(&data, &PrimOptions::default()).unwrap();
    let unpruned = prim(&data, &PrimOptions { prune_p: None, paste: false, ..Default::default() }).unwrap();
    println!(
        "{} lift {:.3}; unpruned {} lift {:.3}",
        res.chosen.describe(),
        res.chosen.lift,
        unpruned.chosen.describe(),
        unpruned.chosen.lift
    );
    assert!(unpruned.chosen.lift < 1.25, "lift {}", unpruned.chosen.lift);
    assert!(res.chosen.lift < 1.25);
}

#[test]
fn bad_input() {
    assert!(matches!(prim(&PrimData::new(vec![]), &PrimOptions::default()), Err(AnalysisError::Empty { .. })));
    assert!(PrimData::new(vec![true]).numeric("x", vec![1.0, 2.0]).is_err());
    assert!(PrimData::new(vec![true]).numeric("x", vec![f64::NAN]).is_err());
    assert!(PrimData::new(vec![true]).categorical("c", vec![]).is_err());
    let d = PrimData::new(vec![false, false]).numeric("x", vec![1.0, 2.0]).unwrap();
    assert!(matches!(prim(&d, &PrimOptions::default()), Err(AnalysisError::Degenerate { .. })));
    let d = PrimData::new(vec![true, false]).numeric("x", vec![1.0, 2.0]).unwrap();
    assert!(prim(&d, &PrimOptions { alpha: 0.0, ..Default::default() }).is_err());
    assert!(prim(&d, &PrimOptions { min_support: 1.0, ..Default::default() }).is_err());
    assert!(prim(&PrimData::new(vec![true]), &PrimOptions::default()).is_err());
    // Constant column: nothing to peel, the box stays whole.
    let d = PrimData::new(vec![true, false, true]).numeric("x", vec![1.0; 3]).unwrap();
    let r = prim(&d, &PrimOptions::default()).unwrap();
    assert_eq!(r.trajectory.len(), 1);
    assert_eq!(r.chosen.describe(), "all runs");
}

#[test]
fn a_box_fitted_on_one_sample_is_counted_on_another() {
    let (fit, _) = planted(11, 3000);
    let (held_out, _) = planted(12, 3000);
    let res = prim(&fit, &PrimOptions::default()).unwrap();
    let b = &res.chosen;
    // On its own data the counts are the box's.
    assert_eq!(box_counts(&fit, &b.restrictions).unwrap(), (b.rows, b.cases));
    // On fresh data of the same law the planted box's density (0.9) and coverage hold up.
    let (n, t) = box_counts(&held_out, &b.restrictions).unwrap();
    assert!(n > 0 && n < held_out.rows());
    let density = t as f64 / n as f64;
    assert!(density > 0.8, "held-out density {density}");
    // No restriction: every row; an unknown column: an error.
    let all = box_counts(&held_out, &[]).unwrap();
    assert_eq!(all.0, 3000);
    let unknown = [Restriction::Numeric { name: "nope".into(), lower: Some(0.0), upper: None }];
    assert!(box_counts(&held_out, &unknown).is_err());
    let cat = [Restriction::Categorical { name: "x0".into(), levels: vec!["a".into()] }];
    assert!(box_counts(&held_out, &cat).is_err());
}
