//! The spec file format: what `serde` reads from TOML, before any name is resolved.
//!
//! These types *are* the format. `ironclad schema` derives the JSON Schema from them, and
//! `docs/spec-format.md` documents them field by field. Every field that a diagnostic may point
//! at is an `Sp<T>`, which carries its byte span.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::span::Sp;
use crate::vocab::{Date, Domain, Kind, Modality, RedLineKind, RuleKind, Status, Strength};

/// A whole spec file: one security framework.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ironclad framework spec")]
pub struct RawSpec {
    /// What the framework is, whom it protects, against whom, and which domains it claims to cover.
    pub framework: RawFramework,
    /// The documents that evidence quotes come from.
    #[serde(default)]
    pub source: Vec<RawSource>,
    /// The states and institutions that take part.
    #[serde(default)]
    pub party: Vec<RawParty>,
    /// Named regions forming a containment tree, for scope clauses.
    #[serde(default)]
    pub region: Vec<RawRegion>,
    /// Decision bodies and their voting rules.
    #[serde(default)]
    pub body: Vec<RawBody>,
    /// The clauses: who commits to do what, for whom, when.
    #[serde(default)]
    pub commitment: Vec<RawCommitment>,
    /// Red lines and stated positions of the parties.
    #[serde(default)]
    pub red_line: Vec<RawRedLine>,
    /// Exceptions to commitments, with explicit precedence.
    #[serde(default)]
    pub exception: Vec<RawException>,
    /// Alternative readings where the sources disagree.
    #[serde(default)]
    pub variant: Vec<RawVariant>,
    /// Parameters of the credibility simulation (all optional; defaults in docs/model.md).
    pub model: Option<Sp<crate::params::RawModel>>,
}

/// Framework metadata.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    /// Short identifier, e.g. `nato-1949`.
    pub id: Sp<String>,
    pub title: Sp<String>,
    /// The protected parties (party ids or `#tag`s).
    pub protects: Vec<Sp<String>>,
    /// The party the framework is aimed at, if it names one (ATOP SPECTHRT).
    pub threat: Option<Sp<String>>,
    /// The domains the framework claims to cover.
    #[serde(default)]
    pub domains: Vec<Sp<Domain>>,
    pub signed: Option<Sp<Date>>,
    pub in_force: Option<Sp<Date>>,
    pub expires: Option<Sp<Date>>,
    /// How long the framework lasts from entry into force, e.g. `10y`.
    pub duration: Option<Sp<String>>,
    /// Notice period for withdrawal, e.g. `6mo`.
    pub notice: Option<Sp<String>>,
    /// An entry condition of every commitment (e.g. `ceasefire` for "activated once a ceasefire
    /// enters into force"); commitments opt out with `framework_condition = false`.
    pub entry: Option<Sp<String>>,
    /// A continuing condition of every commitment (it must keep holding).
    pub continuing: Option<Sp<String>>,
    /// A condition of every commitment that does not say its kind: read as continuing, with a warning.
    pub condition: Option<Sp<String>>,
    /// The scenario `ironclad simulate` runs when none is given, relative to this file.
    pub scenario: Option<Sp<String>>,
    /// Lints deliberately allowed for the whole framework, e.g. `["uncovered-domain"]`.
    #[serde(default)]
    pub allow: Vec<Sp<String>>,
    pub summary: Option<String>,
    /// Quotes for what the framework as a whole is: its status, dates, vagueness ("the precise
    /// contours … remain unclear"), its entry condition. Optional; verified like any evidence.
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}

/// A document quoted as evidence.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Sp<String>,
    /// File name, looked up in the directories given to `ironclad sources verify --sources`.
    pub file: Sp<String>,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub date: Option<Sp<Date>>,
    /// Through whom every quote of this source has its words, when the whole source is second
    /// hand (a compilation of reported wording, a digest): the `via` of each of its quotes that
    /// gives none of its own.
    pub via: Option<String>,
}

