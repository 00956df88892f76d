//! Text for reading: rustc-style diagnostics, tables and trees.

use std::fmt::Write as _;

use ironclad_sim::stats::Estimate;

use crate::attribute::AttributeReport;
use crate::check::CheckReport;
use crate::files::{FileDiagnostic, Files};
use crate::obligations::ObligationsReport;
use crate::power::PowerReport;
use crate::show::{By, ShowReport};
use crate::simulate::SimulateReport;
use crate::sources::SourcesReport;

/// How diagnostics look.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiagnosticStyle {
    pub color: bool,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    pub short: bool,
}

/// Diagnostics, rustc style, grouped by file in the order given.
pub fn diagnostics(files: &Files, diagnostics: &[FileDiagnostic], style: DiagnosticStyle) -> String {
    let mut out = String::new();
    let mut ids: Vec<_> = diagnostics.iter().map(|d| d.file).collect();
    ids.dedup();
    for id in ids {
        let here: Vec<_> = diagnostics.iter().filter(|d| d.file == id).map(|d| d.diagnostic.clone()).collect();
        if files.unreadable(id) {
            // No text to point into: say it on one line.
            for d in &here {
                let _ = writeln!(out, "error[{}]: {}: {}", d.code, files.name(id), d.message);
            }
            continue;
        }
        out.push_str(&ironclad_spec::diagnostic::render(
            files.name(id),
            files.text(id),
            &here,
            ironclad_spec::RenderOptions { color: style.color, short: style.short },
        ));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The closing line of `check`.
pub fn check_summary(report: &CheckReport) -> String {
    format!(
        "{}: {} checked, {}, {}{}\n",
        if report.ok { "ok" } else { "failed" },
        plural(report.files.len(), "file"),
        plural(report.errors, "error"),
        plural(report.warnings, "warning"),
        if report.deny_warnings && report.warnings > 0 { " (denied)" } else { "" }
    )
}

/// The closing line of `sources verify`: the report's own counts, so it says what the JSON
/// and CSV say (`68 quotes verified in 1 file, 1 problem: 1 source unreadable (2 quotes not
/// checked)`).
pub fn sources_summary(report: &SourcesReport) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let warnings = report
        .files
        .iter()
        .flat_map(|f| &f.raw)
        .filter(|d| d.diagnostic.severity == ironclad_spec::Severity::Warning)
        .count();
    let warnings = if warnings == 0 { String::new() } else { format!(", {}", plural(warnings, "warning", "warnings")) };
    let verified = report.quotes_checked - report.quotes_not_found.min(report.quotes_checked);
    let mut what = Vec::new();
    if report.quotes_not_found > 0 {
        what.push(format!("{} not found verbatim", plural(report.quotes_not_found, "quote", "quotes")));
    }
    if report.unreadable_sources > 0 {
        what.push(format!(
            "{} unreadable ({} not checked)",
            plural(report.unreadable_sources, "source", "sources"),
            plural(report.quotes_not_checked, "quote", "quotes")
        ));
    }
    if report.spec_errors > 0 {
        let bad = report.files.iter().filter(|f| f.spec_errors > 0).count();
        what.push(format!(
            "{} with errors ({}; quotes not checked)",
            plural(bad, "spec", "specs"),
            plural(report.spec_errors, "error", "errors")
        ));
    }
    let what = if what.is_empty() { String::new() } else { format!(": {}", what.join(", ")) };
    format!(
        "{}: {} verified in {}, {}{what}{warnings}\n",
        if report.ok { "ok" } else { "failed" },
        plural(verified, "quote", "quotes"),
        plural(report.files.len(), "file", "files"),
        plural(report.problems, "problem", "problems"),
    )
}

fn letter(strength: &str) -> char {
    match strength {
        "treaty" => 'T',
        "agreement" => 'A',
        "declaration" => 'D',
        "statement" => 'S',
        _ => 'R',
    }
}

fn status_letter(status: &str) -> char {
    match status {
        "proposed" => 'p',
        "reported" => 'r',
        "offered" => 'o',
        "agreed" => 'a',
        "signed" => 's',
        _ => 'f',
    }
}

/// `show`: the framework at a glance.
pub fn show(r: &ShowReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.id, r.title);
    let threat = r.threat.as_ref().map(|t| format!(" against {t}")).unwrap_or_default();
    let _ = writeln!(out, "protects {}{threat}", r.protects.join(", "));
    let dates: Vec<String> = [("signed", &r.signed), ("in force", &r.in_force), ("expires", &r.expires)]
        .iter()
        .filter_map(|(name, d)| d.as_ref().map(|d| format!("{name} {d}")))
        .collect();
    if !dates.is_empty() {
        let _ = writeln!(out, "{}", dates.join(", "));
    }
    for e in &r.evidence {
        let _ = writeln!(out, "  “{}” — {}", e.quote, e.source_id);
    }
    if !r.entry.is_empty() {
        let _ = writeln!(out, "every commitment starts after: {}", r.entry.join(" and "));
    }
    if !r.continuing.is_empty() {
        let _ = writeln!(out, "every commitment requires, while it lasts: {}", r.continuing.join(" and "));
    }
    let n = &r.counts;
    let _ = writeln!(
        out,
        "{} parties, {} commitments, {} exceptions, {} red lines, {} variants, {} sources\n",
        n.parties, n.commitments, n.exceptions, n.red_lines, n.variants, n.sources
    );
    let _ = writeln!(out, "COVERAGE — strongest commitment per party and domain");
    let _ = writeln!(
        out,
        "  instrument: T treaty  A agreement  D declaration  S statement  R remark (lowercase: only in some readings — a variant option, or an exclusion red line of one)"
    );
    let _ = writeln!(out, "  then status: p proposed  r reported  o offered  a agreed  s signed  f in force;  ·: none");
    let width = r.coverage.rows.iter().map(|row| row.who.chars().count()).max().unwrap_or(4).max(8);
    let _ = write!(out, "  {:width$}", "");
    for h in &r.coverage.domains {
        let _ = write!(out, " {h}");
    }
    let _ = writeln!(out);
    for row in &r.coverage.rows {
        let _ = write!(out, "  {:width$}", row.who);
        for (cell, h) in row.cells.iter().zip(&r.coverage.domains) {
            let mark = match cell {
                None => "·".to_string(),
                Some(c) if c.variant_only => {
                    format!("{}{}", letter(&c.strength).to_ascii_lowercase(), status_letter(&c.status))
                }
                Some(c) => format!("{}{}", letter(&c.strength), status_letter(&c.status)),
            };
            let _ = write!(out, " {mark:^w$}", w = h.chars().count());
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "\nGAPS");
    let mut gaps = 0;
    for (what, ds) in [
        ("claimed but covered by no commitment", &r.gaps.uncovered),
        ("covered only by statements or remarks, nothing binding", &r.gaps.unbound),
        ("covered only in a variant option", &r.gaps.variant_only),
    ] {
        if !ds.is_empty() {
            gaps += 1;
            let _ = writeln!(out, "  {what}: {}", ds.join(", "));
        }
    }
    if gaps == 0 {
        let _ = writeln!(out, "  none: every claimed domain has a binding commitment");
    }
    let _ = writeln!(out, "\nCOMMITMENTS");
    for c in &r.commitments {
        let by = match &c.by {
            By::Parties(ps) => ps.join(", "),
            By::Body { body } => format!("body {body}"),
        };
        let option = c.variant.as_ref().map(|v| format!("  [variant {}={}]", v.variant, v.option)).unwrap_or_default();
        let article = c.article.as_ref().map(|a| format!("{a} ")).unwrap_or_default();
        let domains = if c.domains.is_empty() { "(no domain)".to_string() } else { c.domains.join("+") };
        let _ = writeln!(out, "  {article}{}: {} {domains} by {by} → {}{option}", c.id, c.kind, c.to.join(", "));
        let amount = c.amount.as_ref().map(|a| format!(", {a}")).unwrap_or_default();
        let soft = if c.deadline_soft { " (soft deadline: late past it, not failed)" } else { "" };
        let deadline = c.deadline_days.map(|d| format!(", within {d} days{soft}")).unwrap_or_default();
        let status = if c.status_stated { c.status.clone() } else { format!("{} (implied)", c.status) };
        let effect = if c.takes_effect { "" } else { "  [no effect: a tentative clause that no variant option lists]" };
        let _ = writeln!(out, "      {status}, {}, {}{amount}{deadline}{effect}", c.strength, c.modality);
        if let Some(t) = &c.trigger {
            let _ = writeln!(out, "      when   {t}");
        }
        if let Some(v) = &c.void_if {
            let _ = writeln!(out, "      void   once {v}");
        }
        if !c.conditions.is_empty() {
            let _ = writeln!(out, "      if     {}", c.conditions.join(" and "));
        }
        if !c.scope.is_empty() || !c.scope_except.is_empty() {
            let scope = if c.scope.is_empty() { "anywhere".to_string() } else { c.scope.join(", ") };
            let except = if c.scope_except.is_empty() {
                String::new()
            } else {
                format!(" except {}", c.scope_except.join(", "))
            };
            let _ = writeln!(out, "      scope  {scope}{except}");
        }
        if let Some(b) = &c.backs {
            let _ = writeln!(out, "      backs  {b}");
        }
        if let Some(e) = c.evidence.first() {
            let more = if c.evidence.len() > 1 { format!(" (+{} more)", c.evidence.len() - 1) } else { String::new() };
            let _ = writeln!(out, "      “{}” — {}{more}", e.quote, e.source_id);
        }
    }
    if !r.exceptions.is_empty() {
        let _ = writeln!(out, "\nEXCEPTIONS");
        for x in &r.exceptions {
            let _ = writeln!(out, "  {}: {} {}", x.id, x.effect, x.commitments.join(", "));
            if let Some(a) = &x.acts {
                let _ = writeln!(out, "      acts   {a}");
            }
            let _ = writeln!(out, "      when   {}", x.when.as_deref().unwrap_or("always"));
            if !x.overrides.is_empty() {
                let _ = writeln!(out, "      over   {}", x.overrides.join(", "));
            }
            if let Some(e) = x.evidence.first() {
                let more =
                    if x.evidence.len() > 1 { format!(" (+{} more)", x.evidence.len() - 1) } else { String::new() };
                let _ = writeln!(out, "      “{}” — {}{more}", e.quote, e.source_id);
            }
        }
    }
    if !r.red_lines.is_empty() {
        let _ = writeln!(out, "\nRED LINES AND POSITIONS");
        for l in &r.red_lines {
            let statement = l.statement.as_deref().unwrap_or("");
            let _ = writeln!(out, "  {} {} ({}, {}): {statement}", l.party, l.id, l.kind, l.strength);
            if !l.touches.is_empty() {
                let only =
                    if l.domains.is_empty() { String::new() } else { format!(" (in {} only)", l.domains.join("+")) };
                let _ = writeln!(out, "      touches {}{only}", l.touches.join(", "));
            }
        }
    }
    if !r.variants.is_empty() {
        let _ = writeln!(out, "\nVARIANTS — where the sources disagree (analyst weights)");
        for v in &r.variants {
            let _ = writeln!(out, "  {}: {}", v.id, v.question);
            for o in &v.options {
                let summary = o.summary.as_deref().unwrap_or("");
                let _ = writeln!(out, "      {:>4.0}%  {}  {summary}", o.weight * 100.0, o.id);
            }
        }
    }
    out
}

/// `obligations`: per party, its obligations; coverage; and the why-not table when asked.
pub fn obligations(r: &ObligationsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} on `{}` ({}) — at {}", r.framework, r.scenario, r.scenario_title, r.at_text);
    let _ = writeln!(out, "events applied: {} of {}", r.events_applied, r.events);
    if !r.variants.is_empty() {
        let selection: Vec<String> = r.variants.iter().map(|v| format!("{}={}", v.variant, v.option)).collect();
        let _ = writeln!(out, "variants: {}  (change with --variant ID=OPTION)", selection.join(", "));
    }
    if r.obligations.is_empty() {
        let _ = writeln!(out, "\nno obligations arose");
    }
    // Parties in spec order is the order of first appearance sorted by party index; the report
    // keeps the replay's order, so group by party in the order parties first appear sorted.
    let mut parties: Vec<(&str, &str)> = Vec::new();
    for o in &r.obligations {
        if !parties.iter().any(|(p, _)| *p == o.party) {
            parties.push((&o.party, &o.party_name));
        }
    }
    parties.sort_by_key(|(p, _)| r.party_order.iter().position(|x| x == p).unwrap_or(usize::MAX));
    for (party, name) in parties {
        let _ = writeln!(out, "\n{party} — {name}");
        for o in r.obligations.iter().filter(|o| o.party == party) {
            let _ = writeln!(
                out,
                "  {:<24} {} {} → {}  [{} · {}, {}]",
                o.commitment,
                o.kind,
                if o.domains.is_empty() { "-".into() } else { o.domains.join("+") },
                o.to.join(", "),
                o.clause_status,
                o.strength,
                o.modality
            );
            let _ = writeln!(out, "      {}", o.status_text);
            for x in &o.excluded_domains {
                let _ = writeln!(out, "      not in {}: red line {}", x.domains.join("+"), x.red_line);
            }
            for x in &o.excused {
                let _ = writeln!(out, "      {}", x.text);
            }
            for x in &o.out_of_scope {
                let _ = writeln!(out, "      {}", x.text);
            }
            let _ = writeln!(out, "      cause: {}", o.cause_text);
            if let Some(e) = &o.explanation {
                for (i, line) in e.lines.iter().enumerate() {
                    let branch = if i + 1 == e.lines.len() { "└─" } else { "├─" };
                    let _ = writeln!(out, "      {branch} {line}");
                }
            }
        }
    }
    let _ = writeln!(out, "\nCOVERAGE at {} — parties with an open obligation to act, by domain", r.at_text);
    for c in &r.coverage {
        let _ = writeln!(
            out,
            "  {:<13} {}",
            c.domain,
            if c.parties.is_empty() { "— nobody".into() } else { c.parties.join(", ") }
        );
    }
    if let Some(w) = &r.why_not {
        let scope = w.domain.as_ref().map(|d| format!(" in {d}")).unwrap_or_default();
        let _ = writeln!(out, "\nWHY (NOT) {}{scope} — each candidate commitment and the test it stopped at", w.party);
        if w.commitments.is_empty() {
            let _ = writeln!(out, "  no commitment{scope} in this framework");
        }
        for e in &w.commitments {
            match &e.status_text {
                Some(status) => {
                    let _ = writeln!(out, "  {:<24} obligation {status}", e.commitment);
                }
                None => {
                    let _ = writeln!(out, "  {:<24} {}", e.commitment, e.reason);
                }
            }
            for f in e.facts.iter().filter(|_| e.facts_explain) {
                let _ = writeln!(out, "      {} = {} — {}", f.fact, f.value, f.set_by);
            }
            for d in &e.decisions {
                let _ = writeln!(out, "      {d}");
            }
            if !e.obliged {
                let _ = writeln!(out, "      clause at {}", e.clause);
                if let Some(q) = &e.quote {
                    let _ = writeln!(out, "      “{}” ({})", q.quote, q.source);
                }
            }
        }
    }
    out
}

