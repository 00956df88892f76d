//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999;
//! for scenario discovery, Bryant & Lempert 2010).
//!
//! Given runs (rows) with numeric and categorical inputs and a boolean outcome of interest
//! ("the guarantee fails"), PRIM looks for a **box** — an interval per numeric input and a set
//! of levels per categorical input — where the outcome is much more frequent than overall.
//! For a box `B` with `n_B` rows of which `t_B` have the outcome, out of `N` rows and `T`
//! outcomes in all:
//!
//! * **coverage** `t_B / T`: the share of all cases of interest that the box captures;
//! * **density** `t_B / n_B`: the share of the box's runs that are cases of interest;
//! * **support** (mass) `n_B / N`; **lift** = density / (T / N).
//!
//! **Peeling**: starting from the box containing every row, each step considers removing the
//! `α` fraction of the box's rows with the lowest or the highest value of one numeric input
//! (ties are removed together), or all rows of one level of a categorical input, and applies
//! the candidate whose remaining box has the highest density (ties: the larger box), as long as
//! the box keeps a support of at least `min_support`. Each step's box is recorded: this is the
//! **peeling trajectory**, the coverage–density trade-off from which an analyst picks a box.
//!
//! **Choice** ([`PrimOptions::min_coverage`], [`BoxChoice`]): among the trajectory boxes with
//! coverage ≥ the threshold, the highest density, or (default) the largest coverage whose
//! density is within 1.96 standard errors of the highest. Optional **pasting** then grows it again one `α` slice
//! (or one level) at a time while that raises the density. Each restriction of the chosen box
//! gets a **quasi-p-value** (as in the EMA Workbench): the one-sided binomial probability
//! `P(X ≥ t_B)` for `X ~ Bin(n_B, density of the box without that restriction)`; the
//! bounds (one side of a numeric interval, or a categorical restriction) with a quasi-p-value
//! above [`PrimOptions::prune_p`] are dropped, largest first. Quasi-p-values
//! are computed on the data the box was fitted to, so they are optimistic: a screening aid, not
//! a test.
//!
//! Rows are the unit: every figure is a count of rows.

use serde::Serialize;
use statrs::distribution::{Binomial, DiscreteCDF};

use crate::Result;
use crate::error::{AnalysisError, check_finite, invalid};

/// Runs to analyse: numeric and categorical input columns and the outcome of interest.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PrimData {
    outcome: Vec<bool>,
    numeric: Vec<(String, Vec<f64>)>,
    categorical: Vec<(String, Vec<String>)>,
}

impl PrimData {
    /// Data with the outcome of interest for each row (`true` = the case to explain).
    pub fn new(outcome: Vec<bool>) -> Self {
        Self { outcome, ..Self::default() }
    }

    /// Adds a numeric column.
    ///
    /// # Errors
    /// If its length differs from the outcome's or a value is not finite.
    pub fn numeric(mut self, name: impl Into<String>, values: Vec<f64>) -> Result<Self> {
        if values.len() != self.outcome.len() {
            return Err(AnalysisError::LengthMismatch {
                what: "numeric column",
                expected: self.outcome.len(),
                got: values.len(),
            });
        }
        check_finite("numeric column", &values)?;
        self.numeric.push((name.into(), values));
        Ok(self)
    }

    /// Adds a categorical column (one level name per row).
    ///
    /// # Errors
    /// If its length differs from the outcome's.
    pub fn categorical(mut self, name: impl Into<String>, levels: Vec<String>) -> Result<Self> {
        if levels.len() != self.outcome.len() {
            return Err(AnalysisError::LengthMismatch {
                what: "categorical column",
                expected: self.outcome.len(),
                got: levels.len(),
            });
        }
        self.categorical.push((name.into(), levels));
        Ok(self)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.outcome.len()
    }
}

