//! Lowering: from the raw file to the resolved model, collecting every error on the way.
//!
//! Lowering never stops at the first problem in a well-formed TOML file: it resolves what it
//! can and reports everything else, so one `ironclad check` shows all the errors.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, lint_names};
use crate::expr::{self, Names, Node, StateFn, Typed, Value};
use crate::model::*;
use crate::quantity::{Dimension, Duration, Quantity, parse_duration, parse_quantity};
use crate::raw::*;
use crate::span::{Sp, Span};
use crate::suggest::did_you_mean;
use crate::vocab::{Domain, Kind, RedLineKind};

/// Reads a spec file: TOML, then the format, then names, types and units.
/// Returns the model only when there is no error.
pub fn lower(text: &str) -> (Option<Spec>, Vec<Diagnostic>) {
    let raw = match parse_raw(text) {
        Ok(raw) => raw,
        Err(diagnostic) => return (None, vec![diagnostic]),
    };
    if let Some(diagnostic) = too_many(&raw) {
        return (None, vec![diagnostic]);
    }
    let mut lowerer = Lowerer {
        text,
        diagnostics: Vec::new(),
        names: NameTable::default(),
        claimed: Vec::new(),
        claimed_lines: Vec::new(),
    };
    let spec = lowerer.lower(&raw);
    let has_errors = lowerer.diagnostics.iter().any(|d| d.severity == crate::Severity::Error);
    (if has_errors { None } else { Some(spec) }, lowerer.diagnostics)
}

/// Parses TOML into the raw format types; the error is E0001 (TOML) or E0002 (format).
pub fn parse_raw(text: &str) -> Result<RawSpec, Diagnostic> {
    if let Err(err) = text.parse::<toml::Table>() {
        let span = err.span().unwrap_or(0..0);
        return Err(Diagnostic::new("E0001", format!("invalid TOML: {}", err.message().trim_end()))
            .primary(span, "here")
            .help(
                "see https://toml.io for the syntax; strings need quotes, tables `[name]`, arrays of tables `[[name]]`",
            ));
    }
    toml::from_str::<RawSpec>(text).map_err(|err| {
        let message = err.message().trim_end().to_string();
        let span = err.span().unwrap_or(0..0);
        let help = format_help(&message);
        Diagnostic::new("E0002", message).primary(span, "here").help(help)
    })
}

/// Ids are `u16` indices; a section with more entries than that cannot be interned.
fn too_many(raw: &RawSpec) -> Option<Diagnostic> {
    let sections = [
        ("party", raw.party.len()),
        ("region", raw.region.len()),
        ("body", raw.body.len()),
        ("commitment", raw.commitment.len()),
        ("red_line", raw.red_line.len()),
        ("source", raw.source.len()),
        ("variant", raw.variant.len()),
        ("exception", raw.exception.len()),
    ];
    let (name, count) = sections.into_iter().find(|(_, n)| *n > usize::from(u16::MAX))?;
    Some(
        Diagnostic::new("E0002", format!("{count} [[{name}]] entries; at most {} are supported", u16::MAX))
            .primary(0..0, "in this file")
            .help("split the framework into several files"),
    )
}

fn format_help(message: &str) -> String {
    if message.starts_with("missing field") {
        "add the field; `ironclad schema` and docs/spec-format.md list every field and whether it is required".into()
    } else if message.starts_with("unknown field") {
        "remove the field or fix its spelling; the expected fields are listed above".into()
    } else if message.starts_with("unknown variant") {
        "use one of the values listed above".into()
    } else {
        "docs/spec-format.md gives the type of every field".into()
    }
}

/// The declared names, for resolving references and expressions.
#[derive(Default)]
struct NameTable {
    parties: HashMap<String, PartyId>,
    regions: HashMap<String, RegionId>,
    bodies: HashMap<String, BodyId>,
    commitments: HashMap<String, CommitmentId>,
    red_lines: HashMap<String, RedLineId>,
    exceptions: HashMap<String, ExceptionId>,
    sources: HashMap<String, SourceId>,
    /// Per source (declaration order): the `via` of its quotes that give none.
    source_via: Vec<Option<String>>,
    tags: BTreeMap<String, Vec<PartyId>>,
}

impl Names for NameTable {
    fn party(&self, name: &str) -> Option<PartyId> {
        self.parties.get(name).copied()
    }
    fn region(&self, name: &str) -> Option<RegionId> {
        self.regions.get(name).copied()
    }
    fn body(&self, name: &str) -> Option<BodyId> {
        self.bodies.get(name).copied()
    }
    fn commitment(&self, name: &str) -> Option<CommitmentId> {
        self.commitments.get(name).copied()
    }
    fn tag(&self, name: &str) -> Option<Vec<PartyId>> {
        self.tags.get(name).cloned()
    }
    fn organisation(&self, name: &str) -> Option<u16> {
        self.tags.keys().position(|t| t == name).map(|i| i as u16)
    }
    fn all_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        names.extend(self.parties.keys().cloned());
        names.extend(self.regions.keys().cloned());
        names.extend(self.bodies.keys().cloned());
        names.extend(self.commitments.keys().cloned());
        names.extend(self.tags.keys().map(|t| format!("#{t}")));
        names.sort();
        names.dedup();
        names
    }
}

struct Lowerer<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    names: NameTable,
    /// Commitments and red lines already listed by a variant option, with where.
    claimed: Vec<(usize, Span)>,
    claimed_lines: Vec<(usize, Span)>,
}

/// Registers ids, reporting duplicates. Returns the id → index map.
fn declare<'a, Id: Copy>(
    diagnostics: &mut Vec<Diagnostic>,
    what: &str,
    ids: impl Iterator<Item = &'a Sp<String>>,
    make: impl Fn(u16) -> Id,
) -> HashMap<String, Id> {
    let mut map = HashMap::new();
    let mut first: HashMap<&str, Span> = HashMap::new();
    for (i, id) in ids.enumerate() {
        if let Some(previous) = first.get(id.value.as_str()) {
            diagnostics.push(
                Diagnostic::new("E0102", format!("duplicate {what} id `{}`", id.value))
                    .primary(id.span.clone(), "declared again here")
                    .secondary(previous.clone(), "first declared here")
                    .help(format!("give each {what} its own id")),
            );
            continue;
        }
        if id.value.is_empty() || id.value.starts_with('#') || id.value.contains(char::is_whitespace) {
            diagnostics.push(
                Diagnostic::new("E0002", format!("`{}` is not a valid id", id.value))
                    .primary(id.span.clone(), "invalid id")
                    .help("ids are non-empty, contain no spaces and do not start with `#`"),
            );
        }
        first.insert(id.value.as_str(), id.span.clone());
        map.insert(id.value.clone(), make(i as u16));
    }
    map
}

