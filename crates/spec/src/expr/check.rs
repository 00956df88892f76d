//! Name resolution and type checking of expressions.
//!
//! Names are resolved by the type the context expects, so `UA` can name both the party and
//! the region: in `target == UA` it is the party, in `region within UA` the region.

use crate::expr::syntax::{BinOp, Expr, ExprKind, Pattern};
use crate::expr::typed::{EventKind, Field, Node, Scale, StateFn, Trigger, Ty, Typed, Value};
use crate::model::{BodyId, CommitmentId, PartyId, RegionId};
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::vocab::Domain;

/// The declared names an expression may refer to.
pub trait Names {
    fn party(&self, name: &str) -> Option<PartyId>;
    fn region(&self, name: &str) -> Option<RegionId>;
    fn body(&self, name: &str) -> Option<BodyId>;
    fn commitment(&self, name: &str) -> Option<CommitmentId>;
    fn tag(&self, name: &str) -> Option<Vec<PartyId>>;
    /// The index of a tag among all tags in key order, for `#tag` naming an organisation.
    fn organisation(&self, name: &str) -> Option<u16>;
    /// Every declared id and tag, for "did you mean" suggestions.
    fn all_names(&self) -> Vec<String>;
}

/// A name or type error. Spans are relative to the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// The name is known but is not something this language position can use.
    pub unknown_name: bool,
    ambiguous: bool,
}

impl TypeError {
    fn new(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        TypeError {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            unknown_name: false,
            ambiguous: false,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Checks a condition: a boolean expression over the state of the world.
pub fn check_condition(expr: &Expr, names: &dyn Names) -> Result<Typed, TypeError> {
    Checker { names, event: None }.expect(expr, Ty::Bool)
}

/// Checks a trigger pattern: known event kinds, and filters over their fields.
pub fn check_pattern(pattern: &Pattern, names: &dyn Names) -> Result<Trigger, TypeError> {
    let mut alternatives = Vec::new();
    for alt in &pattern.alternatives {
        let Some(event) = EventKind::parse(&alt.event) else {
            let known: Vec<&str> = EventKind::ALL.iter().map(|e| e.as_str()).collect();
            let mut err = TypeError::new(
                alt.event_span.clone(),
                format!("unknown event kind `{}`", alt.event),
                "not an event kind",
            );
            err.help = Some(match did_you_mean(&alt.event, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? Event kinds: {}", known.join(", ")),
                None => format!("event kinds: {}", known.join(", ")),
            });
            return Err(err);
        };
        let filter = match &alt.filter {
            Some(expr) => Some(Checker { names, event: Some(event) }.expect(expr, Ty::Bool)?),
            None => None,
        };
        alternatives.push((event, filter));
    }
    Ok(Trigger { alternatives })
}

struct Checker<'a> {
    names: &'a dyn Names,
    event: Option<EventKind>,
}

impl Checker<'_> {
    /// Checks `expr` against an expected type.
    fn expect(&self, expr: &Expr, ty: Ty) -> Result<Typed, TypeError> {
        let typed = self.infer(expr, Some(ty))?;
        if typed.ty == ty {
            return Ok(typed);
        }
        let mut err = TypeError::new(
            expr.span.clone(),
            format!("expected {}, found {}", ty.name(), typed.ty.name()),
            format!("this is a {}", typed.ty.name()),
        );
        if ty == Ty::Bool {
            err.help = Some("a condition must be true or false: compare the value, e.g. `target == UA`, or test membership with `in`".into());
        }
        Err(err)
    }

    fn infer(&self, expr: &Expr, expected: Option<Ty>) -> Result<Typed, TypeError> {
        let span = expr.span.clone();
        let typed = |node, ty| Ok(Typed { node, ty, span: span.clone() });
        match &expr.kind {
            ExprKind::Bool(b) => typed(Node::Const(Value::Bool(*b)), Ty::Bool),
            ExprKind::Num(n) => typed(Node::Const(Value::Num(*n)), Ty::Num),
            ExprKind::Ident(name) => self.ident(name, span.clone(), expected),
            ExprKind::Tag(tag) => match self.names.tag(tag) {
                Some(_) if expected == Some(Ty::Organisation) => match self.names.organisation(tag) {
                    Some(index) => typed(Node::Const(Value::Organisation(index)), Ty::Organisation),
                    None => Err(TypeError::new(span.clone(), format!("no organisation `#{tag}`"), "unknown tag")),
                },
                Some(parties) => typed(Node::Const(Value::Parties(parties)), Ty::PartySet),
                None => {
                    let mut err = TypeError::new(span.clone(), format!("no party has the tag `#{tag}`"), "unknown tag");
                    err.unknown_name = true;
                    let tags: Vec<String> = self.names.all_names().into_iter().filter(|n| n.starts_with('#')).collect();
                    err.help = did_you_mean(&format!("#{tag}"), tags.iter().map(String::as_str))
                        .map(|best| format!("did you mean `{best}`?"))
                        .or(Some("tags are declared in the `tags` of [[party]] entries".into()));
                    Err(err)
                }
            },
            ExprKind::List(items) => self.list(items, span.clone(), expected),
            ExprKind::Call { name, name_span, args } => self.call(name, name_span.clone(), args, span.clone()),
            ExprKind::Not(inner) => typed(Node::Not(Box::new(self.expect(inner, Ty::Bool)?)), Ty::Bool),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span.clone()),
        }
    }