fn est(e: &Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
}

fn amount(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("{:.2}bn", x / 1e9)
    } else if x.abs() >= 1e6 {
        format!("{:.2}m", x / 1e6)
    } else if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The wall-clock time of an analysis that ran here, or that it was merged from shards.
fn wall(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "merged from shards".to_string(), |s| format!("{s:.2} s"))
}

/// `simulate`: the figures, each with its unit and 95 % interval.
pub fn simulate(r: &SimulateReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "ironclad simulate — {} on `{}`", s.framework, s.scenario);
    match r.seconds {
        Some(seconds) => {
            let rate = s.runs as f64 / seconds.max(1e-9);
            let _ = writeln!(out, "{} runs, seed {}, {seconds:.2} s ({rate:.0} runs/s)", s.runs, s.seed);
        }
        None => {
            let _ = writeln!(out, "{} runs, seed {}, merged from shards", s.runs, s.seed);
        }
    }
    if let Some(u) = &r.until_ci {
        if u.reached {
            let _ = writeln!(
                out,
                "  --until-ci {}: reached (widest half-width {:.4} after {} runs)",
                u.target_half_width, s.widest_half_width, s.runs
            );
        } else {
            let _ = writeln!(
                out,
                "  --until-ci {}: target not reached (widest half-width {:.4} after {} runs, the cap of {} runs)",
                u.target_half_width, s.widest_half_width, s.runs, u.run_cap
            );
        }
    }
    if !r.absent.is_empty() {
        let _ = writeln!(out, "  not taking part: {} (their obligations stand; they do not act)", r.absent.join(", "));
    }
    for (id, options) in &s.variants {
        let shares: Vec<String> = options.iter().map(|(o, share)| format!("{o} {:.0}%", share * 100.0)).collect();
        let _ = writeln!(out, "  variant {id}: {}", shares.join(", "));
    }
    let width = 32;
    let header = |out: &mut String, title: &str| {
        let _ = write!(out, "\n{title}\n  {:<width$}", "");
        for h in &s.horizons {
            let _ = write!(out, "{:<26}", format!("{h} days"));
        }
        let _ = writeln!(out);
    };
    header(&mut out, "P(ADEQUATE RESPONSE) — share of runs in which the response meets the requirement, 95% Wilson CI");
    let _ = write!(out, "  {:<width$}", "every domain");
    for e in &s.adequate {
        let _ = write!(out, "{:<26}", est(e));
    }
    let _ = writeln!(out);
    for (d, need) in s.needs.iter().enumerate() {
        let _ = write!(out, "  {:<width$}", format!("{} (≥ {} {})", need.domain, amount(need.required), need.unit));
        for h in 0..s.horizons.len() {
            let _ = write!(out, "{:<26}", est(&s.adequate_by_need[h][d]));
        }
        let _ = writeln!(out);
    }
    header(&mut out, "DELIVERED — mean amount in place by the horizon, in the requirement's unit, 95% CI");
    for (d, need) in s.needs.iter().enumerate() {
        let _ = write!(out, "  {:<width$}", format!("{} ({})", need.domain, need.unit));
        for h in 0..s.horizons.len() {
            let e = &s.delivered[h][d];
            let _ = write!(out, "{:<26}", format!("{} [{}, {}]", amount(e.value), amount(e.low), amount(e.high)));
        }
        let _ = writeln!(out);
    }
    let d = &s.deterrence;
    let _ = writeln!(out, "\nDETERRENCE AND ESCALATION");
    let _ = writeln!(
        out,
        "  P(deterred)    {}   = Φ((cost·credibility − gain) / noise); cost {}, gain {}, noise {}",
        est(&s.deterred),
        d.cost,
        d.gain,
        d.noise
    );
    let _ = writeln!(
        out,
        "  credibility    {}   mean adequacy over the requirements at {} days",
        est(&s.credibility),
        d.horizon
    );
    let _ = writeln!(
        out,
        "  P(escalation)  {}   a delivered commitment crosses the adversary's threat red line",
        est(&s.escalation)
    );
    let _ = writeln!(
        out,
        "\nCOMMITMENTS — activation: share of runs in which it obliges someone; honour: share of those obligations honoured (run-clustered 95% CI)"
    );
    let width = s.commitments.iter().map(|c| c.id.chars().count() + 2).max().unwrap_or(0).max(26);
    for c in &s.commitments {
        let honour = match &c.honour {
            Some(h) => est(h),
            None if !c.simulated => "— (its kind does not act: not simulated)".to_string(),
            None => "— (never obliged)".to_string(),
        };
        let _ = writeln!(out, "  {:<width$}activation {}   honour {honour}", c.id, est(&c.activation));
    }
    let _ = writeln!(out, "\nThe model, its equations and the source of every default: docs/model.md.");
    out
}

