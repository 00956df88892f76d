//! Amounts with units (`"15000 troops"`, `"2.5bn GBP/year"`) and durations (`"24h"`, `"10y"`).

use std::fmt;

use crate::suggest::did_you_mean;

/// What a unit measures. Amounts of different dimensions never add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Soldiers, personnel.
    Personnel,
    /// Brigades, battalions, squadrons.
    Formations,
    /// Aircraft, ships, batteries and other equipment.
    Materiel,
    /// Money, in one currency.
    Money,
    /// A count of honoured pledges (for simulation requirements only).
    Pledges,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Personnel => "personnel",
            Dimension::Formations => "formations",
            Dimension::Materiel => "materiel",
            Dimension::Money => "money",
            Dimension::Pledges => "pledges",
        }
    }
}

/// The units the spec language knows, with their dimension.
pub const UNITS: &[(&str, Dimension)] = &[
    ("troops", Dimension::Personnel),
    ("personnel", Dimension::Personnel),
    ("brigades", Dimension::Formations),
    ("battalions", Dimension::Formations),
    ("squadrons", Dimension::Formations),
    ("aircraft", Dimension::Materiel),
    ("ships", Dimension::Materiel),
    ("vessels", Dimension::Materiel),
    ("batteries", Dimension::Materiel),
    ("systems", Dimension::Materiel),
    ("tanks", Dimension::Materiel),
    ("missiles", Dimension::Materiel),
    ("USD", Dimension::Money),
    ("EUR", Dimension::Money),
    ("GBP", Dimension::Money),
    ("pledges", Dimension::Pledges),
];

const MULTIPLIERS: &[(&str, f64)] = &[("k", 1e3), ("m", 1e6), ("bn", 1e9), ("tn", 1e12)];

/// How often an amount recurs, if it is a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Year,
    Month,
}

/// A parsed amount: `value` is in base units (a `2.5bn` is 2.5e9). A range (`"5000..15000
/// troops"`, for a source that gives only "up to" or "several thousand") has `value` at its upper
/// end and `low` at its lower end; the simulation samples the pledge uniformly between them
/// (`docs/model.md`, "Amount ranges").
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    /// The lower end of a range; `None` for an exact amount.
    pub low: Option<f64>,
    pub unit: &'static str,
    pub dimension: Dimension,
    pub per: Option<Per>,
}

impl Quantity {
    /// The unit with its rate, as the simulation matches a pledge to a need: `"troops"`,
    /// `"GBP/year"`.
    pub fn unit_text(&self) -> String {
        match self.per {
            None => self.unit.to_string(),
            Some(Per::Year) => format!("{}/year", self.unit),
            Some(Per::Month) => format!("{}/month", self.unit),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scaled, suffix) = MULTIPLIERS
            .iter()
            .rev()
            .find(|(_, m)| self.dimension == Dimension::Money && self.value >= *m)
            .map_or((self.value, ""), |(s, m)| (self.value / m, *s));
        if let Some(low) = self.low {
            write!(f, "{}..", low / (self.value / scaled))?;
        }
        write!(f, "{}{} {}", scaled, suffix, self.unit)?;
        match self.per {
            Some(Per::Year) => write!(f, "/year"),
            Some(Per::Month) => write!(f, "/month"),
            None => Ok(()),
        }
    }
}

/// Why an amount or duration did not parse: a message and a help line.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitError {
    pub message: String,
    pub help: String,
}

/// Parses `"<number>[k|m|bn|tn] <unit>[/year|/month]"`, or a range `"<low>..<high> <unit>"`
/// (the multiplier, if any, written once after the upper end applies to both: `"2..5bn EUR"`).
pub fn parse_quantity(text: &str) -> Result<Quantity, UnitError> {
    let syntax = || UnitError {
        message: format!("`{text}` is not an amount"),
        help: "write an amount as `<number> <unit>`, e.g. \"15000 troops\" or \"2.5bn GBP/year\", or a range \
               as `<low>..<high> <unit>`, e.g. \"5000..15000 troops\""
            .into(),
    };
    let mut words = text.split_whitespace();
    let (Some(number), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(syntax());
    };
    let (low_digits, number) = match number.split_once("..") {
        Some((low, high)) => (Some(low), high),
        None => (None, number),
    };
    let (digits, multiplier) = MULTIPLIERS
        .iter()
        .find_map(|(suffix, m)| number.strip_suffix(suffix).map(|d| (d, *m)))
        .unwrap_or((number, 1.0));
    let parse_number = |d: &str| -> Result<f64, UnitError> {
        let value: f64 = d.replace('_', "").parse().map_err(|_| syntax())?;
        if !value.is_finite() || value < 0.0 {
            return Err(UnitError {
                message: format!("`{d}` is not a non-negative amount"),
                help: "amounts are zero or more".into(),
            });
        }
        Ok(value)
    };
    let value = parse_number(digits)?;
    let low = low_digits.map(parse_number).transpose()?.map(|l| l * multiplier);
    if let Some(low) = low
        && low > value * multiplier
    {
        return Err(UnitError {
            message: format!("the range `{}` runs downwards", text.split_whitespace().next().unwrap_or_default()),
            help: "write the lower end first: `<low>..<high> <unit>`".into(),
        });
    }
    let low = low.filter(|l| *l < value * multiplier);
    let (unit, per) = match unit.split_once('/') {
        None => (unit, None),
        Some((unit, "year")) => (unit, Some(Per::Year)),
        Some((unit, "month")) => (unit, Some(Per::Month)),
        Some((_, other)) => {
            return Err(UnitError {
                message: format!("unknown rate `/{other}`"),
                help: "rates are `/year` or `/month`".into(),
            });
        }
    };
    let Some(&(unit, dimension)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        let names: Vec<&str> = UNITS.iter().map(|(n, _)| *n).collect();
        let help = match did_you_mean(unit, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? Units: {}", names.join(", ")),
            None => format!("units: {}", names.join(", ")),
        };
        return Err(UnitError { message: format!("unknown unit `{unit}`"), help });
    };
    Ok(Quantity { value: value * multiplier, low, unit, dimension, per })
}

