//! The closed vocabularies of the spec language: domains, commitment kinds, modalities,
//! strengths, decision rules and red-line kinds, plus calendar dates.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in spec files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the spelling used in spec files.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The domains in which a framework can claim to protect and a commitment can act.
    Domain {
        Land = "land",
        Air = "air",
        AirDefence = "air_defence",
        Maritime = "maritime",
        Intelligence = "intelligence",
        Cyber = "cyber",
        Logistics = "logistics",
        Training = "training",
        Weapons = "weapons",
        Financing = "financing",
        Sanctions = "sanctions",
        Nuclear = "nuclear",
    }
}

vocabulary! {
    /// What a commitment obliges its parties to do.
    Kind {
        /// Meet and consult (NATO Art. 4, the 24-hour consultations of the 2024 bilateral agreements).
        Consult = "consult",
        /// Assist in an unspecified way ("such action as it deems necessary").
        Assist = "assist",
        /// Supply equipment or materiel.
        Supply = "supply",
        /// Pay or lend money.
        Finance = "finance",
        /// Train forces.
        Train = "train",
        /// Station forces on the protected party's territory.
        Deploy = "deploy",
        /// Use armed force in defence of the protected party.
        Defend = "defend",
        /// Monitor or verify (e.g. a ceasefire).
        Monitor = "monitor",
        /// Stand behind another commitment and act if it is struck or fails (`backs` names it).
        Backstop = "backstop",
        /// Refrain from an act (Budapest points 1-3 and 5: respect borders, no force, no coercion).
        Refrain = "refrain",
        /// Seek action from a decision body (Budapest point 4: seek UN Security Council action).
        Seek = "seek",
        /// Impose economic sanctions or export controls (on the aggressor): an act in the
        /// `sanctions` domain only, fulfilled by an `action` like every kind but `refrain`.
        Sanctions = "sanctions",
    }
}

vocabulary! {
    /// How much discretion the obliged party keeps once a commitment is activated.
    Modality {
        /// Action follows without a further decision.
        Automatic = "automatic",
        /// "such action as it deems necessary": the party chooses whether and how to act.
        Discretionary = "discretionary",
        /// "in accordance with its constitutional processes": a domestic decision is required.
        Constitutional = "constitutional",
    }
}

vocabulary! {
    /// How binding the instrument behind a commitment is, strongest first.
    Strength {
        /// A ratified treaty.
        Treaty = "treaty",
        /// An executive or intergovernmental agreement, not ratified.
        Agreement = "agreement",
        /// A joint political declaration.
        Declaration = "declaration",
        /// A public statement by a head of state or government.
        Statement = "statement",
        /// A remark reported second-hand (briefings, anonymous officials).
        Remark = "remark",
    }
}

vocabulary! {
    /// How far a clause has got (its standing in the negotiation), weakest first. Separate from
    /// `strength`, which says what kind of instrument carries it (docs/spec-format.md, "Status").
    Status {
        /// Someone suggested, advocated, called for or discussed it; the obligors have not said
        /// they will do it.
        Proposed = "proposed",
        /// The obligors' willingness is known only through someone else's account (unnamed
        /// officials, another leader relaying a private exchange, an outlet's own claim).
        Reported = "reported",
        /// The obligors (or a leader speaking for them in public) said they are ready, willing or
        /// open to do it; nothing agreed with the beneficiary yet.
        Offered = "offered",
        /// The obligors and the beneficiary say they have agreed, in principle; no text.
        Agreed = "agreed",
        /// A text exists and the obligors signed it.
        Signed = "signed",
        /// The text is in force for the obligors (ratified where that is needed).
        InForce = "in_force",
    }
}

impl Status {
    /// A proposal or a second-hand report: whether the clause exists at all is uncertain, so it
    /// takes effect only in the variant options that list it (never as a pledge by default).
    pub fn tentative(self) -> bool {
        matches!(self, Status::Proposed | Status::Reported)
    }

    /// The status a commitment without one is read as, from its instrument: never tentative.
    pub fn implied_by(strength: Strength) -> Status {
        match strength {
            Strength::Treaty => Status::InForce,
            Strength::Agreement | Strength::Declaration => Status::Signed,
            Strength::Statement | Strength::Remark => Status::Offered,
        }
    }
}

vocabulary! {
    /// The rule by which a decision body decides.
    RuleKind {
        /// Every member votes yes; abstention counts as no.
        Unanimity = "unanimity",
        /// No member objects; silence counts as assent.
        Consensus = "consensus",
        /// More than half of all seats vote yes.
        Majority = "majority",
        /// At least `threshold` (a fraction of all seats) vote yes.
        Qualified = "qualified",
        /// The weights of the yes votes reach `quota`.
        Quota = "quota",
    }
}

vocabulary! {
    /// What a red line or stated position says.
    RedLineKind {
        /// The party will not do this itself ("no US ground troops").
        Exclusion = "exclusion",
        /// The party opposes others doing this.
        Opposition = "opposition",
        /// The party threatens a response if others do this ("legitimate targets").
        Threat = "threat",
        /// A procedural demand ("guarantees must be predicated on consensus").
        Demand = "demand",
    }
}

impl Strength {
    /// 0 for a treaty, up to 4 for a reported remark.
    pub fn rank(self) -> usize {
        self as usize
    }
}

/// A calendar date. Written in spec files as a TOML date (`2025-09-04`) or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day against the month (leap years included).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date { year: y.parse().ok()?, month: m.parse().ok()?, day: d.parse().ok()? };
        (1..=12).contains(&date.month).then_some(())?;
        (1..=date.days_in_month()).contains(&date.day).then_some(date)
    }

    fn days_in_month(self) -> u8 {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm.
    pub fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (i64::from(self.year), i64::from(self.month), i64::from(self.day));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Repr::deserialize(deserializer)? {
            Repr::Toml(datetime) => {
                if datetime.time.is_some() || datetime.offset.is_some() {
                    return Err(serde::de::Error::custom(format!(
                        "expected a date like 2025-09-04, found the date-time {datetime}"
                    )));
                }
                datetime.to_string()
            }
            Repr::Text(text) => text,
        };
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a valid date; write YYYY-MM-DD, e.g. 2025-09-04"))
        })
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD (a TOML date or a string)."
        })
    }
}

/// What an exception does to the clauses it qualifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionEffect {
    Suspend,
    Apply,
    /// On a `refrain` clause: the acts its `acts` pattern matches do not breach it.
    Excuse,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2025-13-01"), None);
        assert_eq!(Date::parse("25-01-01"), None);
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Date::parse("2014-03-15").unwrap().days_since_epoch(), 16_144);
    }

    #[test]
    fn vocabularies_round_trip() {
        for domain in Domain::ALL {
            assert_eq!(Domain::parse(domain.as_str()), Some(*domain));
        }
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(*kind));
        }
        assert!(Strength::Treaty.rank() < Strength::Remark.rank());
    }
}
