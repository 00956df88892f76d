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
}

/// Checks that `quote` occurs in `source` after folding.
pub fn verify_quote(quote: &str, source: &str) -> Result<(), Miss> {
    let (quote, source) = (fold(quote), fold(source));
    if !quote.is_empty() && source.contains(&quote) {
        return Ok(());
    }
    Err(closest_passage(&quote, &source))
}

/// Words that propose or hedge rather than commit: a quote of a committed clause whose own
/// sentence carries one of them, outside the quoted words, has dropped it (W0013).
pub const HEDGES: &[&str] = &[
    "suggested",
    "suggests",
    "advocated",
    "advocates",
    "called for",
    "calls for",
    "proposed",
    "proposes",
    "could",
    "urged",
    "floated",
];

/// A hedge in the source sentence around a quote, outside the quoted words.
#[derive(Debug, Clone, PartialEq)]
pub struct Hedge {
    /// The hedging word, as listed in [`HEDGES`].
    pub word: &'static str,
    /// The enclosing sentence (folded).
    pub sentence: String,
}

/// The first hedge (in the order of [`HEDGES`]) of the sentence that encloses the first
/// occurrence of `quote` in `source`, outside the quoted words. Sentences end at `.`, `!`, `?` or
/// `;` followed by a space, or at a line break of the source; `None` when the quote does not
/// occur or its sentence has no hedge outside it.
pub fn hedge_around(quote: &str, source: &str) -> Option<Hedge> {
    let quote = fold(quote);
    if quote.is_empty() {
        return None;
    }
    // A line break ends a sentence: fold each line on its own, and search line by line, then
    // across lines (a quote may wrap).
    let folded = fold(&source.replace(['\n', '\r'], " \u{1}"));
    let at = folded.find(&quote)?;
    let end = at + quote.len();
    // A stop ends a sentence when it is followed, after any closing quotes or brackets, by a
    // space or the end of the text.
    let ends_sentence = |i: usize, c: char| {
        if c == '\u{1}' {
            return true;
        }
        if !matches!(c, '.' | '!' | '?' | ';') {
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
    let words = |text: &str, w: &str| {
        let lower = text.to_lowercase();
        lower.match_indices(w).any(|(i, _)| {
            let ok_before = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let ok_after = lower[i + w.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            ok_before && ok_after
        })
    };
    let word = HEDGES.iter().copied().find(|w| words(head, w) || words(tail, w))?;
    let sentence = folded[start..stop].replace('\u{1}', "").trim().to_string();
    Some(Hedge { word, sentence })
}

/// The window of the source, starting at a word boundary and as long as the quote, that is
/// closest to it.
fn closest_passage(quote: &str, source: &str) -> Miss {
    let chars: Vec<char> = source.chars().collect();
    let width = quote.chars().count().max(1);
    let starts = std::iter::once(0).chain(chars.iter().enumerate().filter(|(_, c)| **c == ' ').map(|(i, _)| i + 1));
    let mut best = Miss { closest: String::new(), similarity: 0.0 };
    for start in starts {
        if start >= chars.len() {
            break;
        }
        let end = (start + width).min(chars.len());
        let window: String = chars[start..end].iter().collect();
        let similarity = strsim::normalized_levenshtein(quote, &window);
        if similarity > best.similarity {
            best = Miss { closest: window, similarity };
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
