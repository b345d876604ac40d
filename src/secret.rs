//! What in values is a secret: the values pgx must never print, quote or write (issue #6).
//!
//! Secrets are found by key name in the values tree, not by what a rule thought of them, so
//! that a secret is masked on every line any finding quotes: under a mistyped key
//! (`s3SecretAccesKey`), beside a type error on the same flow line, or in the `--set`
//! argument that gave it. Rule PGX501 refuses the same names, so `render` never prints one.

use crate::yaml::{Content, Entry, Node, Span};

/// Whether a key or an environment variable of this name holds a secret: a password,
/// secret, token, credential or key (`PGPASSWORD`, `AWS_SECRET_ACCESS_KEY`, `apiKey`,
/// `s3SecretAccessKey`), or an access key id (`s3AccessKeyId`, `AWS_ACCESS_KEY_ID`), the
/// other half of the same credential. Names that point at or name a secret rather than hold
/// one (`PASSWORD_FILE`, `secretName`, `secretTemplate`, `caSecretName`) are not secrets.
pub fn is_secret_name(name: &str) -> bool {
    // cert-manager's settings for the key it generates (algorithm, size), not a key.
    if name == "privateKey" {
        return false;
    }
    // Most keys (`name`, `port`) mention no credential: answered without splitting words,
    // since every key of every values file is asked. Only for ASCII: Unicode lower-casing
    // turns more than `K` into `k` (the Kelvin sign does too).
    if name.is_ascii() && !mentions_credential(name) {
        return false;
    }
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NAMES_A_SECRET.contains(&last.as_str()) {
        return false;
    }
    let access_key_id = words
        .windows(2)
        .any(|pair| matches!(pair, [key, id] if key.ends_with("key") && id == "id"));
    access_key_id
        || words.iter().any(|w| {
            ["password", "passwd", "secret", "token", "credential"]
                .iter()
                .any(|s| w.contains(s))
                || matches!(w.as_str(), "pass" | "pwd" | "key")
                || (w.len() > 3 && w.ends_with("key"))
        })
}

/// The words, in any ASCII case, that make a name worth splitting into words.
const CREDENTIAL_WORDS: [&[u8]; 6] = [b"pass", b"pwd", b"secret", b"token", b"credential", b"key"];

/// Whether `name` contains one of [`CREDENTIAL_WORDS`]: one pass over the name, looking
/// further only at those words' first letters.
fn mentions_credential(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        starts_credential_word(byte) && {
            let rest = bytes.get(at..).unwrap_or_default();
            CREDENTIAL_WORDS
                .iter()
                .any(|word| starts_ignoring_case(rest, word))
        }
    })
}

/// Whether a word of [`CREDENTIAL_WORDS`] starts with `byte`, in either case: a table,
/// since every byte of every key is asked.
fn starts_credential_word(byte: u8) -> bool {
    const FIRST: [bool; 256] = {
        let mut table = [false; 256];
        let mut i = 0;
        while i < CREDENTIAL_WORDS.len() {
            let first = CREDENTIAL_WORDS[i][0];
            table[first.to_ascii_lowercase() as usize] = true;
            table[first.to_ascii_uppercase() as usize] = true;
            i += 1;
        }
        table
    };
    FIRST.get(usize::from(byte)).copied().unwrap_or(false)
}

fn starts_ignoring_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Whether a key names environment variables (`env`, `extraEnv`, `env_vars`).
fn names_env(key: &str) -> bool {
    let bytes = key.as_bytes();
    // Most keys do not contain `env` at all: answered without splitting words.
    let mentions = memchr::memchr2_iter(b'e', b'E', bytes)
        .any(|at| starts_ignoring_case(bytes.get(at..).unwrap_or_default(), b"env"));
    mentions && words(key).iter().any(|w| w == "env")
}

/// Last words of names that point at, name or configure a secret instead of holding one.
const NAMES_A_SECRET: &[&str] = &[
    "file",
    "path",
    "name",
    "names",
    "ref",
    "template",
    "namespace",
    "rotation",
];