fn interval(e: &crate::backtest::Est) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
}

fn signed_interval(e: &crate::backtest::Est) -> String {
    format!("{:+.3} [{:+.3}, {:+.3}]", e.value, e.low, e.high)
}

/// `backtest`: per case the predictions and the recordings, then the scores.
pub fn backtest(r: &crate::backtest::BacktestReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "BACKTEST — {} cases, {} recorded outcomes ({} not obliged by the engine), {}",
        r.cases.len(),
        r.outcomes,
        r.not_obliged,
        r.directory
    );
    let _ = writeln!(
        out,
        "  P(h) = the model's P(honoured); in time / late / not = its three classes; flat, type = the baselines' P(honoured)\n"
    );
    for c in &r.cases {
        let _ = writeln!(out, "{} — {} (tested {}, {})", c.id, c.title, c.tested, c.alliance_type.as_str());
        let scored: Vec<String> = c
            .outcomes
            .iter()
            .map(|o| match (&o.scored_commitment, &o.strength, &o.modality) {
                (Some(id), Some(s), Some(m)) => format!("{id} ({s}, {m})"),
                _ => "not obliged".to_string(),
            })
            .collect();
        let width = scored.iter().map(|s| s.chars().count()).max().unwrap_or(0).max(17);
        let _ = writeln!(
            out,
            "  {:6} {:width$} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6}  recorded",
            "party", "scored commitment", "P(h)", "in time", "late", "not", "flat", "type"
        );
        for (o, scored) in c.outcomes.iter().zip(&scored) {
            let delay = o.delay_days.map(|d| format!(", {d} day{}", if d == 1 { "" } else { "s" })).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:6} {:width$} {:>6.3} {:>7.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}  {}{delay}",
                o.party,
                scored,
                o.p_honoured,
                o.p_in_time,
                o.p_late,
                o.p_not,
                o.baseline_flat,
                o.baseline_by_type,
                o.recorded.as_str()
            );
        }
        let _ = writeln!(out, "  case mean Brier (model): {:.3}\n", c.brier_model);
    }
    // One case: a bootstrap over cases has nothing to resample, so no interval is shown.
    let one = r.bootstrap.cases < 2;
    if one {
        let _ =
            writeln!(out, "SCORES — lower is better; no interval: the bootstrap's unit is the case, and there is one");
    } else {
        let _ = writeln!(
            out,
            "SCORES — lower is better; [95 % interval: percentile bootstrap over cases, {} resamples, seed {}]",
            r.bootstrap.resamples, r.bootstrap.seed
        );
    }
    let interval = |e: &crate::backtest::Est| if one { format!("{:.3}", e.value) } else { interval(e) };
    let signed_interval = |e: &crate::backtest::Est| if one { format!("{:+.3}", e.value) } else { signed_interval(e) };
    let _ = writeln!(
        out,
        "  brier: binary (partly = 0.5); log: log loss, p clipped to [0.01, 0.99]; brier3: three classes (honoured in time, late or partly, not)"
    );
    for s in &r.scores {
        let _ = writeln!(out, "  {} per {}:", s.score, s.weighting);
        let _ = writeln!(out, "    model           {}", interval(&s.model));
        let _ = writeln!(
            out,
            "    flat 74.5 %     {}   model - flat    {}",
            interval(&s.flat),
            signed_interval(&s.model_minus_flat)
        );
        let _ = writeln!(
            out,
            "    by type (B&F)   {}   model - by type {}",
            interval(&s.by_type),
            signed_interval(&s.model_minus_by_type)
        );
    }
    let _ = writeln!(
        out,
        "\nRELIABILITY — bins of the model's P(honoured), per outcome (observed: honoured 1, partly 0.5)"
    );
    let _ = writeln!(out, "  {:11} {:>5} {:>14} {:>9}", "bin", "count", "mean predicted", "observed");
    for b in &r.reliability {
        let _ = writeln!(
            out,
            "  [{:.1}, {:.1}) {:>5} {:>14.3} {:>9.3}",
            b.low, b.high, b.count, b.mean_predicted, b.observed
        );
    }
    let _ = writeln!(out, "\nMOST WRONG — largest Brier score of the model");
    for w in &r.worst {
        let note = if w.obliged { "" } else { " (not obliged by the engine)" };
        let _ = writeln!(
            out,
            "  {:26} {:6} P(h) {:.3}, recorded {:13} Brier {:.3}{note}",
            w.case,
            w.party,
            w.p_honoured,
            w.recorded.as_str(),
            w.brier
        );
    }
    let _ = writeln!(out, "\nMETHOD");
    for line in &r.method {
        let _ = writeln!(out, "  - {line}");
    }
    out
}

