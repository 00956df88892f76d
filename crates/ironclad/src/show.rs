//! `show`: what a framework promises — coverage, gaps, commitments, exceptions, red lines, variants.

use ironclad_spec::coverage::{conditions_text, coverage, red_line_targets};
use ironclad_spec::display::display;
use ironclad_spec::model::{Obligor, PartyId, Spec};
use schemars::JsonSchema;
use serde::Serialize;

/// A framework at a glance.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowReport {
    pub schema_version: u32,
    pub id: String,
    pub title: String,
    pub protects: Vec<String>,
    pub threat: Option<String>,
    pub signed: Option<String>,
    pub in_force: Option<String>,
    pub expires: Option<String>,
    pub claimed_domains: Vec<String>,
    /// The framework's summary, in its own words.
    pub summary: Option<String>,
    /// `[[framework.evidence]]`: quotes about the framework as a whole (status, dates, vagueness).
    pub evidence: Vec<EvidenceRef>,
    /// The framework-wide continuing conditions every commitment requires (unless it opts out).
    pub continuing: Vec<String>,
    /// The framework-wide entry conditions (met once, then no longer read).
    pub entry: Vec<String>,
    pub counts: Counts,
    pub coverage: CoverageTable,
    pub gaps: Gaps,
    pub commitments: Vec<ShowCommitment>,
    /// The named exceptions (`[[exception]]`), in file order.
    pub exceptions: Vec<ShowException>,
    pub red_lines: Vec<ShowRedLine>,
    pub variants: Vec<ShowVariant>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Counts {
    pub parties: usize,
    pub commitments: usize,
    pub exceptions: usize,
    pub red_lines: usize,
    pub variants: usize,
    pub sources: usize,
}

