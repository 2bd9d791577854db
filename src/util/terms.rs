//! The search terms of a text: its words, lowercased, without stop words, each
//! with a score from where it stands (a title's words weigh more than a
//! heading's, a heading's more than the body's). The render's search index is
//! made of them; a build makes a brief's body's terms in the resolve, from the
//! parse that scans it ([`crate::markdown::html::Rendered::body_terms`]), so
//! that it holds the terms rather than the text.
//!
//! Written by hand: word splitting is the costliest step of the index (every
//! word of every brief), and a byte-class pass over ASCII with a fallback to
//! Unicode's `is_alphanumeric` beyond it was several times quicker than an
//! iterator of Unicode word boundaries, and gives the same words (tested).

/// Words too common to search for; the index is smaller without them.
/// [`is_stop_word`] matches the same (this list is its test's).
#[cfg(test)]
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "with",
];

/// Lowercase words of two characters or more, in any script.
#[cfg(test)]
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |w| out.push(w.into_owned()));
    out
}

/// What a byte is to [`each_word`]: a lowercase ASCII letter or a digit, an
/// uppercase ASCII letter, another ASCII character, or part of a character
/// beyond ASCII.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c >= 0x80 {
            BEYOND
        } else {
            OTHER
        };
        b += 1;
    }
    t
};
const LOWER: u8 = 0;
const UPPER: u8 = 1;
const OTHER: u8 = 2;
const BEYOND: u8 = 3;

/// Each word of `text` that is a term, lowercased: a run of letters and digits
/// (of any script) two characters long or more, not a stop word. Borrowed where
/// it is lowercase already (most words of a body).
///
/// One pass a byte at a time over ASCII, which tells on the way whether a word
/// needs lowercasing: the index reads every word of every brief, and this was
/// an eighth of a build's time as an iterator of runs, each looked at again.
fn each_word<'t>(text: &'t str, mut f: impl FnMut(std::borrow::Cow<'t, str>)) {
    use std::borrow::Cow;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while bytes
            .get(i)
            .is_some_and(|&b| BYTE_CLASS[usize::from(b)] == OTHER)
        {
            i += 1;
        }
        let start = i;
        // Lowercase ASCII letters and digits only, so far.
        let mut plain = true;
        while let Some(&b) = bytes.get(i) {
            let class = BYTE_CLASS[usize::from(b)];
            if class == LOWER {
                i += 1;
            } else if class == UPPER {
                plain = false;
                i += 1;
            } else if class == OTHER {
                break;
            } else {
                match text[i..].chars().next() {
                    Some(c) if c.is_alphanumeric() => {
                        plain = false;
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        if i == start {
            // Not a letter or digit (or the end): step over it, whole.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let w = &text[start..i];
        if w.len() < 2 || (bytes[start] >= 0x80 && w.chars().nth(1).is_none()) {
            continue;
        }
        let w = match plain {
            true => Cow::Borrowed(w),
            false => Cow::Owned(w.to_lowercase()),
        };
        if !is_stop_word(w.as_bytes()) {
            f(w);
        }
    }
}

/// Whether `w` (lowercase) is one of [`STOP`]'s words: a match the compiler
/// makes a few byte compares (a binary search over [`STOP`] was a sixth of the
/// index's time); the test below keeps the two lists the same.
fn is_stop_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"a" | b"an"
            | b"and"
            | b"are"
            | b"as"
            | b"at"
            | b"be"
            | b"by"
            | b"for"
            | b"from"
            | b"has"
            | b"have"
            | b"in"
            | b"is"
            | b"it"
            | b"its"
            | b"of"
            | b"on"
            | b"or"
            | b"that"
            | b"the"
            | b"this"
            | b"to"
            | b"was"
            | b"were"
            | b"which"
            | b"with"
    )
}

/// A document's terms and their scores, sorted by term: the terms in one
/// string, each ended by a newline (no term holds one), and their scores. A
/// build holds every brief's terms until the index is written; a string and a
/// score for each term took ten times the room. The terms of a document may
/// come in parts ([`Terms::and`]), each sorted: a term in two parts scores
/// the sum of its two scores.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Terms {
    words: Box<str>,
    scores: Box<[u32]>,
    more: Option<Box<Terms>>,
}

impl Terms {
    /// Each term of each part, in order, with its score: a term may come once
    /// in each part.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        let mine = (self.words.split_terminator('\n')).zip(self.scores.iter().copied());
        let more: Box<dyn Iterator<Item = (&str, u32)>> = match &self.more {
            Some(more) => Box::new(more.iter()),
            None => Box::new(std::iter::empty()),
        };
        mine.chain(more)
    }

    /// These terms and `other`'s, as parts of one document's (the terms of a
    /// brief's title, summary and topics, and those of its body, made before):
    /// kept apart rather than merged, which took as long as making the few
    /// terms of the title.
    pub fn and(mut self, other: Terms) -> Terms {
        let mut last = &mut self.more;
        while let Some(more) = last {
            last = &mut more.more;
        }
        *last = Some(Box::new(other));
        self
    }

    /// Each term once, with its score summed over the parts, sorted.
    pub fn scores(&self) -> std::collections::BTreeMap<&str, u32> {
        let mut all = std::collections::BTreeMap::new();
        for (t, s) in self.iter() {
            *all.entry(t).or_default() += s;
        }
        all
    }
}