/// `power`: per seat, its Shapley–Shubik and normalised Banzhaf indices (6 decimals, and
/// exact fractions when available); blockers and dummies.
pub fn power(r: &PowerReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ironclad power — {} body `{}` ({})", r.framework, r.body, r.body_name);
    let _ = writeln!(out, "rule {}: {} seats; wins: {}", r.rule, r.seats, r.game);
    let exact = if r.exact { "exact" } else { "approximate" };
    let _ = writeln!(out, "method: {} ({exact})\n", r.method);
    let _ = writeln!(
        out,
        "VOTING POWER per seat — Shapley–Shubik (share of orderings in which the seat is pivotal) and normalised Banzhaf (share of swings); each sums to 1 over all seats"
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>5} {:>4}  {:>10} {:<14} {:>10} {:<14}",
        "seat",
        "seats",
        "veto",
        "S-S",
        if r.exact { "(exact)" } else { "" },
        "Banzhaf",
        if r.exact { "(exact)" } else { "" }
    );
    for row in &r.rows {
        let label = if row.seats > 1 { format!("{} (each)", row.label) } else { row.label.clone() };
        let _ = writeln!(
            out,
            "  {:<20} {:>5} {:>4}  {:>10.6} {:<14} {:>10.6} {:<14}",
            label,
            row.seats,
            if row.veto { "yes" } else { "" },
            row.shapley_shubik,
            row.shapley_shubik_exact.as_deref().unwrap_or("—"),
            row.banzhaf,
            row.banzhaf_exact.as_deref().unwrap_or("—"),
        );
    }
    let list = |xs: &[String]| if xs.is_empty() { "none".to_string() } else { xs.join(", ") };
    let _ = writeln!(out, "\ncan block alone (in every winning coalition): {}", list(&r.blockers));
    let _ = writeln!(out, "dummies (never pivotal): {}", list(&r.dummies));
    out
}

