//! Typed expressions rendered back to spec syntax.

use crate::expr::{Node, Typed, Value};
use crate::model::Spec;

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
            Value::Organisation(o) => format!("#{}", spec.tags.keys().nth(usize::from(*o)).map_or("?", String::as_str)),
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
