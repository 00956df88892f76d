//! Lints: warnings about a spec that is well-formed but probably not what its author meant,
//! or that exposes a weakness of the framework itself. The semantics they rest on live in
//! modules named for what they do: [`crate::select`] (selector matching),
//! [`crate::precedence`] (exception precedence), [`crate::sat`] (satisfiability of conditions)
//! and [`crate::display`] (expressions back to spec syntax).

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::evidence;
use crate::expr::Typed;
use crate::model::*;
use crate::precedence::overrides;
use crate::sat::{atom_key, decided, satisfiable};
use crate::select::selector_matches;
use crate::vocab::{ExceptionEffect, Kind, Modality, RedLineKind};

/// Runs every lint.
pub fn run(spec: &Spec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    red_lines(spec, &mut out);
    uncovered_domains(spec, &mut out);
    unsatisfiable(spec, &mut out);
    backstop_cycles(spec, &mut out);
    discretionary_defend(spec, &mut out);
    threat_veto(spec, &mut out);
    unused_sources(spec, &mut out);
    conflicting_exceptions(spec, &mut out);
    condition_kinds(spec, &mut out);
    statuses(spec, &mut out);
    inert_variants(spec, &mut out);
    out
}

/// W0009: a condition that does not say whether it is an entry or a continuing condition.
fn condition_kinds(spec: &Spec, out: &mut Vec<Diagnostic>) {
    let help = "write `entry = [...]` if the text means \"after\" or \"once\" (met once, it stays met), \
                `continuing = [...]` if it must keep holding";
    if let Some(span) = &spec.framework.unqualified_condition
        && !spec.allows(None, "condition-kind")
    {
        out.push(
            Diagnostic::new(
                "W0009",
                "the framework's `condition` does not say whether it is an entry or a continuing condition",
            )
            .primary(span.clone(), "read as continuing: the commitments lapse when it stops holding")
            .help(help.replace("= [...]", "= \"...\"")),
        );
    }
    for c in &spec.commitments {
        if c.unqualified_conditions.is_empty() || spec.allows(Some(c), "condition-kind") {
            continue;
        }
        let mut d = Diagnostic::new(
            "W0009",
            format!("the conditions of `{}` do not say whether they are entry or continuing conditions", c.id),
        );
        for (i, span) in c.unqualified_conditions.iter().enumerate() {
            d = if i == 0 {
                d.primary(span.clone(), "read as continuing: the clause lapses when it stops holding")
            } else {
                d.secondary(span.clone(), "")
            };
        }
        out.push(d.help(help));
    }
}

/// The quote proposes it: it carries a marker of [`evidence::PROPOSALS`] (whole words).
fn advocacy(e: &Evidence) -> bool {
    evidence::PROPOSALS.iter().any(|w| evidence::contains_words(&e.quote, w))
}

/// The quote is a second-hand account: `via`, a marker of [`evidence::SECOND_HAND`] (whole
/// words), or a speaker marked "(reporting)".
fn second_hand(e: &Evidence) -> bool {
    e.via.is_some()
        || evidence::SECOND_HAND.iter().any(|w| evidence::contains_words(&e.quote, w))
        || e.speaker.as_deref().is_some_and(|s| s.contains("(reporting)"))
}

/// W0010 (a tentative clause no option lists) and W0011 (evidence below the status).
fn statuses(spec: &Spec, out: &mut Vec<Diagnostic>) {
    use crate::vocab::Status;
    for c in &spec.commitments {
        let status_span = c.status_span.clone().unwrap_or_else(|| c.span.clone());
        if !c.takes_effect() && !spec.allows(Some(c), "tentative-clause") {
            out.push(
                Diagnostic::new("W0010", format!("`{}` is {} and no variant option lists it, so it takes no effect", c.id, c.status))
                    .primary(status_span.clone(), "a proposal or a second-hand report is never a pledge by default")
                    .help("if it may be adopted, list it in an option of a [[variant]] whose weight says how likely, with the reason; `allow = [\"tentative-clause\"]` keeps it on record only"),
            );
        }
        if c.evidence.is_empty() || spec.allows(Some(c), "evidence-below-status") {
            continue;
        }
        let supported = if c.evidence.iter().all(advocacy) {
            Status::Proposed
        } else if c.evidence.iter().all(|e| advocacy(e) || second_hand(e)) {
            Status::Reported
        } else {
            continue;
        };
        // A proposal can't be offered; a report is flagged from `agreed` up (an offer relayed in
        // public by a leader speaking for others is still an offer).
        let flagged = match supported {
            Status::Proposed => c.status >= Status::Offered,
            _ => c.status >= Status::Agreed,
        };
        if flagged {
            let what = if supported == Status::Proposed {
                "every quote proposes it (\"suggested\", \"advocated\", \"could\" ...)"
            } else {
                "every quote is a second-hand report"
            };
            let mut d = Diagnostic::new(
                "W0011",
                format!("`{}` says `{}`, but its evidence supports only `{supported}`", c.id, c.status),
            )
            .primary(status_span, what);
            for e in &c.evidence {
                d = d.secondary(e.quote_span.clone(), "");
            }
            out.push(d.help(format!(
                "set `status = \"{supported}\"` (and list it in a variant option), or cite the obligors' own words"
            )));
        }
    }
}