/// The terms of a document's texts, each text with its weight: titles weigh more
/// than headings, headings more than body text.
///
/// A term of up to 16 bytes (nearly all) is counted under its bytes as one
/// number ([`packed`]), which hashes and compares in a few instructions: as a
/// string, each of a build's ten million words cost a hash of its bytes and a
/// call to compare them, and the index was a seventh of a build's instructions.
pub fn doc_terms(texts: &[(&str, u32)]) -> Terms {
    use std::borrow::Cow;
    // About one distinct term in every sixteen bytes of text.
    let size: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let mut counts = Counts {
        short: rustc_hash::FxHashMap::with_capacity_and_hasher(size / 16, Default::default()),
        long: Default::default(),
    };
    for (text, weight) in texts {
        counts.text(text, *weight);
    }
    let Counts { short, long } = counts;
    let mut short: Vec<(u128, u32)> = short.into_iter().collect();
    // The numbers sort as their words do (see `packed`).
    short.sort_unstable_by_key(|&(k, _)| k);
    let mut long: Vec<(Cow<str>, u32)> = long.into_iter().collect();
    long.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut words = String::with_capacity(size / 4);
    let mut scores = Vec::with_capacity(short.len() + long.len());
    let mut long = long.into_iter().peekable();
    for (k, score) in short {
        let bytes = k.to_be_bytes();
        let t = unpacked(&bytes);
        while let Some((l, s)) = long.next_if(|(l, _)| l.as_bytes() < t) {
            words.push_str(&l);
            words.push('\n');
            scores.push(s);
        }
        // Bytes of a whole word: `each_word` split the text at characters.
        words.push_str(std::str::from_utf8(t).unwrap_or_default());
        words.push('\n');
        scores.push(score);
    }
    for (l, s) in long {
        words.push_str(&l);
        words.push('\n');
        scores.push(s);
    }
    Terms {
        words: words.into(),
        scores: scores.into(),
        more: None,
    }
}

/// A document's terms as they are counted: those of up to 16 bytes under
/// their [`packed`] numbers, the others under their text.
struct Counts<'t> {
    short: rustc_hash::FxHashMap<u128, u32>,
    long: rustc_hash::FxHashMap<std::borrow::Cow<'t, str>, u32>,
}

impl<'t> Counts<'t> {
    /// Count `w`, a term, `weight` times.
    fn add(&mut self, w: std::borrow::Cow<'t, str>, weight: u32) {
        match packed(&w) {
            Some(k) => *self.short.entry(k).or_default() += weight,
            None => *self.long.entry(w).or_default() += weight,
        }
    }

