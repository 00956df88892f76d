//! Sharded runs that merge exactly: a shard runs a contiguous range of chunks and writes its
//! exact accumulators to a state file; `merge` checks that the shards belong together and tile
//! the runs, and gives the report of the unsharded run, bit for bit.
//!
//! **The state format (version 1)** is text: a first line `ironclad-state 1`, a second line
//! `fnv1a64 HEX` (the FNV-1a hash of everything after that line), then one JSON object: the
//! spec's and scenario's names and texts (so a merge needs no other file, and their hashes
//! prove which inputs a shard ran), the seed, the request, the shard's run range and the total,
//! and the accumulator. Any truncation or altered byte fails the checksum.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use ironclad_sim::{Acc, CHUNK};

use crate::simulate::{Request, text_key};
use crate::{Error, Files};

/// The first line of a state file.
pub const MAGIC: &str = "ironclad-state 1";

/// Shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N (1-based on the command line, as Slurm's array indices).
    pub fn parse(text: &str) -> Result<Shard, Error> {
        let bad = || Error::Usage(format!("--shard takes K/N with 1 <= K <= N, not `{text}`"));
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { index: k - 1, count: n })
    }

    /// The chunks of a run of `runs` runs that this shard runs: a contiguous range
    /// (`ironclad_sim::shard_chunks`, the same split as `RunOptions::shard`).
    pub fn chunks(&self, runs: u64) -> std::ops::Range<u64> {
        ironclad_sim::shard_chunks(runs, self.index, self.count)
    }

    /// The runs of those chunks.
    pub fn runs(&self, runs: u64) -> std::ops::Range<u64> {
        let c = self.chunks(runs);
        (c.start * CHUNK).min(runs)..(c.end * CHUNK).min(runs)
    }
}

/// What a shard ran and found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub spec_name: String,
    pub spec_text: String,
    pub scenario_name: String,
    pub scenario_text: String,
    /// Hash of both texts (FNV-1a), as `simulate::text_key`.
    pub inputs_key: u64,
    pub seed: u64,
    pub runs: u64,
    pub horizons: Vec<f64>,
    pub variants: Vec<String>,
    pub absent: Vec<String>,
    /// Commitments that did not take part (absent from states written before the field).
    #[serde(default)]
    pub off: Vec<String>,
    /// The runs this shard ran: `[start, end)`.
    pub start: u64,
    pub end: u64,
    pub acc: Acc,
}

impl State {
    /// The state file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = serde_json::to_string(self).unwrap_or_default();
        format!("{MAGIC}\nfnv1a64 {:016x}\n{body}", fnv(body.as_bytes())).into_bytes()
    }

    /// Reads a state file's bytes; `name` is for messages.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<State, Error> {
        let bad = |why: &str| Error::Unservable(format!("{name}: {why}"));
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not an ironclad state file (not UTF-8)"))?;
        let mut lines = text.splitn(3, '\n');
        let magic = lines.next().unwrap_or_default();
        if magic != MAGIC {
            return Err(if magic.starts_with("ironclad-state ") {
                bad(&format!("state format `{magic}` is not `{MAGIC}`: written by another version of ironclad"))
            } else {
                bad("not an ironclad state file")
            });
        }
        let sum = lines.next().and_then(|l| l.strip_prefix("fnv1a64 ")).ok_or_else(|| bad("no checksum line"))?;
        let body = lines.next().ok_or_else(|| bad("truncated: no content"))?;
        if format!("{:016x}", fnv(body.as_bytes())) != sum {
            return Err(bad("checksum mismatch: the file is truncated or corrupted"));
        }
        serde_json::from_str(body).map_err(|e| bad(&format!("unreadable content: {e}")))
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The state of a finished shard.
pub fn state(
    files: &Files,
    spec: crate::FileId,
    scenario: crate::FileId,
    request: &Request,
    runs: u64,
    shard: Shard,
    acc: Acc,
) -> State {
    let r = shard.runs(runs);
    State {
        spec_name: files.name(spec).to_string(),
        spec_text: files.text(spec).to_string(),
        scenario_name: files.name(scenario).to_string(),
        scenario_text: files.text(scenario).to_string(),
        inputs_key: text_key(&[files.text(spec), files.text(scenario)]),
        seed: request.seed,
        runs,
        horizons: request.horizons.clone(),
        variants: request.variants.clone(),
        absent: request.absent.clone(),
        off: request.off.clone(),
        start: r.start,
        end: r.end,
        acc,
    }
}

/// Which shards a merge found, and what is missing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Coverage {
    pub runs: u64,
    /// `[start, end)` ranges of runs that no shard covers.
    pub missing: Vec<(u64, u64)>,
}

/// Checks that the states belong to one simulation and tile its runs; returns the merged
/// accumulator and the request, and the inputs to rebuild the model from.
pub fn merge(states: &[(String, State)]) -> Result<(State, Coverage), Error> {
    let Some((first_name, first)) = states.first() else {
        return Err(Error::Usage("merge needs at least one state file".into()));
    };
    for (name, s) in &states[1..] {
        let differs = |what: &str| {
            Error::Unservable(format!("{name} and {first_name} are shards of different simulations: {what} differ"))
        };
        if s.inputs_key != first.inputs_key || s.spec_text != first.spec_text || s.scenario_text != first.scenario_text
        {
            return Err(differs("the spec or scenario texts"));
        }
        if s.seed != first.seed {
            return Err(differs("the seeds"));
        }
        if s.runs != first.runs {
            return Err(differs("the total run counts"));
        }
        if s.horizons != first.horizons
            || s.variants != first.variants
            || s.absent != first.absent
            || s.off != first.off
        {
            return Err(differs("the parameters (horizons, pinned variants, absent parties or commitments)"));
        }
    }
    for (name, s) in states {
        if s.start >= s.end || s.end > s.runs || s.acc.runs != s.end - s.start {
            return Err(Error::Unservable(format!(
                "{name}: its run range {}..{} of {} does not match its {} accumulated runs",
                s.start, s.end, s.runs, s.acc.runs
            )));
        }
    }
    let mut ranges: Vec<(u64, u64, &str)> = states.iter().map(|(n, s)| (s.start, s.end, n.as_str())).collect();
    ranges.sort();
    let mut missing = Vec::new();
    let mut at = 0;
    for (start, end, name) in &ranges {
        if *start < at {
            return Err(Error::Unservable(format!(
                "{name} overlaps another shard: runs {start}..{at} are covered twice"
            )));
        }
        if *start > at {
            missing.push((at, *start));
        }
        at = at.max(*end);
    }
    if at < first.runs {
        missing.push((at, first.runs));
    }
    let coverage = Coverage { runs: first.runs, missing: missing.clone() };
    if !missing.is_empty() {
        let text: Vec<String> = missing.iter().map(|(a, b)| format!("{a}..{b}")).collect();
        return Err(Error::Unservable(format!(
            "runs not covered by any shard: {} (of 0..{}); rerun the shards that cover them",
            text.join(", "),
            first.runs
        )));
    }
    let mut merged = first.clone();
    merged.acc = states[1..].iter().fold(first.acc.clone(), |acc, (_, s)| acc.merge(&s.acc));
    merged.start = 0;
    merged.end = first.runs;
    Ok((merged, coverage))
}
