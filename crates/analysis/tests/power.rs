//! Voting power: hand-computable games, the UN Security Council, DP vs enumeration.

#![allow(clippy::needless_range_loop)] // index-parallel vectors read clearer by index in tests

use ironclad_analysis::AnalysisError;
use ironclad_analysis::power::*;
use proptest::prelude::*;

fn ratio(num: u128, den: u128) -> Ratio {
    Ratio { num, den }
}

#[test]
fn dictator() {
    let g = VotingGame::weighted(vec![3, 1, 1], 3).unwrap();
    for m in [PowerMethod::Enumerate, PowerMethod::ExactDp, PowerMethod::FloatDp] {
        let p = power_indices(&g, m).unwrap();
        assert!((p.shapley_shubik[0] - 1.0).abs() < 1e-12, "{m:?}");
        assert!((p.banzhaf[0] - 1.0).abs() < 1e-12);
        assert_eq!(p.dummies, vec![1, 2]);
        assert_eq!(p.blockers, vec![0]);
    }
}

#[test]
fn unanimity() {
    let g = VotingGame::unanimity(5).unwrap();
    for m in [PowerMethod::Enumerate, PowerMethod::ExactDp, PowerMethod::FloatDp] {
        let p = power_indices(&g, m).unwrap();
        for i in 0..5 {
            assert!((p.shapley_shubik[i] - 0.2).abs() < 1e-12);
            assert!((p.banzhaf[i] - 0.2).abs() < 1e-12);
            assert!((p.banzhaf_raw[i] - 1.0 / 16.0).abs() < 1e-12);
        }
        assert_eq!(p.blockers, vec![0, 1, 2, 3, 4]);
        assert!(p.dummies.is_empty());
    }
}

#[test]
fn three_two_one_one_by_hand() {
    // [3; 2, 1, 1]: orders where the big member is pivotal: 4 of 6 → SS (2/3, 1/6, 1/6);
    // swings: big 3 ({1},{2},{1,2}), small 1 each ({0}) → Banzhaf (3/5, 1/5, 1/5).
    let g = VotingGame::weighted(vec![2, 1, 1], 3).unwrap();
    for m in [PowerMethod::Enumerate, PowerMethod::ExactDp] {
        let p = power_indices(&g, m).unwrap();
        assert_eq!(p.shapley_shubik_exact.unwrap(), vec![ratio(2, 3), ratio(1, 6), ratio(1, 6)]);
        assert_eq!(p.banzhaf_exact.unwrap(), vec![ratio(3, 5), ratio(1, 5), ratio(1, 5)]);
        assert_eq!(p.swings_exact.unwrap(), vec![3, 1, 1]);
        assert_eq!(p.blockers, vec![0]);
    }
    let f = power_indices(&g, PowerMethod::FloatDp).unwrap();
    assert!(!f.exact);
    for (x, y) in f.shapley_shubik.iter().zip([2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0]) {
        assert!((x - y).abs() < 1e-13);
    }
    for (x, y) in f.banzhaf.iter().zip([0.6, 0.2, 0.2]) {
        assert!((x - y).abs() < 1e-13);
    }
}

/// The UN Security Council: 5 permanent members with a veto and 10 elected members; a
/// substantive decision needs 9 affirmative votes including all five permanent members.
fn unsc() -> VotingGame {
    VotingGame::count_quota(15, 9, vec![0, 1, 2, 3, 4]).unwrap()
}