/// W0012: a variant whose options all give the same obligations (after red lines) and the same
/// red lines: choosing between them changes nothing.
fn inert_variants(spec: &Spec, out: &mut Vec<Diagnostic>) {
    if spec.allows(None, "inert-variant") {
        return;
    }
    for (v, variant) in spec.variants.iter().enumerate() {
        let signature = |o: usize| {
            let here = Some((VariantId(v as u16), o));
            let mut pairs: Vec<(usize, PartyId)> = Vec::new();
            for (i, c) in spec.commitments.iter().enumerate().filter(|(_, c)| c.option == here && c.takes_effect()) {
                for p in spec.obligors(c) {
                    let excluded = spec.red_lines.iter().any(|r| {
                        r.kind == RedLineKind::Exclusion
                            && r.party == p
                            && (r.option.is_none() || r.option == here)
                            && r.matches.as_ref().is_some_and(|m| selector_matches(spec, m, c))
                    });
                    if !excluded {
                        pairs.push((i, p));
                    }
                }
            }
            let lines: Vec<usize> =
                spec.red_lines.iter().enumerate().filter(|(_, r)| r.option == here).map(|(i, _)| i).collect();
            (pairs, lines)
        };
        let first = signature(0);
        if variant.options.len() > 1 && (1..variant.options.len()).all(|o| signature(o) == first) {
            out.push(
                Diagnostic::new("W0012", format!("the options of variant `{}` all give the same obligations", variant.id))
                    .primary(variant.span.clone(), "choosing an option changes nothing")
                    .note("after red lines: an option's clauses may all be excluded by their obligors' own red lines")
                    .help("make each option list the clauses (or red lines) its summary describes, narrowed so that they survive the red lines"),
            );
        }
    }
}

fn conflicting_exceptions(spec: &Spec, out: &mut Vec<Diagnostic>) {
    for (i, a) in spec.exceptions.iter().enumerate() {
        for (j, b) in spec.exceptions.iter().enumerate().skip(i + 1) {
            let shared: Vec<&str> = a
                .commitments
                .iter()
                .filter(|c| b.commitments.contains(c))
                .map(|c| spec.commitment(*c).id.as_str())
                .collect();
            let (ia, ib) = (ExceptionId(i as u16), ExceptionId(j as u16));
            // An excuse speaks of breaching acts, not of whether the clause applies: it conflicts with nothing.
            let excuse = a.effect == ExceptionEffect::Excuse || b.effect == ExceptionEffect::Excuse;
            if shared.is_empty() || excuse || a.effect == b.effect || overrides(spec, ia, ib) || overrides(spec, ib, ia)
            {
                continue;
            }
            if spec.allows(None, "conflicting-exceptions")
                || a.commitments.iter().any(|c| spec.allows(Some(spec.commitment(*c)), "conflicting-exceptions"))
            {
                continue;
            }
            if satisfiable(spec, &[&a.when.expr, &b.when.expr], &[], &BTreeMap::new()) {
                out.push(
                    Diagnostic::new(
                        "W0008",
                        format!("exceptions `{}` and `{}` can hold together with opposite effects on `{}`", a.id, b.id, shared.join("`, `")),
                    )
                    .primary(b.span.clone(), format!("{:?}", b.effect).to_lowercase())
                    .secondary(a.span.clone(), format!("{:?}", a.effect).to_lowercase())
                    .note("when both hold and neither overrides the other, the engine suspends the clause (the cautious reading)")
                    .help(format!("say which prevails: `overrides = [\"{}\"]` on `{}`, or the reverse", a.id, b.id)),
                );
            }
        }
    }
}