/// Which rows of `data` are inside the box given by `restrictions`: a numeric restriction keeps
/// `lower ≤ x ≤ upper`, a categorical one the listed levels (a level absent from the data the
/// box was fitted on is outside it).
///
/// # Errors
/// If a restriction names a column `data` does not have (of its kind).
pub fn box_membership(data: &PrimData, restrictions: &[Restriction]) -> Result<Vec<bool>> {
    let mut inside = vec![true; data.rows()];
    for r in restrictions {
        match r {
            Restriction::Numeric { name, lower, upper } => {
                let (_, col) = data
                    .numeric
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| invalid("restrictions", "names a numeric column the data does not have"))?;
                for (keep, &x) in inside.iter_mut().zip(col) {
                    *keep &= lower.is_none_or(|l| l <= x) && upper.is_none_or(|u| x <= u);
                }
            }
            Restriction::Categorical { name, levels } => {
                let (_, col) = data
                    .categorical
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| invalid("restrictions", "names a categorical column the data does not have"))?;
                for (keep, x) in inside.iter_mut().zip(col) {
                    *keep &= levels.contains(x);
                }
            }
        }
    }
    Ok(inside)
}

/// The rows of `data` inside the box given by `restrictions` and, of those, the rows with the
/// outcome: `(n_B, t_B)`. This is how a box fitted on some runs is evaluated on others (held-out
/// validation); membership as in [`box_membership`].
///
/// # Errors
/// If a restriction names a column `data` does not have (of its kind).
pub fn box_counts(data: &PrimData, restrictions: &[Restriction]) -> Result<(usize, usize)> {
    let inside = box_membership(data, restrictions)?;
    let n = inside.iter().filter(|&&x| x).count();
    let t = inside.iter().zip(&data.outcome).filter(|(i, o)| **i && **o).count();
    Ok((n, t))
}

/// Options of [`prim`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrimOptions {
    /// Peeling (and pasting) fraction `α` in `(0, 1)` (default 0.05).
    pub alpha: f64,
    /// Smallest support `n_B / N` a peeled box may have (default 0.05).
    pub min_support: f64,
    /// Coverage threshold of the chosen box (default 0.5).
    pub min_coverage: f64,
    /// How the box is chosen from the trajectory (default [`BoxChoice::OneStandardError`]).
    pub choice: BoxChoice,
    /// Whether to paste the chosen box (default true).
    pub paste: bool,
    /// Drop restrictions of the chosen box whose quasi-p-value exceeds this (default
    /// `Some(0.05)`; `None` keeps all).
    pub prune_p: Option<f64>,
}

impl Default for PrimOptions {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            min_support: 0.05,
            min_coverage: 0.5,
            choice: BoxChoice::OneStandardError,
            paste: true,
            prune_p: Some(0.05),
        }
    }
}

/// How [`prim`] picks its box from the peeling trajectory, among the boxes with coverage at
/// least [`PrimOptions::min_coverage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum BoxChoice {
    /// The box of highest density.
    MaxDensity,
    /// The box of largest coverage whose density is within 1.96 binomial standard errors of the
    /// highest density `d*` (`d* − 1.96·√(d*(1 − d*)/n*)`, `n*` the rows of that box): the
    /// "one-standard-error rule" of Breiman et al. (1984) at 95 %. Late peels inside a
    /// homogeneous region raise the density only by chance; this rule does not chase them.
    #[default]
    OneStandardError,
}

/// One restriction of a box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Restriction {
    /// `lower ≤ x ≤ upper` on a numeric column (a missing side is unrestricted).
    Numeric {
        /// Column name.
        name: String,
        /// Inclusive lower bound.
        lower: Option<f64>,
        /// Inclusive upper bound.
        upper: Option<f64>,
    },
    /// The categorical column takes one of `levels`.
    Categorical {
        /// Column name.
        name: String,
        /// Levels kept.
        levels: Vec<String>,
    },
}

impl Restriction {
    /// The column restricted.
    pub fn name(&self) -> &str {
        match self {
            Self::Numeric { name, .. } | Self::Categorical { name, .. } => name,
        }
    }
}

impl std::fmt::Display for Restriction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Numeric { name, lower, upper } => match (lower, upper) {
                (Some(l), Some(u)) => write!(f, "{} ≤ {name} ≤ {}", num(*l), num(*u)),
                (Some(l), None) => write!(f, "{name} ≥ {}", num(*l)),
                (None, Some(u)) => write!(f, "{name} ≤ {}", num(*u)),
                (None, None) => write!(f, "{name} unrestricted"),
            },
            Self::Categorical { name, levels } => {
                if let [one] = levels.as_slice() {
                    write!(f, "{name} = '{one}'")
                } else {
                    let l: Vec<String> = levels.iter().map(|x| format!("'{x}'")).collect();
                    write!(f, "{name} ∈ {{{}}}", l.join(", "))
                }
            }
        }
    }
}