/// `attribute`: Shapley values, leave-one-out losses and interactions, each with its 95 % CI.
pub fn attribute(r: &AttributeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ironclad attribute — {} on `{}`", r.framework, r.scenario);
    let _ = writeln!(out, "metric: {}", r.metric_text);
    if let Some(line) = crate::files::pins_line(&r.variants_pinned) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "method: {}, seed {}, {}", r.method, r.seed, wall(r.seconds));
    let _ = writeln!(out, "intervals: {}", r.interval);
    if let Some(s) = &r.sampling {
        let _ = writeln!(
            out,
            "sampling: {} units ({} permutations, {} runs each unit); precision ±{} {}",
            s.units,
            s.permutations,
            s.runs_per_unit,
            crate::shown(s.precision),
            if s.precision_reached { "reached" } else { "NOT reached" }
        );
    }
    let _ = writeln!(out, "\nv(N) everyone takes part   {}", est(&r.v_all));
    let _ = writeln!(out, "v(∅) nobody takes part     {}", est(&r.v_none));
    let _ = writeln!(
        out,
        "efficiency: Σφ = {:.6}, v(N) − v(∅) = {:.6}, gap {:.1e}",
        r.sum,
        r.v_all.value - r.v_none.value,
        r.efficiency_gap
    );
    let _ = writeln!(out, "\nSHAPLEY VALUES — each party's share of v(N) − v(∅), in the metric's unit, 95% CI");
    let mut rows: Vec<_> = r.values.iter().collect();
    rows.sort_by(|a, b| b.shapley.value.total_cmp(&a.shapley.value));
    for row in rows {
        let note = if row.null { "  (no obliged pair: null player, exactly 0)" } else { "" };
        let _ = writeln!(out, "  {:<20} {}{note}", row.party, est(&row.shapley));
    }
    let _ = writeln!(out, "\nLEAVE ONE OUT — what if X withdraws: v(N) − v(N∖{{X}}), 95% CI");
    for l in &r.leave_one_out {
        let _ = writeln!(out, "  {:<20} {}", l.party, est(&l.loss));
    }
    if !r.interactions.is_empty() {
        let _ = writeln!(
            out,
            "\nINTERACTIONS — largest |Shapley interaction index| (Grabisch 1997): > 0 matter together, < 0 either will do; 95% CI"
        );
        let pairs: Vec<String> = r.interactions.iter().map(|i| format!("{} × {}", i.a, i.b)).collect();
        let width = pairs.iter().map(|p| p.chars().count()).max().unwrap_or(0).max(20);
        for (pair, i) in pairs.iter().zip(&r.interactions) {
            let _ = writeln!(out, "  {pair:<width$} {}", est(&i.value));
        }
    } else if r.method == "sampled" {
        let _ = writeln!(out, "\ninteractions: computed by the exact method only");
    }
    out
}

