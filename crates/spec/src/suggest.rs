//! "Did you mean" suggestions.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, c)| (*distance, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("tropps", ["troops", "ships"]), Some("troops"));
        assert_eq!(did_you_mean("RUS", ["RU", "UA"]), Some("RU"));
        assert_eq!(did_you_mean("xyzzy", ["troops", "ships"]), None);
    }
}