fn num(x: f64) -> String {
    let s = if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) { format!("{x:.3e}") } else { format!("{x:.4}") };
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A box with its statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrimBox {
    /// Rows in the box `n_B`.
    pub rows: usize,
    /// Rows in the box with the outcome `t_B`.
    pub cases: usize,
    /// Coverage `t_B / T`.
    pub coverage: f64,
    /// Density `t_B / n_B`.
    pub density: f64,
    /// Support `n_B / N`.
    pub support: f64,
    /// Lift: density over the overall rate `T / N`.
    pub lift: f64,
    /// Restrictions (only the restricted columns).
    pub restrictions: Vec<Restriction>,
    /// Quasi-p-value of each restriction, in the same order (chosen box only; empty on the
    /// trajectory).
    pub quasi_p: Vec<f64>,
}

impl PrimBox {
    /// The restrictions as readable text: `"x2 ≤ 0.31 AND cat = 'b'"` (`"all runs"` when
    /// unrestricted).
    pub fn describe(&self) -> String {
        if self.restrictions.is_empty() {
            "all runs".into()
        } else {
            let parts: Vec<String> = self.restrictions.iter().map(|r| r.to_string()).collect();
            parts.join(" AND ")
        }
    }
}

/// PRIM's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrimResult {
    /// Rows `N`.
    pub rows: usize,
    /// Rows with the outcome `T`.
    pub cases: usize,
    /// Overall rate `T / N`.
    pub base_density: f64,
    /// The peeling trajectory, from the box of all rows to the last peel.
    pub trajectory: Vec<PrimBox>,
    /// Index in the trajectory of the box that was chosen (before pasting and pruning).
    pub chosen_step: usize,
    /// The chosen box after pasting and pruning.
    pub chosen: PrimBox,
}

#[derive(Debug, Clone, PartialEq)]
struct BoxDef {
    lo: Vec<f64>,
    hi: Vec<f64>,
    keep: Vec<Vec<bool>>,
}

struct Prepared<'a> {
    data: &'a PrimData,
    codes: Vec<Vec<usize>>,
    level_names: Vec<Vec<String>>,
    total_cases: usize,
}

