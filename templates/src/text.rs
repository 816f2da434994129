//! The words on the pages, in every language Sigil's pages are written in.
//!
//! Each service's pages have one catalog: a struct with one field per message, and one
//! instance of it per [`Lang`]. A page holds `t: &'static Catalog` and writes `{{ t.title }}`,
//! so a message missing in one language, or a misspelt one in a template, fails to compile —
//! nothing is looked up by a string at run time. Sentences with a value in them are split
//! around it (`t.asks_for` then the claims), or, where the word order differs between the
//! languages, are methods on [`Lang`] next to the catalog.
//!
//! Why not Fluent: two languages, neither of which needs plural rules Fluent would bring (Chinese
//! has none; English needs "1 credential / n credentials", one `match`), against two dozen more
//! crates and keys checked only when a page renders.

use crate::lang::Lang;

/// Declares a catalog: the struct, its English and Chinese instances, `for_lang`, and `all`
/// (every message as `(key, English, Chinese)`, for the tests that check each language is
/// complete and really translated).
macro_rules! catalog {
    ($(#[$doc:meta])* $name:ident { $($key:ident: $en:literal, $zh:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            $(pub $key: &'static str,)*
        }

        impl $name {
            /// The catalog in `lang`.
            pub fn for_lang(lang: $crate::lang::Lang) -> &'static $name {
                static EN: $name = $name { $($key: $en,)* };
                static ZH_CN: $name = $name { $($key: $zh,)* };
                match lang {
                    $crate::lang::Lang::En => &EN,
                    $crate::lang::Lang::ZhCn => &ZH_CN,
                }
            }

            /// Every message: its key, its English and its Chinese.
            #[cfg(test)]
            pub fn all() -> Vec<(&'static str, &'static str, &'static str)> {
                vec![$((stringify!($key), $en, $zh),)*]
            }
        }
    };
}

pub(crate) use catalog;

catalog! {
    /// What every page shares: the language switch and the skip link.
    Common {
        skip_to_content: "Skip to content", "跳到正文";
        language: "Language", "语言";
        self_asserted: "self-asserted", "自称";
        self_asserted_hint: "The name it gives itself: nobody has checked it.", "这是它自己给出的名称，未经任何人核实。";
        did: "DID", "DID";
    }
}

/// Joins a sentence's pieces around the values put into it. A Chinese message is written with
/// a space where it meets its value (`"要与 "`, `" 分享吗？"`), which Chinese typesetting wants
/// around a Latin name — `要与 Example Employer 分享吗？` — but not around a Chinese one: where
/// a Chinese character would meet another across a piece's edge, the space is dropped
/// (`要与示例雇主分享吗？`). English, with no Chinese in it, is joined as written.
pub fn join(pieces: &[&str]) -> String {
    let mut sentence = String::new();
    for piece in pieces {
        let mut piece: &str = piece;
        let ends_chinese = sentence
            .trim_end_matches(' ')
            .chars()
            .next_back()
            .is_some_and(is_chinese);
        let starts_chinese = piece
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_some_and(is_chinese);
        if ends_chinese && starts_chinese {
            sentence.truncate(sentence.trim_end_matches(' ').len());
            piece = piece.trim_start_matches(' ');
        }
        sentence.push_str(piece);
    }
    sentence
}

/// A Chinese character or full-width punctuation mark.
fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
        || ('\u{3400}'..='\u{4dbf}').contains(&c)
        || ('\u{3000}'..='\u{303f}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// Whether `text` holds a CJK character: a Chinese message that does not was left in English.
#[cfg(test)]
pub(crate) fn has_chinese(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

/// Checks a catalog is translated: every Chinese message differs from its English one and is
/// written in Chinese, except the keys in `same_in_both` (identifiers, brand names).
#[cfg(test)]
pub(crate) fn assert_translated(all: &[(&str, &str, &str)], same_in_both: &[&str]) {
    for (key, en, zh) in all {
        if same_in_both.contains(key) {
            assert_eq!(en, zh, "{key} is meant to read the same in both");
            continue;
        }
        assert_ne!(en, zh, "{key} is not translated");
        assert!(
            has_chinese(zh),
            "{key}: the Chinese text {zh:?} has no Chinese in it"
        );
        assert!(!en.is_empty(), "{key} is empty in English");
    }
}

/// Checks a rendered page is written in `lang`: its `<html lang>`, a skip link in that
/// language, Chinese on it exactly when it is in Chinese (the
/// switch's own "简体中文" aside), and — when `switch` — a link to each other language.
#[cfg(test)]
pub(crate) fn assert_page_in(lang: Lang, html: &str, switch: bool) {
    assert!(
        html.contains(&format!(r#"<html lang="{}">"#, lang.tag())),
        "{html}"
    );
    assert!(html.contains(r##"href="#main""##), "a skip link: {html}");
    assert!(
        html.contains(lang.common().skip_to_content),
        "the skip link in the page's language: {html}"
    );
    for other in lang.others() {
        assert_eq!(
            html.contains(&format!(r#"href="?lang={}""#, other.tag())),
            switch,
            "the switch: {html}"
        );
    }
    assert_eq!(
        has_chinese(&html.replace("简体中文", "")),
        lang == Lang::ZhCn,
        "{html}"
    );
}

impl Lang {
    /// The words every page shares, in this language.
    pub fn common(self) -> &'static Common {
        Common::for_lang(self)
    }

    /// The other languages, for the switch.
    pub fn others(self) -> impl Iterator<Item = Lang> {
        Lang::ALL.into_iter().filter(move |lang| *lang != self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_value_runs_on_and_a_latin_one_is_spaced() {
        assert_eq!(join(&["要与 ", "示例雇主", " 分享吗？"]), "要与示例雇主分享吗？");
        assert_eq!(
            join(&["要与 ", "Example Employer", " 分享吗？"]),
            "要与 Example Employer 分享吗？"
        );
        assert_eq!(join(&["Share with ", "示例雇主", "?"]), "Share with 示例雇主?");
        assert_eq!(
            join(&["Share with ", "Example Employer", "?"]),
            "Share with Example Employer?"
        );
        assert_eq!(join(&["认可机构：", "教育部"]), "认可机构：教育部");
        assert_eq!(join(&[]), "");
    }

    #[test]
    fn the_shared_words_are_in_both_languages() {
        assert_translated(&Common::all(), &["did"]);
        assert_eq!(Common::for_lang(Lang::ZhCn).skip_to_content, "跳到正文");
        assert_eq!(Lang::En.others().collect::<Vec<_>>(), [Lang::ZhCn]);
    }
}