    fn binary(&self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Result<Typed, TypeError> {
        let node = match op {
            BinOp::And => Node::And(Box::new(self.expect(lhs, Ty::Bool)?), Box::new(self.expect(rhs, Ty::Bool)?)),
            BinOp::Or => Node::Or(Box::new(self.expect(lhs, Ty::Bool)?), Box::new(self.expect(rhs, Ty::Bool)?)),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (l, r) = self.pair(lhs, rhs)?;
                if l.ty != r.ty {
                    return Err(TypeError::new(
                        span,
                        format!("cannot compare {} with {}", l.ty.name(), r.ty.name()),
                        format!("{} {} {}", l.ty.name(), op.as_str(), r.ty.name()),
                    ));
                }
                if !matches!(op, BinOp::Eq | BinOp::Ne) && !matches!(l.ty, Ty::Num | Ty::Scale) {
                    return Err(TypeError::new(
                        span,
                        format!("`{}` orders numbers and scales, not {}", op.as_str(), l.ty.name()),
                        "not ordered",
                    )
                    .help("use `==` or `!=` for parties, regions and domains"));
                }
                Node::Compare(op, Box::new(l), Box::new(r))
            }
            BinOp::In => {
                let (l, r) = if matches!(rhs.kind, ExprKind::List(_)) {
                    let l = match self.infer(lhs, None) {
                        Ok(l) => l,
                        // `UA in [UA, RU]`: let the list's items decide what `UA` is.
                        Err(err) if err.ambiguous => {
                            let r = self.infer(rhs, None)?;
                            let element = r.ty.element().ok_or(err)?;
                            return Ok(Typed {
                                node: Node::In(Box::new(self.expect(lhs, element)?), Box::new(r)),
                                ty: Ty::Bool,
                                span,
                            });
                        }
                        Err(err) => return Err(err),
                    };
                    let set = l.ty.set_of().ok_or_else(|| {
                        TypeError::new(
                            lhs.span.clone(),
                            format!("a {} cannot be a member of a list", l.ty.name()),
                            "not a party, region or domain",
                        )
                    })?;
                    let r = self.expect(rhs, set)?;
                    (l, r)
                } else {
                    let r = self.infer(rhs, None)?;
                    let element = r.ty.element().ok_or_else(|| {
                        TypeError::new(
                            rhs.span.clone(),
                            format!("`in` needs a set on its right, found {}", r.ty.name()),
                            "not a set",
                        )
                        .help("sets are #tags, lists like [UK, FR], and the `domains` field of an event")
                    })?;
                    (self.expect(lhs, element)?, r)
                };
                Node::In(Box::new(l), Box::new(r))
            }
            BinOp::Within => {
                let l = self.expect(lhs, Ty::Region)?;
                let r = self.infer(rhs, Some(Ty::Region))?;
                if !matches!(r.ty, Ty::Region | Ty::RegionSet) {
                    return Err(TypeError::new(
                        rhs.span.clone(),
                        format!("`within` needs a region on its right, found {}", r.ty.name()),
                        "not a region",
                    ));
                }
                Node::Within(Box::new(l), Box::new(r))
            }
        };
        Ok(Typed { node, ty: Ty::Bool, span })
    }