#[test]
fn un_security_council() {
    // Derivation. Shapley–Shubik: an elected member is pivotal when it comes 9th with all five
    // permanent members and 3 of the other 9 elected before it: C(9,3)·8!·6!/15! = 4/2145;
    // the permanent members share the rest: (1 − 10·4/2145)/5 = 421/2145.
    // Banzhaf swings: permanent, the other 4 permanent and ≥ 4 of 10 elected:
    // Σ_{k≥4} C(10,k) = 848; elected, all 5 permanent and exactly 3 of 9 elected: C(9,3) = 84;
    // total 5·848 + 10·84 = 5080 → 848/5080 = 106/635 and 84/5080 = 21/1270.
    for m in [PowerMethod::Auto, PowerMethod::Enumerate, PowerMethod::ExactDp] {
        let p = power_indices(&unsc(), m).unwrap();
        let ss = p.shapley_shubik_exact.clone().unwrap();
        let bz = p.banzhaf_exact.clone().unwrap();
        for i in 0..5 {
            assert_eq!(ss[i], ratio(421, 2145));
            assert_eq!(bz[i], ratio(106, 635));
            assert_eq!(p.swings_exact.as_ref().unwrap()[i], 848);
        }
        for i in 5..15 {
            assert_eq!(ss[i], ratio(4, 2145));
            assert_eq!(bz[i], ratio(21, 1270));
            assert_eq!(p.swings_exact.as_ref().unwrap()[i], 84);
        }
        assert_eq!(p.blockers, vec![0, 1, 2, 3, 4]);
        assert!(p.dummies.is_empty());
        println!(
            "UNSC ({:?}): Shapley–Shubik permanent {:.6} ({}), elected {:.6} ({}); \
             Banzhaf permanent {:.6} ({}), elected {:.6} ({})",
            p.method, p.shapley_shubik[0], ss[0], p.shapley_shubik[5], ss[5], p.banzhaf[0], bz[0], p.banzhaf[5], bz[5]
        );
        assert_eq!(format!("{:.6}", p.shapley_shubik[0]), "0.196270");
        assert_eq!(format!("{:.6}", p.shapley_shubik[5]), "0.001865");
        assert_eq!(format!("{:.6}", p.banzhaf[0]), "0.166929");
        assert_eq!(format!("{:.6}", p.banzhaf[5]), "0.016535");
    }
    let f = power_indices(&unsc(), PowerMethod::FloatDp).unwrap();
    assert!((f.shapley_shubik[0] - 421.0 / 2145.0).abs() < 1e-13);
    assert!((f.banzhaf[5] - 21.0 / 1270.0).abs() < 1e-13);
}

#[test]
fn eu_style_double_majority() {
    // Two constraints: 55 % of 6 states (≥ 4) and 65 % of population.
    let pop = vec![40u64, 30, 15, 8, 5, 2];
    let total: u64 = pop.iter().sum();
    let g = VotingGame::new(
        6,
        vec![
            QuotaConstraint { weights: vec![1; 6], quota: 4 },
            QuotaConstraint { weights: pop, quota: (total * 65).div_ceil(100) },
        ],
        vec![],
    )
    .unwrap();
    let a = power_indices(&g, PowerMethod::Enumerate).unwrap();
    let b = power_indices(&g, PowerMethod::ExactDp).unwrap();
    assert_eq!(a.shapley_shubik_exact, b.shapley_shubik_exact);
    assert_eq!(a.swings_exact, b.swings_exact);
    let sum: f64 = a.shapley_shubik.iter().sum();
    assert!((sum - 1.0).abs() < 1e-12);
}

#[test]
fn errors() {
    assert!(matches!(VotingGame::weighted(vec![], 1), Err(AnalysisError::Empty { .. })));
    assert!(VotingGame::new(2, vec![QuotaConstraint { weights: vec![1], quota: 1 }], vec![]).is_err());
    assert!(VotingGame::count_quota(3, 2, vec![3]).is_err());
    assert!(VotingGame::weighted(vec![u64::MAX, 1], 1).is_err());
    // Quota above the total: nobody wins.
    let g = VotingGame::weighted(vec![1, 1], 3).unwrap();
    assert!(matches!(power_indices(&g, PowerMethod::Auto), Err(AnalysisError::Degenerate { .. })));
    // Quota 0: everyone always wins, nobody swings.
    let g = VotingGame::weighted(vec![1, 1], 0).unwrap();
    for m in [PowerMethod::Enumerate, PowerMethod::ExactDp, PowerMethod::FloatDp] {
        assert!(power_indices(&g, m).is_err());
    }
    let g = VotingGame::count_quota(30, 16, vec![]).unwrap();
    assert!(matches!(power_indices(&g, PowerMethod::Enumerate), Err(AnalysisError::TooLarge { .. })));
    assert!(g.is_winning(&[true; 3]).is_err());
}

