//! `pgx lint` as CI runs it: one test per exit code, `--ignore` and `lint.ignore`
//! silencing exactly the named rule, and the golden output of every format (reviewed
//! snapshots in `snapshots/`), with the GitHub lines checked against the workflow-command
//! syntax and the SARIF log against the SARIF 2.1.0 schema.
//!
//! Fixtures are in `tests/fixtures/rules/lint/`; the binary runs there, so file names in
//! the output are as a user in that folder would type them.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/lint")
}

/// `pgx lint ARGS` in the fixture folder, without colour and without values from the
/// environment.
fn lint(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .current_dir(dir())
        .arg("lint")
        .args(args)
        .env_remove("PGX_VALUES")
        .env_remove("ARGOCD_ENV_PGX_VALUES")
        .env_remove("ARGOCD_APP_PARAMETERS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let run = lint(&all);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", run.stdout, run.stderr));
    let findings = report["findings"].as_array().unwrap().clone();
    (run.code, findings)
}

/// `(id, ignored)` of every finding.
fn ids(findings: &[Value]) -> BTreeSet<(String, bool)> {
    findings
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["ignored"].as_bool().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Exit codes (cli.md): 0 success; 1 findings; 2 usage, unreadable file or malformed YAML
// ---------------------------------------------------------------------------------------

#[test]
fn exit_0_when_nothing_is_found() {
    let run = lint(&["-f", "clean.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

#[test]
fn exit_1_on_an_error() {
    let run = lint(&["-f", "errors.yaml"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "", "human findings are diagnostics, on stderr");
    assert!(run.stderr.starts_with("error[PGX204]: "), "{}", run.stderr);
}

#[test]
fn warnings_alone_exit_0_and_1_with_strict() {
    let run = lint(&["-f", "warnings.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("warning[PGX205]: "),
        "{}",
        run.stderr
    );
    let strict = lint(&["-f", "warnings.yaml", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert_eq!(strict.stderr, run.stderr);
}

#[test]
fn exit_2_on_malformed_yaml_or_an_unknown_file_with_nothing_on_stdout() {
    for (args, says) in [
        (
            &["-f", "malformed.yaml"][..],
            "malformed.yaml:2:3: invalid YAML",
        ),
        (
            &["-f", "no-such-file.yaml"],
            "cannot read no-such-file.yaml",
        ),
        (
            &["-f", "clean.yaml", "--format", "xml"],
            "invalid value 'xml'",
        ),
    ] {
        for format in ["human", "json", "sarif"] {
            let mut all = args.to_vec();
            if !args.contains(&"--format") {
                all.extend(["--format", format]);
            }
            let run = lint(&all);
            assert_eq!(run.code, 2, "{all:?}: {}", run.stderr);
            assert_eq!(run.stdout, "", "{all:?}");
            assert!(run.stderr.contains(says), "{all:?}: {}", run.stderr);
        }
    }
}

// ---------------------------------------------------------------------------------------
// --ignore and lint.ignore
// ---------------------------------------------------------------------------------------

#[test]
fn ignore_silences_exactly_the_named_rule_and_lists_it_as_ignored() {
    // fleet.yaml has PGX201 and PGX501 (errors), PGX205 (a warning) and PGX307, which its
    // own `lint.ignore` silences.
    let (code, all) = json(&["-f", "fleet.yaml"]);
    assert_eq!(code, 1);
    let expected = |ignored: &[&str]| -> BTreeSet<(String, bool)> {
        ["PGX201", "PGX205", "PGX307", "PGX501"]
            .iter()
            .map(|id| ((*id).to_owned(), ignored.contains(id)))
            .collect()
    };
    assert_eq!(ids(&all), expected(&["PGX307"]));

    let (code, found) = json(&["-f", "fleet.yaml", "--ignore", "PGX201"]);
    assert_eq!(code, 1, "PGX501 is still an error");
    assert_eq!(ids(&found), expected(&["PGX201", "PGX307"]));

    // The secret rule cannot be ignored (render would print the secret): still an error,
    // and the finding says why the --ignore did nothing.
    let (code, found) = json(&[
        "-f",
        "fleet.yaml",
        "--ignore",
        "PGX201",
        "--ignore",
        "pgx501",
    ]);
    assert_eq!(code, 1, "PGX501 cannot be ignored");
    assert_eq!(ids(&found), expected(&["PGX201", "PGX307"]));
    let secret = found.iter().find(|f| f["id"] == "PGX501");
    let help = secret.and_then(|f| f["help"].as_str()).unwrap_or_default();
    assert!(help.ends_with("(PGX501 cannot be ignored)"), "{help}");

    // Without the secret, only a warning is left once PGX201 is ignored.
    let (code, found) = json(&[
        "-f",
        "fleet.yaml",
        "--ignore",
        "PGX201",
        "--set",
        "pgClusters[1].env[0].name=PGAPPNAME",
    ]);
    assert_eq!(code, 0, "only a warning is left");
    let left: BTreeSet<(String, bool)> = ["PGX201", "PGX205", "PGX307"]
        .iter()
        .map(|id| ((*id).to_owned(), *id != "PGX205"))
        .collect();
    assert_eq!(ids(&found), left);

    // lint.ignore from --set replaces the file's list, as any list does.
    let (_, found) = json(&["-f", "fleet.yaml", "--set", "lint.ignore={PGX205}"]);
    assert_eq!(ids(&found), expected(&["PGX205"]));
}

#[test]
fn an_ignored_error_no_longer_fails_and_is_shown_as_ignored() {
    let run = lint(&["-f", "errors.yaml", "--ignore", "PGX204"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("ignored[PGX204]: "),
        "{}",
        run.stderr
    );
    let (code, found) = json(&["-f", "errors.yaml", "--set", "lint.ignore={PGX204}"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&found), BTreeSet::from([("PGX204".to_owned(), true)]));
    // GitHub annotations are for what needs attention: an ignored finding makes none.
    let run = lint(&[
        "-f",
        "errors.yaml",
        "--ignore",
        "PGX204",
        "--format",
        "github",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

// ---------------------------------------------------------------------------------------
// Golden output of every format
// ---------------------------------------------------------------------------------------

fn snapshot(format: &str) -> String {
    let run = lint(&["-f", "fleet.yaml", "--format", format]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = if format == "human" {
        run.stderr
    } else {
        run.stdout
    };
    assert!(
        !text.contains("hunter2"),
        "{format} output quotes the secret:\n{text}"
    );
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        description => format!("cd tests/fixtures/rules/lint && NO_COLOR=1 pgx lint -f fleet.yaml --format {format}"),
    }, {
        insta::assert_snapshot!(format!("lint-{format}"), text);
    });
    text
}

#[test]
fn golden_human() {
    snapshot("human");
}

#[test]
fn golden_json() {
    let text = snapshot("json");
    let report: Value = serde_json::from_str(&text).unwrap();
    for finding in report["findings"].as_array().unwrap() {
        for key in [
            "id", "severity", "path", "file", "line", "column", "message", "help",
        ] {
            assert!(!finding[key].is_null(), "{key} missing: {finding}");
        }
    }
}

/// A GitHub workflow command as `pgx lint --format github` must write it, exactly:
///
/// `^::(error|warning) file=[^,:%\r\n]+,line=[1-9][0-9]*,col=[1-9][0-9]*,title=PGX[0-9]{3}::[^\r\n]+$`
///
/// (written out by hand: the project has no regex dependency). Property values escape `%`,
/// `:` and `,`; the message escapes `%`, CR and LF, so a command is one line.
fn is_workflow_command(line: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("::error ")
        .or_else(|| line.strip_prefix("::warning "))
    else {
        return false;
    };
    let Some((properties, message)) = rest.split_once("::") else {
        return false;
    };
    let number =
        |s: &str| !s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = properties.split(',').collect();
    let [file, line_no, col, title] = parts.as_slice() else {
        return false;
    };
    let file_ok = file
        .strip_prefix("file=")
        .is_some_and(|f| !f.is_empty() && !f.contains([':', '%', '\r', '\n']));
    let title_ok = title
        .strip_prefix("title=PGX")
        .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
    file_ok
        && line_no.strip_prefix("line=").is_some_and(number)
        && col.strip_prefix("col=").is_some_and(number)
        && title_ok
        && !message.is_empty()
        && !message.contains(['\r', '\n'])
}

#[test]
fn golden_github_lines_are_workflow_commands() {
    let text = snapshot("github");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "one per finding that is not ignored:\n{text}"
    );
    for line in &lines {
        assert!(is_workflow_command(line), "{line}");
    }
    assert!(lines[0].starts_with("::warning file=fleet.yaml,line=13,col=14,title=PGX205::"));
    // A message of several lines stays one command.
    assert!(lines[0].contains("%0Ahelp: "), "{}", lines[0]);
    for bad in [
        "::notice file=a.yaml,line=1,col=1,title=PGX204::m",
        "::error file=a:b.yaml,line=1,col=1,title=PGX204::m",
        "::error file=a.yaml,line=0,col=1,title=PGX204::m",
        "::error file=a.yaml,line=1,col=1,title=PGX2041::m",
        "::error file=a.yaml,line=1,col=1,title=PGX204::",
        "::error line=1,col=1,title=PGX204::m",
    ] {
        assert!(!is_workflow_command(bad), "{bad}");
    }
}

/// The SARIF 2.1.0 schema that serde-sarif generates its types from, read from the crate's
/// source in cargo's registry (no copy in this repository); `None` where cargo keeps its
/// sources elsewhere (vendored builds).
fn sarif_schema() -> Option<Value> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let registries = std::fs::read_dir(cargo_home.join("registry/src")).ok()?;
    let schema = registries
        .filter_map(|r| r.ok())
        .map(|r| r.path().join("serde-sarif-0.8.0/src/schema.json"))
        .find(|p| p.is_file())?;
    serde_json::from_str(&std::fs::read_to_string(schema).ok()?).ok()
}

fn fix_language_patterns(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                    *value = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                } else {
                    fix_language_patterns(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_language_patterns),
        _ => {}
    }
}

#[test]
fn golden_sarif_is_valid_sarif_2_1_0() {
    let text = snapshot("sarif");
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        log["$schema"],
        "https://schemastore.azurewebsites.net/schemas/json/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pgx");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), pgx::rules::RULES.len());
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
        assert!(rule["help"]["text"].is_string(), "{rule}");
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "fleet.yaml");
        assert!(location["region"]["startLine"].as_u64().unwrap() > 0);
        assert!(location["region"]["startColumn"].as_u64().unwrap() > 0);
    }
    let ignored: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0]["ruleId"], "PGX307");

    match sarif_schema() {
        Some(mut schema) => {
            // The published schema's `language` patterns are not valid regexes (an erratum
            // of SARIF 2.1.0: `]?` without `[`); pgx sets no language, so they are replaced
            // with the intended pattern before the schema is compiled.
            fix_language_patterns(&mut schema);
            let validator = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&log)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
            // And the schema does catch a log that is not SARIF.
            let mut broken = log.clone();
            broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
            assert!(!validator.is_valid(&broken));
        }
        None => eprintln!("note: serde-sarif's schema.json not found; checked the structure only"),
    }
}

#[test]
fn a_secret_from_set_is_masked_in_every_format() {
    let set = "pgClusters[0].logicalBackup.s3SecretAccessKey=wJalrXUtnFEMI";
    for format in ["human", "json", "github", "sarif"] {
        let run = lint(&["-f", "clean.yaml", "--set", set, "--format", format]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("PGX501"), "{format}: {all}");
        assert!(
            !all.contains("wJalrXUtnFEMI"),
            "{format} quotes the secret:\n{all}"
        );
    }
}
