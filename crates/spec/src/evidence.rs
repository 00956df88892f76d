//! Evidence verification: every quote must occur verbatim in its source.
//!
//! "Verbatim" is judged after folding: runs of whitespace become one space, and typographic
//! quotes and apostrophes become their ASCII forms. Nothing else is forgiven. A miss reports
//! the closest passage of the source, so a typo is easy to find.

/// Folds whitespace and typographic quotes, for comparison.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '«' | '»' => '"',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Why a quote was not found.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// The passage of the source (folded) that is most like the quote.
    pub closest: String,
    /// 1 for identical, 0 for nothing in common (normalised Levenshtein).
    pub similarity: f64,
    /// The quote's words do occur, but only starting or ending inside a longer word ("ops" in
    /// "troops"): a quote must start and end at word boundaries.
    pub inside_word: bool,
}

/// Checks that `quote` occurs in `source` after folding, starting and ending at word boundaries
/// (a quote beginning or ending with a letter or digit may not begin or end inside a word of the
/// source: "ops" is not in "troops").
pub fn verify_quote(quote: &str, source: &str) -> Result<(), Miss> {
    let (quote, source) = (fold(quote), fold(source));
    if quote.is_empty() {
        return Err(closest_passage(&quote, &source));
    }
    if find_words(&source, &quote).is_some() {
        return Ok(());
    }
    let mut miss = closest_passage(&quote, &source);
    miss.inside_word = source.contains(&quote);
    Err(miss)
}

/// The byte offset in `text` of the first occurrence of `quote` that starts and ends at word
/// boundaries: an end of the quote that is a letter or digit may not touch a letter or digit of
/// `text`. Overlapping occurrences are tried too.
fn find_words(text: &str, quote: &str) -> Option<usize> {
    let (first, last) = (quote.chars().next()?, quote.chars().next_back()?);
    let mut from = 0;
    while let Some(k) = text[from..].find(quote) {
        let at = from + k;
        let before = text[..at].chars().next_back();
        let after = text[at + quote.len()..].chars().next();
        let open = !first.is_alphanumeric() || !before.is_some_and(char::is_alphanumeric);
        let close = !last.is_alphanumeric() || !after.is_some_and(char::is_alphanumeric);
        if open && close {
            return Some(at);
        }
        from = at + first.len_utf8();
    }
    None
}

/// Words and phrases that propose rather than commit: someone suggested it; the obligors have
/// not said they will do it. Part of [`HEDGES`].
pub const PROPOSALS: &[&str] = &[
    "suggest",
    "suggested",
    "suggests",
    "suggesting",
    "suggestion",
    "suggestions",
    "advocate",
    "advocated",
    "advocates",
    "advocating",
    "called for",
    "calls for",
    "call for",
    "propose",
    "proposed",
    "proposes",
    "proposing",
    "proposal",
    "proposals",
    "could",
    "urge",
    "urged",
    "urges",
    "urging",
    "floated",
    "discussed",
    "working on",
    "considering",
    "would like",
    "may amount",
];

/// Second-hand accounts and expectations: someone else's word for what the obligors will do.
/// Part of [`HEDGES`].
pub const SECOND_HAND: &[&str] = &[
    "reportedly",
    "allegedly",
    "according to",
    "officials said",
    "sources said",
    "source familiar",
    "people familiar",
    "told them",
    "is said to",
    "are said to",
    "was said to",
    "were said to",
    "is expected to",
    "are expected to",
    "was expected to",
    "were expected to",
    "be expected to",
    "is understood to",
];

/// Words and phrases that propose, hedge or report second hand rather than commit: the one list
/// of them, [`PROPOSALS`] then [`SECOND_HAND`], matched as whole words, case aside
/// ([`contains_words`]). A quote of a committed clause whose own sentence carries one of them,
/// outside the quoted words, has dropped it (W0013); a clause all of whose quotes carry one
/// claims more than its evidence (W0011). docs/diagnostics.md (W0013) lists the same, and a test
/// keeps the two in step.
pub const HEDGES: [&str; PROPOSALS.len() + SECOND_HAND.len()] = concat(PROPOSALS, SECOND_HAND);

const fn concat<const N: usize>(a: &[&'static str], b: &[&'static str]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    out
}