/// `sensitivity`: Sobol' indices or Morris measures of each uncertain parameter, with 95 % CIs.
pub fn sensitivity(r: &crate::sensitivity::SensitivityReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ironclad sensitivity — {} on `{}`", r.framework, r.scenario);
    let _ = writeln!(out, "metric: {}", r.metric_text);
    if let Some(line) = crate::files::pins_line(&r.variants_pinned) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "at the nominal parameters: {:.4} ({} runs)", r.nominal, r.runs_per_point);
    let _ = writeln!(
        out,
        "method: {}, seed {}, {} points × {} runs (the same runs at every point), {}",
        r.method,
        r.seed,
        r.points,
        r.runs_per_point,
        wall(r.seconds)
    );
    let _ = writeln!(out, "design: {}", r.design);
    let _ = writeln!(out, "intervals: {}", r.interval);
    if let (Some(m), Some(v)) = (r.output_mean, r.output_variance) {
        let _ = writeln!(out, "over the design: mean {m:.4}, variance {v:.3e}");
    }
    let name_width = r.parameters.iter().map(|p| p.param.chars().count()).max().unwrap_or(5).max(9);
    if r.method == "sobol" {
        let _ = writeln!(
            out,
            "\nSOBOL' INDICES — share of the metric's variance: S1 alone, ST with all interactions; 95% CI"
        );
        let _ =
            writeln!(out, "  {:<name_width$}  {:<26} {:<26} distribution", "parameter", "first order S1", "total ST");
        for p in &r.parameters {
            let cell = |e: &Option<Estimate>| {
                e.as_ref().map_or(String::new(), |e| format!("{:>6.3} [{:>6.3}, {:>6.3}]", e.value, e.low, e.high))
            };
            let mark = if p.default { " (default)" } else { "" };
            let _ = writeln!(
                out,
                "  {:<name_width$}  {:<26} {:<26} {}{mark}",
                p.param,
                cell(&p.first_order),
                cell(&p.total),
                p.distribution
            );
        }
        // Sampling error of the estimators, said where it shows (docs/analysis.md, "Sobol'").
        let odd: Vec<&str> = r
            .parameters
            .iter()
            .filter(|p| match (&p.first_order, &p.total) {
                (Some(s1), Some(st)) => s1.value < 0.0 || st.value > 1.0 || s1.value > st.value,
                _ => false,
            })
            .map(|p| p.param.as_str())
            .collect();
        if !odd.is_empty() {
            let _ = writeln!(
                out,
                "  note: {} — an index below 0, a total above 1 or S1 above ST is the estimators' sampling error \
                 at N = {} rows and {} runs per point, not a share: raise --runs or --samples",
                odd.join(", "),
                r.samples,
                r.runs_per_point
            );
        }
    } else {
        let _ = writeln!(
            out,
            "\nMORRIS — μ* mean |elementary effect| per unit of the parameter's quantile (95% CI), μ its sign, σ non-linearity or interactions"
        );
        let _ = writeln!(out, "  {:<name_width$}  {:<26} {:>8} {:>8}  distribution", "parameter", "μ*", "μ", "σ");
        for p in &r.parameters {
            let ms = p
                .mu_star
                .as_ref()
                .map_or(String::new(), |e| format!("{:>6.3} [{:>6.3}, {:>6.3}]", e.value, e.low, e.high));
            let mark = if p.default { " (default)" } else { "" };
            let _ = writeln!(
                out,
                "  {:<name_width$}  {:<26} {:>8.3} {:>8.3}  {}{mark}",
                p.param,
                ms,
                p.mu.unwrap_or(0.0),
                p.sigma.unwrap_or(0.0),
                p.distribution
            );
        }
    }
    let _ = writeln!(out, "\nwidest 95% half-width: {:.4}", r.widest_half_width);
    out
}

