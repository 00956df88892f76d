//! `ironclad show`: a readable summary of one framework.

use std::fmt::Write;
use std::path::Path;

use ironclad_spec::coverage::{Coverage, conditions_text, coverage, red_line_targets};
use ironclad_spec::lints::display;
use ironclad_spec::model::{Obligor, Spec};
use ironclad_spec::vocab::Strength;
use serde_json::json;

use super::{EXIT_ERRORS, EXIT_OK};
use crate::Format;
use crate::input::{load, render};

pub fn run(path: &Path, as_json: bool, color: bool) -> u8 {
    let loaded = load(path);
    let Some(spec) = &loaded.analysis.spec else {
        eprint!("{}", render(&loaded.name, &loaded.text, &loaded.analysis.diagnostics, Format::Human, color));
        eprintln!("show: {} has errors; run `ironclad check` on it", loaded.name);
        return EXIT_ERRORS;
    };
    let cov = coverage(spec);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&to_json(spec, &cov)).unwrap_or_default());
    } else {
        print!("{}", to_text(spec, &cov));
    }
    EXIT_OK
}

fn letter(strength: Strength) -> char {
    match strength {
        Strength::Treaty => 'T',
        Strength::Agreement => 'A',
        Strength::Declaration => 'D',
        Strength::Statement => 'S',
        Strength::Remark => 'R',
    }
}

fn names(spec: &Spec, parties: &[ironclad_spec::model::PartyId]) -> String {
    parties.iter().map(|p| spec.party(*p).id.as_str()).collect::<Vec<_>>().join(", ")
}

