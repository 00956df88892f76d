//! Lints: warnings about a spec that is well-formed but probably not what its author meant,
//! or that exposes a weakness of the framework itself.
//!
//! Satisfiability is decided exactly over the *atoms* of a condition (predicates, comparisons,
//! memberships): every assignment of truth values is tried (up to [`MAX_ATOMS`] atoms), and an
//! assignment counts only if it is consistent — an atom with constant operands must take its
//! constant value, `decided(B)` is false for a body whose rule can never pass, and the atoms
//! that constrain one event field must be met by one value of that field.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::expr::{BinOp, Field, Node, StateFn, Ty, Typed, Value};
use crate::model::*;
use crate::vocab::{Kind, Modality, RedLineKind};

/// Above this many distinct atoms a condition is assumed satisfiable (2^n assignments).
pub const MAX_ATOMS: usize = 14;

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
    out
}

/// Whether exception `a` takes precedence over `b`, directly or through others.
pub fn overrides(spec: &Spec, a: ExceptionId, b: ExceptionId) -> bool {
    let mut stack = vec![a];
    let mut seen = vec![false; spec.exceptions.len()];
    while let Some(x) = stack.pop() {
        for next in &spec.exceptions[x.index()].overrides {
            if *next == b {
                return true;
            }
            if !std::mem::replace(&mut seen[next.index()], true) {
                stack.push(*next);
            }
        }
    }
    false
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
            if shared.is_empty() || a.effect == b.effect || overrides(spec, ia, ib) || overrides(spec, ib, ia) {
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

/// Whether a selector matches a commitment. A commitment without scope may act anywhere, so
/// it matches any region list.
pub fn selector_matches(spec: &Spec, selector: &Selector, commitment: &Commitment) -> bool {
    let obligors = spec.obligors(commitment);
    (selector.by.is_empty() || obligors.iter().any(|p| selector.by.contains(p)))
        && (selector.kinds.is_empty() || selector.kinds.contains(&commitment.kind))
        && (selector.domains.is_empty() || commitment.domains.iter().any(|d| selector.domains.contains(d)))
        && (selector.regions.is_empty()
            || commitment.scope.is_empty()
            || commitment
                .scope
                .iter()
                .any(|s| selector.regions.iter().any(|r| spec.region_within(*s, *r) || spec.region_within(*r, *s))))
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
        if let Some(f) = spec.framework.condition.as_ref().filter(|_| c.framework_condition) {
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

// ----- satisfiability -------------------------------------------------------------------------

fn decided(body: BodyId) -> Typed {
    let arg = Typed { node: Node::Const(Value::Body(body)), ty: Ty::Body, span: 0..0 };
    Typed { node: Node::State(StateFn::Decided, vec![arg]), ty: Ty::Bool, span: 0..0 }
}

/// Whether `all` can hold together while every one of `none` fails, under `forced` atom values
/// (keyed by [`atom_key`]).
pub fn satisfiable(spec: &Spec, all: &[&Typed], none: &[&Typed], forced: &BTreeMap<String, bool>) -> bool {
    let mut atoms: Vec<(String, &Typed)> = Vec::new();
    for e in all.iter().chain(none) {
        collect_atoms(spec, e, &mut atoms);
    }
    if atoms.len() > MAX_ATOMS {
        return true;
    }
    let keys: Vec<&str> = atoms.iter().map(|(k, _)| k.as_str()).collect();
    (0u32..1 << atoms.len()).any(|bits| {
        let value = |key: &str| keys.iter().position(|k| *k == key).is_some_and(|i| bits & (1 << i) != 0);
        all.iter().all(|e| eval(spec, e, &value))
            && none.iter().all(|e| !eval(spec, e, &value))
            && consistent(spec, &atoms, bits, forced)
    })
}

fn collect_atoms<'a>(spec: &Spec, e: &'a Typed, atoms: &mut Vec<(String, &'a Typed)>) {
    match &e.node {
        Node::Not(a) => collect_atoms(spec, a, atoms),
        Node::And(a, b) | Node::Or(a, b) => {
            collect_atoms(spec, a, atoms);
            collect_atoms(spec, b, atoms);
        }
        _ => {
            let key = atom_key(spec, e);
            if !atoms.iter().any(|(k, _)| *k == key) {
                atoms.push((key, e));
            }
        }
    }
}

fn eval(spec: &Spec, e: &Typed, atom: &impl Fn(&str) -> bool) -> bool {
    match &e.node {
        Node::Not(a) => !eval(spec, a, atom),
        Node::And(a, b) => eval(spec, a, atom) && eval(spec, b, atom),
        Node::Or(a, b) => eval(spec, a, atom) || eval(spec, b, atom),
        _ => atom(&atom_key(spec, e)),
    }
}

fn consistent(spec: &Spec, atoms: &[(String, &Typed)], bits: u32, forced: &BTreeMap<String, bool>) -> bool {
    let assigned = |i: usize| bits & (1 << i) != 0;
    let mut by_field: BTreeMap<Field, Vec<(usize, Ty)>> = BTreeMap::new();
    for (i, (key, atom)) in atoms.iter().enumerate() {
        if forced.get(key).is_some_and(|v| *v != assigned(i)) {
            return false;
        }
        if let Node::State(StateFn::Decided, args) = &atom.node
            && let Some(Node::Const(Value::Body(b))) = args.first().map(|a| &a.node)
            && !spec.body(*b).can_decide()
            && assigned(i)
        {
            return false;
        }
        match fields_of(atom).as_slice() {
            [] => {
                if let Some(value) = eval_atom(spec, atom, None)
                    && value != assigned(i)
                {
                    return false;
                }
            }
            [(field, ty)] => by_field.entry(*field).or_default().push((i, *ty)),
            _ => {}
        }
    }
    by_field.into_iter().all(|(field, group)| {
        let ty = group[0].1;
        candidates(spec, ty).is_none_or(|values| {
            values.iter().any(|v| {
                group
                    .iter()
                    .all(|(i, _)| eval_atom(spec, atoms[*i].1, Some((field, v))).is_none_or(|r| r == assigned(*i)))
            })
        })
    })
}

/// The event fields an atom mentions, with their types.
fn fields_of(e: &Typed) -> Vec<(Field, Ty)> {
    let mut fields = Vec::new();
    e.walk(&mut |n| {
        if let Node::Field(f) = n.node
            && !fields.iter().any(|(g, _)| *g == f)
        {
            fields.push((f, n.ty));
        }
    });
    fields
}

/// Every value a field of this type can take, for finite types.
fn candidates(spec: &Spec, ty: Ty) -> Option<Vec<Value>> {
    Some(match ty {
        Ty::Party => (0..spec.parties.len()).map(|i| Value::Party(PartyId(i as u16))).collect(),
        Ty::Region => (0..spec.regions.len()).map(|i| Value::Region(RegionId(i as u16))).collect(),
        Ty::Body => (0..spec.bodies.len()).map(|i| Value::Body(BodyId(i as u16))).collect(),
        Ty::Commitment => (0..spec.commitments.len()).map(|i| Value::Commitment(CommitmentId(i as u16))).collect(),
        Ty::Scale => crate::expr::Scale::ALL.iter().map(|s| Value::Scale(*s)).collect(),
        _ => return None,
    })
}

/// Evaluates an atom whose operands are constants or the one bound field; `None` if it depends
/// on the state of the world or on another field.
fn eval_atom(spec: &Spec, e: &Typed, binding: Option<(Field, &Value)>) -> Option<bool> {
    let value = |t: &Typed| -> Option<Value> {
        match &t.node {
            Node::Const(v) => Some(v.clone()),
            Node::Field(f) => binding.filter(|(b, _)| b == f).map(|(_, v)| v.clone()),
            _ => None,
        }
    };
    match &e.node {
        Node::Const(Value::Bool(b)) => Some(*b),
        Node::Compare(op, a, b) => {
            let (a, b) = (value(a)?, value(b)?);
            let ordering = match (&a, &b) {
                (Value::Num(x), Value::Num(y)) => x.partial_cmp(y)?,
                (Value::Scale(x), Value::Scale(y)) => x.cmp(y),
                _ => {
                    return Some(if *op == BinOp::Ne { a != b } else { a == b })
                        .filter(|_| matches!(op, BinOp::Eq | BinOp::Ne));
                }
            };
            Some(match op {
                BinOp::Eq => ordering.is_eq(),
                BinOp::Ne => ordering.is_ne(),
                BinOp::Lt => ordering.is_lt(),
                BinOp::Le => ordering.is_le(),
                BinOp::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
        Node::In(a, b) => {
            let (a, b) = (value(a)?, value(b)?);
            Some(match (a, b) {
                (Value::Party(p), Value::Parties(set)) => set.contains(&p),
                (Value::Region(r), Value::Regions(set)) => set.contains(&r),
                (Value::Domain(d), Value::Domains(set)) => set.contains(&d),
                _ => return None,
            })
        }
        Node::Within(a, b) => {
            let (a, b) = (value(a)?, value(b)?);
            Some(match (a, b) {
                (Value::Region(inner), Value::Region(outer)) => spec.region_within(inner, outer),
                (Value::Region(inner), Value::Regions(outers)) => outers.iter().any(|o| spec.region_within(inner, *o)),
                _ => return None,
            })
        }
        _ => None,
    }
}

/// A canonical text for an atom, without spans: equal atoms have equal keys.
pub fn atom_key(spec: &Spec, e: &Typed) -> String {
    display(spec, e)
}

/// Renders a typed expression back to spec syntax, with ids resolved to their names.
pub fn display(spec: &Spec, e: &Typed) -> String {
    let list = |items: Vec<String>| format!("[{}]", items.join(", "));
    match &e.node {
        Node::Const(v) => match v {
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::Scale(s) => s.as_str().into(),
            Value::Party(p) => spec.party(*p).id.clone(),
            Value::Region(r) => spec.region(*r).id.clone(),
            Value::Domain(d) => d.as_str().into(),
            Value::Body(b) => spec.body(*b).id.clone(),
            Value::Commitment(c) => spec.commitment(*c).id.clone(),
            Value::Parties(ps) => list(ps.iter().map(|p| spec.party(*p).id.clone()).collect()),
            Value::Regions(rs) => list(rs.iter().map(|r| spec.region(*r).id.clone()).collect()),
            Value::Domains(ds) => list(ds.iter().map(|d| d.as_str().to_string()).collect()),
        },
        Node::Field(f) => f.as_str().into(),
        Node::State(f, args) if args.is_empty() => f.as_str().into(),
        Node::State(f, args) => {
            format!("{}({})", f.as_str(), args.iter().map(|a| display(spec, a)).collect::<Vec<_>>().join(", "))
        }
        Node::List(items) => list(items.iter().map(|i| display(spec, i)).collect()),
        Node::Not(a) => format!("not {}", display(spec, a)),
        Node::And(a, b) => format!("({} and {})", display(spec, a), display(spec, b)),
        Node::Or(a, b) => format!("({} or {})", display(spec, a), display(spec, b)),
        Node::Compare(op, a, b) => format!("{} {} {}", display(spec, a), op.as_str(), display(spec, b)),
        Node::In(a, b) => format!("{} in {}", display(spec, a), display(spec, b)),
        Node::Within(a, b) => format!("{} within {}", display(spec, a), display(spec, b)),
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
        assert_eq!(codes(&commitment(r#"conditions = ["ceasefire", "not ceasefire"]"#)), ["W0003"]);
        assert_eq!(codes(&commitment(r#"trigger = "armed_attack where target == UA and target == RU""#)), ["W0003"]);
        assert_eq!(
            codes(&commitment(r#"trigger = "armed_attack where region within UA-east and not region within UA""#)),
            ["W0003"]
        );
        assert_eq!(
            codes(&commitment(r#"trigger = "armed_attack where scale >= major and scale < limited""#)),
            ["W0003"]
        );
        assert_eq!(codes(&commitment(r#"conditions = ["UA in #nato"]"#)), ["W0003"]);
        assert_eq!(
            codes(&commitment(
                r#"conditions = ["ceasefire"]
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
            codes(&commitment(r#"conditions = ["ceasefire or not ceasefire", "consent(UA)"]"#)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn threat_veto_only_when_every_path_runs_through_the_body() {
        assert_eq!(codes(&commitment(r#"conditions = ["decided(council)"]"#)), ["W0006"]);
        assert_eq!(codes(&commitment(r#"conditions = ["decided(council) or requested(UA)"]"#)), Vec::<&str>::new());
        assert_eq!(
            codes(&commitment(
                r#"conditions = ["decided(council)"]
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
        let base = commitment(r#"conditions = ["ceasefire"]"#);
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
}