/// Whether two elements, each in the base framework or in a variant option, can be in force together.
fn coexist(a: Option<(VariantId, usize)>, b: Option<(VariantId, usize)>) -> bool {
    match (a, b) {
        (Some((va, oa)), Some((vb, ob))) => va != vb || oa == ob,
        _ => true,
    }
}

fn red_lines(spec: &Spec, out: &mut Vec<Diagnostic>) {
    for line in &spec.red_lines {
        let Some(selector) = &line.matches else { continue };
        let holder = &spec.party(line.party).id;
        for commitment in &spec.commitments {
            if !coexist(line.option, commitment.option) || !selector_matches(spec, selector, commitment) {
                continue;
            }
            let own = spec.obligors(commitment).contains(&line.party);
            let statement = line.statement.as_deref().unwrap_or("");
            match (line.kind, own) {
                (RedLineKind::Exclusion, true) if !spec.allows(Some(commitment), "red-line-conflict") => out.push(
                    Diagnostic::new("W0001", format!("commitment `{}` is excluded by {holder}'s own red line `{}`", commitment.id, line.id))
                        .primary(commitment.span.clone(), format!("{holder} commits to this"))
                        .secondary(line.span.clone(), format!("but rules it out: {statement}"))
                        .help("if both are reported, make them options of a [[variant]]; otherwise narrow the commitment's kinds, domains or scope"),
                ),
                (RedLineKind::Threat | RedLineKind::Opposition, false) if !spec.allows(Some(commitment), "crosses-red-line") => {
                    let what = if line.kind == RedLineKind::Threat { "threat" } else { "opposition" };
                    let response = line.response.as_deref().map(|r| format!(" (response: {r})")).unwrap_or_default();
                    out.push(
                        Diagnostic::new("N0001", format!("commitment `{}` crosses {holder}'s {what} `{}`", commitment.id, line.id))
                            .primary(commitment.span.clone(), "matches the red line")
                            .secondary(line.span.clone(), format!("{statement}{response}"))
                            .help("the simulation counts this as escalation risk; no change is needed if the commitment is meant to defy it"),
                    );
                }
                _ => {}
            }
        }
    }
}

/// Kinds that do not act in a domain even when they name one.
fn covers(kind: Kind) -> bool {
    !matches!(kind, Kind::Consult | Kind::Refrain | Kind::Seek)
}

fn uncovered_domains(spec: &Spec, out: &mut Vec<Diagnostic>) {
    if spec.allows(None, "uncovered-domain") {
        return;
    }
    for (domain, span) in &spec.framework.domains {
        let covered = spec.commitments.iter().any(|c| covers(c.kind) && c.domains.contains(domain));
        if !covered {
            out.push(
                Diagnostic::new("W0002", format!("the framework claims `{domain}`, but no commitment covers it"))
                    .primary(span.clone(), "claimed here")
                    .help(format!("add a commitment with `domains = [\"{domain}\"]` (not a consult, refrain or seek), or drop the claim")),
            );
        }
    }
}

