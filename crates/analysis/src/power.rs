//! Voting power of decision bodies, exact: Shapley–Shubik and Banzhaf indices of simple games
//! given by weighted quota constraints and vetoes.
//!
//! A coalition `S` **wins** when every constraint `Σ_{i∈S} w_k(i) ≥ q_k` holds and `S`
//! contains every veto member. Player `i` is a **swing** (pivotal) for a coalition `S ∌ i` of
//! the others when `S` loses and `S ∪ {i}` wins. With `c_i(s)` the number of swing coalitions
//! of size `s`:
//!
//! * raw Banzhaf count `η_i = Σ_s c_i(s)`; raw Banzhaf index `η_i / 2^{n−1}`; normalised
//!   Banzhaf index `η_i / Σ_j η_j` (Banzhaf 1965; Dubey & Shapley 1979);
//! * Shapley–Shubik index `φ_i = Σ_s c_i(s) · s! (n−1−s)! / n!` (Shapley & Shubik 1954).
//!
//! Methods ([`PowerMethod`]):
//!
//! * **enumeration** of all `2ⁿ` coalitions (`n ≤ 25`), any number of constraints;
//! * **exact dynamic programming** over generating functions in `u128` (`n ≤ 127`): the table
//!   `T[t][x]` counts coalitions of `t` non-veto members by their weights `x`, each coordinate
//!   saturated at its residual quota, so one constraint costs `O(n²·q)` and two cost
//!   `O(n²·q₁·q₂)`; the table of "everyone but `i`" is obtained by exact polynomial division by
//!   `(1 + y·x^{w_i})`, once per distinct weight;
//! * **floating-point generating functions** for one constraint and any `n` (hundreds of
//!   members): `φ_i = ∫₀¹ P_p(i is a swing) dp` where members join independently with
//!   probability `p` (Owen 1972; Straffin 1977). The integrand is a polynomial of degree `n−1`
//!   in `p`, integrated exactly by `⌈n/2⌉`-point Gauss–Legendre quadrature; each `P_p` comes
//!   from a probability DP over weights, and the removal of one member is done in the
//!   numerically damped direction (nodes `p ≤ ½`; the mirror node `1−p` by complementing the
//!   weight window), so rounding errors do not grow. Absolute error is of order `10⁻¹²` (tested
//!   against the exact DP); no rational is returned. Cost: one DP over weights `O(n·q)` per
//!   node pair plus `O(q / w_i)` per distinct weight, with `q` the larger of the quota and its
//!   complement — `O(n²·q)` in all for Shapley–Shubik (the cost of every known exact method),
//!   `O(n·q)` for Banzhaf alone ([`banzhaf_indices`]).
//!
//! Exact rationals: the Banzhaf indices whenever the counts fit (`n ≤ 120`), the
//! Shapley–Shubik indices when `n!` fits in `u128` (`n ≤ 34`). The `f64` values of the exact
//! paths are the exact counts converted and summed, with relative error below `(n+2)·2⁻⁵³`.

use serde::Serialize;

use crate::Result;
use crate::error::{AnalysisError, invalid};

/// One weighted quota constraint: a coalition meets it when its members' weights sum to at
/// least `quota`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaConstraint {
    /// Weight of each member (length `n`).
    pub weights: Vec<u64>,
    /// The quota `q`.
    pub quota: u64,
}

/// A simple voting game: `n` members, constraints that must all hold, veto members who must
/// all be present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VotingGame {
    n: usize,
    constraints: Vec<QuotaConstraint>,
    vetoes: Vec<usize>,
}

impl VotingGame {
    /// A game of `n` members with the given constraints and veto members (duplicates removed).
    ///
    /// # Errors
    /// If `n == 0`, a weight list's length is not `n`, a constraint's weights overflow `u64`,
    /// or a veto member is out of range.
    pub fn new(n: usize, constraints: Vec<QuotaConstraint>, vetoes: Vec<usize>) -> Result<Self> {
        if n == 0 {
            return Err(AnalysisError::Empty { what: "members" });
        }
        for c in &constraints {
            if c.weights.len() != n {
                return Err(AnalysisError::LengthMismatch {
                    what: "constraint weights",
                    expected: n,
                    got: c.weights.len(),
                });
            }
            c.weights
                .iter()
                .try_fold(0u64, |a, &w| a.checked_add(w))
                .ok_or_else(|| invalid("weights", "total weight overflows u64"))?;
        }
        let mut vetoes = vetoes;
        vetoes.sort_unstable();
        vetoes.dedup();
        if let Some(&v) = vetoes.iter().find(|&&v| v >= n) {
            return Err(invalid("vetoes", format!("member {v} is out of range 0..{n}")));
        }
        Ok(Self { n, constraints, vetoes })
    }