/// Whether `phrase` (lower case) occurs in `text` as whole words, case aside: not starting or
/// ending inside a longer word ("could" is in "It could," but not in "couldn't").
pub fn contains_words(text: &str, phrase: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices(phrase).any(|(i, _)| {
        let ok_before = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let ok_after = lower[i + phrase.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        ok_before && ok_after
    })
}

/// A hedge in the source sentence around a quote, outside the quoted words.
#[derive(Debug, Clone, PartialEq)]
pub struct Hedge {
    /// The hedging word, as listed in [`HEDGES`].
    pub word: &'static str,
    /// The enclosing sentence (folded).
    pub sentence: String,
}

/// The first hedge (in the order of [`HEDGES`]) of the sentence that encloses the first
/// occurrence of `quote` in `source` (on word boundaries, as [`verify_quote`] finds it), outside
/// the quoted words. Sentences end at `.`, `!`, `?` or `;` followed by a space, or at a line
/// break of the source, but a `.` ends no sentence after an abbreviation ([`ends_no_sentence`]);
/// `None` when the quote does not occur or its sentence has no hedge outside it.
pub fn hedge_around(quote: &str, source: &str) -> Option<Hedge> {
    let quote = fold(quote);
    if quote.is_empty() {
        return None;
    }
    // A line break ends a sentence: fold each line on its own, and search line by line, then
    // across lines (a quote may wrap).
    let folded = fold(&source.replace(['\n', '\r'], " \u{1}"));
    let at = find_words(&folded, &quote)?;
    let end = at + quote.len();
    // A stop ends a sentence when it is followed, after any closing quotes or brackets, by a
    // space or the end of the text.
    let ends_sentence = |i: usize, c: char| {
        if c == '\u{1}' {
            return true;
        }
        if !matches!(c, '.' | '!' | '?' | ';') || c == '.' && ends_no_sentence(&folded[..i]) {
            return false;
        }
        let rest = folded[i + c.len_utf8()..].trim_start_matches(['"', '\'', ')', ']']);
        rest.is_empty() || rest.starts_with(' ')
    };
    let start =
        folded[..at].char_indices().rev().find(|&(i, c)| ends_sentence(i, c)).map_or(0, |(i, c)| i + c.len_utf8());
    let stop = folded[end..]
        .char_indices()
        .find(|&(i, c)| ends_sentence(end + i, c))
        .map_or(folded.len(), |(i, c)| end + i + c.len_utf8());
    let (head, tail) = (&folded[start..at], &folded[end..stop]);
    let word = HEDGES.iter().copied().find(|w| contains_words(head, w) || contains_words(tail, w))?;
    let sentence = folded[start..stop].replace('\u{1}', "").trim().to_string();
    Some(Hedge { word, sentence })
}

/// Abbreviations after which a `.` ends no sentence: titles and months (as written, capitalised).
/// docs/diagnostics.md (W0013) lists them.
pub const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Sr", "Jr", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt", "Sgt", "Adm",
    "Rev", "Hon", "Jan", "Feb", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "vs",
];

/// Whether a `.` right after `before` is an abbreviation's, not a sentence's end: the word before
/// it is a listed abbreviation ("Mr", "Sept"), an initial ("J") or letters between dots
/// ("U.S", "e.g"). A sentence that does end in one ("... aid from the U.S. The UK ...") therefore
/// runs on into the next: W0013 may then warn of the next sentence's hedge, but never misses one.
fn ends_no_sentence(before: &str) -> bool {
    let word = before.rsplit([' ', '\u{1}']).next().unwrap_or("");
    let word = word.trim_start_matches(['"', '\'', '(', '[']);
    let letters_between_dots = !word.is_empty()
        && word.split('.').all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic));
    letters_between_dots || ABBREVIATIONS.contains(&word)
}