    /// Count each term of `text` (as [`each_word`] splits it) `weight` times.
    /// A word of ASCII letters and digits, nearly every word, is made its
    /// number as it is read, lowercased on the way; a word with a character
    /// beyond ASCII goes to [`each_word`].
    fn text(&mut self, text: &'t str, weight: u32) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match BYTE_CLASS[usize::from(b)] {
                OTHER => i += 1,
                BEYOND => i = self.word_beyond_ascii(text, i, weight),
                _ => {
                    let start = i;
                    let mut key: u128 = 0;
                    while let Some(&b) = bytes.get(i) {
                        match BYTE_CLASS[usize::from(b)] {
                            LOWER => key = key << 8 | u128::from(b),
                            UPPER => key = key << 8 | u128::from(b | 0x20),
                            _ => break,
                        }
                        i += 1;
                    }
                    let goes_on = bytes.get(i).is_some_and(|&b| b >= 0x80)
                        && text[i..].chars().next().is_some_and(char::is_alphanumeric);
                    match i - start {
                        _ if goes_on => i = self.word_beyond_ascii(text, start, weight),
                        0 | 1 => {}
                        len @ 2..=16 => {
                            let key = key << (8 * (16 - len));
                            if len > 5 || !is_stop_word(unpacked(&key.to_be_bytes())) {
                                *self.short.entry(key).or_default() += weight;
                            }
                        }
                        _ => self.add(text[start..i].to_ascii_lowercase().into(), weight),
                    }
                }
            }
        }
    }

    /// Count the word of `text` that starts at `start`, letters and digits of
    /// any script, by [`each_word`]; where it ends (past the character at
    /// `start` when that is no letter or digit).
    fn word_beyond_ascii(&mut self, text: &'t str, start: usize, weight: u32) -> usize {
        let rest = &text[start..];
        let len = match rest.find(|c: char| !c.is_alphanumeric()) {
            Some(0) => return start + rest.chars().next().map_or(1, char::len_utf8),
            Some(len) => len,
            None => rest.len(),
        };
        each_word(&rest[..len], |w| self.add(w, weight));
        start + len
    }
}

/// A word of up to 16 bytes as one number: its bytes first to last from the
/// highest, zeros after. A word holds no zero byte, so the number gives the
/// word back, and two numbers compare as their words do (a word before the
/// longer words it begins).
fn packed(w: &str) -> Option<u128> {
    let b = w.as_bytes();
    let mut a = [0u8; 16];
    a.get_mut(..b.len())?.copy_from_slice(b);
    Some(u128::from_be_bytes(a))
}