fn to_text(spec: &Spec, cov: &Coverage) -> String {
    let f = &spec.framework;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", f.id, f.title);
    let threat = f.threat.map(|t| format!(" against {}", spec.party(t).id)).unwrap_or_default();
    let _ = writeln!(out, "protects {}{threat}", names(spec, &f.protects));
    let dates: Vec<String> = [("signed", f.signed), ("in force", f.in_force), ("expires", f.expires)]
        .iter()
        .filter_map(|(name, d)| d.map(|d| format!("{name} {d}")))
        .collect();
    if !dates.is_empty() {
        let _ = writeln!(out, "{}", dates.join(", "));
    }
    if let Some(c) = &f.condition {
        let _ = writeln!(out, "every commitment requires: {}", display(spec, &c.expr));
    }
    let counts = format!(
        "{} parties, {} commitments, {} red lines, {} variants, {} sources",
        spec.parties.len(),
        spec.commitments.len(),
        spec.red_lines.len(),
        spec.variants.len(),
        spec.sources.len()
    );
    let _ = writeln!(out, "{counts}\n");

    let _ = writeln!(out, "COVERAGE — strongest commitment per party and domain");
    let _ = writeln!(
        out,
        "  T treaty  A agreement  D declaration  S statement  R remark;  lowercase: only in a variant option;  ·: none"
    );
    let width = cov.rows.iter().map(|r| r.who.chars().count()).max().unwrap_or(4).max(8);
    let headers: Vec<String> = cov.domains.iter().map(|d| d.as_str().to_string()).collect();
    let _ = write!(out, "  {:width$}", "");
    for h in &headers {
        let _ = write!(out, " {h}");
    }
    let _ = writeln!(out);
    for row in &cov.rows {
        let _ = write!(out, "  {:width$}", row.who);
        for (cell, h) in row.cells.iter().zip(&headers) {
            let mark = match cell {
                None => '·',
                Some(c) if c.variant_only => letter(c.strength).to_ascii_lowercase(),
                Some(c) => letter(c.strength),
            };
            let _ = write!(out, " {mark:^w$}", w = h.chars().count());
        }
        let _ = writeln!(out);
    }
    let list = |ds: &[ironclad_spec::vocab::Domain]| ds.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out, "\nGAPS");
    let mut gaps = 0;
    for (what, ds) in [
        ("claimed but covered by no commitment", &cov.uncovered),
        ("covered only by statements or remarks, nothing binding", &cov.unbound),
        ("covered only in a variant option", &cov.variant_only),
    ] {
        if !ds.is_empty() {
            gaps += 1;
            let _ = writeln!(out, "  {what}: {}", list(ds));
        }
    }
    if gaps == 0 {
        let _ = writeln!(out, "  none: every claimed domain has a binding commitment");
    }

    let _ = writeln!(out, "\nCOMMITMENTS");
    for c in &spec.commitments {
        let by = match &c.by {
            Obligor::Parties(ps) => names(spec, ps),
            Obligor::Body(b) => format!("body {}", spec.body(*b).id),
        };
        let option = c
            .option
            .map(|(v, o)| {
                format!("  [variant {}={}]", spec.variants[v.index()].id, spec.variants[v.index()].options[o].id)
            })
            .unwrap_or_default();
        let article = c.article.as_ref().map(|a| format!("{a} ")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {article}{}: {} {} by {by} → {}{option}",
            c.id,
            c.kind,
            domains_text(&c.domains),
            names(spec, &c.to)
        );
        let amount = c.amount.as_ref().map(|a| format!(", {a}")).unwrap_or_default();
        let deadline = c.deadline.map(|d| format!(", within {} days", d.days)).unwrap_or_default();
        let _ = writeln!(out, "      {}, {}{amount}{deadline}", c.strength, c.modality);
        if let Some(t) = &c.trigger {
            let _ = writeln!(out, "      when   {}", t.text);
        }
        let conditions = conditions_text(spec, c);
        if !conditions.is_empty() {
            let _ = writeln!(out, "      if     {}", conditions.join(" and "));
        }
        if !c.scope.is_empty() {
            let _ = writeln!(
                out,
                "      scope  {}",
                c.scope.iter().map(|r| spec.region(*r).id.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(b) = c.backs {
            let _ = writeln!(out, "      backs  {}", spec.commitment(b).id);
        }
        if let Some(e) = c.evidence.first() {
            let more = if c.evidence.len() > 1 { format!(" (+{} more)", c.evidence.len() - 1) } else { String::new() };
            let _ = writeln!(out, "      “{}” — {}{more}", e.quote, spec.sources[e.source.index()].id);
        }
    }

    if !spec.red_lines.is_empty() {
        let _ = writeln!(out, "\nRED LINES AND POSITIONS");
        for r in &spec.red_lines {
            let statement = r.statement.as_deref().unwrap_or("");
            let _ = writeln!(out, "  {} {} ({}, {}): {statement}", spec.party(r.party).id, r.id, r.kind, r.strength);
            let targets = red_line_targets(spec, r);
            if !targets.is_empty() {
                let _ = writeln!(out, "      touches {}", targets.join(", "));
            }
        }
    }
    if !spec.variants.is_empty() {
        let _ = writeln!(out, "\nVARIANTS — where the sources disagree (analyst weights)");
        for v in &spec.variants {
            let _ = writeln!(out, "  {}: {}", v.id, v.question);
            for o in &v.options {
                let summary = o.summary.as_deref().unwrap_or("");
                let _ = writeln!(out, "      {:>4.0}%  {}  {summary}", o.weight * 100.0, o.id);
            }
        }
    }
    out
}

fn domains_text(domains: &[ironclad_spec::vocab::Domain]) -> String {
    if domains.is_empty() {
        return "(no domain)".into();
    }
    domains.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("+")
}

fn to_json(spec: &Spec, cov: &Coverage) -> serde_json::Value {
    let f = &spec.framework;
    json!({
        "id": f.id,
        "title": f.title,
        "protects": f.protects.iter().map(|p| &spec.party(*p).id).collect::<Vec<_>>(),
        "threat": f.threat.map(|t| &spec.party(t).id),
        "claimed_domains": f.domains.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>(),
        "condition": f.condition.as_ref().map(|c| display(spec, &c.expr)),
        "coverage": {
            "domains": cov.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "rows": cov.rows.iter().map(|r| json!({
                "who": r.who,
                "cells": r.cells.iter().map(|c| c.as_ref().map(|c| json!({
                    "strength": c.strength.as_str(),
                    "variant_only": c.variant_only,
                    "commitments": c.commitments,
                }))).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "gaps": {
            "uncovered": cov.uncovered.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "unbound": cov.unbound.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "variant_only": cov.variant_only.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        },
        "commitments": spec.commitments.iter().map(|c| json!({
            "id": c.id,
            "article": c.article,
            "kind": c.kind.as_str(),
            "by": match &c.by { Obligor::Parties(ps) => json!(ps.iter().map(|p| &spec.party(*p).id).collect::<Vec<_>>()), Obligor::Body(b) => json!({ "body": spec.body(*b).id }) },
            "to": c.to.iter().map(|p| &spec.party(*p).id).collect::<Vec<_>>(),
            "domains": c.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "strength": c.strength.as_str(),
            "modality": c.modality.as_str(),
            "trigger": c.trigger.as_ref().map(|t| &t.text),
            "conditions": conditions_text(spec, c),
            "variant": c.option.map(|(v, o)| json!({ "variant": spec.variants[v.index()].id, "option": spec.variants[v.index()].options[o].id })),
            "evidence": c.evidence.iter().map(|e| json!({ "source": spec.sources[e.source.index()].file, "quote": e.quote, "speaker": e.speaker })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "red_lines": spec.red_lines.iter().map(|r| json!({
            "id": r.id, "party": spec.party(r.party).id, "kind": r.kind.as_str(), "statement": r.statement,
            "touches": red_line_targets(spec, r),
        })).collect::<Vec<_>>(),
        "variants": spec.variants.iter().map(|v| json!({
            "id": v.id, "question": v.question,
            "options": v.options.iter().map(|o| json!({ "id": o.id, "weight": o.weight, "summary": o.summary })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
