//! `ironclad obligations`: who must do what, when, on a scenario — and why, or why not.

use std::fmt::Write;
use std::path::Path;

use ironclad_engine::compile::{Compiled, StateAtom};
use ironclad_engine::eval::Verdict;
use ironclad_engine::timeline::{self, Cause, Obligation, Replay, WhyNot, Witness};
use ironclad_spec::coverage::acts;
use ironclad_spec::diagnostic::line_col;
use ironclad_spec::model::{CommitmentId, PartyId, Spec};
use ironclad_spec::scenario::Scenario;
use ironclad_spec::vocab::Domain;
use serde_json::{Value, json};

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use crate::input::{load_scenario, load_valid, pinned_variants};

/// The command's options, validated close to the command line.
pub struct Options<'a> {
    pub spec: &'a Path,
    pub scenario: &'a Path,
    pub at: Option<&'a str>,
    pub variants: &'a [String],
    pub json: bool,
    pub explain: bool,
    pub why_not: Option<&'a str>,
    pub color: bool,
}

pub fn run(o: &Options) -> u8 {
    let loaded = match load_valid(o.spec, "obligations", o.color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let spec = loaded.analysis.spec.as_ref().expect("load_valid returns valid specs");
    let scenario_name = o.scenario.display().to_string();
    let scenario = match load_scenario(o.scenario, spec, "obligations", o.color) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    let compiled = match Compiled::new(spec) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERRORS;
        }
    };
    let selection = match select(spec, o.variants) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let at = match o.at.map(|a| parse_at(a, &scenario)).transpose() {
        Ok(at) => at,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let why_not = match o.why_not.map(|w| parse_why_not(w, spec)).transpose() {
        Ok(w) => w,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let replay = timeline::replay(spec, &compiled, &scenario, selection.clone(), at);
    let ctx = Ctx {
        spec,
        spec_name: &loaded.name,
        spec_text: &loaded.text,
        scenario: &scenario,
        scenario_name: &scenario_name,
        compiled: &compiled,
    };
    let why = why_not.map(|(party, domain)| {
        let all = timeline::why_not(spec, &compiled, &scenario, selection.clone(), Some(replay.at), party);
        let relevant: Vec<WhyNot> = all
            .into_iter()
            .filter(|w| domain.is_none_or(|d| spec.commitment(w.commitment).domains.contains(&d)))
            .collect();
        (party, domain, relevant)
    });
    if o.json {
        let mut report = ctx.json(&replay, &selection, o.explain);
        if let Some((party, domain, entries)) = &why {
            report["why_not"] = json!({
                "party": spec.party(*party).id,
                "domain": domain.map(|d| d.as_str()),
                "commitments": entries.iter().map(|w| ctx.why_not_json(*party, w, &replay)).collect::<Vec<_>>(),
            });
        }
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        let mut out = ctx.text(&replay, &selection, o.explain);
        if let Some((party, domain, entries)) = &why {
            out.push_str(&ctx.why_not_text(*party, *domain, entries, &replay));
        }
        print!("{out}");
    }
    EXIT_OK
}

/// `--variant ID=OPTION` flags over the default selection (each variant's heaviest option).
fn select(spec: &Spec, flags: &[String]) -> Result<Vec<u16>, String> {
    let pinned = pinned_variants(spec, flags)?;
    Ok(timeline::default_selection(spec).into_iter().zip(pinned).map(|(default, pin)| pin.unwrap_or(default)).collect())
}

/// `--at`: a day number, or a date when the scenario has a start date.
fn parse_at(text: &str, scenario: &Scenario) -> Result<i64, String> {
    if let Ok(day) = text.parse::<i64>() {
        return Ok(day);
    }
    let date = ironclad_spec::vocab::Date::parse(text)
        .ok_or_else(|| format!("--at takes a day number or a date YYYY-MM-DD, not `{text}`"))?;
    let start = scenario.start.ok_or("--at with a date needs `start` in the scenario's [scenario] table")?;
    Ok(date.days_since_epoch() - start.days_since_epoch())
}

/// `--why-not PARTY[:DOMAIN]`.
fn parse_why_not(text: &str, spec: &Spec) -> Result<(PartyId, Option<Domain>), String> {
    let (party, domain) = match text.split_once(':') {
        Some((p, d)) => (p, Some(d)),
        None => (text, None),
    };
    let p = spec.parties.iter().position(|x| x.id == party).ok_or_else(|| format!("--why-not: no party `{party}`"))?;
    let d = domain
        .map(|d| {
            Domain::parse(d).ok_or_else(|| {
                let known: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
                format!("--why-not: no domain `{d}`; domains: {}", known.join(", "))
            })
        })
        .transpose()?;
    Ok((PartyId(p as u16), d))
}

struct Ctx<'a> {
    spec: &'a Spec,
    spec_name: &'a str,
    spec_text: &'a str,
    scenario: &'a Scenario,
    scenario_name: &'a str,
    compiled: &'a Compiled,
}