/// The word of [`packed`]'s number, as its bytes (`bytes` = `to_be_bytes`).
fn unpacked(bytes: &[u8; 16]) -> &[u8] {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(16);
    &bytes[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_as_unicode_says_and_stop_words_go() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP.iter().all(|w| is_stop_word(w.as_bytes())));
        assert!(
            !["al", "ant", "thee", "witch", "tho"]
                .iter()
                .any(|w| is_stop_word(w.as_bytes()))
        );
        assert_eq!(terms("The Trade OF it"), ["trade"]);
    }

    /// What [`each_word`] makes, the slow way: split where Unicode says a
    /// character is not alphanumeric, keep words of two characters, lowercase.
    fn terms_the_slow_way(text: &str) -> Vec<String> {
        (text.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.len() >= 2 && (w.as_bytes()[0] < 0x80 || w.chars().nth(1).is_some()))
            .map(str::to_lowercase)
            .filter(|w| !is_stop_word(w.as_bytes()))
            .collect()
    }

    #[test]
    fn words_are_what_unicode_splitting_gives() {
        let texts = [
            "—Khasan–Rajin, 2013!  Хасан и 라선 x",
            "The ÉCOLE d'été, naïve CAFÉ; ǅemal İstanbul ΣΊΣΥΦΟΣ ＡＢＣ x2 ².",
            "a1 B2 c_3 ü ÜB 한국어 的 ４２ e\u{301}t\u{e9} \u{2028}end",
            "",
            "-",
            "ab",
        ];
        for t in texts {
            assert_eq!(terms(t), terms_the_slow_way(t), "{t}");
        }
    }

    #[test]
    fn terms_in_any_script() {
        let t: Vec<String> = terms("The Khasan–Rajin line, 2013: Хасан и 라선 a");
        assert_eq!(t, vec!["khasan", "rajin", "line", "2013", "хасан", "라선"]);
    }

    /// [`doc_terms`], the slow way: every term in a sorted map of strings.
    fn doc_terms_the_slow_way(texts: &[(&str, u32)]) -> Vec<(String, u32)> {
        let mut all = std::collections::BTreeMap::<String, u32>::new();
        for (text, weight) in texts {
            for t in terms(text) {
                *all.entry(t).or_default() += weight;
            }
        }
        all.into_iter().collect()
    }

    #[test]
    fn short_and_long_terms_sort_and_score_as_strings_do() {
        let texts = [
            // 16 bytes, 17, 20, and words that begin others, either side of 16.
            (
                "internationalis internationalism internationalisation internal inter",
                3,
            ),
            (
                "INTERNATIONALISM interna internationalisations zz a0 Ωmega ΩMEGA",
                2,
            ),
            // Beyond ASCII across the 16-byte line: 2-byte and 3-byte characters.
            (
                "ивановичивановичи ивановичиванови 라선라선라선 라선라선라선라 라선",
                1,
            ),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaa aaaaaaaaaaaaaaaa b9 9b",
                5,
            ),
        ];
        let fast: Vec<(String, u32)> = (doc_terms(&texts).iter())
            .map(|(t, s)| (t.to_string(), s))
            .collect();
        assert_eq!(fast, doc_terms_the_slow_way(&texts));
        assert!(fast.iter().any(|(t, _)| t.len() > 16));
        assert!(fast.iter().any(|(t, _)| t.len() == 16));
        assert_eq!(doc_terms(&[]).iter().count(), 0);
    }

    #[test]
    fn random_texts_give_the_terms_of_the_slow_way() {
        let pieces = [
            "inter", "nation", "al", "ISM", "ив", "АН", "라선", "x", "9", " ", ", ", "é", "the ",
            "—", "ǅ", "'", "AN", "İ", "\u{301}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        for _ in 0..2_000 {
            let mut texts = Vec::new();
            for _ in 0..1 + next(3) {
                let text: String = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
                texts.push((text, 1 + next(4) as u32));
            }
            let texts: Vec<(&str, u32)> = texts.iter().map(|(t, w)| (t.as_str(), *w)).collect();
            let fast: Vec<(String, u32)> = (doc_terms(&texts).iter())
                .map(|(t, s)| (t.to_string(), s))
                .collect();
            assert_eq!(fast, doc_terms_the_slow_way(&texts), "{texts:?}");
        }
    }

    #[test]
    fn terms_in_parts_score_as_those_of_both_texts() {
        let texts = [
            ("Coal trade via Rajin", 8),
            ("coal and oil", 3),
            ("Rajin port", 2),
            ("oil oil zinc", 1),
        ];
        let whole = doc_terms(&texts);
        let (a, b) = texts.split_at(2);
        assert_eq!(doc_terms(a).and(doc_terms(b)).scores(), whole.scores());
        assert_eq!(doc_terms(b).and(doc_terms(a)).scores(), whole.scores());
        let three = doc_terms(&[]).and(doc_terms(a)).and(doc_terms(b));
        assert_eq!(three.scores(), whole.scores());
        assert_eq!(whole.scores()["coal"], 11);
        assert_eq!(three.iter().filter(|(t, _)| *t == "oil").count(), 2);
    }
}