/// A verbatim quote supporting a commitment, red line or variant.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    /// A source id.
    pub source: Sp<String>,
    /// The exact words of the source (whitespace and typographic quotes are folded when verified).
    pub quote: Sp<String>,
    /// Who said it, if it is a statement.
    pub speaker: Option<String>,
    /// Through whom the source has it, when the speaker's words are reported second hand
    /// (`"three European officials"`, `"Trump, relaying Putin"`).
    pub via: Option<String>,
    /// When it was said, if not the source's date.
    pub date: Option<Sp<Date>>,
    pub note: Option<String>,
}

/// A state or institution.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawParty {
    pub id: Sp<String>,
    pub name: Option<String>,
    /// Free tags (`nato`, `eu`, `p5`, `nuclear` ...), usable as `#tag` in party lists and expressions.
    #[serde(default)]
    pub tags: Vec<Sp<String>>,
    /// Regions that are this party's territory.
    #[serde(default)]
    pub territory: Vec<Sp<String>>,
    /// Capacity per domain, as `"<amount> <unit>"`, e.g. `{ land = "7500 troops" }`.
    #[serde(default)]
    pub capacity: BTreeMap<Sp<Domain>, Sp<String>>,
    pub notes: Option<String>,
}

/// A named region; `within` makes the regions a containment tree.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: Sp<String>,
    pub name: Option<String>,
    /// The region that contains this one.
    pub within: Option<Sp<String>>,
    pub notes: Option<String>,
}

/// A decision body.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    pub id: Sp<String>,
    pub name: Option<String>,
    /// Members (party ids or `#tag`s).
    pub members: Vec<Sp<String>>,
    pub rule: Sp<RuleKind>,
    /// For `qualified`: the fraction of all seats that must vote yes, in (0, 1].
    pub threshold: Option<Sp<f64>>,
    /// For `quota`: the total weight of yes votes needed.
    pub quota: Option<Sp<f64>>,
    /// For `quota`: weight per member (default 1).
    #[serde(default)]
    pub weights: BTreeMap<Sp<String>, Sp<f64>>,
    /// Members whose "no" blocks any decision (e.g. the UN Security Council's permanent five).
    #[serde(default)]
    pub vetoes: Vec<Sp<String>>,
    /// Seats held by states not modelled as parties (e.g. the ten elected Security Council members).
    #[serde(default)]
    pub other_seats: u32,
    pub notes: Option<String>,
}

fn yes() -> bool {
    true
}

/// A clause.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCommitment {
    pub id: Sp<String>,
    pub title: Option<String>,
    /// The article or point of the text, e.g. `Art. 5`.
    pub article: Option<String>,
    /// Who is obliged: party ids, `#tag`s, or one decision body.
    pub by: Vec<Sp<String>>,
    /// The beneficiaries: party ids or `#tag`s.
    pub to: Vec<Sp<String>>,
    pub kind: Sp<Kind>,
    #[serde(default)]
    pub domains: Vec<Sp<Domain>>,
    /// `"<amount> <unit>"`, e.g. `"15000 troops"`, `"2.5bn GBP/year"`.
    pub amount: Option<Sp<String>>,
    /// For `kind = "backstop"`: the commitment this one stands behind.
    pub backs: Option<Sp<String>>,
    /// The event pattern that triggers it, e.g. `armed_attack where target == UA`; none for a standing commitment.
    pub trigger: Option<Sp<String>>,
    /// Entry conditions: they must all have held together once (at or before the trigger, for
    /// a triggered clause); from then on the clause no longer reads them. "Only after a
    /// ceasefire", "following a peace deal".
    #[serde(default)]
    pub entry: Vec<Sp<String>>,
    /// Continuing conditions: they must all hold at the moment judged. "While the ceasefire
    /// holds", `consent(UA)`, `decided(nac)`.
    #[serde(default)]
    pub continuing: Vec<Sp<String>>,
    /// Conditions that do not say which kind they are: read as continuing, with a warning.
    #[serde(default)]
    pub conditions: Vec<Sp<String>>,
    /// How far the clause has got: `proposed`, `reported`, `offered`, `agreed`, `signed`,
    /// `in_force`. A proposed or reported clause takes effect only in the variant options that
    /// list it.
    pub status: Option<Sp<Status>>,
    /// Exceptions: if any of these holds, the commitment does not apply.
    #[serde(default)]
    pub unless: Vec<Sp<String>>,
    /// An event pattern that voids the commitment from that event on, e.g.
    /// `armed_attack where attacker == UA and target == RU and not provoked`.
    pub void_if: Option<Sp<String>>,
    /// Whether `[framework] condition` applies to this commitment (default true).
    #[serde(default = "yes")]
    pub framework_condition: bool,
    /// Regions where it applies (by containment); empty means anywhere.
    #[serde(default)]
    pub scope: Vec<Sp<String>>,
    /// Regions (and everything within them) excluded from the scope: "not on the front line".
    #[serde(default)]
    pub scope_except: Vec<Sp<String>>,
    pub modality: Sp<Modality>,
    pub strength: Sp<Strength>,
    /// Time allowed to act once due, e.g. `24h`.
    pub deadline: Option<Sp<String>>,
    /// A best-efforts time to act ("where possible within 24 hours"): past it the obligation
    /// is `late`, not `overdue`, and the commitment does not fail. Not with `deadline`.
    pub soft_deadline: Option<Sp<String>>,
    /// How long it lasts, e.g. `10y`.
    pub duration: Option<Sp<String>>,
    /// Lints deliberately allowed on this commitment, e.g. `["discretionary-defend"]`.
    #[serde(default)]
    pub allow: Vec<Sp<String>>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
    pub notes: Option<String>,
}