impl Ctx<'_> {
    fn day(&self, day: i64) -> String {
        match self.scenario.start {
            Some(start) => {
                let epoch = start.days_since_epoch() + day;
                format!("day {day} ({})", date_from_days(epoch))
            }
            None => format!("day {day}"),
        }
    }

    fn event_text(&self, i: usize) -> String {
        let e = &self.scenario.events[i];
        let p = |x: Option<PartyId>| x.map(|p| self.spec.party(p).id.clone());
        let mut parts = Vec::new();
        for (name, value) in
            [("attacker", p(e.attacker)), ("target", p(e.target)), ("owner", p(e.owner)), ("party", p(e.party))]
        {
            if let Some(v) = value {
                parts.push(format!("{name} {v}"));
            }
        }
        if let Some(r) = e.region {
            parts.push(format!("region {}", self.spec.region(r).id));
        }
        if let Some(b) = e.body {
            parts.push(format!("body {}", self.spec.body(b).id));
        }
        let detail = if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) };
        format!("{} on {} ({}:{}){detail}", e.kind.as_str(), self.day(e.day), self.scenario_name, e.line)
    }

    fn witness(&self, w: Witness) -> String {
        match w {
            Witness::Default => "nothing in the scenario set it".into(),
            Witness::Initial => format!("the initial state ({})", self.scenario_name),
            Witness::Policy => format!("the default votes of a [[policy]] ({})", self.scenario_name),
            Witness::Event(i) => self.event_text(i),
            Witness::Deadline(day) => format!("a deadline missed on {}", self.day(day)),
        }
    }

    fn atom(&self, a: StateAtom) -> String {
        let party = |i: u16| self.spec.parties.get(usize::from(i)).map_or("?", |p| p.id.as_str()).to_string();
        match a {
            StateAtom::Ceasefire => "ceasefire".into(),
            StateAtom::Peace => "peace_agreement".into(),
            StateAtom::Consent(p) => format!("consent({})", party(p)),
            StateAtom::Requested(p) => format!("requested({})", party(p)),
            StateAtom::Attacked(p) => format!("attacked({})", party(p)),
            StateAtom::Deployed(p) => format!("deployed({})", party(p)),
            StateAtom::DeployedIn(p, r) => format!(
                "deployed({}, {})",
                party(p),
                self.spec.regions.get(usize::from(r)).map_or("?", |x| x.id.as_str())
            ),
            StateAtom::Decided(b) => {
                format!("decided({})", self.spec.bodies.get(usize::from(b)).map_or("?", |x| x.id.as_str()))
            }
            StateAtom::Active(c) => {
                format!("active({})", self.spec.commitments.get(usize::from(c)).map_or("?", |x| x.id.as_str()))
            }
            StateAtom::Failed(c) => {
                format!("failed({})", self.spec.commitments.get(usize::from(c)).map_or("?", |x| x.id.as_str()))
            }
        }
    }

    fn clause_line(&self, c: CommitmentId) -> String {
        let (line, col) = line_col(self.spec_text, self.spec.commitment(c).span.start);
        format!("{}:{line}:{col}", self.spec_name)
    }

    fn selection_text(&self, selection: &[u16]) -> String {
        self.spec
            .variants
            .iter()
            .zip(selection)
            .map(|(v, o)| format!("{}={}", v.id, v.options[usize::from(*o)].id))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn cause(&self, cause: Cause) -> String {
        match cause {
            Cause::Initial => "in force from the start".into(),
            Cause::Event(i) => self.event_text(i),
            Cause::Backstop { backed, event } => {
                let when = event.map(|i| format!(" by {}", self.event_text(i))).unwrap_or_default();
                format!("backstop: `{}` was struck or failed{when}", self.spec.commitment(backed).id)
            }
        }
    }

    /// `status since day N`, with the deadline or the event that closed it.
    fn status(&self, o: &Obligation) -> String {
        let due = o.due.map(|d| format!(", deadline {}", self.day(d.floor() as i64))).unwrap_or_default();
        let closed = o.closed_by.map(|i| format!(" — closed by {}", self.event_text(i))).unwrap_or_default();
        format!("{} since {}{due}{closed}", o.status.as_str(), self.day(o.since))
    }

    fn header(&self, replay: &Replay, selection: &[u16]) -> String {
        let mut out = String::new();
        let title = self.scenario.title.as_deref().unwrap_or(&self.scenario.id);
        let _ = writeln!(
            out,
            "{} on `{}` ({title}) — at {}",
            self.spec.framework.id,
            self.scenario.id,
            self.day(replay.at)
        );
        let _ = writeln!(out, "events applied: {} of {}", replay.applied, self.scenario.events.len());
        if !self.spec.variants.is_empty() {
            let _ = writeln!(out, "variants: {}  (change with --variant ID=OPTION)", self.selection_text(selection));
        }
        out
    }

    fn text(&self, replay: &Replay, selection: &[u16], explain: bool) -> String {
        let mut out = self.header(replay, selection);
        if replay.obligations.is_empty() {
            let _ = writeln!(out, "\nno obligations arose");
        }
        let mut parties: Vec<PartyId> = replay.obligations.iter().map(|o| o.party).collect();
        parties.sort();
        parties.dedup();
        for party in parties {
            let _ = writeln!(out, "\n{} — {}", self.spec.party(party).id, self.spec.party(party).name);
            for o in replay.obligations.iter().filter(|o| o.party == party) {
                let c = self.spec.commitment(o.commitment);
                let domains: Vec<&str> = c.domains.iter().map(|d| d.as_str()).collect();
                let to: Vec<&str> = c.to.iter().map(|p| self.spec.party(*p).id.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  {:<24} {} {} → {}  [{}, {}]",
                    c.id,
                    c.kind,
                    if domains.is_empty() { "-".into() } else { domains.join("+") },
                    to.join(", "),
                    c.strength,
                    c.modality
                );
                let _ = writeln!(out, "      {}", self.status(o));
                let _ = writeln!(out, "      cause: {}", self.cause(o.cause));
                if explain {
                    out.push_str(&self.explain(o));
                }
            }
        }
        let _ =
            writeln!(out, "\nCOVERAGE at {} — parties with an open obligation to act, by domain", self.day(replay.at));
        for (domain, parties) in self.coverage(replay) {
            let names: Vec<&str> = parties.iter().map(|p| self.spec.party(*p).id.as_str()).collect();
            let _ = writeln!(
                out,
                "  {:<13} {}",
                domain.as_str(),
                if names.is_empty() { "— nobody".into() } else { names.join(", ") }
            );
        }
        out
    }

    /// Claimed domains (then any other acted in), with the parties that have an open obligation to act there.
    fn coverage(&self, replay: &Replay) -> Vec<(Domain, Vec<PartyId>)> {
        let mut domains: Vec<Domain> = self.spec.framework.domains.iter().map(|(d, _)| *d).collect();
        for o in replay.obligations.iter().filter(|o| o.status.open()) {
            let c = self.spec.commitment(o.commitment);
            if acts(c.kind) {
                for d in &c.domains {
                    if !domains.contains(d) {
                        domains.push(*d);
                    }
                }
            }
        }
        domains
            .into_iter()
            .map(|d| {
                let mut parties: Vec<PartyId> = replay
                    .obligations
                    .iter()
                    .filter(|o| o.status.open())
                    .filter(|o| {
                        let c = self.spec.commitment(o.commitment);
                        acts(c.kind) && c.domains.contains(&d)
                    })
                    .map(|o| o.party)
                    .collect();
                parties.sort();
                parties.dedup();
                (d, parties)
            })
            .collect()
    }

    fn explain(&self, o: &Obligation) -> String {
        let c = self.spec.commitment(o.commitment);
        let mut lines: Vec<String> = Vec::new();
        let title = c.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default();
        let article = c.article.as_deref().map(|a| format!("{a} ")).unwrap_or_default();
        lines.push(format!("clause: {article}`{}`{title} ({})", c.id, self.clause_line(o.commitment)));
        match (o.cause, &c.trigger) {
            (Cause::Event(i), Some(t)) => {
                lines.push(format!("triggered by {} — matches `{}`", self.event_text(i), t.text))
            }
            (Cause::Event(i), None) => lines.push(format!("its conditions came to hold with {}", self.event_text(i))),
            (Cause::Initial, _) => lines.push("standing commitment, in force from the start of the scenario".into()),
            (cause @ Cause::Backstop { .. }, _) => lines.push(self.cause(cause)),
        }
        let conditions: Vec<String> = self.spec.conditions_of(c).map(|k| k.text.clone()).collect();
        let state = if o.applied_by_exception.is_some() { "waived by the exception below" } else { "true" };
        for text in &conditions {
            lines.push(format!("condition `{text}`: {state}"));
        }
        for u in &c.unless {
            lines.push(format!("exception `unless {}`: false", u.text));
        }
        for (atom, value, witness) in &o.facts {
            lines.push(format!("  {} = {} — set by {}", self.atom(*atom), value, self.witness(*witness)));
        }
        if let Some(b) = self.compiled.commitments[o.commitment.index()].body {
            lines.push(format!("owed by body `{}`, which decided to act", self.spec.bodies[usize::from(b)].id));
        }
        if let Some(x) = o.applied_by_exception {
            let x = &self.spec.exceptions[usize::from(x)];
            lines.push(format!(
                "applies by exception `{}` (when `{}`), notwithstanding its own conditions",
                x.id, x.when.text
            ));
        }
        if let Some(i) = o.activated_by {
            lines.push(format!("activated by {}", self.event_text(i)));
        }
        for e in &c.evidence {
            let source = &self.spec.sources[e.source.index()];
            let speaker = e.speaker.as_deref().map(|s| format!(", {s}")).unwrap_or_default();
            lines.push(format!("evidence: “{}” ({}{speaker})", e.quote, source.file));
        }
        tree(&lines)
    }

    fn verdict_text(&self, party: PartyId, w: &WhyNot) -> String {
        let c = self.spec.commitment(w.commitment);
        let at = w.event.map(|i| format!(" at {}", self.event_text(i))).unwrap_or_default();
        match w.verdict {
            Verdict::NotSelected { variant, option } => {
                let v = &self.spec.variants[usize::from(variant)];
                format!(
                    "only in variant option {}={}, which is not chosen (try --variant {}={})",
                    v.id,
                    v.options[usize::from(option)].id,
                    v.id,
                    v.options[usize::from(option)].id
                )
            }
            Verdict::NotObligor => {
                let obligors: Vec<&str> =
                    self.spec.obligors(c).iter().map(|p| self.spec.party(*p).id.as_str()).collect();
                format!("{} is not obliged by it (obligors: {})", self.spec.party(party).id, obligors.join(", "))
            }
            Verdict::NotInForce => {
                let f = &self.spec.framework;
                let from = f.in_force.or(f.signed).map(|d| format!(" from {d}")).unwrap_or_default();
                let until = f.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                format!("not in force{at}: the framework applies{from}{until}")
            }
            Verdict::Voided => {
                format!("voided by an event matching `{}`", c.void_if.as_ref().map_or("", |t| t.text.as_str()))
            }
            Verdict::NotTriggered => match (c.backs, &c.trigger) {
                (Some(b), _) => format!(
                    "not triggered: `{}`, which it backs, was neither struck nor failed",
                    self.spec.commitment(b).id
                ),
                (None, Some(t)) => format!("not triggered: no event up to this day matched `{}`", t.text),
                (None, None) => "not triggered".into(),
            },
            Verdict::OutOfScope => {
                let scope: Vec<&str> = c.scope.iter().map(|r| self.spec.region(*r).id.as_str()).collect();
                format!("out of scope{at}: the event lies outside {}", scope.join(", "))
            }
            Verdict::ConditionFalse { index } => {
                let text = self.spec.conditions_of(c).nth(usize::from(index)).map_or(String::new(), |k| k.text.clone());
                format!("condition `{text}` was false{at}")
            }
            Verdict::Excepted { index } => format!(
                "exception `unless {}` held{at}",
                c.unless.get(usize::from(index)).map_or("", |k| k.text.as_str())
            ),
            Verdict::Suspended { exception } => {
                let x = &self.spec.exceptions[usize::from(exception)];
                format!("suspended{at} by exception `{}` (when `{}`)", x.id, x.when.text)
            }
            Verdict::NoDecision { body } => {
                format!("body `{}` did not decide to act{at}", self.spec.bodies[usize::from(body)].id)
            }
            Verdict::Excluded { red_line } => {
                let r = &self.spec.red_lines[red_line.index()];
                format!(
                    "excluded by {}'s red line `{}`: {}",
                    self.spec.party(r.party).id,
                    r.id,
                    r.statement.as_deref().unwrap_or("")
                )
            }
            Verdict::Withdrawn => format!("{} withdrew from it", self.spec.party(party).id),
            Verdict::Obliged => format!("obliged{at}"),
        }
    }

    fn why_not_text(&self, party: PartyId, domain: Option<Domain>, entries: &[WhyNot], replay: &Replay) -> String {
        let mut out = String::new();
        let scope = domain.map(|d| format!(" in {}", d.as_str())).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nWHY (NOT) {}{scope} — each candidate commitment and the test it stopped at",
            self.spec.party(party).id
        );
        if entries.is_empty() {
            let _ = writeln!(out, "  no commitment{scope} in this framework");
        }
        for w in entries {
            let c = self.spec.commitment(w.commitment);
            let held = replay.obligations.iter().find(|o| o.commitment == w.commitment && o.party == party);
            let verdict = match held {
                Some(o) => format!("obligation {}", self.status(o)),
                None => self.verdict_text(party, w),
            };
            let _ = writeln!(out, "  {:<24} {}", c.id, verdict);
            if held.is_none()
                && timeline::progress(w.verdict) >= timeline::progress(Verdict::ConditionFalse { index: 0 })
            {
                for (atom, value, witness) in &w.facts {
                    let _ = writeln!(out, "      {} = {} — {}", self.atom(*atom), value, self.witness(*witness));
                }
                if let Verdict::NoDecision { .. } | Verdict::ConditionFalse { .. } = w.verdict {
                    let body = match w.verdict {
                        Verdict::NoDecision { body } => Some(usize::from(body)),
                        _ => None,
                    };
                    for record in replay.decisions.iter().flatten().filter(|r| body.is_none_or(|b| r.body.index() == b))
                    {
                        let _ = writeln!(out, "      {}", self.decision_text(record));
                    }
                }
            }
            if held.is_none() {
                let _ = writeln!(out, "      clause at {}", self.clause_line(w.commitment));
                if let Some(e) = c.evidence.first() {
                    let _ = writeln!(out, "      “{}” ({})", e.quote, self.spec.sources[e.source.index()].file);
                }
            }
        }
        out
    }

    fn decision_text(&self, record: &timeline::DecisionRecord) -> String {
        let body = &self.spec.bodies[record.body.index()];
        let compiled = &self.compiled.bodies[record.body.index()];
        let seat = |s: usize| {
            compiled
                .party(s)
                .map_or_else(|| format!("other seat {}", s + 1 - body.members.len()), |p| self.spec.party(p).id.clone())
        };
        let outcome = match record.decision.reason {
            ironclad_engine::DecisionReason::Vetoed { by } => format!("failed: vetoed by {}", seat(by)),
            ironclad_engine::DecisionReason::Objection { by } => format!("failed: {} objected", seat(by)),
            ironclad_engine::DecisionReason::NotUnanimous { missing, .. } => {
                format!("failed: {} did not vote yes", seat(missing))
            }
            ironclad_engine::DecisionReason::ShortOfThreshold { yes, needed } => {
                format!("failed: {yes} yes of {needed} needed")
            }
            ironclad_engine::DecisionReason::NoSeats => "failed: the body has no seats".into(),
            ironclad_engine::DecisionReason::Passed { yes, needed } => format!("passed: {yes} yes, {needed} needed"),
            ironclad_engine::DecisionReason::Unanimous => "passed unanimously".into(),
            ironclad_engine::DecisionReason::NoObjection => "passed: no objection".into(),
        };
        let counts = ["yes", "no", "abstain", "absent"].map(|k| {
            let n = record.votes.iter().filter(|v| format!("{v:?}").to_lowercase() == k).count();
            format!("{n} {k}")
        });
        let source = record.event.map_or_else(|| "policy".to_string(), |i| self.event_text(i));
        format!("decision of `{}` ({}): {outcome} [{}] — {source}", body.id, body.rule.kind(), counts.join(", "))
    }

    fn obligation_json(&self, o: &Obligation, explain: bool) -> Value {
        let c = self.spec.commitment(o.commitment);
        let cause = match o.cause {
            Cause::Initial => json!({ "kind": "initial" }),
            Cause::Event(i) => json!({ "kind": "event", "event": self.event_json(i) }),
            Cause::Backstop { backed, event } => {
                json!({ "kind": "backstop", "backed": self.spec.commitment(backed).id, "event": event.map(|i| self.event_json(i)) })
            }
        };
        let mut value = json!({
            "party": self.spec.party(o.party).id,
            "commitment": c.id,
            "kind": c.kind.as_str(),
            "domains": c.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "to": c.to.iter().map(|p| &self.spec.party(*p).id).collect::<Vec<_>>(),
            "strength": c.strength.as_str(),
            "modality": c.modality.as_str(),
            "since": o.since,
            "due": o.due,
            "status": o.status.as_str(),
            "closed_by": o.closed_by.map(|i| self.event_json(i)),
            "cause": cause,
            "activated_by": o.activated_by.map(|i| self.event_json(i)),
            "clause": self.clause_line(o.commitment),
        });
        if explain {
            value["explanation"] = json!({
                "trigger": c.trigger.as_ref().map(|t| &t.text),
                "conditions": self.spec.conditions_of(c).map(|k| &k.text).collect::<Vec<_>>(),
                "facts": o.facts.iter().map(|(a, v, w)| json!({ "fact": self.atom(*a), "value": v, "set_by": self.witness(*w) })).collect::<Vec<_>>(),
                "evidence": c.evidence.iter().map(|e| json!({ "quote": e.quote, "source": self.spec.sources[e.source.index()].file, "speaker": e.speaker })).collect::<Vec<_>>(),
            });
        }
        value
    }

    fn event_json(&self, i: usize) -> Value {
        let e = &self.scenario.events[i];
        json!({ "index": i, "kind": e.kind.as_str(), "day": e.day, "line": e.line, "file": self.scenario_name, "text": self.event_text(i) })
    }

    fn why_not_json(&self, party: PartyId, w: &WhyNot, replay: &Replay) -> Value {
        let held = replay.obligations.iter().find(|o| o.commitment == w.commitment && o.party == party);
        json!({
            "commitment": self.spec.commitment(w.commitment).id,
            "obliged": held.is_some(),
            "status": held.map(|o| o.status.as_str()),
            "test": format!("{:?}", w.verdict).split([' ', '{']).next().unwrap_or_default().to_string(),
            "reason": match held { Some(o) => format!("obliged: {}", self.status(o)), None => self.verdict_text(party, w) },
            "event": w.event.map(|i| self.event_json(i)),
            "facts": w.facts.iter().map(|(a, v, wi)| json!({ "fact": self.atom(*a), "value": v, "set_by": self.witness(*wi) })).collect::<Vec<_>>(),
            "clause": self.clause_line(w.commitment),
        })
    }

    fn json(&self, replay: &Replay, selection: &[u16], explain: bool) -> Value {
        json!({
            "framework": self.spec.framework.id,
            "scenario": self.scenario.id,
            "at": replay.at,
            "events_applied": replay.applied,
            "variants": self.spec.variants.iter().zip(selection).map(|(v, o)| json!({ "variant": v.id, "option": v.options[usize::from(*o)].id })).collect::<Vec<_>>(),
            "obligations": replay.obligations.iter().map(|o| self.obligation_json(o, explain)).collect::<Vec<_>>(),
            "coverage": self.coverage(replay).iter().map(|(d, ps)| json!({ "domain": d.as_str(), "parties": ps.iter().map(|p| &self.spec.party(*p).id).collect::<Vec<_>>() })).collect::<Vec<_>>(),
            "decisions": replay.decisions.iter().flatten().map(|r| json!({ "body": self.spec.bodies[r.body.index()].id, "passed": r.decision.passed, "text": self.decision_text(r) })).collect::<Vec<_>>(),
        })
    }
}

/// Renders lines as a tree under an obligation.
fn tree(lines: &[String]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let branch = if i + 1 == lines.len() { "└─" } else { "├─" };
        let _ = writeln!(out, "      {branch} {line}");
    }
    out
}

/// The civil date of a day count since 1970-01-01.
fn date_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_round_trip() {
        for text in ["1970-01-01", "2014-03-15", "2024-02-29", "2026-01-06"] {
            let days = ironclad_spec::vocab::Date::parse(text).unwrap().days_since_epoch();
            assert_eq!(super::date_from_days(days), text);
        }
    }
}
