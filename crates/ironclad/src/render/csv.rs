//! CSV: one row per figure.

use std::fmt::Write as _;

use ironclad_sim::stats::Estimate;

use crate::simulate::SimulateReport;

/// `metric,horizon_days,domain,value,low,high,runs`: every figure of a simulation.
pub fn simulate(report: &SimulateReport) -> String {
    let s = &report.summary;
    let mut out = String::from("metric,horizon_days,domain,value,low,high,runs\n");
    let mut row = |metric: &str, h: Option<f64>, d: &str, e: &Estimate| {
        let h = h.map(|h| h.to_string()).unwrap_or_default();
        let _ = writeln!(out, "{metric},{h},{d},{},{},{},{}", e.value, e.low, e.high, s.runs);
    };
    for (h, horizon) in s.horizons.iter().enumerate() {
        row("p_adequate", Some(*horizon), "all", &s.adequate[h]);
        for (d, need) in s.needs.iter().enumerate() {
            row("p_adequate", Some(*horizon), &need.domain, &s.adequate_by_need[h][d]);
            row("mean_adequacy", Some(*horizon), &need.domain, &s.adequacy[h][d]);
            row("delivered", Some(*horizon), &need.domain, &s.delivered[h][d]);
        }
    }
    row("p_deterred", None, "", &s.deterred);
    row("credibility", None, "", &s.credibility);
    row("p_escalation", None, "", &s.escalation);
    for c in &s.commitments {
        row(&format!("activation:{}", c.id), None, "", &c.activation);
        if let Some(honour) = &c.honour {
            row(&format!("honour:{}", c.id), None, "", honour);
        }
    }
    if let Some(u) = &report.until_ci {
        // The target of --until-ci, the widest P(adequate) half-width reached, and 1 or 0: reached.
        let _ = writeln!(out, "until_ci_target,,,{},,,{}", u.target_half_width, s.runs);
        let _ = writeln!(out, "widest_half_width,,,{},,,{}", s.widest_half_width, s.runs);
        let _ = writeln!(out, "until_ci_reached,,,{},,,{}", u8::from(u.reached), s.runs);
    }
    out
}

/// `file,severity,code,line,column,message`: the diagnostics of a check.
pub fn check(report: &crate::check::CheckReport) -> String {
    let mut out = String::from("file,severity,code,line,column,message\n");
    for f in &report.files {
        for d in &f.diagnostics {
            let (line, column) = d.start.map_or((0, 0), |p| (p.line, p.column));
            let _ = writeln!(out, "{},{},{},{line},{column},{}", field(&f.file), d.severity, d.code, field(&d.message));
        }
    }
    out
}

/// A CSV field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// `party,commitment,status,since,due,cause`: one row per obligation.
pub fn obligations(report: &crate::obligations::ObligationsReport) -> String {
    let mut out = String::from("party,commitment,status,since,due,cause\n");
    for o in &report.obligations {
        let due = o.due.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{due},{}",
            field(&o.party),
            field(&o.commitment),
            o.status,
            o.since,
            field(&o.cause_text)
        );
    }
    out
}

/// `party,domain,strength,variant_only,commitments`: one row per covered cell.
pub fn show(report: &crate::show::ShowReport) -> String {
    let mut out = String::from("party,domain,strength,variant_only,commitments\n");
    for row in &report.coverage.rows {
        for (cell, domain) in row.cells.iter().zip(&report.coverage.domains) {
            if let Some(c) = cell {
                let _ = writeln!(
                    out,
                    "{},{domain},{},{},{}",
                    field(&row.who),
                    c.strength,
                    c.variant_only,
                    field(&c.commitments.join(" "))
                );
            }
        }
    }
    out
}

/// `file,code,line,column,message`: one row per quote that failed, after a `quotes_checked` row
/// per file.
pub fn sources(report: &crate::sources::SourcesReport) -> String {
    let mut out = String::from("file,code,line,column,message\n");
    for f in &report.files {
        let _ = writeln!(out, "{},quotes_checked,,,{}", field(&f.file), f.quotes_checked);
        for d in &f.diagnostics {
            let (line, column) = d.start.map_or((0, 0), |p| (p.line, p.column));
            let _ = writeln!(out, "{},{},{line},{column},{}", field(&f.file), d.code, field(&d.message));
        }
    }
    out
}

/// `seat,seats,veto,shapley_shubik,shapley_shubik_exact,banzhaf,banzhaf_exact,banzhaf_raw,swings`:
/// one row per member seat, one for the other seats (values per seat).
pub fn power(report: &crate::power::PowerReport) -> String {
    let mut out =
        String::from("seat,seats,veto,shapley_shubik,shapley_shubik_exact,banzhaf,banzhaf_exact,banzhaf_raw,swings\n");
    for r in &report.rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            field(&r.label),
            r.seats,
            r.veto,
            r.shapley_shubik,
            r.shapley_shubik_exact.as_deref().unwrap_or(""),
            r.banzhaf,
            r.banzhaf_exact.as_deref().unwrap_or(""),
            r.banzhaf_raw,
            r.swings.as_deref().unwrap_or("")
        );
    }
    out
}

