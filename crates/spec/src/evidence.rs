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