fn unsatisfiable(spec: &Spec, out: &mut Vec<Diagnostic>) {
    for c in &spec.commitments {
        if spec.allows(Some(c), "unsatisfiable-condition") {
            continue;
        }
        if let Some(trigger) = &c.trigger {
            for (event, filter) in &trigger.trigger.alternatives {
                if let Some(filter) = filter
                    && !satisfiable(spec, &[filter], &[], &BTreeMap::new())
                {
                    out.push(
                        Diagnostic::new("W0003", format!("no `{}` event can match this trigger of `{}`", event.as_str(), c.id))
                            .primary(filter.span.clone(), "can never be true")
                            .help("the filter contradicts itself: check for two values of one field, or a tag nobody relevant has"),
                    );
                }
            }
        }
        // Entry conditions must all have held together once, at or before the moment judged;
        // continuing ones (with `unless` negated) at the moment judged. Each set is checked on
        // its own: an entry condition may stop holding later (a ceasefire that breaks).
        let entry: Vec<&Typed> = spec.entry_of(c).map(|k| &k.expr).collect();
        if !entry.is_empty() && !satisfiable(spec, &entry, &[], &BTreeMap::new()) {
            let mut d =
                Diagnostic::new("W0003", format!("the entry conditions of `{}` can never all hold together", c.id))
                    .primary(c.span.clone(), "never enters");
            for k in &c.entry {
                d = d.secondary(k.span.clone(), "entry condition");
            }
            for f in spec.framework.entry.iter().filter(|_| c.framework_condition) {
                d = d.secondary(f.span.clone(), "framework entry condition");
            }
            out.push(d.help(
                "entry conditions must all hold at one moment before the clause applies: remove the contradiction",
            ));
        }
        let all: Vec<&Typed> = spec.conditions_of(c).map(|k| &k.expr).collect();
        let negated: Vec<&Typed> = c.unless.iter().map(|u| &u.expr).collect();
        if (all.is_empty() && negated.is_empty()) || satisfiable(spec, &all, &negated, &BTreeMap::new()) {
            continue;
        }
        let mut d = Diagnostic::new("W0003", format!("the conditions of `{}` can never all hold", c.id))
            .primary(c.span.clone(), "never applies");
        for k in c.conditions.iter().chain(&c.unless) {
            d = d.secondary(k.span.clone(), "");
        }
        for f in spec.framework.condition.iter().filter(|_| c.framework_condition) {
            d = d.secondary(f.span.clone(), "framework condition");
        }
        out.push(d.help("no event or decision can make these true together: remove the contradiction"));
    }
}

fn backstop_cycles(spec: &Spec, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<CommitmentId> = Vec::new();
    for (start, _) in spec.commitments() {
        let mut path = vec![start];
        let mut current = spec.commitment(start).backs;
        while let Some(next) = current {
            if next == start {
                let allowed = path.iter().any(|p| spec.allows(Some(spec.commitment(*p)), "backstop-cycle"));
                if !allowed && !path.iter().any(|p| reported.contains(p)) {
                    let first = *path.iter().min().unwrap_or(&start);
                    let names: Vec<&str> = path.iter().map(|p| spec.commitment(*p).id.as_str()).collect();
                    let mut d = Diagnostic::new(
                        "W0004",
                        format!("backstops form a cycle: {} → {}", names.join(" → "), names[0]),
                    )
                    .primary(spec.commitment(first).span.clone(), "on the cycle");
                    for p in path.iter().filter(|p| **p != first) {
                        d = d.secondary(spec.commitment(*p).span.clone(), "also on the cycle");
                    }
                    out.push(d.help("a backstop must end at a commitment that acts itself; none of these does"));
                    reported.extend(path.iter().copied());
                }
                break;
            }
            if path.contains(&next) || path.len() > spec.commitments.len() {
                break;
            }
            path.push(next);
            current = spec.commitment(next).backs;
        }
    }
}

fn discretionary_defend(spec: &Spec, out: &mut Vec<Diagnostic>) {
    for c in &spec.commitments {
        if c.kind == Kind::Defend
            && c.modality == Modality::Discretionary
            && !spec.allows(Some(c), "discretionary-defend")
        {
            out.push(
                Diagnostic::new("W0005", format!("`{}` promises defence but leaves each party to decide what, if anything, to do", c.id))
                    .primary(c.span.clone(), "defend + discretionary")
                    .note("\"such action as it deems necessary\" lets a party meet the clause with a statement; deterrence rests on will alone")
                    .help("if the text says so, keep it and add `allow = [\"discretionary-defend\"]`; otherwise use modality \"automatic\" or \"constitutional\""),
            );
        }
    }
}