/// `row,case,party,recorded,metric,weighting,value,low,high`: every prediction, score and
/// reliability figure of a backtest (`low`/`high`: the 95 % bootstrap interval, scores only).
pub fn backtest(report: &crate::backtest::BacktestReport) -> String {
    let mut out = String::from("row,case,party,recorded,metric,weighting,value,low,high\n");
    for c in &report.cases {
        for o in &c.outcomes {
            let obliged = if o.obliged { 1.0 } else { 0.0 };
            for (metric, value) in [
                ("obliged", obliged),
                ("p_honoured", o.p_honoured),
                ("p_in_time", o.p_in_time),
                ("p_late", o.p_late),
                ("p_not", o.p_not),
                ("baseline_flat", o.baseline_flat),
                ("baseline_by_type", o.baseline_by_type),
                ("recorded_value", o.recorded.value()),
                ("brier_model", o.brier_model),
                ("log_model", o.log_model),
            ] {
                let _ = writeln!(
                    out,
                    "prediction,{},{},{},{metric},,{value},,",
                    field(&c.id),
                    field(&o.party),
                    o.recorded.as_str()
                );
            }
        }
    }
    for s in &report.scores {
        for (who, e) in [
            ("model", &s.model),
            ("flat", &s.flat),
            ("by_type", &s.by_type),
            ("model_minus_flat", &s.model_minus_flat),
            ("model_minus_by_type", &s.model_minus_by_type),
        ] {
            let _ = writeln!(out, "score,,,,{}:{who},{},{},{},{}", s.score, s.weighting, e.value, e.low, e.high);
        }
    }
    for b in &report.reliability {
        let bin = format!("{:.1}-{:.1}", b.low, b.high);
        let _ = writeln!(out, "reliability,,,,count:{bin},outcome,{},,", b.count);
        let _ = writeln!(out, "reliability,,,,mean_predicted:{bin},outcome,{},,", b.mean_predicted);
        let _ = writeln!(out, "reliability,,,,observed:{bin},outcome,{},,", b.observed);
    }
    out
}

/// `table,party,other,value,low,high,metric`: Shapley values, leave-one-out losses,
/// interactions, v(N) and v(∅) of an attribution.
pub fn attribute(r: &crate::attribute::AttributeReport) -> String {
    let mut out = String::from("table,party,other,value,low,high,metric\n");
    let mut row = |table: &str, a: &str, b: &str, e: &Estimate| {
        let _ =
            writeln!(out, "{table},{},{},{},{},{},{}", field(a), field(b), e.value, e.low, e.high, field(&r.metric));
    };
    row("v_all", "", "", &r.v_all);
    row("v_none", "", "", &r.v_none);
    for v in &r.values {
        row("shapley", &v.party, "", &v.shapley);
    }
    for l in &r.leave_one_out {
        row("leave_one_out", &l.party, "", &l.loss);
    }
    for i in &r.interactions {
        row("interaction", &i.a, &i.b, &i.value);
    }
    out
}

/// `param,distribution,default,nominal,index,value,low,high,metric`: one row per index of each
/// uncertain parameter (`first_order`, `total` for Sobol'; `mu_star`, `mu`, `sigma` for Morris).
pub fn sensitivity(r: &crate::sensitivity::SensitivityReport) -> String {
    let mut out = String::from("param,distribution,default,nominal,index,value,low,high,metric\n");
    for p in &r.parameters {
        let mut row = |index: &str, value: f64, low: Option<f64>, high: Option<f64>| {
            let opt = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{index},{value},{},{},{}",
                field(&p.param),
                field(&p.distribution),
                p.default,
                p.nominal,
                opt(low),
                opt(high),
                field(&r.metric)
            );
        };
        for (name, e) in [("first_order", &p.first_order), ("total", &p.total), ("mu_star", &p.mu_star)] {
            if let Some(e) = e {
                row(name, e.value, Some(e.low), Some(e.high));
            }
        }
        for (name, v) in [("mu", p.mu), ("sigma", p.sigma)] {
            if let Some(v) = v {
                row(name, v, None, None);
            }
        }
    }
    out
}