/// The strongest commitment per party (row) and domain (column).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageTable {
    pub domains: Vec<String>,
    pub rows: Vec<CoverageRow>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageRow {
    pub who: String,
    /// One per domain; `None` where nothing covers it.
    pub cells: Vec<Option<CoverageCell>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageCell {
    /// The strongest instrument: treaty, agreement, declaration, statement or remark.
    pub strength: String,
    /// The furthest status: proposed, reported, offered, agreed, signed or in_force.
    pub status: String,
    /// Covered only in a variant option.
    pub variant_only: bool,
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Gaps {
    /// Claimed but covered by no commitment.
    pub uncovered: Vec<String>,
    /// Covered only by statements or remarks.
    pub unbound: Vec<String>,
    /// Covered only in a variant option.
    pub variant_only: Vec<String>,
}

/// Who owes a commitment: parties, or a decision body.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum By {
    Parties(Vec<String>),
    Body { body: String },
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VariantChoice {
    pub variant: String,
    pub option: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvidenceRef {
    /// The source's file.
    pub source: String,
    /// The source's id in the spec.
    pub source_id: String,
    pub quote: String,
    pub speaker: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowCommitment {
    pub id: String,
    pub article: Option<String>,
    pub kind: String,
    pub by: By,
    pub to: Vec<String>,
    pub domains: Vec<String>,
    pub strength: String,
    /// How far the clause has got (proposed, reported, offered, agreed, signed, in_force).
    pub status: String,
    /// Whether the status was written in the spec (`false`: implied by the strength).
    pub status_stated: bool,
    /// False for a proposed or reported clause that no variant option lists: it takes no effect.
    pub takes_effect: bool,
    pub modality: String,
    /// The amount pledged, with its unit.
    pub amount: Option<String>,
    pub deadline_days: Option<f64>,
    /// The deadline is soft (`soft_deadline`): missing it makes the obligation late, not failed.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deadline_soft: bool,
    pub trigger: Option<String>,
    /// The event that ends the commitment for good (`void_if`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub void_if: Option<String>,
    /// Entry conditions (`after X`), continuing conditions, and exceptions (`unless X`).
    pub conditions: Vec<String>,
    pub scope: Vec<String>,
    /// Regions excluded from the scope (`scope_except`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub scope_except: Vec<String>,
    pub backs: Option<String>,
    pub variant: Option<VariantChoice>,
    pub evidence: Vec<EvidenceRef>,
}

/// A named exception (`[[exception]]`): the clauses it qualifies, when it holds, and what it does
/// (`docs/semantics.md`, "Named exceptions" and "Excused acts").
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowException {
    pub id: String,
    /// The commitments it qualifies.
    pub commitments: Vec<String>,
    /// `suspend` (the clauses do not apply), `apply` (they apply notwithstanding their own
    /// conditions and `unless`) or `excuse` (the acts `acts` matches do not breach a refrain).
    pub effect: String,
    /// When it holds, a condition over the state (`None`: always, an `excuse` without `when`).
    pub when: Option<String>,
    /// For an `excuse`: the acts it excuses, an event pattern.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acts: Option<String>,
    /// The exceptions it takes precedence over.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub overrides: Vec<String>,
    pub evidence: Vec<EvidenceRef>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowRedLine {
    pub id: String,
    pub party: String,
    pub kind: String,
    pub strength: String,
    pub statement: Option<String>,
    /// The commitments it touches.
    pub touches: Vec<String>,
    /// Exclusions only: the domains of those commitments it removes the party from (empty: the
    /// whole commitment).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowVariant {
    pub id: String,
    pub question: String,
    pub options: Vec<ShowOption>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShowOption {
    pub id: String,
    /// The analyst's weight, in [0, 1].
    pub weight: f64,
    pub summary: Option<String>,
}

fn ids(spec: &Spec, parties: &[PartyId]) -> Vec<String> {
    parties.iter().map(|p| spec.party(*p).id.clone()).collect()
}

fn domain_names(ds: &[ironclad_spec::vocab::Domain]) -> Vec<String> {
    ds.iter().map(|d| d.as_str().to_string()).collect()
}

/// Summarises a valid spec.
pub fn show(spec: &Spec) -> ShowReport {
    let f = &spec.framework;
    let cov = coverage(spec);
    ShowReport {
        schema_version: crate::SCHEMA_VERSION,
        id: f.id.clone(),
        title: f.title.clone(),
        protects: ids(spec, &f.protects),
        threat: f.threat.map(|t| spec.party(t).id.clone()),
        signed: f.signed.map(|d| d.to_string()),
        in_force: f.in_force.map(|d| d.to_string()),
        expires: f.expires.map(|d| d.to_string()),
        claimed_domains: f.domains.iter().map(|(d, _)| d.as_str().to_string()).collect(),
        summary: f.summary.clone(),
        evidence: f.evidence.iter().map(|e| evidence_ref(spec, e)).collect(),
        continuing: f.condition.iter().map(|c| display(spec, &c.expr)).collect(),
        entry: f.entry.iter().map(|c| display(spec, &c.expr)).collect(),
        counts: Counts {
            parties: spec.parties.len(),
            commitments: spec.commitments.len(),
            exceptions: spec.exceptions.len(),
            red_lines: spec.red_lines.len(),
            variants: spec.variants.len(),
            sources: spec.sources.len(),
        },
        coverage: CoverageTable {
            domains: domain_names(&cov.domains),
            rows: cov
                .rows
                .iter()
                .map(|r| CoverageRow {
                    who: r.who.clone(),
                    cells: r
                        .cells
                        .iter()
                        .map(|c| {
                            c.as_ref().map(|c| CoverageCell {
                                strength: c.strength.as_str().to_string(),
                                status: c.status.as_str().to_string(),
                                variant_only: c.variant_only,
                                commitments: c.commitments.clone(),
                            })
                        })
                        .collect(),
                })
                .collect(),
        },
        gaps: Gaps {
            uncovered: domain_names(&cov.uncovered),
            unbound: domain_names(&cov.unbound),
            variant_only: domain_names(&cov.variant_only),
        },
        commitments: spec
            .commitments
            .iter()
            .map(|c| ShowCommitment {
                id: c.id.clone(),
                article: c.article.clone(),
                kind: c.kind.as_str().to_string(),
                by: match &c.by {
                    Obligor::Parties(ps) => By::Parties(ids(spec, ps)),
                    Obligor::Body(b) => By::Body { body: spec.body(*b).id.clone() },
                },
                to: ids(spec, &c.to),
                domains: domain_names(&c.domains),
                strength: c.strength.as_str().to_string(),
                status: c.status.as_str().to_string(),
                status_stated: c.status_span.is_some(),
                takes_effect: c.takes_effect(),
                modality: c.modality.as_str().to_string(),
                amount: c.amount.as_ref().map(|a| a.to_string()),
                deadline_days: c.deadline.map(|d| d.days),
                deadline_soft: c.soft_deadline,
                trigger: c.trigger.as_ref().map(|t| t.text.clone()),
                void_if: c.void_if.as_ref().map(|t| t.text.clone()),
                conditions: conditions_text(spec, c),
                scope: c.scope.iter().map(|r| spec.region(*r).id.clone()).collect(),
                scope_except: c.scope_except.iter().map(|r| spec.region(*r).id.clone()).collect(),
                backs: c.backs.map(|b| spec.commitment(b).id.clone()),
                variant: c.option.map(|(v, o)| VariantChoice {
                    variant: spec.variants[v.index()].id.clone(),
                    option: spec.variants[v.index()].options[o].id.clone(),
                }),
                evidence: c.evidence.iter().map(|e| evidence_ref(spec, e)).collect(),
            })
            .collect(),
        exceptions: spec.exceptions.iter().map(|x| show_exception(spec, x)).collect(),
        red_lines: spec
            .red_lines
            .iter()
            .map(|r| ShowRedLine {
                id: r.id.clone(),
                party: spec.party(r.party).id.clone(),
                kind: r.kind.as_str().to_string(),
                strength: r.strength.as_str().to_string(),
                statement: r.statement.clone(),
                touches: red_line_targets(spec, r),
                domains: r.domains.iter().map(|d| d.as_str().to_string()).collect(),
            })
            .collect(),
        variants: spec
            .variants
            .iter()
            .map(|v| ShowVariant {
                id: v.id.clone(),
                question: v.question.clone(),
                options: v
                    .options
                    .iter()
                    .map(|o| ShowOption { id: o.id.clone(), weight: o.weight, summary: o.summary.clone() })
                    .collect(),
            })
            .collect(),
    }
}

fn show_exception(spec: &Spec, x: &ironclad_spec::model::Exception) -> ShowException {
    use ironclad_spec::vocab::ExceptionEffect;
    let excuse_always = x.effect == ExceptionEffect::Excuse && x.when.text == "true";
    ShowException {
        id: x.id.clone(),
        commitments: x.commitments.iter().map(|c| spec.commitment(*c).id.clone()).collect(),
        effect: match x.effect {
            ExceptionEffect::Suspend => "suspend",
            ExceptionEffect::Apply => "apply",
            ExceptionEffect::Excuse => "excuse",
        }
        .to_string(),
        when: (!excuse_always).then(|| display(spec, &x.when.expr)),
        acts: x.acts.as_ref().map(|a| a.text.clone()),
        overrides: x.overrides.iter().map(|o| spec.exceptions[o.index()].id.clone()).collect(),
        evidence: x.evidence.iter().map(|e| evidence_ref(spec, e)).collect(),
    }
}

fn evidence_ref(spec: &Spec, e: &ironclad_spec::model::Evidence) -> EvidenceRef {
    EvidenceRef {
        source: spec.sources[e.source.index()].file.clone(),
        source_id: spec.sources[e.source.index()].id.clone(),
        quote: e.quote.clone(),
        speaker: e.speaker.clone(),
    }
}
