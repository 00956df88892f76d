//! Counterfactual overlays for `compare --with`: "what if Ukraine were a NATO member" without
//! copying specs. An overlay names the framework it applies to and changes a copy of its text;
//! the result is analysed like any spec, so it is checked as fully (format in
//! `docs/spec-format.md`, "Overlays").
//!
//! - `members = ["UA"]`: each party becomes a member: it gets every tag the framework's
//!   `protects` uses (`#nato` → tag `nato`), or is added to `protects` when that lists ids; each
//!   of its territory regions that has no `within` is placed where the first protected party's
//!   first territory region is (so an area-bounded trigger such as NATO's Art. 6 reaches it).
//! - `remove = ["id"]`: commitments dropped (and dropped from variant options).
//! - `[[change]]`: `commitment` plus any of `modality`, `strength`, `kind`, `amount`.
//! - Any `[[party]]`, `[[region]]`, `[[body]]`, `[[commitment]]`, `[[source]]` tables are
//!   appended to the framework's.
//!
//! The shorthand `member=PARTY@FRAMEWORK` is an overlay with `members = [PARTY]`.

use serde::Deserialize;
use toml::{Table, Value};

use crate::Error;

/// A parsed overlay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// The id of the framework it applies to.
    pub framework: String,
    /// The label of the resulting framework; default `FRAMEWORK+…`.
    pub label: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub change: Vec<Change>,
    #[serde(default)]
    pub party: Vec<Table>,
    #[serde(default)]
    pub region: Vec<Table>,
    #[serde(default)]
    pub body: Vec<Table>,
    #[serde(default)]
    pub commitment: Vec<Table>,
    #[serde(default)]
    pub source: Vec<Table>,
}

/// A change to one commitment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub commitment: String,
    pub modality: Option<String>,
    pub strength: Option<String>,
    pub kind: Option<String>,
    pub amount: Option<String>,
}

impl Overlay {
    /// `member=PARTY@FRAMEWORK`, or the path of an overlay file.
    pub fn parse_arg(arg: &str) -> Result<Overlay, Error> {
        if let Some(rest) = arg.strip_prefix("member=") {
            let (party, framework) = rest.split_once('@').ok_or_else(|| {
                Error::Usage(format!("`--with {arg}`: write member=PARTY@FRAMEWORK, e.g. member=UA@nato-1949"))
            })?;
            if party.is_empty() || framework.is_empty() {
                return Err(Error::Usage(format!("`--with {arg}`: write member=PARTY@FRAMEWORK")));
            }
            return Ok(Overlay {
                framework: framework.into(),
                label: None,
                members: vec![party.into()],
                remove: vec![],
                change: vec![],
                party: vec![],
                region: vec![],
                body: vec![],
                commitment: vec![],
                source: vec![],
            });
        }
        if arg.contains('=') {
            return Err(Error::Usage(format!(
                "`--with {arg}`: the shorthand is member=PARTY@FRAMEWORK; anything else is an overlay file"
            )));
        }
        let text = std::fs::read_to_string(arg)
            .map_err(|e| Error::Unservable(format!("cannot read the overlay {arg}: {e}")))?;
        Overlay::parse(&text).map_err(|m| Error::Usage(format!("the overlay {arg}: {m}")))
    }

    /// An overlay file's text: one `[overlay]` table.
    pub fn parse(text: &str) -> Result<Overlay, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            overlay: Overlay,
        }
        toml::from_str::<File>(text).map(|f| f.overlay).map_err(|e| e.message().to_string())
    }

    fn label(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let mut parts: Vec<String> = self.members.iter().map(|m| format!("member:{m}")).collect();
        parts.extend(self.remove.iter().map(|c| format!("without:{c}")));
        parts.extend(self.change.iter().map(|c| format!("changed:{}", c.commitment)));
        parts.extend(self.commitment.iter().filter_map(|c| c.get("id")?.as_str().map(|i| format!("with:{i}"))));
        if parts.is_empty() {
            parts.push("overlay".into());
        }
        format!("{}+{}", self.framework, parts.join("+"))
    }
}

fn array<'a>(t: &'a mut Table, key: &str) -> &'a mut Vec<Value> {
    let v = t.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if !v.is_array() {
        *v = Value::Array(Vec::new());
    }
    v.as_array_mut().expect("an array")
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id")?.as_str()
}

/// Applies an overlay to a spec text, returning the new text.
pub fn apply(text: &str, overlay: &Overlay) -> Result<String, Error> {
    applied(text, overlay).map(|(text, _)| text)
}