/// `discover`: the failure and its rate, the inputs, then per box its restrictions, its
/// figures on the fitted and held-out runs, and its peeling trajectory (at most 12 steps shown,
/// evenly spaced, with the chosen one; every step is in the JSON and CSV).
pub fn discover(r: &crate::discover::DiscoverReport) -> String {
    let mut out = String::new();
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let est = |e: &Estimate| format!("{:>6} [{}, {}]", pct(e.value), pct(e.low), pct(e.high));
    let _ = writeln!(out, "ironclad discover — {} on `{}`", r.framework, r.scenario);
    if let Some(line) = crate::files::pins_line(&r.variants_pinned) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "a run fails when {}", r.failure);
    let _ = writeln!(
        out,
        "failure rate: {} of {} runs (seed {}, {:.2} s)",
        est(&r.failure_rate),
        r.runs,
        r.seed,
        r.seconds
    );
    let _ = writeln!(
        out,
        "fitted on {} runs ({} failures), held out {} runs ({} failures)",
        r.fit_runs, r.fit_failures, r.held_out_runs, r.held_out_failures
    );
    let _ = writeln!(out, "method: {}", r.method);
    let _ = writeln!(out, "intervals: {}", r.interval);
    let _ = writeln!(out, "validation: {}", r.validation);
    let _ = writeln!(out, "\nINPUTS");
    for f in &r.features {
        let levels = if f.levels.is_empty() { String::new() } else { format!(" [{}]", f.levels.join(", ")) };
        let _ = writeln!(out, "  {:<34} {}{levels}", f.id, f.description);
    }
    for b in &r.boxes {
        let _ = writeln!(out, "\nBOX {}: {}", b.rank, b.description);
        for x in &b.restrictions {
            let _ = writeln!(out, "  - {}   (quasi-p {:.2e})", x.text, x.quasi_p);
        }
        let _ = writeln!(
            out,
            "  {:<9} {:>9} {:>9}  {:<26} {:<26} {:>6}",
            "runs", "in box", "failures", "coverage (95% CI)", "density (95% CI)", "lift"
        );
        for (name, f) in [("fitted", &b.fit), ("held out", &b.held_out)] {
            let _ = writeln!(
                out,
                "  {:<9} {:>9} {:>9}  {:<26} {:<26} {:>6.2}",
                name,
                f.runs_in_box,
                f.failures_in_box,
                est(&f.coverage),
                est(&f.density),
                f.lift
            );
        }
        let _ = writeln!(out, "  peeling trajectory (coverage of all fitted failures, density):");
        let n = b.trajectory.len();
        let shown: Vec<usize> = if n <= 12 {
            (0..n).collect()
        } else {
            let mut v: Vec<usize> = (0..12).map(|k| k * (n - 1) / 11).collect();
            v.push(b.chosen_step);
            v.sort_unstable();
            v.dedup();
            v
        };
        for k in shown {
            let s = &b.trajectory[k];
            let mark = if k == b.chosen_step { " ← chosen" } else { "" };
            let _ = writeln!(
                out,
                "    step {:>3}: coverage {:>6}, density {:>6}, {:>6} runs, {} restricted{mark}",
                s.step,
                pct(s.coverage),
                pct(s.density),
                s.runs_in_box,
                s.restricted
            );
        }
    }
    if let Some(note) = &r.note {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// `code`: per framework the alliance-level codes with their rule and why, the member-level
/// codes as a table, and Benson's type.
pub fn code(r: &crate::code::CodeReport) -> String {
    use crate::code::Status;
    let mut out = String::new();
    let cell = |c: &crate::code::Code| match (c.code, c.status) {
        (None, _) => "n/d".to_string(),
        (Some(v), Status::LowerBound) => format!("≥{v}"),
        (Some(v), _) => v.to_string(),
    };
    for (i, f) in r.frameworks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "ironclad code --scheme {} — {} ({})", r.scheme, f.framework, f.file);
        let _ = writeln!(out, "{}", f.title);
        let _ = writeln!(out, "members ({}): {}", f.members.len(), f.members.join(", "));
        if !f.reading.is_empty() {
            let _ = writeln!(out, "reading: {}", f.reading.join(", "));
        }
        let _ = writeln!(out, "\nALLIANCE LEVEL   (≥ = lower bound, n/d = not derivable from the language)");
        for c in &f.alliance {
            let _ = writeln!(out, "  {:<9} {:>4}  {}", c.variable, cell(c), c.meaning);
            let _ = writeln!(out, "  {:<9} {:>4}  why: {}", "", "", c.why);
            if let Some(needs) = &c.needs
                && c.status == Status::NotDerivable
            {
                let _ = writeln!(out, "  {:<9} {:>4}  needs: {needs}", "", "");
            }
        }
        let _ = writeln!(out, "\nBENSON: {} — {}", f.benson.kind.replace('_', " "), f.benson.why);
        if let Some(first) = f.members_codes.first() {
            let _ = writeln!(out, "\nMEMBER LEVEL");
            let mut header = format!("  {:<10}", "member");
            for c in &first.codes {
                let _ = write!(header, " {:>8}", c.variable);
            }
            let _ = writeln!(out, "{header}  benson");
            for m in &f.members_codes {
                let mut line = format!("  {:<10}", m.party);
                for c in &m.codes {
                    let _ = write!(line, " {:>8}", cell(c));
                }
                let _ = writeln!(out, "{line}  {}", m.benson.kind.replace('_', " "));
            }
        }
    }
    out
}

