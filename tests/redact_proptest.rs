//! The redactor on random text: a secret after any key form, quoted or
//! not, never survives, and the text around it comes out as it went in;
//! text with no key comes out unchanged; redacting twice changes nothing.
//!
//! The oracle builds the expected output itself: the same text with
//! `***` where the secret was.

use opsdeck::core::redact::redact;
use proptest::prelude::*;

/// What no filler may hold, in any case: it would be a key.
const KEY_PARTS: [&str; 10] = [
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "api-key",
    "apikey",
    "bearer",
    "authorization",
    "://",
];

fn has_key(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    KEY_PARTS.iter().any(|k| lower.contains(k))
}

/// Random text with the punctuation keys and values are made of, and
/// words that only look like keys.
fn filler() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 =:;,&'\"@/().\u{e9}\u{4e2d}-]{0,24}",
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "FATAL: password authentication failed for user \"ops\"",
            "tokens: 5",
            "secretary='bob'",
            "password_env = \"PG_PW\"",
            "http://db:5432/x",
            "mongodb://ops@mongo-0:27017/?authSource=admin",
            "Bearers",
            "the secret is out",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| pieces.join(" "))
}

/// A filler with no key in it.
fn plain() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 =:;,&'\"@/().\u{e9}-]{0,30}".prop_filter("holds a key", |t| !has_key(t))
}

/// A key in some letter case.
fn key(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    (prop::sample::select(keys), 0..3usize).prop_map(|(k, case)| match case {
        0 => k.to_owned(),
        1 => k.to_ascii_uppercase(),
        _ => {
            let mut c = k.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
    })
}

const KEYS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "access_token",
    "client_secret",
    "api_key",
    "X-Api-Key",
    "apikey",
];

/// A text that holds `secret` in one key form, and the same text with the
/// secret masked.
#[derive(Debug, Clone)]
struct Case {
    text: String,
    expected: String,
    secret: String,
}

/// `form` holds `{}` where the secret goes.
fn case(before: &str, form: &str, secret: &str, after: &str) -> Case {
    Case {
        text: format!("{before} {} {after}", form.replace("{}", secret)),
        expected: format!("{before} {} {after}", form.replace("{}", "***")),
        secret: secret.to_owned(),
    }
}

fn cases() -> impl Strategy<Value = Case> {
    // Unquoted values end at whitespace, `&`, `,`, `;` or a quote.
    let bare = "[A-Za-z0-9!#$%()*+./:<>?@\\[\\]^_{|}~=\u{e9}-]{6,24}";
    let token = "[A-Za-z0-9._~+/=-]{6,40}";
    let forms = prop_oneof![
        (
            key(KEYS),
            bare,
            prop::sample::select(vec!["=", ": ", " = ", ":"])
        )
            .prop_map(|(k, s, sep)| (format!("{k}{sep}{{}}"), s)),
        (
            key(KEYS),
            "[^'\\\\]{6,24}",
            prop::sample::select(vec!["=", ": ", " ="])
        )
            .prop_map(|(k, s, sep)| (format!("{k}{sep}'{{}}'"), s)),
        (
            key(KEYS),
            "[^\"\\\\]{6,24}",
            prop::sample::select(vec!["=", ": ", "\": "])
        )
            .prop_map(|(k, s, sep)| (format!("{k}{sep}\"{{}}\""), s)),
        // SQL: `ALTER ROLE bob PASSWORD 'x'`.
        (key(&["password", "passwd"]), "[^'\\\\]{6,24}")
            .prop_map(|(k, s)| (format!("ALTER ROLE bob {k} '{{}}'"), s)),
        // The password part of a URL's userinfo.
        (
            prop::sample::select(vec!["postgres", "redis", "https", "mongodb+srv"]),
            "[a-z]{0,4}",
            // A key inside it would take the host along with it.
            "[A-Za-z0-9!$%&'()*+,;=.~_:@-]{6,24}".prop_filter("holds a key", |s| !has_key(s)),
        )
            .prop_map(|(scheme, user, s)| (format!("{scheme}://{user}:{{}}@db.example:5432/x"), s)),
        (
            key(&["authorization", "proxy-authorization"]),
            key(&["bearer", "basic", "digest"]),
            token
        )
            .prop_map(|(k, scheme, s)| (format!("{k}: {scheme} {{}}"), s)),
        (key(&["bearer"]), token).prop_map(|(k, s)| (format!("{k} {{}}"), s)),
    ];
    (plain(), forms, plain())
        .prop_map(|(before, (form, secret), after)| case(&before, &form, &secret, &after))
}

/// Pieces that hostile or odd input is made of, so random text hits keys,
/// quotes and URLs in every order.
fn jumble() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        2 => "[a-z0-9 ]{0,6}",
        1 => any::<String>(),
        3 => prop::sample::select(vec![
            "password", "PASSWORD ", "token", "secret", "bearer ", "Authorization", "=", ":",
            ": ", "'", "''", "\"", "\\", "://", "@", "/", " ", "&", ",", "***", "basic ",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_secret_never_survives(c in cases()) {
        let out = redact(&c.text);
        prop_assert!(!out.contains(&c.secret), "secret {:?} in {:?}", c.secret, out);
        prop_assert_eq!(out, c.expected);
    }

    #[test]
    fn text_without_a_key_is_unchanged(text in filler()) {
        prop_assume!(!has_key(&text.replace("password authentication", "")
            .replace("tokens", "").replace("secretary", "").replace("password_env", "")
            .replace("http://db", "").replace("mongodb://ops@", "").replace("Bearers", "")
            .replace("the secret is", "")));
        prop_assert_eq!(redact(&text), text);
    }

    #[test]
    fn redacting_twice_changes_nothing(text in jumble()) {
        let once = redact(&text);
        prop_assert_eq!(redact(&once), once.clone(), "from {:?}", text);
    }
}