    /// Checks two operands that must have the same type, letting the one with a fixed type
    /// decide how an ambiguous name on the other side resolves.
    fn pair(&self, lhs: &Expr, rhs: &Expr) -> Result<(Typed, Typed), TypeError> {
        match self.infer(lhs, None) {
            Ok(l) => {
                let r = self.infer(rhs, Some(l.ty))?;
                Ok((l, r))
            }
            Err(err) if err.ambiguous => {
                let r = self.infer(rhs, None)?;
                let l = self.infer(lhs, Some(r.ty))?;
                Ok((l, r))
            }
            Err(err) => Err(err),
        }
    }

    fn list(&self, items: &[Expr], span: Span, expected: Option<Ty>) -> Result<Typed, TypeError> {
        // A list stands for a set, whether the context expects the set or one of its elements.
        let element = match expected.and_then(|t| t.element().or(t.set_of().map(|_| t))) {
            Some(element) => element,
            // The first item whose type is certain decides the element type.
            None => {
                let mut first_error = None;
                let mut found = None;
                for item in items {
                    match self.infer(item, None) {
                        Ok(t) => {
                            found = Some(t.ty);
                            break;
                        }
                        Err(err) if err.ambiguous => first_error = first_error.or(Some(err)),
                        Err(err) => return Err(err),
                    }
                }
                match (found, first_error) {
                    (Some(ty), _) => ty,
                    (None, Some(err)) => return Err(err),
                    (None, None) => {
                        return Err(TypeError::new(span, "an empty list", "empty")
                            .help("an empty list matches nothing: remove the condition or name its members"));
                    }
                }
            }
        };
        let Some(set) = element.set_of() else {
            return Err(TypeError::new(
                span,
                format!("a list of {} values is not supported", element.name()),
                "lists hold parties, regions or domains",
            ));
        };
        let typed: Vec<Typed> = items.iter().map(|item| self.expect(item, element)).collect::<Result<_, _>>()?;
        let node = if typed.iter().all(|t| matches!(t.node, Node::Const(_))) {
            let mut parties = Vec::new();
            let mut regions = Vec::new();
            let mut domains = Vec::new();
            for t in &typed {
                match &t.node {
                    Node::Const(Value::Party(p)) => parties.push(*p),
                    Node::Const(Value::Region(r)) => regions.push(*r),
                    Node::Const(Value::Domain(d)) => domains.push(*d),
                    _ => {}
                }
            }
            Node::Const(match set {
                Ty::PartySet => Value::Parties(parties),
                Ty::RegionSet => Value::Regions(regions),
                _ => Value::Domains(domains),
            })
        } else {
            Node::List(typed)
        };
        Ok(Typed { node, ty: set, span })
    }