/// [`apply`], and whether the overlay changed anything in the spec (`false`: the new spec is
/// the old one, e.g. a member that already is one, or a change to the value a clause has).
fn applied(text: &str, overlay: &Overlay) -> Result<(String, bool), Error> {
    let usage = |m: String| Error::Usage(format!("overlay on `{}`: {m}", overlay.framework));
    let mut t: Table = text.parse().map_err(|e: toml::de::Error| usage(e.message().to_string()))?;
    let original = t.clone();
    for (key, extra) in [
        ("source", &overlay.source),
        ("party", &overlay.party),
        ("region", &overlay.region),
        ("body", &overlay.body),
        ("commitment", &overlay.commitment),
    ] {
        array(&mut t, key).extend(extra.iter().cloned().map(Value::Table));
    }
    // Members.
    let protects: Vec<String> = t
        .get("framework")
        .and_then(|f| f.get("protects"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default();
    let tags: Vec<String> = protects.iter().filter_map(|p| p.strip_prefix('#').map(String::from)).collect();
    // Where the first protected party's first territory region sits.
    let parties = array(&mut t, "party").clone();
    let first_protected = parties.iter().find(|p| {
        let id = id_of(p).unwrap_or("");
        let ptags: Vec<&str> = p
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        protects.iter().any(|x| x == id) || tags.iter().any(|tag| ptags.contains(&tag.as_str()))
    });
    let home = first_protected
        .and_then(|p| p.get("territory")?.as_array()?.first()?.as_str().map(String::from))
        .and_then(|r| {
            array(&mut t.clone(), "region")
                .iter()
                .find(|x| id_of(x) == Some(r.as_str()))
                .and_then(|x| x.get("within")?.as_str().map(String::from))
        });
    for m in &overlay.members {
        let party = array(&mut t, "party")
            .iter_mut()
            .find(|p| id_of(p) == Some(m.as_str()))
            .ok_or_else(|| usage(format!("no party `{m}` to make a member")))?;
        // A party that already is a member stays as it is: its territory keeps where the spec
        // puts it (NATO's Hawaii stays outside the Art. 6 area), and the overlay changes
        // nothing, which `apply_to` then says.
        let already = protects.iter().any(|x| x == m)
            || party
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().filter_map(Value::as_str).any(|tag| tags.iter().any(|t| t == tag)));
        if already {
            continue;
        }
        let territory: Vec<String> = party
            .get("territory")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if !tags.is_empty()
            && let Some(p) = party.as_table_mut()
        {
            let ptags = array(p, "tags");
            for tag in &tags {
                if !ptags.iter().any(|v| v.as_str() == Some(tag)) {
                    ptags.push(Value::String(tag.clone()));
                }
            }
        }
        if tags.is_empty()
            && let Some(f) = t.get_mut("framework").and_then(Value::as_table_mut)
        {
            array(f, "protects").push(Value::String(m.clone()));
        }
        if let Some(home) = &home {
            for region in array(&mut t, "region").iter_mut() {
                let Some(r) = region.as_table_mut() else { continue };
                let id = r.get("id").and_then(Value::as_str).unwrap_or("").to_string();
                if territory.contains(&id) && !r.contains_key("within") && id != *home {
                    r.insert("within".into(), Value::String(home.clone()));
                }
            }
        }
    }
    // Removals.
    for c in &overlay.remove {
        let commitments = array(&mut t, "commitment");
        let before = commitments.len();
        commitments.retain(|x| id_of(x) != Some(c.as_str()));
        if commitments.len() == before {
            return Err(usage(format!("no commitment `{c}` to remove")));
        }
        for variant in array(&mut t, "variant").iter_mut() {
            if let Some(options) = variant.get_mut("option").and_then(Value::as_array_mut) {
                for o in options {
                    if let Some(list) = o.get_mut("commitments").and_then(Value::as_array_mut) {
                        list.retain(|x| x.as_str() != Some(c.as_str()));
                    }
                }
            }
        }
    }
    // Changes.
    for ch in &overlay.change {
        let c = array(&mut t, "commitment")
            .iter_mut()
            .find(|x| id_of(x) == Some(ch.commitment.as_str()))
            .and_then(Value::as_table_mut)
            .ok_or_else(|| usage(format!("no commitment `{}` to change", ch.commitment)))?;
        for (key, value) in
            [("modality", &ch.modality), ("strength", &ch.strength), ("kind", &ch.kind), ("amount", &ch.amount)]
        {
            if let Some(v) = value {
                c.insert(key.into(), Value::String(v.clone()));
            }
        }
    }
    let changed = t != original;
    toml::to_string(&t).map(|text| (text, changed)).map_err(|e| usage(e.to_string()))
}

/// Applies an overlay to the spec of `texts` (text, framework id) whose id it names, and
/// analyses the result; errors in it are a usage error listing their messages. An overlay that
/// changes nothing gives the framework a `note` saying so (its figures are its base's).
pub fn apply_to(texts: &[(String, String)], overlay: &Overlay) -> Result<crate::compare::Framework, Error> {
    let (text, _) = texts.iter().find(|(_, id)| *id == overlay.framework).ok_or_else(|| {
        let ids: Vec<&str> = texts.iter().map(|(_, id)| id.as_str()).collect();
        Error::Usage(format!(
            "the overlay applies to `{}`, which is not among the frameworks compared ({})",
            overlay.framework,
            ids.join(", ")
        ))
    })?;
    let (new, changed) = applied(text, overlay)?;
    let analysis = ironclad_spec::analyze(&new);
    let note = (!changed).then(|| {
        format!(
            "the overlay `{}` changes nothing in `{}`: its figures are those of `{}`",
            overlay.label(),
            overlay.framework,
            overlay.framework
        )
    });
    match analysis.spec {
        Some(spec) => Ok(crate::compare::Framework { label: overlay.label(), spec, note }),
        None => {
            let msgs: Vec<String> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.severity == ironclad_spec::Severity::Error)
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            Err(Error::Usage(format!("the overlay `{}` makes an invalid spec: {}", overlay.label(), msgs.join("; "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nato() -> String {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read_to_string(root.join("frameworks/nato-1949.toml")).expect("nato")
    }

    #[test]
    fn membership_adds_the_tag_and_places_the_territory_in_the_treaty_area() {
        let texts = vec![(nato(), "nato-1949".to_string())];
        let f = apply_to(&texts, &Overlay::parse_arg("member=UA@nato-1949").unwrap()).unwrap();
        assert_eq!(f.label, "nato-1949+member:UA");
        let ua = f.spec.parties.iter().position(|p| p.id == "UA").unwrap();
        assert!(f.spec.tags["nato"].iter().any(|p| p.index() == ua));
        let region =
            |id: &str| ironclad_spec::model::RegionId(f.spec.regions.iter().position(|r| r.id == id).unwrap() as u16);
        assert!(f.spec.region_within(region("UA"), region("north-atlantic-area")));
        assert!(!f.spec.region_within(region("RU"), region("north-atlantic-area")));
    }

    #[test]
    fn an_overlay_that_changes_nothing_says_so() {
        let texts = vec![(nato(), "nato-1949".to_string())];
        let empty = Overlay::parse("[overlay]\nframework = \"nato-1949\"\nlabel = \"same\"\n").unwrap();
        let note = apply_to(&texts, &empty).unwrap().note.expect("a note");
        assert!(note.contains("changes nothing in `nato-1949`"), "{note}");
        let same = "[overlay]\nframework = \"nato-1949\"\n[[overlay.change]]\ncommitment = \"art5-collective-defence\"\nmodality = \"discretionary\"\n";
        assert!(apply_to(&texts, &Overlay::parse(same).unwrap()).unwrap().note.is_some());
        let member = apply_to(&texts, &Overlay::parse_arg("member=UA@nato-1949").unwrap()).unwrap();
        assert_eq!(member.note, None);
    }

    /// Making an existing member "a member" changes nothing: the US is NATO's already, and
    /// Hawaii, outside the Art. 6 area in the spec, stays outside (audit 12: it was pulled in,
    /// turning a non-case into a full Art. 5 response); Ukraine is already protected by the
    /// coalition. Each gets the "changes nothing" note.
    #[test]
    fn a_member_that_already_is_one_changes_nothing() {
        let texts = vec![(nato(), "nato-1949".to_string())];
        let f = apply_to(&texts, &Overlay::parse_arg("member=US@nato-1949").unwrap()).unwrap();
        assert!(f.note.as_deref().is_some_and(|n| n.contains("changes nothing")), "{:?}", f.note);
        let region =
            |id: &str| ironclad_spec::model::RegionId(f.spec.regions.iter().position(|r| r.id == id).unwrap() as u16);
        assert!(!f.spec.region_within(region("US-hawaii"), region("north-atlantic-area")));
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let coalition = std::fs::read_to_string(root.join("frameworks/coalition-2025.toml")).unwrap();
        let texts = vec![(coalition, "coalition-2025".to_string())];
        let f = apply_to(&texts, &Overlay::parse_arg("member=UA@coalition-2025").unwrap()).unwrap();
        assert!(f.note.as_deref().is_some_and(|n| n.contains("changes nothing")), "{:?}", f.note);
    }

    #[test]
    fn bad_overlays_are_usage_errors() {
        let texts = vec![(nato(), "nato-1949".to_string())];
        for arg in ["member=UA", "member=XX@nato-1949", "member=UA@anzus-1951", "colour=red"] {
            let r = Overlay::parse_arg(arg).and_then(|o| apply_to(&texts, &o));
            assert!(matches!(r, Err(Error::Usage(_))), "{arg}: {r:?}");
        }
        // A missing overlay file is a missing input (exit 1), as a missing spec is.
        let r = Overlay::parse_arg("/no/such/overlay.toml");
        assert!(matches!(r, Err(Error::Unservable(_))), "{r:?}");
        let o = Overlay::parse("[overlay]\nframework = \"nato-1949\"\nremove = [\"art4-consult\"]\n[[overlay.change]]\ncommitment = \"art5-collective-defence\"\nmodality = \"automatic\"\n").unwrap();
        let f = apply_to(&texts, &o).unwrap();
        assert!(f.spec.commitments.iter().all(|c| c.id != "art4-consult"));
        let c = f.spec.commitments.iter().find(|c| c.id == "art5-collective-defence").unwrap();
        assert_eq!(c.modality, ironclad_spec::vocab::Modality::Automatic);
    }
}
