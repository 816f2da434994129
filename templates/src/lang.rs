//! The languages Sigil's pages are written in, and which one a request gets.
//!
//! A page is in the language the visitor chose with the switch on the page (a `lang` cookie),
//! else the first of their browser's `Accept-Language` (RFC 9110 §12.5.4) that Sigil has,
//! else English. Every `zh` tag reads Simplified Chinese: it is the Chinese Sigil is written
//! in, and a reader of Traditional Chinese is better served by it than by English.
//!
//! The parser is written here rather than taken from crates.io: the small crates match
//! language tags exactly (so `zh` would not find `zh-CN`), and the full negotiation crates
//! bring a second generation of the ICU crates into the build for two languages.

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// Simplified Chinese.
    ZhCn,
}

/// Longest `Accept-Language` value read; a browser's is a few dozen bytes.
const MAX_HEADER_BYTES: usize = 1024;
/// Most language ranges read from one header.
const MAX_RANGES: usize = 32;

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag, as a page's `lang` attribute and the cookie spell it.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The language a tag (`en-GB`, `zh`, `zh-Hans-CN`, any case) asks for, if Sigil has it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// The language for a request: the visitor's choice (`cookie`, a tag) when Sigil has it,
    /// else the best of `accept_language` Sigil has, else English. Never fails: a malformed
    /// or hostile header counts as no preference.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(preferred))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// The language Sigil has with the highest weight in an `Accept-Language` value; of equal
/// weights, the one listed first. `*` and ranges Sigil lacks are passed over, and `q=0`
/// means "not this one".
fn preferred(header: &str) -> Option<Lang> {
    if header.len() > MAX_HEADER_BYTES {
        return None;
    }
    let mut best: Option<(u16, Lang)> = None;
    for range in header.split(',').take(MAX_RANGES) {
        let mut parts = range.split(';');
        let Some(lang) = parts.next().and_then(Lang::from_tag) else {
            continue;
        };
        let weight = parts
            .find_map(|parameter| {
                let (name, value) = parameter.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| weight(value.trim()))
            })
            .unwrap_or(Some(1000));
        let Some(weight) = weight.filter(|&w| w > 0) else {
            continue;
        };
        if best.is_none_or(|(best_weight, _)| weight > best_weight) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// A `qvalue` (`0`, `0.5`, `1.000`) in thousandths; `None` when it is not one.
fn weight(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_s_first_language_that_sigil_has_wins() {
        let cases = [
            ("zh-CN,zh;q=0.9,en;q=0.8", Lang::ZhCn),
            ("en-US,en;q=0.9", Lang::En),
            ("fr-FR, zh-TW;q=0.8, en;q=0.5", Lang::ZhCn),
            ("de, en;q=0.3, zh;q=0.7", Lang::ZhCn),
            ("ZH-hans", Lang::ZhCn),
            ("en;q=0.5, zh;q=0.5", Lang::En),
            ("zh;q=0, en;q=0.1", Lang::En),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::negotiate(None, Some(header)), expected, "{header}");
        }
    }

    #[test]
    fn no_language_sigil_has_or_a_malformed_header_gives_english() {
        for header in [
            "",
            "*",
            "fr, de;q=0.5",
            "zh;q=2",
            "zh;q=0.1234",
            "zh;q=abc",
            ";;;,,",
            "zh;q=0",
        ] {
            assert_eq!(Lang::negotiate(None, Some(header)), Lang::En, "{header:?}");
        }
        assert_eq!(Lang::negotiate(None, None), Lang::En);
        let long = format!("{}zh", "x,".repeat(MAX_HEADER_BYTES));
        assert_eq!(Lang::negotiate(None, Some(&long)), Lang::En);
    }

    #[test]
    fn the_visitor_s_choice_beats_the_browser_s() {
        assert_eq!(Lang::negotiate(Some("zh-CN"), Some("en")), Lang::ZhCn);
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        // A cookie naming a language Sigil lacks is no choice.
        assert_eq!(Lang::negotiate(Some("fr"), Some("zh")), Lang::ZhCn);
    }

    #[test]
    fn every_language_reads_back_from_its_tag() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.to_string(), lang.tag());
        }
    }

    #[test]
    fn weights_read_as_rfc_9110_writes_them() {
        assert_eq!(weight("1"), Some(1000));
        assert_eq!(weight("1.000"), Some(1000));
        assert_eq!(weight("0.5"), Some(500));
        assert_eq!(weight("0.05"), Some(50));
        assert_eq!(weight("0"), Some(0));
        for bad in ["1.5", "2", "-0.5", "0.1234", "", ".5", "0.x"] {
            assert_eq!(weight(bad), None, "{bad:?}");
        }
    }
}