    fn call(&self, name: &str, name_span: Span, args: &[Expr], span: Span) -> Result<Typed, TypeError> {
        let Some(func) = StateFn::parse(name) else {
            let known: Vec<&str> = StateFn::ALL.iter().map(|f| f.as_str()).collect();
            let mut err = TypeError::new(name_span, format!("unknown predicate `{name}`"), "not a predicate");
            err.help = Some(match did_you_mean(name, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? Predicates: {}", known.join(", ")),
                None => format!("predicates: {}", known.join(", ")),
            });
            return Err(err);
        };
        let fitting: Vec<&&[Ty]> = func.signatures().iter().filter(|sig| sig.len() == args.len()).collect();
        if fitting.is_empty() {
            return Err(TypeError::new(
                span,
                format!("`{name}` takes {}", plural_args(func)),
                format!("{} given", args.len()),
            )
            .help(format!("write {}", func.usage())));
        }
        // The first signature of that length the arguments fit; else the first one's error.
        let mut first_error = None;
        for signature in fitting {
            match args
                .iter()
                .zip(signature.iter())
                .map(|(arg, ty)| self.expect(arg, *ty))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(typed) => {
                    // A predicate reads the state of the world about a named party, body, …; the
                    // engine cannot evaluate it about the event's own fields.
                    if let Some(field) = typed.iter().find(|a| matches!(a.node, Node::Field(_))) {
                        return Err(TypeError::new(
                            field.span.clone(),
                            format!("`{name}` cannot take an event field as its argument"),
                            "an event field",
                        )
                        .help(format!(
                            "a predicate's arguments are named ids (write {}); inside a `where` filter, compare the field instead (e.g. `target in #tag`, `party == UA`)",
                            func.usage()
                        )));
                    }
                    return Ok(Typed { node: Node::State(func, typed), ty: Ty::Bool, span });
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.expect("at least one signature was tried"))
    }

    fn ident(&self, name: &str, span: Span, expected: Option<Ty>) -> Result<Typed, TypeError> {
        if expected == Some(Ty::Organisation) && self.names.tag(name).is_some() {
            return Err(TypeError::new(span, format!("expected organisation, found `{name}`"), "a bare name")
                .help(format!("an organisation is written as the tag its members carry: `#{name}`")));
        }
        let mut candidates: Vec<(Node, Ty)> = Vec::new();
        if let Some(event) = self.event
            && let Some(field) = Field::parse(name)
            && let Some((_, ty)) = event.fields().iter().find(|(f, _)| *f == field)
        {
            candidates.push((Node::Field(field), *ty));
        }
        if let Some(func) = StateFn::parse(name) {
            if func.signatures().contains(&&[][..]) {
                candidates.push((Node::State(func, Vec::new()), Ty::Bool));
            } else if candidates.is_empty() {
                return Err(TypeError::new(span, format!("`{name}` needs arguments"), "missing arguments")
                    .help(format!("write {}", func.usage())));
            }
        }
        if let Some(scale) = Scale::parse(name) {
            candidates.push((Node::Const(Value::Scale(scale)), Ty::Scale));
        }
        if let Some(domain) = Domain::parse(name) {
            candidates.push((Node::Const(Value::Domain(domain)), Ty::Domain));
        }
        if let Some(id) = self.names.party(name) {
            candidates.push((Node::Const(Value::Party(id)), Ty::Party));
        }
        if let Some(id) = self.names.region(name) {
            candidates.push((Node::Const(Value::Region(id)), Ty::Region));
        }
        if let Some(id) = self.names.body(name) {
            candidates.push((Node::Const(Value::Body(id)), Ty::Body));
        }
        if let Some(id) = self.names.commitment(name) {
            candidates.push((Node::Const(Value::Commitment(id)), Ty::Commitment));
        }

        if candidates.is_empty() {
            return Err(self.unknown(name, span));
        }
        if let Some(ty) = expected {
            let fits = |t: Ty| t == ty || ty.element() == Some(t);
            if let Some(index) = candidates.iter().position(|(_, t)| fits(*t)) {
                let (node, ty) = candidates.swap_remove(index);
                return Ok(Typed { node, ty, span });
            }
            let found: Vec<&str> = candidates.iter().map(|(_, t)| t.name()).collect();
            return Err(TypeError::new(
                span,
                format!("expected {}, but `{name}` is a {}", ty.name(), found.join(" or a ")),
                format!("a {}", found.join(" or a ")),
            ));
        }
        if candidates.len() > 1 && candidates.iter().any(|(_, t)| *t != candidates[0].1) {
            let mut err = TypeError::new(span, format!("`{name}` is ambiguous here"), "ambiguous");
            err.ambiguous = true;
            err.help = Some(format!(
                "`{name}` names a {}; compare it with something of one type",
                candidates.iter().map(|(_, t)| t.name()).collect::<Vec<_>>().join(" and a ")
            ));
            return Err(err);
        }
        let (node, ty) = candidates.swap_remove(0);
        Ok(Typed { node, ty, span })
    }

    fn unknown(&self, name: &str, span: Span) -> TypeError {
        if let Some(field) = Field::parse(name) {
            return match self.event {
                Some(event) => {
                    let fields: Vec<&str> = event.fields().iter().map(|(f, _)| f.as_str()).collect();
                    TypeError::new(span, format!("`{}` events have no field `{}`", event.as_str(), field.as_str()), "no such field").help(if fields.is_empty() {
                        format!("`{}` events have no fields", event.as_str())
                    } else {
                        format!("fields of `{}`: {}", event.as_str(), fields.join(", "))
                    })
                }
                None => TypeError::new(span, format!("event field `{name}` outside a trigger"), "no event here")
                    .help("event fields are visible only in a trigger's `where` clause; conditions speak of the state: ceasefire, consent(P), decided(B) ..."),
            };
        }
        let mut vocabulary: Vec<String> = self.names.all_names().into_iter().filter(|n| !n.starts_with('#')).collect();
        vocabulary.extend(StateFn::ALL.iter().map(|f| f.as_str().to_string()));
        vocabulary.extend(Domain::ALL.iter().map(|d| d.as_str().to_string()));
        vocabulary.extend(Scale::ALL.iter().map(|s| s.as_str().to_string()));
        if let Some(event) = self.event {
            vocabulary.extend(event.fields().iter().map(|(f, _)| f.as_str().to_string()));
        }
        let mut err = TypeError::new(span, format!("unknown name `{name}`"), "not declared");
        err.unknown_name = true;
        err.help = Some(match did_you_mean(name, vocabulary.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "names are party, region, body and commitment ids, domains, scales (incident, limited, significant, major), predicates and event fields".into(),
        });
        err
    }
}

fn plural_args(func: StateFn) -> String {
    let counts: Vec<String> = func.signatures().iter().map(|s| s.len().to_string()).collect();
    let one = counts.len() == 1 && counts[0] == "1";
    format!("{} argument{}", counts.join(" or "), if one { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::syntax::{parse_condition, parse_pattern};

    struct Fixture;
    impl Names for Fixture {
        fn party(&self, name: &str) -> Option<PartyId> {
            ["UA", "RU", "UK", "FR"].iter().position(|p| *p == name).map(|i| PartyId(i as u16))
        }
        fn region(&self, name: &str) -> Option<RegionId> {
            ["UA", "UA-east", "europe"].iter().position(|p| *p == name).map(|i| RegionId(i as u16))
        }
        fn body(&self, name: &str) -> Option<BodyId> {
            (name == "nac").then_some(BodyId(0))
        }
        fn commitment(&self, name: &str) -> Option<CommitmentId> {
            (name == "art5").then_some(CommitmentId(0))
        }
        fn tag(&self, name: &str) -> Option<Vec<PartyId>> {
            (name == "nato").then(|| vec![PartyId(2), PartyId(3)])
        }
        fn organisation(&self, name: &str) -> Option<u16> {
            (name == "nato").then_some(0)
        }
        fn all_names(&self) -> Vec<String> {
            ["UA", "RU", "UK", "FR", "UA-east", "europe", "nac", "art5", "#nato"].map(String::from).to_vec()
        }
    }

    fn condition(text: &str) -> Result<Typed, TypeError> {
        check_condition(&parse_condition(text).unwrap(), &Fixture)
    }
    fn trigger(text: &str) -> Result<Trigger, TypeError> {
        check_pattern(&parse_pattern(text).unwrap(), &Fixture)
    }

    #[test]
    fn names_resolve_by_expected_type() {
        let t = trigger("armed_attack where target == UA and region within UA").unwrap();
        let Some(Typed { node: Node::And(a, b), .. }) = &t.alternatives[0].1 else { panic!() };
        let Node::Compare(_, _, ua_party) = &a.node else { panic!() };
        assert_eq!(ua_party.node, Node::Const(Value::Party(PartyId(0))));
        let Node::Within(_, ua_region) = &b.node else { panic!() };
        assert_eq!(ua_region.node, Node::Const(Value::Region(RegionId(0))));
        // The fixed side decides even when the ambiguous name comes first.
        assert!(trigger("armed_attack where UA == target").is_ok());
    }

    #[test]
    fn well_typed_conditions() {
        for ok in [
            "ceasefire",
            "ceasefire and consent(UA)",
            "decided(nac) or not peace_agreement",
            "deployed(UK, UA-east)",
            "failed(art5)",
            "UK in #nato",
            "UK in [UK, FR]",
            "UA in [UA, RU]",
            "member(UA, #nato) and not member(UK, #nato)",
            "appropriated(art5) or not appropriated(art5)",
        ] {
            condition(ok).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
        }
        for ok in [
            "armed_attack where scale >= significant and deliberate and sustained",
            "armed_attack where land in domains",
            "threat where nuclear | armed_attack where nuclear",
            "strike_on_forces where owner in #nato and region within [UA, europe]",
            "decision where body == nac and passed",
            "accession where party == UA and organisation == #nato",
            "departure where party in #nato and member(UA, #nato)",
            "appropriation where commitment == art5 and party == UK | rescission where commitment == art5",
        ] {
            trigger(ok).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
        }
    }

    fn check_error(result: Result<impl std::fmt::Debug, TypeError>, message_part: &str) {
        let err = result.expect_err(message_part);
        assert!(err.message.contains(message_part), "{} does not contain {message_part}", err.message);
    }

    #[test]
    fn type_errors() {
        check_error(condition("UA"), "expected bool, but `UA` is a party or a region");
        check_error(condition("consent(nac)"), "expected party, but `nac` is a body");
        check_error(condition("consent"), "`consent` needs arguments");
        check_error(condition("decided(nac, UA)"), "`decided` takes 1 argument");
        check_error(condition("ceasfire"), "unknown name `ceasfire`");
        check_error(condition("target == UA"), "event field `target` outside a trigger");
        check_error(condition("UK in #natoo"), "no party has the tag `#natoo`");
        check_error(condition("UA < RU"), "`<` orders numbers and scales");
        check_error(condition("UK == land"), "expected party, but `land` is a domain");
        check_error(condition("land in UK"), "`in` needs a set on its right");
        check_error(condition("bogus(UA)"), "unknown predicate `bogus`");
        check_error(trigger("armed_attack where owner == UK"), "`armed_attack` events have no field `owner`");
        check_error(trigger("armed_atack"), "unknown event kind `armed_atack`");
        check_error(trigger("armed_attack where scale"), "expected bool, but `scale` is a scale");
        check_error(trigger("armed_attack where scale >= 3"), "cannot compare scale with number");
        check_error(condition("member(UA, nato)"), "expected organisation, found `nato`");
        check_error(condition("member(#nato, UA)"), "expected party, found set of parties");
        check_error(condition("member(UA, nac)"), "expected organisation, but `nac` is a body");
        check_error(condition("member(UA, #natoo)"), "no party has the tag `#natoo`");
        check_error(condition("member(UA)"), "`member` takes 2 arguments");
        // A predicate about the event's own field would be evaluated about nobody.
        check_error(trigger("armed_attack where member(target, #nato)"), "`member` cannot take an event field");
        check_error(trigger("request where consent(party)"), "`consent` cannot take an event field");
        check_error(condition("appropriated(UK)"), "expected commitment, but `UK` is a party");
        check_error(
            trigger("armed_attack where organisation == #nato"),
            "`armed_attack` events have no field `organisation`",
        );
    }

    #[test]
    fn suggestions() {
        let err = condition("ceasfire").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `ceasefire`?"));
        let err = trigger("armed_atack").unwrap_err();
        assert!(err.help.unwrap().starts_with("did you mean `armed_attack`?"));
    }
}