fn threat_veto(spec: &Spec, out: &mut Vec<Diagnostic>) {
    let Some(threat) = spec.framework.threat else { return };
    let threat_id = &spec.party(threat).id;
    for c in &spec.commitments {
        if spec.allows(Some(c), "threat-veto") {
            continue;
        }
        let conditions: Vec<&Typed> = spec.conditions_of(c).map(|k| &k.expr).collect();
        let negated: Vec<&Typed> = c.unless.iter().map(|u| &u.expr).collect();
        for (index, body) in spec.bodies.iter().enumerate() {
            if !body.blockers().contains(&threat) {
                continue;
            }
            let body_id = BodyId(index as u16);
            let acts_through = matches!(c.by, Obligor::Body(b) if b == body_id);
            let mut forced = BTreeMap::new();
            forced.insert(atom_key(spec, &decided(body_id)), false);
            let blocked = acts_through
                || (!conditions.is_empty()
                    && satisfiable(spec, &conditions, &negated, &BTreeMap::new())
                    && !satisfiable(spec, &conditions, &negated, &forced));
            if blocked {
                let how = if matches!(body.rule, Rule::Unanimity | Rule::Consensus) {
                    format!("its {} rule", body.rule.kind())
                } else {
                    "a veto".into()
                };
                out.push(
                    Diagnostic::new("W0006", format!("`{}` can only be activated through `{}`, where the threat {threat_id} can block it", c.id, body.id))
                        .primary(c.span.clone(), format!("needs a decision of `{}`", body.id))
                        .secondary(body.span.clone(), format!("{threat_id} blocks by {how}"))
                        .help("the adversary can switch this guarantee off: add an activation path that does not run through this body"),
                );
            }
        }
    }
}