/// Whether `tag` can be written `#tag` in an expression: an identifier of the expression
/// language (a letter or `_`, then letters, digits, `_` or `-`, not ending in `-`) that is not a
/// keyword.
fn valid_tag(tag: &str) -> bool {
    const KEYWORDS: &[&str] = &["and", "or", "not", "in", "within", "where", "true", "false"];
    let mut bytes = tag.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !tag.ends_with('-')
        && !KEYWORDS.contains(&tag)
}

impl Lowerer<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn lower(&mut self, raw: &RawSpec) -> Spec {
        self.declare_all(raw);
        let regions = self.regions(raw);
        let parties = self.parties(raw);
        let sources = raw
            .source
            .iter()
            .map(|s| Source {
                id: s.id.value.clone(),
                file: s.file.value.clone(),
                title: s.title.clone(),
                outlet: s.outlet.clone(),
                author: s.author.clone(),
                date: s.date.as_ref().map(|d| d.value),
                via: s.via.clone(),
                span: s.id.span.clone(),
            })
            .collect();
        let framework = self.framework(&raw.framework);
        let bodies = raw.body.iter().map(|b| self.body(b)).collect();
        let mut commitments: Vec<Commitment> = raw.commitment.iter().map(|c| self.commitment(c)).collect();
        let mut red_lines: Vec<RedLine> = raw.red_line.iter().map(|r| self.red_line(r)).collect();
        let exceptions = self.exceptions(raw);
        self.check_appropriated(&framework, &commitments, &exceptions);
        let variants = raw
            .variant
            .iter()
            .enumerate()
            .map(|(i, v)| self.variant(VariantId(i as u16), v, &mut commitments, &mut red_lines))
            .collect();
        let params = match &raw.model {
            Some(model) => {
                let names: Vec<String> = parties.iter().map(|p: &Party| p.id.clone()).collect();
                let (params, diagnostics) =
                    crate::params::lower_model(&model.value, |refs| self.parties_ref(refs), &names, model.span.clone());
                self.diagnostics.extend(diagnostics);
                params
            }
            None => crate::params::ModelParams::default(),
        };
        Spec {
            params,
            framework,
            sources,
            parties,
            regions,
            bodies,
            commitments,
            red_lines,
            exceptions,
            variants,
            tags: self.names.tags.clone(),
        }
    }

    fn declare_all(&mut self, raw: &RawSpec) {
        let d = &mut self.diagnostics;
        self.names.parties = declare(d, "party", raw.party.iter().map(|p| &p.id), PartyId);
        self.names.regions = declare(d, "region", raw.region.iter().map(|r| &r.id), RegionId);
        self.names.bodies = declare(d, "body", raw.body.iter().map(|b| &b.id), BodyId);
        self.names.commitments = declare(d, "commitment", raw.commitment.iter().map(|c| &c.id), CommitmentId);
        self.names.red_lines = declare(d, "red line", raw.red_line.iter().map(|r| &r.id), RedLineId);
        self.names.sources = declare(d, "source", raw.source.iter().map(|s| &s.id), SourceId);
        self.names.source_via = raw.source.iter().map(|s| s.via.clone()).collect();
        self.names.exceptions = declare(d, "exception", raw.exception.iter().map(|x| &x.id), ExceptionId);
        declare(d, "variant", raw.variant.iter().map(|v| &v.id), VariantId);
        for body in &raw.body {
            if let Some(party) = raw.party.iter().find(|p| p.id.value == body.id.value) {
                self.diagnostics.push(
                    Diagnostic::new("E0102", format!("`{}` names both a party and a body", body.id.value))
                        .primary(body.id.span.clone(), "body declared here")
                        .secondary(party.id.span.clone(), "party declared here")
                        .help("`by` lists accept both parties and bodies, so their ids must differ"),
                );
            }
        }
        for (i, party) in raw.party.iter().enumerate() {
            for tag in &party.tags {
                if !valid_tag(&tag.value) {
                    let help = match tag.value.strip_prefix('#') {
                        Some(bare) => format!(
                            "write the tag without its `#`: `tags = [\"{bare}\"]`; it is referred to as `#{bare}`"
                        ),
                        None => "a tag is a letter or `_`, then letters, digits, `_` or `-` (not last), and not a \
                                 keyword (and, or, not, in, within, where, true, false): `nato`, `eu`, `great-power`"
                            .to_string(),
                    };
                    self.diagnostics.push(
                        Diagnostic::new("E0002", format!("`{}` is not a valid tag", tag.value))
                            .primary(tag.span.clone(), "invalid tag")
                            .help(help),
                    );
                }
                let members = self.names.tags.entry(tag.value.clone()).or_default();
                if !members.contains(&PartyId(i as u16)) {
                    members.push(PartyId(i as u16));
                }
            }
        }
    }

    // ----- references -------------------------------------------------------------------

    fn unknown(&mut self, what: &str, name: &Sp<String>, known: Vec<String>, declare_hint: &str) {
        let help = match did_you_mean(&name.value, known.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => declare_hint.to_string(),
        };
        self.error(
            Diagnostic::new("E0101", format!("unknown {what} `{}`", name.value))
                .primary(
                    name.span.clone(),
                    if what == "tag" { "no party has this tag".to_string() } else { format!("no {what} has this id") },
                )
                .help(help),
        );
    }

    /// Resolves party ids and `#tag`s.
    fn parties_ref(&mut self, refs: &[Sp<String>]) -> Vec<PartyId> {
        let mut out = Vec::new();
        for r in refs {
            if let Some(tag) = r.value.strip_prefix('#') {
                match self.names.tags.get(tag) {
                    Some(members) => out.extend(members.iter().copied()),
                    None => {
                        let known: Vec<String> = self.names.tags.keys().map(|t| format!("#{t}")).collect();
                        self.unknown("tag", r, known, "tags are declared in the `tags` of [[party]] entries");
                    }
                }
            } else if let Some(id) = self.names.parties.get(&r.value) {
                out.push(*id);
            } else if self.names.bodies.contains_key(&r.value) {
                self.error(
                    Diagnostic::new("E0103", format!("`{}` is a body, but a party is expected here", r.value))
                        .primary(r.span.clone(), "a body")
                        .help("name its members, or a `#tag` they share"),
                );
            } else {
                let known = self.names.parties.keys().cloned().collect();
                self.unknown("party", r, known, "declare it with a [[party]] entry");
            }
        }
        let mut seen = Vec::new();
        out.retain(|p| {
            let new = !seen.contains(p);
            seen.push(*p);
            new
        });
        out
    }

    /// The declared id of a resolved party (for messages).
    fn party_name(&self, id: PartyId) -> String {
        self.names.parties.iter().find(|(_, v)| **v == id).map(|(k, _)| k.clone()).unwrap_or_default()
    }

    fn party_ref(&mut self, r: &Sp<String>) -> Option<PartyId> {
        if r.value.starts_with('#') {
            self.error(
                Diagnostic::new("E0103", format!("`{}` is a tag, but one party is expected here", r.value))
                    .primary(r.span.clone(), "a tag")
                    .help("name one party id"),
            );
            return None;
        }
        self.parties_ref(std::slice::from_ref(r)).first().copied()
    }

    fn region_ref(&mut self, r: &Sp<String>) -> Option<RegionId> {
        let found = self.names.regions.get(&r.value).copied();
        if found.is_none() {
            let known = self.names.regions.keys().cloned().collect();
            self.unknown("region", r, known, "declare it with a [[region]] entry");
        }
        found
    }

    fn source_ref(&mut self, r: &Sp<String>) -> Option<SourceId> {
        let found = self.names.sources.get(&r.value).copied();
        if found.is_none() {
            let known = self.names.sources.keys().cloned().collect();
            self.unknown("source", r, known, "declare it with a [[source]] entry");
        }
        found
    }

    // ----- sections ---------------------------------------------------------------------

    fn regions(&mut self, raw: &RawSpec) -> Vec<Region> {
        let regions: Vec<Region> = raw
            .region
            .iter()
            .map(|r| Region {
                id: r.id.value.clone(),
                name: r.name.clone().unwrap_or_else(|| r.id.value.clone()),
                parent: r.within.as_ref().and_then(|w| self.region_ref(w)),
                span: r.id.span.clone(),
            })
            .collect();
        for (i, region) in regions.iter().enumerate() {
            let mut current = region.parent;
            for _ in 0..regions.len() {
                match current {
                    Some(r) if r.index() == i => {
                        self.diagnostics.push(
                            Diagnostic::new("E0602", format!("region `{}` contains itself", region.id))
                                .primary(region.span.clone(), "on a containment cycle")
                                .help("`within` must form a tree: remove one `within` of the cycle"),
                        );
                        break;
                    }
                    Some(r) => current = regions[r.index()].parent,
                    None => break,
                }
            }
        }
        if self.diagnostics.iter().any(|d| d.code == "E0602") {
            // Break cycles so later walks terminate even on a broken model.
            return regions.into_iter().map(|r| Region { parent: None, ..r }).collect();
        }
        regions
    }

    fn parties(&mut self, raw: &RawSpec) -> Vec<Party> {
        raw.party
            .iter()
            .map(|p| {
                let territory = p.territory.iter().filter_map(|r| self.region_ref(r)).collect();
                let capacity = p
                    .capacity
                    .iter()
                    .filter_map(|(domain, amount)| {
                        let quantity = self.exact_quantity(amount, "a party's capacity")?;
                        self.check_domain_unit(domain.value, &quantity, amount);
                        Some((domain.value, quantity))
                    })
                    .collect();
                Party {
                    id: p.id.value.clone(),
                    name: p.name.clone().unwrap_or_else(|| p.id.value.clone()),
                    tags: p.tags.iter().map(|t| t.value.clone()).collect(),
                    territory,
                    capacity,
                    span: p.id.span.clone(),
                }
            })
            .collect()
    }

    fn framework(&mut self, f: &RawFramework) -> Framework {
        if f.protects.is_empty() {
            self.error(
                Diagnostic::new("E0104", "the framework protects nobody")
                    .primary(f.id.span.clone(), "in this framework")
                    .help("list the protected parties: `protects = [\"UA\"]`"),
            );
        }
        let protects = self.parties_ref(&f.protects);
        let threat = f.threat.as_ref().and_then(|t| self.party_ref(t));
        let dates: Vec<(&str, &Sp<crate::vocab::Date>)> =
            [("signed", &f.signed), ("in_force", &f.in_force), ("expires", &f.expires)]
                .into_iter()
                .filter_map(|(name, d)| d.as_ref().map(|d| (name, d)))
                .collect();
        for pair in dates.windows(2) {
            let ((a_name, a), (b_name, b)) = (pair[0], pair[1]);
            if b.value < a.value {
                self.error(
                    Diagnostic::new("E0304", format!("`{b_name}` ({}) is before `{a_name}` ({})", b.value, a.value))
                        .primary(b.span.clone(), "too early")
                        .secondary(a.span.clone(), format!("`{a_name}` is later"))
                        .help("dates run signed ≤ in_force ≤ expires"),
                );
            }
        }
        Framework {
            id: f.id.value.clone(),
            title: f.title.value.clone(),
            protects,
            threat,
            domains: f.domains.iter().map(|d| (d.value, d.span.clone())).collect(),
            signed: f.signed.as_ref().map(|d| d.value),
            in_force: f.in_force.as_ref().map(|d| d.value),
            expires: f.expires.as_ref().map(|d| d.value),
            duration: f.duration.as_ref().and_then(|d| self.duration(d)),
            notice: f.notice.as_ref().and_then(|d| self.duration(d)),
            condition: f.continuing.iter().chain(&f.condition).filter_map(|c| self.condition(c)).collect(),
            entry: f.entry.iter().filter_map(|c| self.condition(c)).collect(),
            unqualified_condition: f.condition.as_ref().map(|c| c.span.clone()),
            allow: {
                self.check_allow(&f.allow);
                f.allow.iter().map(|a| a.value.clone()).collect()
            },
            scenario: f.scenario.as_ref().map(|s| s.value.clone()),
            summary: f.summary.clone(),
            evidence: f.evidence.iter().filter_map(|e| self.one_evidence(e)).collect(),
        }
    }

    fn body(&mut self, b: &RawBody) -> Body {
        let members = self.parties_ref(&b.members);
        if b.members.is_empty() && b.other_seats == 0 {
            self.error(
                Diagnostic::new("E0104", format!("body `{}` has no members", b.id.value))
                    .primary(b.id.span.clone(), "no members")
                    .help("list its members: `members = [\"US\", \"UK\"]` or `[\"#nato\"]`"),
            );
        }
        let mut vetoes = Vec::new();
        for r in &b.vetoes {
            for veto in self.parties_ref(std::slice::from_ref(r)) {
                if !members.contains(&veto) {
                    self.error(
                        Diagnostic::new(
                            "E0603",
                            format!("veto player `{}` is not a member of `{}`", self.party_name(veto), b.id.value),
                        )
                        .primary(r.span.clone(), "not a member")
                        .help("add it to `members`, or remove it from `vetoes`"),
                    );
                } else if !vetoes.contains(&veto) {
                    vetoes.push(veto);
                }
            }
        }
        let rule_span = b.rule.span.clone();
        let misplaced = |this: &mut Self, name: &str, span: Span, rule: &str| {
            this.error(
                Diagnostic::new("E0603", format!("`{name}` does not apply to the `{}` rule", b.rule.value))
                    .primary(span, "ignored by this rule")
                    .secondary(rule_span.clone(), "the rule")
                    .help(format!("`{name}` goes with rule = \"{rule}\"; remove it or change the rule")),
            );
        };
        use crate::vocab::RuleKind as R;
        if let (Some(t), false) = (&b.threshold, b.rule.value == R::Qualified) {
            misplaced(self, "threshold", t.span.clone(), "qualified");
        }
        if let (Some(q), false) = (&b.quota, b.rule.value == R::Quota) {
            misplaced(self, "quota", q.span.clone(), "quota");
        }
        if let (Some((k, _)), false) = (b.weights.iter().next(), b.rule.value == R::Quota) {
            misplaced(self, "weights", k.span.clone(), "quota");
        }
        let rule = match b.rule.value {
            R::Unanimity => Rule::Unanimity,
            R::Consensus => Rule::Consensus,
            R::Majority => Rule::Majority,
            R::Qualified => {
                match &b.threshold {
                    Some(t) if t.value > 0.0 && t.value <= 1.0 => Rule::Qualified { threshold: t.value },
                    Some(t) => {
                        self.error(
                        Diagnostic::new("E0402", format!("threshold {} is outside (0, 1]", t.value))
                            .primary(t.span.clone(), "a fraction of the seats is expected")
                            .help("yes votes must reach threshold × seats, rounded up: two thirds is `threshold = 0.6666` (0.6667 of 15 seats needs 11)"),
                    );
                        Rule::Qualified { threshold: 1.0 }
                    }
                    None => {
                        self.error(
                        Diagnostic::new(
                            "E0603",
                            format!("the qualified-majority body `{}` has no threshold", b.id.value),
                        )
                        .primary(rule_span.clone(), "needs `threshold`")
                        .help("add `threshold = 0.6666` for two thirds (yes votes ≥ threshold × all seats, rounded up)"),
                    );
                        Rule::Qualified { threshold: 1.0 }
                    }
                }
            }
            R::Quota => {
                let mut weights = vec![1.0; members.len()];
                for (party, weight) in &b.weights {
                    if !weight.value.is_finite() || weight.value < 0.0 {
                        self.error(
                            Diagnostic::new("E0402", format!("weight {} is negative or not a number", weight.value))
                                .primary(weight.span.clone(), "weights are zero or more"),
                        );
                        continue;
                    }
                    if let Some(p) = self.party_ref(party) {
                        match members.iter().position(|m| *m == p) {
                            Some(i) => weights[i] = weight.value,
                            None => self.error(
                                Diagnostic::new(
                                    "E0603",
                                    format!("`{}` has a weight but is not a member of `{}`", party.value, b.id.value),
                                )
                                .primary(party.span.clone(), "not a member"),
                            ),
                        }
                    }
                }
                match &b.quota {
                    Some(q) if q.value > 0.0 && q.value.is_finite() => Rule::Quota { quota: q.value, weights },
                    Some(q) => {
                        self.error(
                            Diagnostic::new("E0402", format!("quota {} is not positive", q.value))
                                .primary(q.span.clone(), "must be > 0"),
                        );
                        Rule::Quota { quota: 1.0, weights }
                    }
                    None => {
                        self.error(
                            Diagnostic::new("E0603", format!("the quota body `{}` has no quota", b.id.value))
                                .primary(rule_span.clone(), "needs `quota`")
                                .help("add `quota = 9` (the total weight of yes votes needed)"),
                        );
                        Rule::Quota { quota: 1.0, weights }
                    }
                }
            }
        };
        Body {
            id: b.id.value.clone(),
            name: b.name.clone().unwrap_or_else(|| b.id.value.clone()),
            members,
            rule,
            vetoes,
            other_seats: b.other_seats,
            span: b.id.span.clone(),
        }
    }

    fn commitment(&mut self, c: &RawCommitment) -> Commitment {
        let by = self.obligor(c);
        if c.to.is_empty() {
            self.error(
                Diagnostic::new("E0104", format!("commitment `{}` is owed to nobody", c.id.value))
                    .primary(c.id.span.clone(), "empty `to`")
                    .help("name the beneficiaries: `to = [\"UA\"]`"),
            );
        }
        let to = self.parties_ref(&c.to);
        let amount = c.amount.as_ref().and_then(|a| {
            let q = self.quantity(a)?;
            self.check_kind_unit(c.kind.value, &q, a, &c.kind.span);
            Some(q)
        });
        let backs = match (&c.backs, c.kind.value) {
            (Some(b), Kind::Backstop) => {
                let found = self.names.commitments.get(&b.value).copied();
                if found.is_none() {
                    let known = self.names.commitments.keys().cloned().collect();
                    self.unknown("commitment", b, known, "name the id of the commitment this one backs");
                }
                found
            }
            (Some(b), kind) => {
                self.error(
                    Diagnostic::new("E0601", format!("`backs` on a `{kind}` commitment"))
                        .primary(b.span.clone(), "only backstops back other commitments")
                        .secondary(c.kind.span.clone(), "the kind")
                        .help("set `kind = \"backstop\"` or remove `backs`"),
                );
                None
            }
            (None, Kind::Backstop) => {
                self.error(
                    Diagnostic::new("E0601", format!("backstop `{}` does not say what it backs", c.id.value))
                        .primary(c.kind.span.clone(), "a backstop")
                        .help("add `backs = \"<commitment id>\"`"),
                );
                None
            }
            (None, _) => None,
        };
        if c.kind.value == Kind::Sanctions {
            self.check_sanctions_domains(c);
        }
        let trigger = c.trigger.as_ref().and_then(|t| self.trigger(t));
        let entry = c.entry.iter().filter_map(|e| self.condition(e)).collect();
        let conditions = c.continuing.iter().chain(&c.conditions).filter_map(|e| self.condition(e)).collect();
        let unless = c.unless.iter().filter_map(|e| self.condition(e)).collect();
        let void_if = c.void_if.as_ref().and_then(|t| self.trigger(t));
        let scope = c.scope.iter().filter_map(|r| self.region_ref(r)).collect();
        let scope_except = c.scope_except.iter().filter_map(|r| self.region_ref(r)).collect();
        self.check_allow(&c.allow);
        let evidence = self.evidence(&c.evidence, &c.id, "commitment");
        Commitment {
            id: c.id.value.clone(),
            title: c.title.clone(),
            article: c.article.clone(),
            by,
            to,
            kind: c.kind.value,
            domains: c.domains.iter().map(|d| d.value).collect(),
            amount,
            backs,
            trigger,
            entry,
            conditions,
            unqualified_conditions: c.conditions.iter().map(|k| k.span.clone()).collect(),
            status: c.status.as_ref().map_or(crate::vocab::Status::implied_by(c.strength.value), |s| s.value),
            status_span: c.status.as_ref().map(|s| s.span.clone()),
            unless,
            void_if,
            framework_condition: c.framework_condition,
            scope,
            scope_except,
            modality: c.modality.value,
            strength: c.strength.value,
            deadline: self.deadline(c),
            soft_deadline: c.soft_deadline.is_some(),
            duration: c.duration.as_ref().and_then(|d| self.duration(d)),
            allow: c.allow.iter().map(|a| a.value.clone()).collect(),
            evidence,
            option: None,
            notes: c.notes.clone(),
            span: c.id.span.clone(),
        }
    }

    /// `deadline` or `soft_deadline` (at most one: E0613).
    fn deadline(&mut self, c: &RawCommitment) -> Option<Duration> {
        if let (Some(hard), Some(soft)) = (&c.deadline, &c.soft_deadline) {
            self.error(
                Diagnostic::new("E0613", format!("commitment `{}` has both `deadline` and `soft_deadline`", c.id.value))
                    .primary(soft.span.clone(), "a soft deadline")
                    .secondary(hard.span.clone(), "a hard deadline")
                    .help("keep one: `deadline` when missing it fails the commitment, `soft_deadline` when the text only aims at it (\"where possible within 24 hours\")"),
            );
            return None;
        }
        c.deadline.as_ref().or(c.soft_deadline.as_ref()).and_then(|d| self.duration(d))
    }

    fn check_allow(&mut self, allow: &[Sp<String>]) {
        let known_lints: Vec<&str> = lint_names().collect();
        for a in allow {
            if !known_lints.contains(&a.value.as_str()) {
                let help = match did_you_mean(&a.value, known_lints.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? Lints: {}", known_lints.join(", ")),
                    None => format!("lints: {}", known_lints.join(", ")),
                };
                self.error(
                    Diagnostic::new("E0604", format!("unknown lint `{}`", a.value))
                        .primary(a.span.clone(), "not a lint")
                        .help(help),
                );
            }
        }
    }

    fn obligor(&mut self, c: &RawCommitment) -> Obligor {
        if c.by.is_empty() {
            self.error(
                Diagnostic::new("E0104", format!("commitment `{}` obliges nobody", c.id.value))
                    .primary(c.id.span.clone(), "empty `by`")
                    .help("name the obliged parties: `by = [\"UK\", \"FR\"]`, a tag `[\"#nato\"]`, or one body"),
            );
            return Obligor::Parties(Vec::new());
        }
        let mut bodies: Vec<(&Sp<String>, BodyId)> =
            c.by.iter().filter_map(|r| self.names.bodies.get(&r.value).map(|b| (r, *b))).collect();
        bodies.dedup_by_key(|(_, b)| *b);
        let only_bodies = c.by.iter().all(|r| self.names.bodies.contains_key(&r.value));
        if only_bodies && bodies.len() > 1 {
            self.error(
                Diagnostic::new("E0103", "a commitment is owed by at most one body")
                    .primary(bodies[1].0.span.clone(), "a second body")
                    .help("split it into one commitment per body"),
            );
            return Obligor::Parties(Vec::new());
        }
        if only_bodies && let Some((_, body)) = bodies.first() {
            return Obligor::Body(*body);
        }
        match bodies.first() {
            None => Obligor::Parties(self.parties_ref(&c.by)),
            Some((r, _)) => {
                self.error(
                    Diagnostic::new("E0103", "a commitment is owed by parties or by one body, not both")
                        .primary(r.span.clone(), "a body")
                        .help("split it into one commitment by the body and one by the parties"),
                );
                Obligor::Parties(Vec::new())
            }
        }
    }

    fn red_line(&mut self, r: &RawRedLine) -> RedLine {
        let party = self.party_ref(&r.party).unwrap_or(PartyId(0));
        let matches = r.matches.as_ref().map(|m| Selector {
            by: self.parties_ref(&m.value.by),
            kinds: m.value.kinds.iter().map(|k| k.value).collect(),
            domains: m.value.domains.iter().map(|d| d.value).collect(),
            regions: m.value.regions.iter().filter_map(|reg| self.region_ref(reg)).collect(),
        });
        RedLine {
            id: r.id.value.clone(),
            party,
            kind: r.kind.value,
            statement: r.statement.clone(),
            matches,
            response: r.response.clone(),
            domains: self.red_line_domains(r),
            strength: r.strength.value,
            evidence: self.evidence(&r.evidence, &r.id, "red line"),
            option: None,
            span: r.id.span.clone(),
        }
    }

    /// A red line's own `domains`: exclusions only, and each domain named once.
    fn red_line_domains(&mut self, r: &RawRedLine) -> Vec<Domain> {
        if let (Some(first), false) = (r.domains.first(), r.kind.value == RedLineKind::Exclusion) {
            self.error(
                Diagnostic::new(
                    "E0606",
                    format!(
                        "red line `{}` is a {}: `domains` limits exclusions only",
                        r.id.value,
                        r.kind.value.as_str()
                    ),
                )
                .primary(first.span.clone(), "`domains` on a red line that excludes nothing")
                .help("remove `domains`; to say which clauses the red line is about, use `matches.domains`"),
            );
            return Vec::new();
        }
        let mut out: Vec<Domain> = Vec::new();
        for d in &r.domains {
            if !out.contains(&d.value) {
                out.push(d.value);
            }
        }
        out
    }

    fn exceptions(&mut self, raw: &RawSpec) -> Vec<Exception> {
        let mut out = Vec::new();
        for x in &raw.exception {
            let mut commitments = Vec::new();
            for r in &x.commitments {
                match self.names.commitments.get(&r.value) {
                    Some(id) => commitments.push(*id),
                    None => {
                        let known = self.names.commitments.keys().cloned().collect();
                        self.unknown("commitment", r, known, "name the commitments this exception qualifies");
                    }
                }
            }
            if x.commitments.is_empty() {
                self.error(
                    Diagnostic::new("E0104", format!("exception `{}` qualifies no commitment", x.id.value))
                        .primary(x.id.span.clone(), "empty `commitments`")
                        .help("list the commitments it qualifies: `commitments = [\"art5\"]`"),
                );
            }
            let mut overrides = Vec::new();
            for r in &x.overrides {
                match self.names.exceptions.get(&r.value) {
                    Some(id) => overrides.push(*id),
                    None => {
                        let known = self.names.exceptions.keys().cloned().collect();
                        self.unknown("exception", r, known, "name another [[exception]]");
                    }
                }
            }
            let excuse = x.effect.value == ExceptionEffect::Excuse;
            let when = match &x.when {
                Some(w) => self.condition(w),
                None if excuse => self.condition(&Sp { value: "true".into(), span: x.effect.span.clone() }),
                None => {
                    self.error(
                        Diagnostic::new("E0610", format!("exception `{}` does not say when it holds", x.id.value))
                            .primary(x.effect.span.clone(), "a `suspend` or `apply` exception needs `when`")
                            .help("add a condition over the state: `when = \"attacked(UA) and not ceasefire\"`"),
                    );
                    None
                }
            };
            let acts = match (&x.acts, excuse) {
                (Some(a), true) => self.trigger(a).filter(|t| {
                    let breaching = |k: &expr::EventKind| matches!(k, expr::EventKind::ArmedAttack | expr::EventKind::Threat);
                    let any = t.trigger.alternatives.iter().any(|(k, _)| breaching(k));
                    if !any {
                        self.error(
                            Diagnostic::new("E0610", format!("`excuse` exception `{}` names no act that could breach", x.id.value))
                                .primary(a.span.clone(), "no `armed_attack` or `threat` alternative")
                                .help("only armed attacks and threats breach a refrain: `acts = \"armed_attack where provoked\"`"),
                        );
                    }
                    any
                }),
                (None, true) => {
                    self.error(
                        Diagnostic::new("E0610", format!("`excuse` exception `{}` names no acts", x.id.value))
                            .primary(x.effect.span.clone(), "excuses nothing without `acts`")
                            .help(
                                "name the acts that do not breach the clause: `acts = \"armed_attack where provoked\"`",
                            ),
                    );
                    None
                }
                (Some(a), false) => {
                    self.error(
                        Diagnostic::new(
                            "E0610",
                            format!("`acts` on a `{:?}` exception", x.effect.value).to_lowercase(),
                        )
                        .primary(a.span.clone(), "only an `excuse` exception names acts")
                        .secondary(x.effect.span.clone(), "the effect")
                        .help("set `effect = \"excuse\"` (on a `refrain` clause), or remove `acts`"),
                    );
                    None
                }
                (None, false) => None,
            };
            if excuse {
                let named: Vec<(&Sp<String>, CommitmentId)> = x
                    .commitments
                    .iter()
                    .filter_map(|r| self.names.commitments.get(&r.value).map(|id| (r, *id)))
                    .collect();
                for (r, id) in named {
                    let kind = raw.commitment.get(id.index()).map(|c| c.kind.value);
                    if let Some(kind) = kind.filter(|k| *k != Kind::Refrain) {
                        self.error(
                            Diagnostic::new("E0611", format!("`excuse` exception `{}` qualifies a `{kind}` commitment", x.id.value))
                                .primary(r.span.clone(), "not a `refrain`: no act breaches it")
                                .help("only `refrain` clauses are breached, so only they can excuse acts; use `suspend` to set another clause aside"),
                        );
                    }
                }
                if let Some(o) = x.overrides.first() {
                    self.error(
                        Diagnostic::new("E0612", format!("`excuse` exception `{}` overrides another exception", x.id.value))
                            .primary(o.span.clone(), "excuses take no part in precedence")
                            .help("an excuse applies to breaching acts, not to whether the clause applies: remove `overrides`"),
                    );
                }
            }
            let evidence = self.evidence(&x.evidence, &x.id, "exception");
            if let Some(when) = when
                && (acts.is_some() || !excuse)
            {
                out.push(Exception {
                    id: x.id.value.clone(),
                    commitments,
                    when,
                    effect: x.effect.value,
                    acts,
                    overrides,
                    evidence,
                    span: x.id.span.clone(),
                });
            }
        }
        // An `excuse` exception cannot be overridden either: it is not a reading of the clause.
        for x in &raw.exception {
            for o in &x.overrides {
                let target = raw.exception.iter().find(|y| y.id.value == o.value);
                if let Some(y) = target.filter(|y| y.effect.value == ExceptionEffect::Excuse)
                    && x.effect.value != ExceptionEffect::Excuse
                {
                    self.error(
                        Diagnostic::new("E0612", format!("exception `{}` overrides `excuse` exception `{}`", x.id.value, y.id.value))
                            .primary(o.span.clone(), "excuses take no part in precedence")
                            .secondary(y.effect.span.clone(), "an excuse")
                            .help("an excuse applies to breaching acts, not to whether the clause applies: remove it from `overrides`"),
                    );
                }
            }
        }
        // Precedence must be a partial order: no exception may override itself, even indirectly.
        // Ids index the declared exceptions; `out` skips those whose `when` did not parse, so
        // ids are compared with ids, never with positions in `out`.
        for x in &out {
            let Some(&own) = self.names.exceptions.get(&x.id) else { continue };
            let mut seen = vec![false; raw.exception.len()];
            let mut stack: Vec<ExceptionId> = x.overrides.clone();
            while let Some(next) = stack.pop() {
                if next == own {
                    self.diagnostics.push(
                        Diagnostic::new("E0605", format!("exception `{}` overrides itself through `overrides`", x.id))
                            .primary(x.span.clone(), "on a cycle of precedence")
                            .help("precedence between exceptions must not loop: remove one `overrides` entry"),
                    );
                    break;
                }
                if std::mem::replace(&mut seen[next.index()], true) {
                    continue;
                }
                if let Some(other) = out.iter().find(|o| self.names.exceptions.get(&o.id) == Some(&next)) {
                    stack.extend(other.overrides.iter().copied());
                }
            }
        }
        out
    }

    fn variant(
        &mut self,
        vid: VariantId,
        v: &RawVariant,
        commitments: &mut [Commitment],
        red_lines: &mut [RedLine],
    ) -> Variant {
        declare(&mut self.diagnostics, "variant option", v.option.iter().map(|o| &o.id), |i| i);
        let mut options = Vec::new();
        let mut total = 0.0;
        for (index, o) in v.option.iter().enumerate() {
            if !(0.0..=1.0).contains(&o.weight.value) {
                self.error(
                    Diagnostic::new("E0402", format!("weight {} is outside [0, 1]", o.weight.value))
                        .primary(o.weight.span.clone(), "not a probability")
                        .help("weights are analyst probabilities: each in [0, 1], summing to 1 per variant"),
                );
            }
            total += o.weight.value;
            let mut ids = Vec::new();
            for r in &o.commitments {
                let Some(id) = self.names.commitments.get(&r.value).copied() else {
                    let known = self.names.commitments.keys().cloned().collect();
                    self.unknown("commitment", r, known, "list ids of [[commitment]] entries");
                    continue;
                };
                let c = &mut commitments[id.index()];
                if let Some(first) = self.claimed.iter().find(|(claimed, _)| *claimed == id.index()) {
                    self.diagnostics.push(
                        Diagnostic::new("E0403", format!("commitment `{}` is already in another variant option", r.value))
                            .primary(r.span.clone(), "listed again here")
                            .secondary(first.1.clone(), "first listed here")
                            .help("a commitment exists in at most one reading: duplicate it under another id if two readings share it"),
                    );
                    continue;
                }
                self.claimed.push((id.index(), r.span.clone()));
                c.option = Some((vid, index));
                ids.push(id);
            }
            let mut lines = Vec::new();
            for r in &o.red_lines {
                let Some(id) = self.names.red_lines.get(&r.value).copied() else {
                    let known = self.names.red_lines.keys().cloned().collect();
                    self.unknown("red line", r, known, "list ids of [[red_line]] entries");
                    continue;
                };
                let line = &mut red_lines[id.index()];
                if let Some(first) = self.claimed_lines.iter().find(|(claimed, _)| *claimed == id.index()) {
                    self.diagnostics.push(
                        Diagnostic::new(
                            "E0403",
                            format!("red line `{}` is already in another variant option", r.value),
                        )
                        .primary(r.span.clone(), "listed again here")
                        .secondary(first.1.clone(), "first listed here"),
                    );
                    continue;
                }
                self.claimed_lines.push((id.index(), r.span.clone()));
                if !line.domains.is_empty() {
                    self.diagnostics.push(
                        Diagnostic::new(
                            "E0606",
                            format!("red line `{}` excludes only some domains and cannot be in a variant option", r.value),
                        )
                        .primary(r.span.clone(), "a domain-limited exclusion listed by an option")
                        .secondary(line.span.clone(), "its `domains` are here")
                        .help(
                            "a domain-limited exclusion changes what a party pledges, which the simulation fixes per \
                             clause and party; keep it outside the variant, or drop `domains` to exclude the whole clause",
                        ),
                    );
                    continue;
                }
                line.option = Some((vid, index));
                lines.push(id);
            }
            options.push(VariantOption {
                id: o.id.value.clone(),
                summary: o.summary.clone(),
                weight: o.weight.value,
                commitments: ids,
                red_lines: lines,
                evidence: self.evidence(&o.evidence, &o.id, "variant option"),
                span: o.id.span.clone(),
            });
        }
        if v.option.is_empty() {
            self.error(
                Diagnostic::new("E0104", format!("variant `{}` has no options", v.id.value))
                    .primary(v.id.span.clone(), "no [[variant.option]]")
                    .help("give each reading a [[variant.option]] with a weight"),
            );
        } else if (total - 1.0).abs() > 1e-6 {
            let mut d = Diagnostic::new(
                "E0401",
                format!("the option weights of variant `{}` sum to {}, not 1", v.id.value, round6(total)),
            )
            .primary(v.id.span.clone(), format!("weights sum to {}", round6(total)))
            .help("analyst weights are probabilities of each reading: make them sum to 1");
            for o in &v.option {
                d = d.secondary(o.weight.span.clone(), format!("`{}`", o.id.value));
            }
            self.error(d);
        }
        Variant {
            id: v.id.value.clone(),
            question: v.question.clone(),
            options,
            evidence: v.evidence.iter().filter_map(|e| self.one_evidence(e)).collect(),
            span: v.id.span.clone(),
        }
    }

    fn evidence(&mut self, raw: &[RawEvidence], owner: &Sp<String>, what: &str) -> Vec<Evidence> {
        if raw.is_empty() {
            self.error(
                Diagnostic::new("E0501", format!("{what} `{}` has no evidence", owner.value))
                    .primary(owner.span.clone(), "no [[...evidence]] entry")
                    .help("cite a verbatim quote: add an evidence table with `source` (a [[source]] id) and `quote`"),
            );
        }
        raw.iter().filter_map(|e| self.one_evidence(e)).collect()
    }

    fn one_evidence(&mut self, e: &RawEvidence) -> Option<Evidence> {
        if e.quote.value.trim().is_empty() {
            self.error(
                Diagnostic::new("E0502", "empty evidence quote")
                    .primary(e.quote.span.clone(), "no words quoted")
                    .help("quote the source's exact words"),
            );
        }
        let source = self.source_ref(&e.source)?;
        Some(Evidence {
            source,
            quote: e.quote.value.clone(),
            quote_span: e.quote.span.clone(),
            speaker: e.speaker.clone(),
            // A quote's own `via`, else its source's (a source second hand throughout).
            via: e.via.clone().or_else(|| self.names.source_via.get(source.index()).cloned().flatten()),
            date: e.date.as_ref().map(|d| d.value),
        })
    }

    // ----- values -----------------------------------------------------------------------

    fn quantity(&mut self, text: &Sp<String>) -> Option<Quantity> {
        match parse_quantity(&text.value) {
            Ok(q) => Some(q),
            Err(err) => {
                self.error(
                    Diagnostic::new("E0301", err.message).primary(text.span.clone(), "bad amount").help(err.help),
                );
                None
            }
        }
    }

    /// An amount that must be exact: a range is an error (`what` says whose amount it is).
    fn exact_quantity(&mut self, text: &Sp<String>, what: &str) -> Option<Quantity> {
        let q = self.quantity(text)?;
        if q.low.is_some() {
            self.error(
                Diagnostic::new("E0301", format!("{what} takes one amount, not a range"))
                    .primary(text.span.clone(), "a range")
                    .help("ranges are for what a commitment pledges; give the best-supported single figure here"),
            );
            return None;
        }
        Some(q)
    }

    fn duration(&mut self, text: &Sp<String>) -> Option<Duration> {
        match parse_duration(&text.value) {
            Ok(d) => Some(d),
            Err(err) => {
                self.error(
                    Diagnostic::new("E0303", err.message).primary(text.span.clone(), "bad duration").help(err.help),
                );
                None
            }
        }
    }

    /// `appropriated(C)` must name a commitment that acts (E0609): funds are appropriated for
    /// aid, forces or sanctions, not for consultations, refraining or seeking a decision.
    fn check_appropriated(&mut self, framework: &Framework, commitments: &[Commitment], exceptions: &[Exception]) {
        let mut exprs: Vec<&Typed> = Vec::new();
        let conditions = framework.condition.iter().chain(&framework.entry);
        exprs.extend(conditions.map(|k| &k.expr));
        for c in commitments {
            exprs.extend(c.entry.iter().chain(&c.conditions).chain(&c.unless).map(|k| &k.expr));
            for t in c.trigger.iter().chain(&c.void_if) {
                exprs.extend(t.trigger.alternatives.iter().filter_map(|(_, f)| f.as_ref()));
            }
        }
        exprs.extend(exceptions.iter().map(|x| &x.when.expr));
        for t in exceptions.iter().filter_map(|x| x.acts.as_ref()) {
            exprs.extend(t.trigger.alternatives.iter().filter_map(|(_, f)| f.as_ref()));
        }
        let mut found = Vec::new();
        for e in exprs {
            e.walk(&mut |n| {
                if let Node::State(StateFn::Appropriated, args) = &n.node
                    && let Some(Node::Const(Value::Commitment(c))) = args.first().map(|a| &a.node)
                    && let Some(target) = commitments.get(c.index())
                    && !crate::coverage::acts(target.kind)
                {
                    found.push((n.span.clone(), target.id.clone(), target.kind, target.span.clone()));
                }
            });
        }
        for (span, id, kind, at) in found {
            self.error(
                Diagnostic::new("E0609", format!("`appropriated({id})` names a `{kind}` commitment, which spends no funds"))
                    .primary(span, "funds for a clause that does not act")
                    .secondary(at, format!("`{id}` is a `{kind}` clause"))
                    .help("name the clause that the appropriation pays for (finance, supply, assist ...); a meeting or a refraining needs no appropriation"),
            );
        }
    }

    /// A `sanctions` commitment acts in the `sanctions` domain and no other (E0607): sanctions
    /// and export controls are economic measures, and the domain is what an `action` fulfilling
    /// it, and a simulated need, are matched on.
    fn check_sanctions_domains(&mut self, c: &RawCommitment) {
        if let Some(other) = c.domains.iter().find(|d| d.value != Domain::Sanctions) {
            self.error(
                Diagnostic::new(
                    "E0607",
                    format!("sanctions commitment `{}` acts in `{}`", c.id.value, other.value),
                )
                .primary(other.span.clone(), "not the `sanctions` domain")
                .secondary(c.kind.span.clone(), "the kind")
                .help("a `sanctions` commitment acts in `domains = [\"sanctions\"]` only; an act of force or aid is another commitment of its own kind"),
            );
        } else if c.domains.is_empty() {
            self.error(
                Diagnostic::new("E0607", format!("sanctions commitment `{}` names no domain", c.id.value))
                    .primary(c.kind.span.clone(), "a `sanctions` commitment")
                    .help("add `domains = [\"sanctions\"]`: an `action` fulfils it by that domain, or by naming it"),
            );
        }
    }

    fn check_kind_unit(&mut self, kind: Kind, q: &Quantity, at: &Sp<String>, kind_span: &Span) {
        use Dimension::*;
        let allowed: &[Dimension] = match kind {
            Kind::Finance => &[Money],
            Kind::Deploy | Kind::Defend | Kind::Backstop | Kind::Monitor => &[Personnel, Formations, Materiel],
            Kind::Train => &[Personnel, Formations],
            Kind::Supply => &[Materiel, Money],
            Kind::Assist => &[Personnel, Formations, Materiel, Money],
            Kind::Consult | Kind::Refrain | Kind::Seek | Kind::Sanctions => &[],
        };
        if !allowed.contains(&q.dimension) {
            let help = if allowed.is_empty() {
                format!("a `{kind}` commitment has no amount: remove it")
            } else {
                format!(
                    "a `{kind}` commitment is measured in {}",
                    allowed.iter().map(|d| d.name()).collect::<Vec<_>>().join(" or ")
                )
            };
            self.error(
                Diagnostic::new(
                    "E0302",
                    format!("`{}` measures {}, which does not fit a `{kind}` commitment", q.unit, q.dimension.name()),
                )
                .primary(at.span.clone(), format!("{} amount", q.dimension.name()))
                .secondary(kind_span.clone(), "the kind")
                .help(help),
            );
        }
    }

    fn check_domain_unit(&mut self, domain: Domain, q: &Quantity, at: &Sp<String>) {
        let fits = match domain {
            Domain::Financing => q.dimension == Dimension::Money,
            Domain::Land | Domain::Air | Domain::AirDefence | Domain::Maritime => q.dimension != Dimension::Money,
            _ => true,
        };
        if !fits {
            self.error(
                Diagnostic::new("E0302", format!("a {} capacity in `{}`", domain, q.unit))
                    .primary(at.span.clone(), format!("{} amount", q.dimension.name()))
                    .help(if domain == Domain::Financing {
                        "financing capacity is money: USD, EUR or GBP".to_string()
                    } else {
                        format!("{domain} capacity is forces or equipment (troops, aircraft, ships ...), not money")
                    }),
            );
        }
    }

    fn condition(&mut self, text: &Sp<String>) -> Option<Condition> {
        let (offset, exact) = self.string_offset(text);
        let shift = |span: Span| if exact { offset + span.start..offset + span.end } else { text.span.clone() };
        let parsed = match expr::parse_condition(&text.value) {
            Ok(parsed) => parsed,
            Err(err) => {
                self.expr_error("E0201", err.message, shift(err.span), err.label, err.help);
                return None;
            }
        };
        match expr::check_condition(&parsed, &self.names) {
            Ok(typed) => {
                Some(Condition { text: text.value.clone(), expr: shift_typed(typed, &shift), span: text.span.clone() })
            }
            Err(err) => {
                self.expr_error("E0202", err.message, shift(err.span), err.label, err.help);
                None
            }
        }
    }

    fn trigger(&mut self, text: &Sp<String>) -> Option<TriggerSpec> {
        let (offset, exact) = self.string_offset(text);
        let shift = |span: Span| if exact { offset + span.start..offset + span.end } else { text.span.clone() };
        let parsed = match expr::parse_pattern(&text.value) {
            Ok(parsed) => parsed,
            Err(err) => {
                self.expr_error("E0201", err.message, shift(err.span), err.label, err.help);
                return None;
            }
        };
        match expr::check_pattern(&parsed, &self.names) {
            Ok(mut trigger) => {
                for (_, filter) in &mut trigger.alternatives {
                    if let Some(f) = filter.take() {
                        *filter = Some(shift_typed(f, &shift));
                    }
                }
                Some(TriggerSpec { text: text.value.clone(), trigger, span: text.span.clone() })
            }
            Err(err) => {
                self.expr_error("E0202", err.message, shift(err.span), err.label, err.help);
                None
            }
        }
    }

    fn expr_error(&mut self, code: &'static str, message: String, span: Span, label: String, help: Option<String>) {
        let mut d = Diagnostic::new(code, message).primary(span, label);
        d.help = help;
        self.error(d);
    }

    /// Where the string's content starts in the file, and whether file bytes and string
    /// value coincide (no escapes), so expression spans map one to one.
    fn string_offset(&self, text: &Sp<String>) -> (usize, bool) {
        let raw = self.text.get(text.span.clone()).unwrap_or("");
        let mut start = text.span.start;
        if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            start += 3;
            let rest = self.text.get(start..).unwrap_or("");
            if rest.starts_with("\r\n") {
                start += 2;
            } else if rest.starts_with('\n') {
                start += 1;
            }
        } else if raw.starts_with('"') || raw.starts_with('\'') {
            start += 1;
        }
        let exact = self.text.get(start..start + text.value.len()) == Some(text.value.as_str());
        (start, exact)
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn shift_typed(mut typed: crate::expr::Typed, shift: &impl Fn(Span) -> Span) -> crate::expr::Typed {
    use crate::expr::Node;
    typed.span = shift(typed.span);
    typed.node = match typed.node {
        Node::State(f, args) => Node::State(f, args.into_iter().map(|a| shift_typed(a, shift)).collect()),
        Node::List(items) => Node::List(items.into_iter().map(|a| shift_typed(a, shift)).collect()),
        Node::Not(a) => Node::Not(Box::new(shift_typed(*a, shift))),
        Node::And(a, b) => Node::And(Box::new(shift_typed(*a, shift)), Box::new(shift_typed(*b, shift))),
        Node::Or(a, b) => Node::Or(Box::new(shift_typed(*a, shift)), Box::new(shift_typed(*b, shift))),
        Node::Compare(op, a, b) => {
            Node::Compare(op, Box::new(shift_typed(*a, shift)), Box::new(shift_typed(*b, shift)))
        }
        Node::In(a, b) => Node::In(Box::new(shift_typed(*a, shift)), Box::new(shift_typed(*b, shift))),
        Node::Within(a, b) => Node::Within(Box::new(shift_typed(*a, shift)), Box::new(shift_typed(*b, shift))),
        leaf => leaf,
    };
    typed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_identifiers_of_the_expression_language() {
        for good in ["nato", "eu", "p5", "great-power", "mnf-u-lead", "_x"] {
            assert!(valid_tag(good), "{good}");
        }
        for bad in ["", "#eu", "e u", "5eyes", "eu-", "and", "not", "é", "nato,eu"] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }
}