/// The longest duration, and the furthest day from a scenario's day 0 (either way), in days:
/// 10000 years of 365.25 days. Dates (four-digit years) lie within it of each other, and the
/// date arithmetic of the engine and of the reports stays far from `i64` overflow.
pub const MAX_DAYS: f64 = 3_652_500.0;

/// [`MAX_DAYS`] as a day number.
pub const MAX_DAY: i64 = 3_652_500;

/// A duration in days (an hour is 1/24 day, a month 30.4375 days, a year 365.25 days).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duration {
    pub days: f64,
}

/// Parses `"<number><h|d|w|mo|y>"`, e.g. `"24h"`, `"6mo"`, `"10y"`, at most [`MAX_DAYS`].
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    const UNITS: &[(&str, f64)] = &[("mo", 30.4375), ("h", 1.0 / 24.0), ("d", 1.0), ("w", 7.0), ("y", 365.25)];
    let error = || UnitError {
        message: format!("`{text}` is not a duration"),
        help: "write a duration as a number and a unit: h, d, w, mo or y, e.g. \"24h\", \"6mo\", \"10y\"".into(),
    };
    let trimmed = text.trim();
    let (digits, days) =
        UNITS.iter().find_map(|(suffix, days)| trimmed.strip_suffix(suffix).map(|d| (d, *days))).ok_or_else(error)?;
    let value: f64 = digits.trim().parse().map_err(|_| error())?;
    if !value.is_finite() || value < 0.0 {
        return Err(error());
    }
    let total = value * days;
    if total > MAX_DAYS {
        return Err(UnitError {
            message: format!("`{text}` is longer than 10000 years"),
            help: "durations are at most 10000 years (\"10000y\"); a clause without an end has no `duration`".into(),
        });
    }
    Ok(Duration { days: total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        let q = parse_quantity("2.5bn GBP/year").unwrap();
        assert_eq!((q.value, q.unit, q.dimension, q.per), (2.5e9, "GBP", Dimension::Money, Some(Per::Year)));
        assert_eq!(q.to_string(), "2.5bn GBP/year");
        assert_eq!(parse_quantity("15_000 troops").unwrap().value, 15_000.0);
        let r = parse_quantity("5000..15000 troops").unwrap();
        assert_eq!((r.low, r.value), (Some(5000.0), 15000.0));
        assert_eq!(r.to_string(), "5000..15000 troops");
        let r = parse_quantity("2..5bn EUR").unwrap();
        assert_eq!((r.low, r.value), (Some(2e9), 5e9));
        assert_eq!(r.to_string(), "2..5bn EUR");
        // A range whose ends meet is an exact amount.
        assert_eq!(parse_quantity("7..7 brigades").unwrap().low, None);
        assert!(parse_quantity("15000..5000 troops").unwrap_err().message.contains("downwards"));
        assert!(parse_quantity("..5000 troops").is_err());
        assert!(parse_quantity("5000.. troops").is_err());
        assert_eq!(parse_quantity("15000 troops").unwrap().to_string(), "15000 troops");
        assert!(parse_quantity("15000 tropps").unwrap_err().help.starts_with("did you mean `troops`?"));
        assert!(parse_quantity("troops").is_err());
        assert!(parse_quantity("-5 troops").is_err());
        assert!(parse_quantity("5 troops/decade").unwrap_err().message.contains("/decade"));
        assert!(parse_quantity("NaN troops").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h").unwrap().days, 1.0);
        assert_eq!(parse_duration("10y").unwrap().days, 3652.5);
        assert_eq!(parse_duration("6mo").unwrap().days, 182.625);
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("y").is_err());
        assert!(parse_duration("-1d").is_err());
    }

    #[test]
    fn durations_are_bounded() {
        assert_eq!(parse_duration("10000y").unwrap().days, MAX_DAYS);
        for absurd in ["1e300y", "10001y", "1e9d", "4e6w"] {
            let err = parse_duration(absurd).unwrap_err();
            assert!(err.message.contains("longer than 10000 years"), "{absurd}: {}", err.message);
        }
    }
}