    /// A weighted majority game `[q; w₁, …, wₙ]`.
    ///
    /// # Errors
    /// As [`VotingGame::new`].
    pub fn weighted(weights: Vec<u64>, quota: u64) -> Result<Self> {
        let n = weights.len();
        Self::new(n, vec![QuotaConstraint { weights, quota }], Vec::new())
    }

    /// A count majority: at least `quota` of the `n` members (unit weights), with vetoes.
    ///
    /// # Errors
    /// As [`VotingGame::new`].
    pub fn count_quota(n: usize, quota: u64, vetoes: Vec<usize>) -> Result<Self> {
        Self::new(n, vec![QuotaConstraint { weights: vec![1; n], quota }], vetoes)
    }

    /// Unanimity (consensus) of `n` members: quota `n` with unit weights.
    ///
    /// # Errors
    /// As [`VotingGame::new`].
    pub fn unanimity(n: usize) -> Result<Self> {
        Self::count_quota(n, n as u64, Vec::new())
    }

    /// Number of members.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The constraints.
    pub fn constraints(&self) -> &[QuotaConstraint] {
        &self.constraints
    }

    /// The veto members, sorted.
    pub fn vetoes(&self) -> &[usize] {
        &self.vetoes
    }

    /// Whether the coalition `members` (membership flags, length `n`) wins.
    ///
    /// # Errors
    /// If `members.len() != n`.
    pub fn is_winning(&self, members: &[bool]) -> Result<bool> {
        if members.len() != self.n {
            return Err(AnalysisError::LengthMismatch { what: "coalition", expected: self.n, got: members.len() });
        }
        Ok(self.wins(|i| members[i]))
    }

    fn wins(&self, has: impl Fn(usize) -> bool) -> bool {
        self.vetoes.iter().all(|&v| has(v))
            && self.constraints.iter().all(|c| {
                let w: u64 = (0..self.n).filter(|&i| has(i)).map(|i| c.weights[i]).sum();
                w >= c.quota
            })
    }
}

/// How [`power_indices`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum PowerMethod {
    /// Enumeration when `n ≤ 20`; else the exact DP when its table has at most
    /// [`MAX_DP_CELLS`] cells; else the floating-point generating functions (one constraint).
    #[default]
    Auto,
    /// Enumerate all `2ⁿ` coalitions (`n ≤ 25`).
    Enumerate,
    /// Exact `u128` dynamic programming (`n ≤ 127`, table ≤ [`MAX_DP_CELLS`]).
    ExactDp,
    /// Floating-point generating functions with Gauss–Legendre quadrature (one constraint).
    FloatDp,
}

/// Largest number of `u128` cells the exact DP allocates (2²³ cells = 128 MiB).
pub const MAX_DP_CELLS: usize = 1 << 23;

/// Largest `n` for enumeration.
pub const MAX_ENUMERATE: usize = 25;

/// A non-negative rational `num / den` in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ratio {
    /// Numerator.
    pub num: u128,
    /// Denominator (> 0).
    pub den: u128,
}

impl Ratio {
    fn new(num: u128, den: u128) -> Self {
        let g = gcd(num, den).max(1);
        Self { num: num / g, den: den / g }
    }

