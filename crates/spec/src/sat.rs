//! Satisfiability of conditions, decided exactly over their *atoms* (predicates, comparisons,
//! memberships): every assignment of truth values is tried (up to [`MAX_ATOMS`] atoms), and an
//! assignment counts only if it is consistent — an atom with constant operands must take its
//! constant value, `decided(B)` is false for a body whose rule can never pass (the caller forces
//! it), and the atoms that constrain one event field must be met by one value of that field.

use std::collections::BTreeMap;

use crate::display::display;
use crate::expr::{BinOp, Field, Node, StateFn, Ty, Typed, Value};
use crate::model::*;

/// Above this many distinct atoms a condition is assumed satisfiable (2^n assignments).
pub const MAX_ATOMS: usize = 14;

/// The atom `decided(body)`, for forcing its value in [`satisfiable`].
pub fn decided(body: BodyId) -> Typed {
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