/// The window of the source, starting at a word boundary and as long as the quote, that is
/// closest to it.
fn closest_passage(quote: &str, source: &str) -> Miss {
    let chars: Vec<char> = source.chars().collect();
    let width = quote.chars().count().max(1);
    let starts = std::iter::once(0).chain(chars.iter().enumerate().filter(|(_, c)| **c == ' ').map(|(i, _)| i + 1));
    let mut best = Miss { closest: String::new(), similarity: 0.0, inside_word: false };
    for start in starts {
        if start >= chars.len() {
            break;
        }
        let end = (start + width).min(chars.len());
        let window: String = chars[start..end].iter().collect();
        let similarity = strsim::normalized_levenshtein(quote, &window);
        if similarity > best.similarity {
            best = Miss { closest: window, similarity, inside_word: false };
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "Trump remarked, \u{201C}Europe will provide them significant security guarantees \u{2014} and they ought to.\u{201D}\nHe said Washington\u{2019}s participation\n  would be backup.";

    #[test]
    fn a_hedge_outside_the_quote_in_its_sentence_is_found() {
        let source = "Macron spoke first. He additionally suggested that the US would provide air cover. Others agreed.\nThe UK could send troops";
        let h = hedge_around("the US would provide air cover", source).expect("a hedge");
        assert_eq!(h.word, "suggested");
        assert_eq!(h.sentence, "He additionally suggested that the US would provide air cover.");
        // Inside the quote it is not dropped (W0011 reads the quote's own words).
        assert_eq!(hedge_around("suggested that the US would provide air cover", source), None);
        // Another sentence's hedge does not count; nor does a line's.
        assert_eq!(hedge_around("Others agreed.", source), None);
        assert_eq!(hedge_around("Macron spoke first", source), None);
        assert_eq!(hedge_around("send troops", source).map(|h| h.word), Some("could"));
        // Whole words only: "proposed" is not in "unproposedly"; a missing quote has no sentence.
        assert_eq!(hedge_around("it came", "It came unproposedly."), None);
        assert_eq!(hedge_around("not there", source), None);
    }

    #[test]
    fn a_sentence_does_not_end_at_an_abbreviation_or_an_initial() {
        // "U.S." is not the end of a sentence: the hedge before it is in the quote's sentence.
        let source = "Officials suggested that the U.S. would provide air cover. The UK agreed.";
        let h = hedge_around("would provide air cover", source).expect("a hedge");
        assert_eq!(h.word, "suggested");
        assert_eq!(h.sentence, "Officials suggested that the U.S. would provide air cover.");
        // Titles, months and initials neither.
        for source in [
            "Mr. Smith could send troops.",
            "Dr. Jones could send troops.",
            "St. Petersburg could send troops.",
            "J. D. Vance could send troops.",
            "On Sept. 5 he could send troops.",
            "It could, e.g. in spring, send troops.",
        ] {
            assert_eq!(hedge_around("send troops", source).map(|h| h.word), Some("could"), "{source}");
        }
        // A real stop after an ordinary word still ends the sentence.
        assert_eq!(hedge_around("The UK agreed", source), None);
        assert_eq!(hedge_around("send troops", "It could rain. The UK will send troops."), None);
    }

    #[test]
    fn second_hand_and_expectation_markers_are_hedges() {
        for (source, word) in [
            ("The U.S. has reportedly signalled readiness to provide air defence.", "reportedly"),
            ("According to officials, the U.S. will provide air defence.", "according to"),
            ("The U.S. is said to provide air defence.", "is said to"),
            ("The U.S. is expected to provide air defence.", "is expected to"),
            ("Europeans will be expected to provide air defence.", "be expected to"),
            ("The U.S. allegedly agreed to provide air defence.", "allegedly"),
        ] {
            assert_eq!(hedge_around("provide air defence", source).map(|h| h.word), Some(word), "{source}");
        }
        // A first-hand "said to reporters" is no hedge.
        assert_eq!(
            hedge_around("we will provide air defence", "Trump said to reporters: we will provide air defence."),
            None
        );
    }

    #[test]
    fn a_quote_starts_and_ends_at_word_boundaries() {
        let source = "The troops will stay. Special ops began.";
        assert!(verify_quote("troops will stay", source).is_ok());
        // Inside a word, at either end, is not the source's words.
        let miss = verify_quote("ops will stay", source).unwrap_err();
        assert!(miss.inside_word, "{miss:?}");
        assert!(verify_quote("The troops will sta", source).is_err());
        // A later occurrence on word boundaries counts, and its sentence is the one read.
        assert!(verify_quote("ops", source).is_ok());
        assert!(verify_quote("ops", "Sending troops could help. The ops began.").is_ok());
        assert_eq!(hedge_around("ops", "Sending troops could help. The ops began."), None);
        // Punctuation at an end of the quote needs no boundary.
        assert!(verify_quote("\"Article 5-like", "for \u{201C}Article 5-like guarantees").is_ok());
        assert!(verify_quote("stay.", source).is_ok());
        // A miss that is nowhere in the source is not "inside a word".
        assert!(!verify_quote("tanks", source).unwrap_err().inside_word);
    }

    #[test]
    fn folds_whitespace_and_typographic_quotes() {
        assert!(verify_quote("\"Europe will provide them significant security guarantees", SOURCE).is_ok());
        assert!(verify_quote("Washington's participation would be backup.", SOURCE).is_ok());
        assert!(verify_quote("  Washington\u{2019}s   participation ", SOURCE).is_ok());
    }

    #[test]
    fn nothing_else_is_forgiven() {
        let miss = verify_quote("Washington's participation would be a backup.", SOURCE).unwrap_err();
        assert!(miss.closest.starts_with("Washington's participation would be backup."), "{miss:?}");
        assert!(miss.similarity > 0.9);
        assert!(verify_quote("europe will provide", SOURCE).is_err());
        assert!(verify_quote("", SOURCE).is_err());
        // The em dash is not folded into a hyphen.
        assert!(verify_quote("guarantees - and they", SOURCE).is_err());
    }
}