#[test]
fn float_dp_matches_exact_dp_for_sixty_members() {
    let weights: Vec<u64> = (0..60u64).map(|i| 1 + (i * 37 % 23)).collect();
    let total: u64 = weights.iter().sum();
    let g = VotingGame::new(60, vec![QuotaConstraint { weights, quota: total * 2 / 3 }], vec![3, 17]).unwrap();
    let e = power_indices(&g, PowerMethod::ExactDp).unwrap();
    let f = power_indices(&g, PowerMethod::FloatDp).unwrap();
    for i in 0..60 {
        assert!((e.shapley_shubik[i] - f.shapley_shubik[i]).abs() < 1e-12, "{i}");
        assert!((e.banzhaf[i] - f.banzhaf[i]).abs() < 1e-12, "{i}");
        assert!(((e.swings[i] - f.swings[i]) / e.swings[i].max(1.0)).abs() < 1e-10, "{i}");
    }
    assert!((e.shapley_shubik.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Banzhaf alone: the same figures, no Shapley–Shubik.
    for m in [PowerMethod::ExactDp, PowerMethod::FloatDp] {
        let b = banzhaf_indices(&g, m).unwrap();
        assert!(b.shapley_shubik.is_empty() && b.shapley_shubik_exact.is_none());
        assert_eq!(b.blockers, e.blockers);
        for i in 0..60 {
            assert!((b.banzhaf[i] - e.banzhaf[i]).abs() < 1e-12);
        }
    }
    assert_eq!(banzhaf_indices(&g, PowerMethod::ExactDp).unwrap().banzhaf_exact, e.banzhaf_exact);
}

#[test]
fn three_hundred_members() {
    // 300 members with weights up to 20 (floating-point path, chosen automatically); the
    // example `targets` times weights up to 10^4 in a release build.
    let weights: Vec<u64> = (0..300u64).map(|i| 1 + (i * 7919 % 20)).collect();
    let total: u64 = weights.iter().sum();
    let g = VotingGame::weighted(weights, total / 2 + 1).unwrap();
    let t = std::time::Instant::now();
    let p = power_indices(&g, PowerMethod::Auto).unwrap();
    println!("300 members, total weight {total}: {:?}", t.elapsed());
    assert_eq!(p.method, PowerMethod::FloatDp);
    assert!((p.shapley_shubik.iter().sum::<f64>() - 1.0).abs() < 1e-10);
    assert!((p.banzhaf.iter().sum::<f64>() - 1.0).abs() < 1e-10);
    // Power is monotone in weight.
    let mut order: Vec<usize> = (0..300).collect();
    order.sort_by_key(|&i| g.constraints()[0].weights[i]);
    for w in order.windows(2) {
        assert!(p.shapley_shubik[w[0]] <= p.shapley_shubik[w[1]] + 1e-12);
    }
}

fn game_strategy() -> impl Strategy<Value = VotingGame> {
    (1usize..9, 1usize..3)
        .prop_flat_map(|(n, k)| {
            (
                Just(n),
                proptest::collection::vec((proptest::collection::vec(0u64..7, n), 0.0f64..1.0), k),
                proptest::collection::vec(any::<bool>(), n),
            )
        })
        .prop_map(|(n, cons, veto)| {
            let constraints = cons
                .into_iter()
                .map(|(weights, f)| {
                    let total: u64 = weights.iter().sum();
                    let quota = ((total as f64 * f).ceil() as u64).clamp(1, total.max(1));
                    QuotaConstraint { weights, quota }
                })
                .collect();
            let vetoes = (0..n).filter(|&i| veto[i] && i % 3 == 0).collect();
            VotingGame::new(n, constraints, vetoes).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn dp_equals_enumeration(g in game_strategy()) {
        let a = power_indices(&g, PowerMethod::Enumerate);
        let b = power_indices(&g, PowerMethod::ExactDp);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.swings_exact, &b.swings_exact);
                prop_assert_eq!(&a.shapley_shubik_exact, &b.shapley_shubik_exact);
                prop_assert_eq!(&a.dummies, &b.dummies);
                prop_assert_eq!(&a.blockers, &b.blockers);
                let s: f64 = a.shapley_shubik.iter().sum();
                prop_assert!((s - 1.0).abs() < 1e-12);
                // Blockers are exactly the members in every winning coalition.
                let n = g.n();
                for i in 0..n {
                    let mut m = vec![true; n];
                    m[i] = false;
                    prop_assert_eq!(a.blockers.contains(&i), !g.is_winning(&m).unwrap());
                }
                if g.constraints().len() == 1 {
                    let f = power_indices(&g, PowerMethod::FloatDp).unwrap();
                    for i in 0..n {
                        prop_assert!((f.shapley_shubik[i] - a.shapley_shubik[i]).abs() < 1e-12);
                        prop_assert!((f.banzhaf[i] - a.banzhaf[i]).abs() < 1e-12);
                    }
                    prop_assert_eq!(&f.dummies, &a.dummies);
                }
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "methods disagree: {:?} vs {:?}", a, b),
        }
    }
}