    /// The nearest `f64` (up to one rounding of each part).
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Power indices of every member of a voting game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerIndices {
    /// Number of members.
    pub n: usize,
    /// The method that was used (never `Auto`).
    pub method: PowerMethod,
    /// Whether the figures are exact (enumeration or exact DP) rather than floating-point
    /// generating functions.
    pub exact: bool,
    /// Shapley–Shubik index of each member (sums to 1).
    pub shapley_shubik: Vec<f64>,
    /// The same as exact rationals, when available (`n ≤ 34` on the exact paths).
    pub shapley_shubik_exact: Option<Vec<Ratio>>,
    /// Normalised Banzhaf index `η_i / Σ η_j` (sums to 1).
    pub banzhaf: Vec<f64>,
    /// The same as exact rationals, when available.
    pub banzhaf_exact: Option<Vec<Ratio>>,
    /// Raw Banzhaf index `η_i / 2^{n−1}`: the probability that `i` is a swing when each other
    /// member joins with probability ½.
    pub banzhaf_raw: Vec<f64>,
    /// Swing counts `η_i` as `f64` (exact as long as below 2⁵³ on the exact paths).
    pub swings: Vec<f64>,
    /// Swing counts `η_i`, exact, on the exact paths.
    pub swings_exact: Option<Vec<u128>>,
    /// Members in every winning coalition: each can block alone (explicit vetoes and members
    /// without whom a constraint cannot be met).
    pub blockers: Vec<usize>,
    /// Members who are never a swing (zero power; on the floating-point path, a raw Banzhaf
    /// index at most [`FLOAT_DUMMY`]).
    pub dummies: Vec<usize>,
}

/// Shapley–Shubik and Banzhaf indices, blockers and dummies of `game`.
///
/// # Errors
/// If the grand coalition loses, nobody is ever a swing (e.g. quota 0 and no vetoes), or the
/// chosen method cannot handle the game's size or number of constraints.
pub fn power_indices(game: &VotingGame, method: PowerMethod) -> Result<PowerIndices> {
    let n = game.n;
    check_wins(game)?;
    let method = resolve(game, method)?;
    let blockers = blockers(game);
    let mut out = match method {
        PowerMethod::Enumerate => {
            if n > MAX_ENUMERATE {
                return Err(AnalysisError::TooLarge { what: "members for enumeration", got: n, max: MAX_ENUMERATE });
            }
            from_counts(n, &enumerate_counts(game), method)?
        }
        PowerMethod::ExactDp => {
            if n > 127 {
                return Err(AnalysisError::TooLarge { what: "members for the exact DP", got: n, max: 127 });
            }
            let cells = dp_cells(game).unwrap_or(usize::MAX);
            if cells > MAX_DP_CELLS {
                return Err(AnalysisError::TooLarge { what: "exact DP table cells", got: cells, max: MAX_DP_CELLS });
            }
            from_counts(n, &dp_counts(game), method)?
        }
        PowerMethod::FloatDp => float_dp(game, true)?,
        PowerMethod::Auto => unreachable!("resolved above"),
    };
    out.blockers = blockers;
    Ok(out)
}

/// Banzhaf indices (and swings, blockers, dummies) only; the Shapley–Shubik fields of the
/// result are empty.
///
/// The same as [`power_indices`] on the exact paths. On the floating-point path it needs one
/// DP at `p = ½` instead of `⌈n/2⌉/2` quadrature nodes, `O(n·q + Σ_i q/w_i)`: 300 members with
/// weights up to 10⁴ take a fraction of a second (see the `targets` example).
///
/// # Errors
/// As [`power_indices`].
pub fn banzhaf_indices(game: &VotingGame, method: PowerMethod) -> Result<PowerIndices> {
    let resolved = resolve(game, method)?;
    if resolved != PowerMethod::FloatDp {
        let mut p = power_indices(game, resolved)?;
        p.shapley_shubik.clear();
        p.shapley_shubik_exact = None;
        return Ok(p);
    }
    check_wins(game)?;
    let mut out = float_dp(game, false)?;
    out.shapley_shubik.clear();
    out.blockers = blockers(game);
    Ok(out)
}

fn check_wins(game: &VotingGame) -> Result<()> {
    if game.wins(|_| true) {
        Ok(())
    } else {
        Err(AnalysisError::Degenerate { reason: "the grand coalition does not win: no coalition wins".into() })
    }
}

fn blockers(game: &VotingGame) -> Vec<usize> {
    (0..game.n).filter(|&i| !game.wins(|j| j != i)).collect()
}

fn resolve(game: &VotingGame, method: PowerMethod) -> Result<PowerMethod> {
    let n = game.n;
    Ok(match method {
        PowerMethod::Auto => {
            if n <= 20 {
                PowerMethod::Enumerate
            } else if n <= 127 && dp_cells(game).is_some_and(|c| c <= MAX_DP_CELLS) {
                PowerMethod::ExactDp
            } else if game.constraints.len() <= 1 {
                PowerMethod::FloatDp
            } else if n <= MAX_ENUMERATE {
                PowerMethod::Enumerate
            } else {
                return Err(invalid(
                    "game",
                    "several constraints with more than 25 members and a DP table over 2^23 cells",
                ));
            }
        }
        m => m,
    })
}

/// Swing counts by size: `counts[i][s] = c_i(s)`.
type Counts = Vec<Vec<u128>>;

fn enumerate_counts(game: &VotingGame) -> Counts {
    let n = game.n;
    let len = 1usize << n;
    let veto_mask: usize = game.vetoes.iter().map(|&v| 1usize << v).sum();
    let mut win = vec![false; len];
    let mut sums = vec![0u64; game.constraints.len()];
    for (s, w) in win.iter_mut().enumerate() {
        if s & veto_mask != veto_mask {
            continue;
        }
        sums.iter_mut().for_each(|x| *x = 0);
        for i in 0..n {
            if s >> i & 1 == 1 {
                for (x, c) in sums.iter_mut().zip(&game.constraints) {
                    *x += c.weights[i];
                }
            }
        }
        *w = sums.iter().zip(&game.constraints).all(|(x, c)| *x >= c.quota);
    }
    let mut counts = vec![vec![0u128; n]; n];
    for s in 0..len {
        if !win[s] {
            continue;
        }
        let size = s.count_ones() as usize;
        for (i, c) in counts.iter_mut().enumerate() {
            let bit = 1usize << i;
            if s & bit != 0 && !win[s ^ bit] {
                c[size - 1] += 1;
            }
        }
    }
    counts
}

/// Residual quotas `Q_k = max(0, q_k − w_k(V))` of the constraints once the vetoes are in.
fn residual_caps(game: &VotingGame) -> Vec<u64> {
    game.constraints
        .iter()
        .map(|c| {
            let wv: u64 = game.vetoes.iter().map(|&v| c.weights[v]).sum();
            c.quota.saturating_sub(wv)
        })
        .collect()
}

/// Cells of the exact DP table, `(|F| + 1) · Π (Q_k + 1)`, if it fits in `usize`.
fn dp_cells(game: &VotingGame) -> Option<usize> {
    let free = game.n - game.vetoes.len();
    residual_caps(game).iter().try_fold(free + 1, |a, &q| a.checked_mul(usize::try_from(q).ok()?.checked_add(1)?))
}

/// The saturating shift map of one weight vector over the state space: state `s` (mixed-radix
/// coordinates `x_k ≤ Q_k`) goes to `min(x_k + w_k, Q_k)`.
fn shift_map(caps: &[u64], w: &[u64], cells: usize) -> Vec<u32> {
    (0..cells)
        .map(|s| {
            let (mut rest, mut stride, mut t) = (s, 1usize, 0usize);
            for (&q, &wk) in caps.iter().zip(w) {
                let r = q as usize + 1;
                let x = (rest % r) as u64;
                rest /= r;
                t += (x.saturating_add(wk).min(q)) as usize * stride;
                stride *= r;
            }
            t as u32
        })
        .collect()
}

/// `dst[map[s]] += src[s]` (wrapping: exact as long as true counts fit).
fn push(map: &[u32], src: &[u128], dst: &mut [u128]) {
    for (s, &x) in src.iter().enumerate() {
        let t = map[s] as usize;
        dst[t] = dst[t].wrapping_add(x);
    }
}

fn dp_counts(game: &VotingGame) -> Counts {
    let n = game.n;
    let caps = residual_caps(game);
    let cells: usize = caps.iter().map(|&q| q as usize + 1).product();
    let top = cells - 1;
    let is_veto: Vec<bool> = (0..n).map(|i| game.vetoes.binary_search(&i).is_ok()).collect();
    let free: Vec<usize> = (0..n).filter(|&i| !is_veto[i]).collect();
    let a = game.vetoes.len();
    let f = free.len();
    let weights_of = |i: usize| -> Vec<u64> { game.constraints.iter().map(|c| c.weights[i]).collect() };

    // Group free members by weight vector (equal weights, equal counts).
    let mut classes: Vec<(Vec<u64>, Vec<usize>)> = Vec::new();
    for &i in &free {
        let w = weights_of(i);
        match classes.iter_mut().find(|(cw, _)| *cw == w) {
            Some((_, members)) => members.push(i),
            None => classes.push((w, vec![i])),
        }
    }

    // T[t][state]: coalitions of t free members by saturated residual weights.
    let mut table = vec![0u128; (f + 1) * cells];
    table[0] = 1;
    let mut placed = 0;
    for (w, members) in &classes {
        let map = shift_map(&caps, w, cells);
        for _ in members {
            for t in (0..=placed).rev() {
                let (lo, hi) = table.split_at_mut((t + 1) * cells);
                push(&map, &lo[t * cells..], &mut hi[..cells]);
            }
            placed += 1;
        }
    }

    let mut counts = vec![vec![0u128; n]; n];
    // Vetoes: S = (V∖{v}) ∪ T wins with v iff T meets every residual quota (state `top`).
    for &v in &game.vetoes {
        for t in 0..=f {
            counts[v][a - 1 + t] = table[t * cells + top];
        }
    }
    // Free members: divide out (1 + y·x^{w}) exactly, then count losing states pushed to `top`.
    let mut removed = vec![0u128; f.max(1) * cells];
    let mut shifted = vec![0u128; cells];
    for (w, members) in &classes {
        let map = shift_map(&caps, w, cells);
        let mut by_size = vec![0u128; n];
        for t in 0..f {
            let row = &table[t * cells..(t + 1) * cells];
            shifted.iter_mut().for_each(|x| *x = 0);
            if t > 0 {
                push(&map, &removed[(t - 1) * cells..t * cells], &mut shifted);
            }
            let out = &mut removed[t * cells..(t + 1) * cells];
            for ((o, &r), &sh) in out.iter_mut().zip(row).zip(&shifted) {
                *o = r.wrapping_sub(sh);
            }
            let mut c = 0u128;
            for (s, &x) in out.iter().enumerate() {
                if s != top && map[s] as usize == top {
                    c = c.wrapping_add(x);
                }
            }
            by_size[a + t] = c;
        }
        for &i in members {
            counts[i].clone_from(&by_size);
        }
    }
    counts
}

fn binomials_u128(m: usize) -> Vec<u128> {
    // C(m, s) for s = 0..=m; exact for m ≤ 127 (C(127, 63) < 2^125).
    let mut row = vec![1u128];
    for _ in 0..m {
        let mut next = vec![1u128; row.len() + 1];
        for s in 1..row.len() {
            next[s] = row[s - 1] + row[s];
        }
        row = next;
    }
    row
}

fn from_counts(n: usize, counts: &Counts, method: PowerMethod) -> Result<PowerIndices> {
    let binom = binomials_u128(n - 1);
    let swings: Vec<u128> = counts.iter().map(|c| c.iter().sum()).collect();
    let total: u128 = swings.iter().sum();
    if total == 0 {
        return Err(AnalysisError::Degenerate {
            reason: "no member is ever a swing (every coalition wins or none does)".into(),
        });
    }
    let ss: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().zip(&binom).map(|(&x, &b)| x as f64 / b as f64).sum::<f64>() / n as f64)
        .collect();
    // Exact SS: Σ_s c(s)·s!(n−1−s)! / n!, when n! fits.
    let fact: Option<Vec<u128>> = (0..=n).try_fold(vec![1u128], |mut v, k| {
        if k > 0 {
            let next = v[k - 1].checked_mul(k as u128)?;
            v.push(next);
        }
        Some(v)
    });
    let ss_exact = fact.and_then(|fact| {
        counts
            .iter()
            .map(|c| {
                let num = c.iter().enumerate().try_fold(0u128, |acc, (s, &x)| {
                    acc.checked_add(x.checked_mul(fact[s].checked_mul(fact[n - 1 - s])?)?)
                })?;
                Some(Ratio::new(num, fact[n]))
            })
            .collect::<Option<Vec<_>>>()
    });
    let half = 2f64.powi(n as i32 - 1);
    Ok(PowerIndices {
        n,
        method,
        exact: true,
        shapley_shubik: ss,
        shapley_shubik_exact: ss_exact,
        banzhaf: swings.iter().map(|&x| x as f64 / total as f64).collect(),
        banzhaf_exact: Some(swings.iter().map(|&x| Ratio::new(x, total)).collect()),
        banzhaf_raw: swings.iter().map(|&x| x as f64 / half).collect(),
        swings: swings.iter().map(|&x| x as f64).collect(),
        dummies: (0..n).filter(|&i| swings[i] == 0).collect(),
        swings_exact: Some(swings),
        blockers: Vec::new(),
    })
}