/// The words of a name in lower case, split at anything not a letter or digit and where
/// camelCase starts a word: `s3SecretAccessKey` → s3, secret, access, key.
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The spans of every secret in a values tree: the value of a key with a secret name
/// ([`is_secret_name`]), and every value but the name of an environment variable (an `env`
/// entry, or any `{name, value}` mapping) whose name is a secret name.
pub fn spans(tree: &Node) -> Vec<Span> {
    let mut found = Vec::new();
    collect(tree, false, &mut found);
    found
}

/// `in_env`: the node is an item of a list under an `env`-like key, whose entries are
/// `{name, value}` pairs.
fn collect(node: &Node, in_env: bool, found: &mut Vec<Span>) {
    match &node.content {
        Content::Scalar(_) => {}
        Content::Seq(items) => {
            for item in items {
                collect(item, in_env, found);
            }
        }
        Content::Map(entries) => {
            // An environment variable: under an `env` key, or anywhere in the `{name,
            // value}` shape (under a mistyped `evn`, the line is still quoted).
            let variable = in_env || entries.iter().any(|e| e.key == "value");
            if variable && entries.iter().any(names_a_secret_variable) {
                found.extend(
                    entries
                        .iter()
                        .filter(|e| e.key != "name")
                        .map(|e| e.value.span),
                );
                return;
            }
            for entry in entries {
                if is_secret_name(&entry.key) {
                    found.push(entry.value.span);
                } else {
                    collect(&entry.value, names_env(&entry.key), found);
                }
            }
        }
    }
}

fn names_a_secret_variable(entry: &Entry) -> bool {
    entry.key == "name"
        && matches!(&entry.value.content, Content::Scalar(s) if is_secret_name(&s.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_document, Limits, SourceId};

    #[test]
    fn secret_names() {
        for name in [
            "PGPASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "API_TOKEN",
            "ENCRYPTION_KEY",
            "apiKey",
            "db-password",
            "GITHUB_PAT_TOKEN",
            "s3SecretAccessKey",
            "s3SecretAccesKey",
            "s3AccessKeyId",
            "privateKeySecret",
            "APP_SECRET",
            "API_\u{212A}EY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "ALLOW_NOSSL",
            "PASSWORD_FILE",
            "SECRET_NAME",
            "KEYCLOAK_URL",
            "AWS_REGION",
            "WAL_S3_BUCKET",
            "secretName",
            "caSecretName",
            "secretTemplate",
            "usersWithSecretRotation",
            "privateKey",
            "name",
            "value",
            "",
            "-",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn the_quick_checks_find_words_in_any_case_anywhere_in_the_name() {
        for name in [
            "PWD",
            "myPwd",
            "x_KeY",
            "Secrets",
            "apiTOKEN",
            "aws_credentials",
            "pass",
        ] {
            assert!(mentions_credential(name), "{name}");
        }
        for name in ["", "pas", "ke", "tokn", "name", "port", "credentia"] {
            assert!(!mentions_credential(name), "{name}");
        }
        for key in ["env", "ENV", "extraEnv", "env_vars", "sidecar-env"] {
            assert!(names_env(key), "{key}");
        }
        for key in ["environment", "events", "en", "", "envy"] {
            assert!(!names_env(key), "{key}");
        }
    }

    fn secret_texts(yaml: &str) -> Vec<&str> {
        let tree = parse_document(yaml, SourceId(0), &Limits::default())
            .unwrap()
            .unwrap();
        spans(&tree)
            .iter()
            .map(|s| yaml.get(s.start..s.end).unwrap())
            .collect()
    }

    #[test]
    fn finds_secrets_by_key_and_by_env_name_wherever_they_are() {
        let yaml = "pgClusters:
  - name: api-token-db
    logicalBackup: {s3SecretAccesKey: typo1, s3AccessKeyId: id2, schedule: '0 1 * * *'}
    env:
      - {name: DB_PASSWORD, valeu: typo3}
      - name: REGION
        value: eu
      - name: API_TOKEN
        value: |
          block4
    tls: {secretName: not-a-secret, privateKey: {algorithm: ECDSA}}
";
        assert_eq!(
            secret_texts(yaml),
            ["typo1", "id2", "typo3", "block4\n    "]
        );
    }

    #[test]
    fn a_secret_key_holding_a_list_or_map_is_masked_whole() {
        assert_eq!(
            secret_texts("s3SecretAccessKey: [a, b]\nx:\n  token: {v: c}\n"),
            ["[a, b]", "{v: c}"]
        );
    }
}