/// An exception to one or more commitments. Exceptions take precedence over the clauses they
/// qualify; among exceptions that hold at once, one listed in another's `overrides` gives way.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawException {
    pub id: Sp<String>,
    /// The commitments it qualifies.
    pub commitments: Vec<Sp<String>>,
    /// When it holds: a condition over the state, e.g. `attacked(UA) and not ceasefire`.
    /// Required for `suspend` and `apply`; optional for `excuse` (default: always).
    pub when: Option<Sp<String>>,
    /// `suspend`: the clause does not apply; `apply`: it applies notwithstanding its own
    /// conditions and `unless`; `excuse` (refrain clauses only): the acts `acts` matches do
    /// not breach it.
    pub effect: Sp<ExceptionEffect>,
    /// For `effect = "excuse"` only: an event pattern over the breaching act, e.g.
    /// `armed_attack where provoked`.
    pub acts: Option<Sp<String>>,
    /// Exceptions this one takes precedence over.
    #[serde(default)]
    pub overrides: Vec<Sp<String>>,
    pub notes: Option<String>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}

pub use crate::vocab::ExceptionEffect;

/// Which commitments a red line is about. Every given list must match (each list is a choice).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSelector {
    /// Committing parties (ids or `#tag`s).
    #[serde(default)]
    pub by: Vec<Sp<String>>,
    #[serde(default)]
    pub kinds: Vec<Sp<Kind>>,
    #[serde(default)]
    pub domains: Vec<Sp<Domain>>,
    /// Regions (by containment) where the commitment acts.
    #[serde(default)]
    pub regions: Vec<Sp<String>>,
}

/// A red line or stated position.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRedLine {
    pub id: Sp<String>,
    /// Whose red line it is.
    pub party: Sp<String>,
    pub kind: Sp<RedLineKind>,
    /// The position in plain words.
    pub statement: Option<String>,
    /// The commitments it is about; none for a purely procedural position.
    pub matches: Option<Sp<RawSelector>>,
    /// For threats: the threatened response, e.g. `strike`.
    pub response: Option<String>,
    /// For exclusions: the domains of each matched clause the party will not act in ("no
    /// ground troops": `["land"]`); the party stays obliged in the clause's other domains.
    /// Default: the whole clause.
    #[serde(default)]
    pub domains: Vec<Sp<Domain>>,
    pub strength: Sp<Strength>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}

/// A question on which the sources disagree, with one option per reading.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub id: Sp<String>,
    pub question: String,
    pub option: Vec<RawOption>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}

/// One reading. Commitments and red lines it lists exist only when it is chosen.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub id: Sp<String>,
    pub summary: Option<String>,
    /// Analyst weight; the options of a variant sum to 1.
    pub weight: Sp<f64>,
    #[serde(default)]
    pub commitments: Vec<Sp<String>>,
    #[serde(default)]
    pub red_lines: Vec<Sp<String>>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}