/// `compare`: per scenario, one table of the figures per framework (with the paired difference
/// from the reference), then each framework's pivotal clause.
pub fn compare(r: &crate::compare::CompareReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "ironclad compare — {} runs, seed {}, reference {} (differences paired per run, 95 % CI)",
        r.runs, r.seed, r.reference
    );
    let pct = |e: &Estimate| format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high);
    for sc in &r.scenarios {
        let written = if sc.written_for.is_empty() {
            "names no framework".to_string()
        } else {
            format!("written for {}", sc.written_for)
        };
        let _ = writeln!(out, "\nSCENARIO {} ({}; {written})", sc.id, sc.scenario);
        if let Some(note) = &sc.note {
            let _ = writeln!(out, "  {note}");
        }
        for row in &sc.rows {
            match row.status.as_str() {
                "ok" => {}
                "not_covered" => {
                    let note = row.reason.as_ref().map(|n| format!(" (note: {n})")).unwrap_or_default();
                    let _ =
                        writeln!(out, "  {:<28} not covered: lacks {}{note}", row.framework, row.missing.join(", "));
                    continue;
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "  {:<28} {}: {}",
                        row.framework,
                        row.status,
                        row.reason.as_deref().unwrap_or("")
                    );
                    continue;
                }
            }
            let _ = writeln!(out, "  {}", row.framework);
            if let Some(note) = &row.reason {
                let _ = writeln!(out, "    note: {note}");
            }
            for f in &row.metrics {
                let label = match (&f.domain, f.horizon_days) {
                    (Some(d), Some(h)) => format!("{} {d} @{h}d", f.metric),
                    (None, Some(h)) => format!("{} @{h}d", f.metric),
                    _ => f.metric.clone(),
                };
                let diff = f.difference.as_ref().map(|d| format!("   Δ {}", pct(d))).unwrap_or_default();
                let _ = writeln!(out, "    {label:<34} {}{diff}", pct(&f.value));
            }
            match &row.pivotal {
                Some(p) => {
                    let _ = writeln!(
                        out,
                        "    pivotal clause: {} ({} without it {:.3}; change {}; {} clause{} tried)",
                        p.commitment,
                        r.headline_text,
                        p.without,
                        pct(&p.change),
                        p.tried,
                        if p.tried == 1 { "" } else { "s" }
                    );
                }
                None => {
                    let _ = writeln!(out, "    pivotal clause: none (no clause's removal changes {})", r.headline_text);
                }
            }
        }
    }
    out
}