/// Gauss–Legendre nodes and weights on `[0, 1]` with `m` points (exact for polynomials of
/// degree `≤ 2m − 1`), by Newton's method on `P_m` (Golub & Welsch give the same nodes).
fn gauss_legendre01(m: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(m);
    for k in 1..=m {
        let mut x = (std::f64::consts::PI * (k as f64 - 0.25) / (m as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, x);
            for j in 2..=m {
                let p2 = ((2 * j - 1) as f64 * x * p1 - (j - 1) as f64 * p0) / j as f64;
                p0 = p1;
                p1 = p2;
            }
            let pm = if m == 0 { 1.0 } else { p1 };
            let pm1 = if m == 1 { 1.0 } else { p0 };
            dp = m as f64 * (x * pm - pm1) / (x * x - 1.0);
            let dx = pm / dp;
            x -= dx;
            if dx.abs() < 1e-16 {
                break;
            }
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        out.push(((1.0 + x) / 2.0, w / 2.0));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// On the floating-point path a member is reported as a dummy when its raw Banzhaf index is
/// at most this (rounding noise of an exact zero).
pub const FLOAT_DUMMY: f64 = 1e-13;

/// Largest total free weight of the floating-point DP (2²⁶ entries, 512 MiB).
const MAX_FLOAT_WEIGHT: u64 = 1 << 26;

fn float_dp(game: &VotingGame, with_ss: bool) -> Result<PowerIndices> {
    let n = game.n;
    if game.constraints.len() > 1 {
        return Err(invalid("method", "the floating-point DP handles one weighted constraint (plus vetoes)"));
    }
    let unit = QuotaConstraint { weights: vec![0; n], quota: 0 };
    let c = game.constraints.first().unwrap_or(&unit);
    let is_veto: Vec<bool> = (0..n).map(|i| game.vetoes.binary_search(&i).is_ok()).collect();
    let free: Vec<usize> = (0..n).filter(|&i| !is_veto[i]).collect();
    let a = game.vetoes.len() as i32;
    let wf: u64 = free.iter().map(|&i| c.weights[i]).sum();
    if wf > MAX_FLOAT_WEIGHT {
        return Err(AnalysisError::TooLarge {
            what: "total weight of the non-veto members",
            got: wf as usize,
            max: MAX_FLOAT_WEIGHT as usize,
        });
    }
    let wv: u64 = game.vetoes.iter().map(|&v| c.weights[v]).sum();
    // Residual quota; every value ≤ 0 behaves alike (the vetoes alone meet the quota).
    let q = (i128::from(c.quota) - i128::from(wv)).max(-1) as i64;
    let wf = wf as i64;
    let mut classes: Vec<(u64, Vec<usize>)> = Vec::new();
    for &i in &free {
        match classes.iter_mut().find(|(w, _)| *w == c.weights[i]) {
            Some((_, m)) => m.push(i),
            None => classes.push((c.weights[i], vec![i])),
        }
    }
    // Every window below ends at most at max(q − 1, wf − q): truncate the DP there.
    let width = (q.max(wf - q + 1).max(1) as usize).min(wf as usize + 1);
    // At node p ≤ ½: P_p(i swing) and P_{1−p}(i swing) for each member.
    let eval = |p: f64| -> (Vec<f64>, Vec<f64>) {
        // d[x] = P_p(free weight = x), x < width.
        let mut d = vec![0.0; width];
        d[0] = 1.0;
        let mut reach = 0usize;
        for &i in &free {
            let w = c.weights[i] as usize;
            reach = (reach + w).min(width - 1);
            if w == 0 {
                continue;
            }
            for x in (w..=reach).rev() {
                d[x] = (1.0 - p) * d[x] + p * d[x - w];
            }
            for x in d.iter_mut().take(w.min(reach + 1)) {
                *x *= 1.0 - p;
            }
        }
        // prefix[x] = Σ_{y<x} d[y]; s(lo, hi) = Σ_{x=lo}^{hi} d[x] (within the table).
        let mut prefix = vec![0.0; width + 1];
        for x in 0..width {
            prefix[x + 1] = prefix[x] + d[x];
        }
        let s = |lo: i64, hi: i64| -> f64 {
            let (lo, hi) = (lo.max(0), hi.min(width as i64 - 1));
            if lo > hi { 0.0 } else { prefix[hi as usize + 1] - prefix[lo as usize] }
        };
        // Σ_{x=lo}^{hi} d₋ᵢ[x] for d = d₋ᵢ ∗ ((1−p)δ₀ + pδ_w): unrolling the (damped, since
        // p/(1−p) ≤ 1) division d₋ᵢ[x] = (d[x] − p·d₋ᵢ[x−w])/(1−p) gives
        // Σ_j (−p)^j/(1−p)^{j+1} · s(lo − jw, hi − jw), O(hi / w) terms.
        let removed = |lo: i64, hi: i64, w: i64, top: i64| -> f64 {
            let (lo, hi) = (lo.max(0), hi.min(top));
            if lo > hi {
                return 0.0;
            }
            let (mut sum, mut coef, mut j) = (0.0, 1.0 / (1.0 - p), 0i64);
            while hi - j * w >= 0 {
                sum += coef * s(lo - j * w, hi - j * w);
                coef *= -p / (1.0 - p);
                j += 1;
            }
            sum
        };
        let (mut at_p, mut at_mirror) = (vec![0.0; n], vec![0.0; n]);
        // Vetoes: (V∖v) present, free weight ≥ q.
        let pv = p.powi(a - 1);
        let mv = (1.0 - p).powi(a - 1);
        let veto_p = 1.0 - s(0, q - 1);
        let veto_m = s(0, wf - q); // complement: at 1−p, W ≥ q ⇔ W' ≤ wf − q
        for &v in &game.vetoes {
            at_p[v] = pv * veto_p;
            at_mirror[v] = mv * veto_m;
        }
        for (w, members) in &classes {
            let w = *w as i64;
            if w == 0 {
                continue; // never a swing
            }
            let wo = wf - w; // total weight of the other free members
            let sp = p.powi(a) * removed(q - w, q - 1, w, wo);
            let sm = (1.0 - p).powi(a) * removed(wo - q + 1, wo - q + w, w, wo);
            for &i in members {
                at_p[i] = sp;
                at_mirror[i] = sm;
            }
        }
        (at_p, at_mirror)
    };
    let (raw, _) = eval(0.5);
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        return Err(AnalysisError::Degenerate {
            reason: "no member is ever a swing (every coalition wins or none does)".into(),
        });
    }
    let mut ss = vec![0.0; n];
    if with_ss {
        let m = n.div_ceil(2).max(1);
        let nodes = gauss_legendre01(m);
        for &(p, w) in nodes.iter().take(m.div_ceil(2)) {
            let (at_p, at_mirror) = eval(p);
            let middle = (p - 0.5).abs() < 1e-12;
            for i in 0..n {
                ss[i] += w * at_p[i];
                if !middle {
                    ss[i] += w * at_mirror[i];
                }
            }
        }
    }
    let half = 2f64.powi(n as i32 - 1);
    Ok(PowerIndices {
        n,
        method: PowerMethod::FloatDp,
        exact: false,
        shapley_shubik: ss,
        shapley_shubik_exact: None,
        banzhaf: raw.iter().map(|x| x / total).collect(),
        banzhaf_exact: None,
        swings: raw.iter().map(|x| x * half).collect(),
        dummies: (0..n).filter(|&i| raw[i] <= FLOAT_DUMMY).collect(),
        banzhaf_raw: raw,
        swings_exact: None,
        blockers: Vec::new(),
    })
}