fn unused_sources(spec: &Spec, out: &mut Vec<Diagnostic>) {
    if spec.allows(None, "unused-source") {
        return;
    }
    let cited: Vec<SourceId> = spec.all_evidence().iter().map(|(_, e)| e.source).collect();
    for (i, source) in spec.sources.iter().enumerate() {
        if !cited.contains(&SourceId(i as u16)) {
            out.push(
                Diagnostic::new("W0007", format!("source `{}` is never cited", source.id))
                    .primary(source.span.clone(), "declared but unused")
                    .help("cite it in an evidence table, or remove it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze;

    const BASE: &str = r#"
[framework]
id = "t"
title = "t"
protects = ["UA"]
threat = "RU"
domains = ["land"]

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "UA"
tags = ["protected"]
[[party]]
id = "RU"
[[party]]
id = "UK"
tags = ["nato"]

[[region]]
id = "UA"
[[region]]
id = "UA-east"
within = "UA"
[[region]]
id = "RU"

[[body]]
id = "council"
members = ["UK", "RU"]
rule = "consensus"
"#;

    fn commitment(fields: &str) -> String {
        format!(
            "{BASE}\n[[commitment]]\nid = \"c\"\nby = [\"UK\"]\nto = [\"UA\"]\nkind = \"deploy\"\ndomains = [\"land\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n{fields}\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
        )
    }

    /// The lint codes `analyze` reports for a spec, in order.
    fn codes(text: &str) -> Vec<&'static str> {
        let analysis = analyze(text);
        assert_eq!(analysis.errors(), 0, "{:#?}", analysis.diagnostics);
        analysis.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn clean_spec_has_no_lints() {
        assert_eq!(codes(&commitment("")), Vec::<&str>::new());
    }

    #[test]
    fn unsatisfiable_conditions_and_triggers() {
        assert_eq!(codes(&commitment(r#"continuing = ["ceasefire", "not ceasefire"]"#)), ["W0003"]);
        assert_eq!(codes(&commitment(r#"trigger = "armed_attack where target == UA and target == RU""#)), ["W0003"]);
        assert_eq!(
            codes(&commitment(r#"trigger = "armed_attack where region within UA-east and not region within UA""#)),
            ["W0003"]
        );
        assert_eq!(
            codes(&commitment(r#"trigger = "armed_attack where scale >= major and scale < limited""#)),
            ["W0003"]
        );
        assert_eq!(codes(&commitment(r#"continuing = ["UA in #nato"]"#)), ["W0003"]);
        // Entry conditions are read too: together they must be able to hold at one moment.
        assert_eq!(codes(&commitment(r#"entry = ["ceasefire", "not ceasefire"]"#)), ["W0003"]);
        assert_eq!(codes(&commitment(r#"entry = ["ceasefire and not ceasefire"]"#)), ["W0003"]);
        // An entry condition need not hold any more when a continuing one does.
        assert_eq!(
            codes(&commitment(
                r#"entry = ["ceasefire"]
continuing = ["not ceasefire"]"#
            )),
            Vec::<&str>::new()
        );
        assert_eq!(codes(&commitment(r#"entry = ["ceasefire", "consent(UA)"]"#)), Vec::<&str>::new());
        assert_eq!(
            codes(&commitment(
                r#"continuing = ["ceasefire"]
unless = ["ceasefire or peace_agreement"]"#
            )),
            ["W0003"]
        );
        // Satisfiable ones stay quiet.
        assert_eq!(
            codes(&commitment(r#"trigger = "armed_attack where target == UA and region within UA-east""#)),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(&commitment(r#"continuing = ["ceasefire or not ceasefire", "consent(UA)"]"#)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn threat_veto_only_when_every_path_runs_through_the_body() {
        assert_eq!(codes(&commitment(r#"continuing = ["decided(council)"]"#)), ["W0006"]);
        assert_eq!(codes(&commitment(r#"continuing = ["decided(council) or requested(UA)"]"#)), Vec::<&str>::new());
        assert_eq!(
            codes(&commitment(
                r#"continuing = ["decided(council)"]
allow = ["threat-veto"]"#
            )),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn discretionary_defend_and_uncovered_domain() {
        let text = commitment("")
            .replace("kind = \"deploy\"", "kind = \"defend\"")
            .replace("modality = \"automatic\"", "modality = \"discretionary\"");
        assert_eq!(codes(&text), ["W0005"]);
        let text = commitment("")
            .replace("domains = [\"land\"]\nsource", "domains = [\"land\", \"maritime\"]\nsource")
            .replace("domains = [\"land\"]\n\n[[source]]", "domains = [\"land\", \"maritime\"]\n\n[[source]]");
        assert_eq!(codes(&text), ["W0002"]);
    }

    #[test]
    fn red_lines_own_and_others() {
        let own = format!(
            "{}\n[[red_line]]\nid = \"no-troops\"\nparty = \"UK\"\nkind = \"exclusion\"\nmatches = {{ kinds = [\"deploy\"], regions = [\"UA\"] }}\nstrength = \"statement\"\n[[red_line.evidence]]\nsource = \"s\"\nquote = \"q\"\n",
            commitment("scope = [\"UA-east\"]")
        );
        assert_eq!(codes(&own), ["W0001"]);
        let threat = own.replace("party = \"UK\"\nkind = \"exclusion\"", "party = \"RU\"\nkind = \"threat\"");
        assert_eq!(codes(&threat), ["N0001"]);
        let elsewhere = own.replace("scope = [\"UA-east\"]", "scope = [\"RU\"]");
        assert_eq!(codes(&elsewhere), Vec::<&str>::new());
    }

    #[test]
    fn allow_silences_framework_lints_and_cycles() {
        // Regression: `allow` could not silence uncovered-domain, unused-source or backstop-cycle.
        let claimed = commitment("").replacen("domains = [\"land\"]", "domains = [\"land\", \"cyber\"]", 1);
        assert_eq!(codes(&claimed), ["W0002"]);
        let allowed = claimed.replacen(
            "domains = [\"land\", \"cyber\"]",
            "domains = [\"land\", \"cyber\"]\nallow = [\"uncovered-domain\"]",
            1,
        );
        assert_eq!(codes(&allowed), Vec::<&str>::new());
        let unused = commitment("")
            .replace("[[party]]\nid = \"UA\"", "[[source]]\nid = \"t\"\nfile = \"t.txt\"\n\n[[party]]\nid = \"UA\"");
        assert_eq!(codes(&unused), ["W0007"]);
    }

    fn with_exceptions(extra: &str) -> String {
        let base = commitment(r#"continuing = ["ceasefire"]"#);
        format!("{base}\n{extra}")
    }

    const SUSPEND: &str = "[[exception]]\nid = \"sus\"\ncommitments = [\"c\"]\nwhen = \"attacked(UA)\"\neffect = \"suspend\"\n[[exception.evidence]]\nsource = \"s\"\nquote = \"q\"\n";
    const APPLY: &str = "[[exception]]\nid = \"app\"\ncommitments = [\"c\"]\nwhen = \"consent(UA)\"\neffect = \"apply\"\n[[exception.evidence]]\nsource = \"s\"\nquote = \"q\"\n";

    #[test]
    fn exceptions_with_opposite_effects_need_precedence() {
        assert_eq!(codes(&with_exceptions(SUSPEND)), Vec::<&str>::new());
        assert_eq!(codes(&with_exceptions(&format!("{SUSPEND}{APPLY}"))), ["W0008"]);
        let ordered = APPLY.replace("effect = \"apply\"", "effect = \"apply\"\noverrides = [\"sus\"]");
        assert_eq!(codes(&with_exceptions(&format!("{SUSPEND}{ordered}"))), Vec::<&str>::new());
        // Exceptions that can never hold together do not conflict.
        let disjoint = APPLY.replace("consent(UA)", "not attacked(UA)");
        assert_eq!(codes(&with_exceptions(&format!("{SUSPEND}{disjoint}"))), Vec::<&str>::new());
    }

    #[test]
    fn precedence_cycles_are_errors() {
        let a = SUSPEND.replace("effect = \"suspend\"", "effect = \"suspend\"\noverrides = [\"app\"]");
        let b = APPLY.replace("effect = \"apply\"", "effect = \"apply\"\noverrides = [\"sus\"]");
        let analysis = analyze(&with_exceptions(&format!("{a}{b}")));
        assert!(analysis.diagnostics.iter().any(|d| d.code == "E0605"), "{:#?}", analysis.diagnostics);
    }

    #[test]
    fn backstop_cycles_are_reported_once() {
        let text = format!(
            "{BASE}\n{}\n{}",
            "[[commitment]]\nid = \"a\"\nby = [\"UK\"]\nto = [\"UA\"]\nkind = \"backstop\"\nbacks = \"b\"\ndomains = [\"land\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"",
            "[[commitment]]\nid = \"b\"\nby = [\"UK\"]\nto = [\"UA\"]\nkind = \"backstop\"\nbacks = \"a\"\ndomains = [\"land\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\""
        );
        assert_eq!(codes(&text), ["W0004"]);
        let allowed = text.replacen("backs = \"b\"", "backs = \"b\"\nallow = [\"backstop-cycle\"]", 1);
        assert_eq!(codes(&allowed), Vec::<&str>::new());
    }

    #[test]
    fn evidence_below_status_reads_the_markers_of_the_one_hedge_list_as_whole_words() {
        let quoted = |quote: &str| {
            codes(&commitment("status = \"agreed\"").replace("quote = \"q\"", &format!("quote = \"{quote}\"")))
        };
        // Proposals, including forms the stems of the earlier list of its own missed or that
        // only W0013 knew ("considering", "floated").
        for quote in [
            "The UK has advocated for a deployment.",
            "London is considering sending troops.",
            "A deployment was floated.",
            "Their proposal is a force of 10,000.",
            "The UK urges allies to deploy.",
        ] {
            assert_eq!(quoted(quote), ["W0011"], "{quote}");
        }
        // Second-hand, at `agreed`.
        for quote in ["The UK reportedly agreed to deploy.", "A UK official told them it would deploy."] {
            assert_eq!(quoted(quote), ["W0011"], "{quote}");
        }
        // The bare verbs the stems of the earlier list caught ("suggest", "advocat", "propos")
        // are markers too: whole words must not lose them.
        for quote in [
            "We propose a force of 10,000.",
            "France and the UK suggest a deployment.",
            "We advocate a UK deployment.",
            "Allies urge a deployment.",
        ] {
            assert_eq!(quoted(quote), ["W0011"], "{quote}");
        }
        // Whole words: a marker inside a longer word is not one.
        assert_eq!(quoted("The UK couldn't be clearer: it will deploy."), Vec::<&str>::new());
        assert_eq!(quoted("The UK will deploy."), Vec::<&str>::new());
    }

    #[test]
    fn a_source_second_hand_throughout_makes_each_of_its_quotes_second_hand() {
        let agreed = commitment("status = \"agreed\"");
        assert_eq!(codes(&agreed), Vec::<&str>::new());
        // The source's `via` reaches the quote that gives none ...
        let reported =
            agreed.replacen("file = \"s.txt\"", "file = \"s.txt\"\nvia = \"a compilation of press reports\"", 1);
        assert_eq!(codes(&reported), ["W0011"]);
        let spec = analyze(&reported).spec.expect("valid");
        assert_eq!(spec.commitments[0].evidence[0].via.as_deref(), Some("a compilation of press reports"));
        // ... and a quote's own `via` stands over it.
        let own = reported.replacen("quote = \"q\"", "quote = \"q\"\nvia = \"two officials\"", 1);
        let spec = analyze(&own).spec.expect("valid");
        assert_eq!(spec.commitments[0].evidence[0].via.as_deref(), Some("two officials"));
    }
}