impl Prepared<'_> {
    fn contains(&self, b: &BoxDef, row: usize, skip: Option<Dim>) -> bool {
        for (k, (_, col)) in self.data.numeric.iter().enumerate() {
            let x = col[row];
            let ok = match skip {
                Some(Dim::Num(j)) if j == k => true,
                Some(Dim::Lo(j)) if j == k => x <= b.hi[k],
                Some(Dim::Hi(j)) if j == k => b.lo[k] <= x,
                _ => b.lo[k] <= x && x <= b.hi[k],
            };
            if !ok {
                return false;
            }
        }
        for (k, codes) in self.codes.iter().enumerate() {
            if skip != Some(Dim::Cat(k)) && !b.keep[k][codes[row]] {
                return false;
            }
        }
        true
    }

    fn count(&self, b: &BoxDef, skip: Option<Dim>) -> (usize, usize) {
        let (mut n, mut t) = (0, 0);
        for row in 0..self.data.rows() {
            if self.contains(b, row, skip) {
                n += 1;
                t += usize::from(self.data.outcome[row]);
            }
        }
        (n, t)
    }

    fn describe(&self, b: &BoxDef, n: usize, t: usize) -> PrimBox {
        let rows = self.data.rows() as f64;
        let base = self.total_cases as f64 / rows;
        let density = if n == 0 { 0.0 } else { t as f64 / n as f64 };
        PrimBox {
            rows: n,
            cases: t,
            coverage: t as f64 / self.total_cases as f64,
            density,
            support: n as f64 / rows,
            lift: density / base,
            restrictions: self.restricted(b).into_iter().map(|d| self.restriction(b, d)).collect(),
            quasi_p: Vec::new(),
        }
    }

    fn restricted(&self, b: &BoxDef) -> Vec<Dim> {
        let mut out = Vec::new();
        for k in 0..b.lo.len() {
            if b.lo[k] > f64::NEG_INFINITY || b.hi[k] < f64::INFINITY {
                out.push(Dim::Num(k));
            }
        }
        for (k, keep) in b.keep.iter().enumerate() {
            if keep.iter().any(|x| !x) {
                out.push(Dim::Cat(k));
            }
        }
        out
    }

    fn restriction(&self, b: &BoxDef, d: Dim) -> Restriction {
        match d {
            Dim::Num(k) | Dim::Lo(k) | Dim::Hi(k) => Restriction::Numeric {
                name: self.data.numeric[k].0.clone(),
                lower: (b.lo[k] > f64::NEG_INFINITY).then_some(b.lo[k]),
                upper: (b.hi[k] < f64::INFINITY).then_some(b.hi[k]),
            },
            Dim::Cat(k) => Restriction::Categorical {
                name: self.data.categorical[k].0.clone(),
                levels: self.level_names[k]
                    .iter()
                    .zip(&b.keep[k])
                    .filter(|(_, keep)| **keep)
                    .map(|(l, _)| l.clone())
                    .collect(),
            },
        }
    }

    fn relax(&self, b: &BoxDef, d: Dim) -> BoxDef {
        let mut r = b.clone();
        match d {
            Dim::Num(k) => {
                r.lo[k] = f64::NEG_INFINITY;
                r.hi[k] = f64::INFINITY;
            }
            Dim::Lo(k) => r.lo[k] = f64::NEG_INFINITY,
            Dim::Hi(k) => r.hi[k] = f64::INFINITY,
            Dim::Cat(k) => r.keep[k].iter_mut().for_each(|x| *x = true),
        }
        r
    }

    /// Quasi-p-values of each restricted column (`by_side`: of each restricted bound).
    fn quasi_p(&self, b: &BoxDef, n: usize, t: usize, by_side: bool) -> Vec<(Dim, f64)> {
        let mut dims = Vec::new();
        for d in self.restricted(b) {
            match d {
                Dim::Num(k) if by_side => {
                    if b.lo[k] > f64::NEG_INFINITY {
                        dims.push(Dim::Lo(k));
                    }
                    if b.hi[k] < f64::INFINITY {
                        dims.push(Dim::Hi(k));
                    }
                }
                d => dims.push(d),
            }
        }
        dims.into_iter()
            .map(|d| {
                let (nr, tr) = self.count(&self.relax(b, d), None);
                let p0 = if nr == 0 { 0.0 } else { tr as f64 / nr as f64 };
                let p = if t == 0 {
                    1.0
                } else {
                    match Binomial::new(p0.clamp(0.0, 1.0), n as u64) {
                        Ok(bin) => bin.sf(t as u64 - 1),
                        Err(_) => 1.0,
                    }
                };
                (d, p)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Num(usize),
    Lo(usize),
    Hi(usize),
    Cat(usize),
}

struct Candidate {
    def: BoxDef,
    n: usize,
    t: usize,
}

fn better(c: &Candidate, best: &Option<Candidate>) -> bool {
    match best {
        None => true,
        Some(b) => {
            // density c.t/c.n vs b.t/b.n, compared exactly by cross-multiplication.
            let lhs = c.t as u128 * b.n as u128;
            let rhs = b.t as u128 * c.n as u128;
            lhs > rhs || (lhs == rhs && c.n > b.n)
        }
    }
}

/// Runs PRIM: the peeling trajectory and the chosen box.
///
/// # Errors
/// If there are no rows or no input columns, no row has the outcome, or an option is outside
/// its range (`α`, `min_support`, `min_coverage` in `(0, 1)`, `(0, 1)`, `[0, 1]`).
pub fn prim(data: &PrimData, options: &PrimOptions) -> Result<PrimResult> {
    let rows = data.rows();
    if rows == 0 {
        return Err(AnalysisError::Empty { what: "runs" });
    }
    if data.numeric.is_empty() && data.categorical.is_empty() {
        return Err(AnalysisError::Empty { what: "input columns" });
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(invalid("alpha", "must be in (0, 1)"));
    }
    if !(options.min_support > 0.0 && options.min_support < 1.0) {
        return Err(invalid("min_support", "must be in (0, 1)"));
    }
    if !(0.0..=1.0).contains(&options.min_coverage) {
        return Err(invalid("min_coverage", "must be in [0, 1]"));
    }
    if let Some(p) = options.prune_p
        && !(0.0..=1.0).contains(&p)
    {
        return Err(invalid("prune_p", "must be in [0, 1]"));
    }
    let total_cases = data.outcome.iter().filter(|&&x| x).count();
    if total_cases == 0 {
        return Err(AnalysisError::Degenerate { reason: "no run has the outcome of interest".into() });
    }
    let mut level_names = Vec::new();
    let mut codes = Vec::new();
    for (_, col) in &data.categorical {
        let mut names: Vec<String> = col.clone();
        names.sort();
        names.dedup();
        codes.push(col.iter().map(|x| names.binary_search(x).unwrap_or(0)).collect::<Vec<_>>());
        level_names.push(names);
    }
    let prep = Prepared { data, codes, level_names, total_cases };
    let min_rows = (options.min_support * rows as f64).ceil() as usize;
    let mut def = BoxDef {
        lo: vec![f64::NEG_INFINITY; data.numeric.len()],
        hi: vec![f64::INFINITY; data.numeric.len()],
        keep: prep.level_names.iter().map(|l| vec![true; l.len()]).collect(),
    };
    let mut inside: Vec<usize> = (0..rows).collect();
    let mut t_in = total_cases;
    let mut trajectory = vec![prep.describe(&def, rows, t_in)];
    let mut defs = vec![def.clone()];
    loop {
        let n_in = inside.len();
        let mut best: Option<Candidate> = None;
        for (k, (_, col)) in data.numeric.iter().enumerate() {
            let mut vals: Vec<(f64, bool)> = inside.iter().map(|&r| (col[r], data.outcome[r])).collect();
            vals.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut prefix = vec![0usize; n_in + 1];
            for (i, v) in vals.iter().enumerate() {
                prefix[i + 1] = prefix[i] + usize::from(v.1);
            }
            let j = ((options.alpha * n_in as f64).floor() as usize).clamp(1, n_in.max(1)) - 1;
            // Lower peel: remove the j+1 smallest values and their ties.
            let v = vals[j].0;
            let cut = vals.partition_point(|x| x.0 <= v);
            if cut < n_in {
                let c = Candidate {
                    def: {
                        let mut d = def.clone();
                        d.lo[k] = vals[cut].0;
                        d
                    },
                    n: n_in - cut,
                    t: t_in - prefix[cut],
                };
                if c.n >= min_rows && better(&c, &best) {
                    best = Some(c);
                }
            }
            // Upper peel: remove the j+1 largest values and their ties.
            let v = vals[n_in - 1 - j].0;
            let cut = vals.partition_point(|x| x.0 < v);
            if cut > 0 {
                let c = Candidate {
                    def: {
                        let mut d = def.clone();
                        d.hi[k] = vals[cut - 1].0;
                        d
                    },
                    n: cut,
                    t: prefix[cut],
                };
                if c.n >= min_rows && better(&c, &best) {
                    best = Some(c);
                }
            }
        }
        for (k, codes) in prep.codes.iter().enumerate() {
            let levels = prep.level_names[k].len();
            let (mut n_l, mut t_l) = (vec![0usize; levels], vec![0usize; levels]);
            for &r in &inside {
                n_l[codes[r]] += 1;
                t_l[codes[r]] += usize::from(data.outcome[r]);
            }
            if n_l.iter().filter(|&&x| x > 0).count() < 2 {
                continue;
            }
            for l in 0..levels {
                if n_l[l] == 0 {
                    continue;
                }
                let c = Candidate {
                    def: {
                        let mut d = def.clone();
                        d.keep[k][l] = false;
                        d
                    },
                    n: n_in - n_l[l],
                    t: t_in - t_l[l],
                };
                if c.n >= min_rows && better(&c, &best) {
                    best = Some(c);
                }
            }
        }
        let Some(c) = best else { break };
        def = c.def;
        inside.retain(|&r| prep.contains(&def, r, None));
        t_in = c.t;
        debug_assert_eq!(inside.len(), c.n);
        trajectory.push(prep.describe(&def, inside.len(), t_in));
        defs.push(def.clone());
    }

    // Choose among the boxes meeting the coverage threshold (the first box always does).
    let eligible: Vec<usize> =
        (0..trajectory.len()).filter(|&i| i == 0 || trajectory[i].coverage >= options.min_coverage).collect();
    let densest = eligible
        .iter()
        .copied()
        .max_by(|&a, &b| {
            let (x, y) = (&trajectory[a], &trajectory[b]);
            x.density.total_cmp(&y.density).then(x.coverage.total_cmp(&y.coverage)).then(b.cmp(&a))
        })
        .unwrap_or(0);
    let chosen_step = match options.choice {
        BoxChoice::MaxDensity => densest,
        BoxChoice::OneStandardError => {
            let b = &trajectory[densest];
            let floor = b.density - 1.96 * (b.density * (1.0 - b.density) / b.rows as f64).sqrt();
            eligible
                .iter()
                .copied()
                .filter(|&i| trajectory[i].density >= floor)
                .max_by(|&a, &b| trajectory[a].coverage.total_cmp(&trajectory[b].coverage).then(b.cmp(&a)))
                .unwrap_or(densest)
        }
    };
    let mut def = defs[chosen_step].clone();
    if options.paste {
        def = paste(&prep, def, options.alpha);
    }
    let (mut n, mut t) = prep.count(&def, None);
    if let Some(max_p) = options.prune_p {
        // Prune one side (or one categorical restriction) at a time, least significant first.
        loop {
            let sides = prep.quasi_p(&def, n, t, true);
            match sides.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                Some(&(d, p)) if p > max_p => {
                    def = prep.relax(&def, d);
                    (n, t) = prep.count(&def, None);
                }
                _ => break,
            }
        }
    }
    let qp = prep.quasi_p(&def, n, t, false);
    let mut chosen = prep.describe(&def, n, t);
    chosen.quasi_p = qp.iter().map(|x| x.1).collect();
    Ok(PrimResult {
        rows,
        cases: total_cases,
        base_density: total_cases as f64 / rows as f64,
        trajectory,
        chosen_step,
        chosen,
    })
}

/// Pasting (Friedman & Fisher 1999): grow the box by one `α` slice along one side of a
/// restricted numeric input, or by one excluded level, while the best such move raises the
/// density.
fn paste(prep: &Prepared<'_>, mut def: BoxDef, alpha: f64) -> BoxDef {
    let data = prep.data;
    let (mut n, mut t) = prep.count(&def, None);
    loop {
        let mut best: Option<Candidate> = None;
        for (k, (_, col)) in data.numeric.iter().enumerate() {
            if def.lo[k] == f64::NEG_INFINITY && def.hi[k] == f64::INFINITY {
                continue;
            }
            // Rows outside the box only because of input k.
            let mut below: Vec<(f64, bool)> = Vec::new();
            let mut above: Vec<(f64, bool)> = Vec::new();
            for (row, (&x, &y)) in col.iter().zip(&data.outcome).enumerate() {
                if prep.contains(&def, row, Some(Dim::Num(k))) {
                    if x < def.lo[k] {
                        below.push((x, y));
                    } else if x > def.hi[k] {
                        above.push((x, y));
                    }
                }
            }
            let m = ((alpha * n as f64).ceil() as usize).max(1);
            below.sort_by(|a, b| b.0.total_cmp(&a.0));
            above.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (side, list) in [(0, &below), (1, &above)] {
                if list.is_empty() {
                    continue;
                }
                let v = list[m.min(list.len()) - 1].0;
                let take =
                    if side == 0 { list.partition_point(|x| x.0 >= v) } else { list.partition_point(|x| x.0 <= v) };
                let added_t = list[..take].iter().filter(|x| x.1).count();
                let mut d = def.clone();
                if side == 0 {
                    d.lo[k] = v;
                } else {
                    d.hi[k] = v;
                }
                let c = Candidate { def: d, n: n + take, t: t + added_t };
                if better(&c, &best) {
                    best = Some(c);
                }
            }
        }
        for (k, codes) in prep.codes.iter().enumerate() {
            for l in 0..prep.level_names[k].len() {
                if def.keep[k][l] {
                    continue;
                }
                let mut d = def.clone();
                d.keep[k][l] = true;
                let (mut dn, mut dt) = (0, 0);
                for (row, (&c, &y)) in codes.iter().zip(&data.outcome).enumerate() {
                    if c == l && prep.contains(&def, row, Some(Dim::Cat(k))) {
                        dn += 1;
                        dt += usize::from(y);
                    }
                }
                if dn == 0 {
                    continue;
                }
                let c = Candidate { def: d, n: n + dn, t: t + dt };
                if better(&c, &best) {
                    best = Some(c);
                }
            }
        }
        match best {
            // Strictly denser than the current box: t'/n' > t/n.
            Some(c) if (c.t as u128) * (n as u128) > (t as u128) * (c.n as u128) => {
                def = c.def;
                n = c.n;
                t = c.t;
            }
            _ => return def,
        }
    }
}