/// `box,sample,step,figure,value,low,high,runs_in_box,failures_in_box,description,metric`: per
/// box its coverage and density on the fitted and the held-out runs (with 95 % intervals), then
/// its peeling trajectory (`sample` = `trajectory`, one row per step and figure, no interval).
pub fn discover(r: &crate::discover::DiscoverReport) -> String {
    let mut out =
        String::from("box,sample,step,figure,value,low,high,runs_in_box,failures_in_box,description,metric\n");
    for b in &r.boxes {
        for (sample, f) in [("fit", &b.fit), ("held_out", &b.held_out)] {
            for (figure, e) in [("coverage", &f.coverage), ("density", &f.density)] {
                let _ = writeln!(
                    out,
                    "{},{sample},,{figure},{},{},{},{},{},{},{}",
                    b.rank,
                    e.value,
                    e.low,
                    e.high,
                    f.runs_in_box,
                    f.failures_in_box,
                    field(&b.description),
                    field(&r.metric)
                );
            }
        }
        for s in &b.trajectory {
            for (figure, v) in [("coverage", s.coverage), ("density", s.density)] {
                let _ = writeln!(
                    out,
                    "{},trajectory,{},{figure},{v},,,{},{},{},{}",
                    b.rank,
                    s.step,
                    s.runs_in_box,
                    s.failures_in_box,
                    field(&s.description),
                    field(&r.metric)
                );
            }
        }
    }
    out
}

/// The columns of `code --scheme atop --format csv`: one row per framework. Member-level
/// variables (DEFCOLOC, DEFCOADV) are 1 when any member's code is 1; `NA` is a variable the
/// spec language cannot express; `lower_bounds` lists the codes that may be higher.
pub const CODE_COLUMNS: [&str; 20] = [
    "DEFENSE",
    "OFFENSE",
    "NEUTRAL",
    "NONAGG",
    "CONSUL",
    "CONDITIO",
    "DEFCON",
    "CONCON",
    "DEFCOLOC",
    "DEFCOADV",
    "ASYMM",
    "MILCON",
    "INTCOM",
    "BASE",
    "MILAID",
    "CONTRIB",
    "SPECTHRT",
    "ORGAN1",
    "benson",
    "lower_bounds",
];

/// `file,framework,members,DEFENSE,…,ORGAN1,benson,lower_bounds`: one row per framework.
pub fn code(report: &crate::code::CodeReport) -> String {
    use crate::code::Status;
    let mut out = format!("file,framework,members,{}\n", CODE_COLUMNS.join(","));
    for f in &report.frameworks {
        let mut cells = vec![field(&f.file), field(&f.framework), f.members.len().to_string()];
        let mut lower = Vec::new();
        for name in &CODE_COLUMNS[..18] {
            let alliance = f.alliance.iter().find(|c| c.variable == *name);
            let cell = match alliance {
                Some(c) => {
                    if c.status == Status::LowerBound {
                        lower.push(c.variable.clone());
                    }
                    c.code.map_or("NA".to_string(), |v| v.to_string())
                }
                None => {
                    let any = f
                        .members_codes
                        .iter()
                        .any(|m| m.codes.iter().any(|c| c.variable == *name && c.code == Some(1)));
                    u8::from(any).to_string()
                }
            };
            cells.push(cell);
        }
        cells.push(f.benson.kind.clone());
        cells.push(lower.join(" "));
        let _ = writeln!(out, "{}", cells.join(","));
    }
    out
}

/// `scenario,framework,status,metric,horizon_days,domain,value,low,high,diff,diff_low,diff_high`:
/// one row per figure (differences against the reference, paired per run), a `pivotal:ID` row
/// per framework (its value the headline without the clause, its diff the change), and one row
/// per framework that does not cover a scenario (`missing` names in `metric`).
pub fn compare(report: &crate::compare::CompareReport) -> String {
    let mut out =
        String::from("scenario,framework,status,metric,horizon_days,domain,value,low,high,diff,diff_low,diff_high\n");
    for sc in &report.scenarios {
        for row in &sc.rows {
            if row.status != "ok" {
                let what = if row.missing.is_empty() {
                    row.reason.clone().unwrap_or_default()
                } else {
                    row.missing.join("; ")
                };
                let _ = writeln!(
                    out,
                    "{},{},{},{},,,,,,,,",
                    field(&sc.scenario),
                    field(&row.framework),
                    row.status,
                    field(&what)
                );
                continue;
            }
            for f in &row.metrics {
                let h = f.horizon_days.map(|h| h.to_string()).unwrap_or_default();
                let d = f.difference.map(|d| format!("{},{},{}", d.value, d.low, d.high)).unwrap_or(",,".into());
                let _ = writeln!(
                    out,
                    "{},{},ok,{},{h},{},{},{},{},{d}",
                    field(&sc.scenario),
                    field(&row.framework),
                    f.metric,
                    f.domain.as_deref().unwrap_or(""),
                    f.value.value,
                    f.value.low,
                    f.value.high
                );
            }
            if let Some(p) = &row.pivotal {
                let _ = writeln!(
                    out,
                    "{},{},ok,pivotal:{},{},{},{},,,{},{},{}",
                    field(&sc.scenario),
                    field(&row.framework),
                    field(&p.commitment),
                    report.headline_horizon,
                    // The headline's domain (`adequate:land`), as its figure rows have it.
                    field(report.headline_metric.split_once(':').map_or("", |(_, d)| d)),
                    p.without,
                    p.change.value,
                    p.change.low,
                    p.change.high
                );
            }
        }
    }
    out
}
