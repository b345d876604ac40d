//! The command line: flags, the order of the pipeline, and exit codes. The only module that
//! writes to standard output or error, and the only one that uses `anyhow`.
//!
//! Exit codes: 0 success; 1 findings or render refused; 2 usage, unreadable file or
//! malformed YAML. On any error, standard output stays empty.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::endpoints::{self, Endpoints};
use crate::finding::Finding;
use crate::lint::{lint, LintOptions};
use crate::load::{self, LoadError, Loaded, ValuesInput, DEFAULT_MAX_FILE_SIZE};
use crate::render::{Renderer, Template};
use crate::report::{self, Format};
use crate::schema::{self, Draft};
use crate::values::Values;

#[derive(Debug, Parser)]
#[command(
    name = "pgx",
    version,
    about = "Render and lint PostgreSQL-on-Kubernetes manifests from Helm-compatible values",
    long_about = "pgx loads the values files of the pg-clusters-external Helm chart, validates them \
                  with rules that catch what broke production, and renders the Namespaces, \
                  ClusterIssuer, Certificates, postgresql objects, PDBs and MetalLB Services. \
                  `endpoints` and `guide` tell developers what to connect to, from the same \
                  values.\n\n\
                  Exit codes: 0 success, 1 findings or render refused, 2 usage, unreadable file \
                  or malformed YAML. On any error nothing is printed to standard output."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the manifest stream (for `kubectl apply -f -` or an ArgoCD plugin).
    Render(RenderArgs),
    /// Run every validation rule and print the findings.
    Lint(LintArgs),
    /// Print what developers connect to: per endpoint the host, IP, port, what it reaches,
    /// who may connect and a connection URI; then the ports taken on each IP.
    Endpoints(EndpointsArgs),
    /// Print a Markdown developer guide for these values: endpoints, examples, migrations,
    /// certificate trust, credentials and connection checks.
    Guide(GuideArgs),
    /// Print the JSON Schema of values files (for editors and CI).
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// Where values come from; shared by every command that reads values.
#[derive(Debug, Args)]
struct ValuesArgs {
    /// Values file, merged left to right like Helm's; `-` reads standard input. Without
    /// any, the files listed in PGX_VALUES or ARGOCD_ENV_PGX_VALUES (comma-separated).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    files: Vec<String>,
    /// Set a value (`pgClusters[0].numberOfInstances=2`), applied after the files.
    #[arg(long, value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Set a value as a string, whatever it looks like, applied after `--set`.
    #[arg(long, value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// Largest values file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

#[derive(Debug, Args)]
struct RuleArgs {
    /// Silence a rule by id (repeatable); `lint.ignore` in values does the same.
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
}

#[derive(Debug, Args)]
struct RenderArgs {
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// Accept values with no clusters (an empty stream makes pruning GitOps tools delete
    /// every database object).
    #[arg(long)]
    allow_empty: bool,
    /// Print only this template's objects (repeatable).
    #[arg(long, value_enum, value_name = "TEMPLATE")]
    show_only: Vec<Template>,
    /// Write one file per template under DIR/pgx/templates/ instead of printing, replacing
    /// the previous files only once everything rendered.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Render on at most N threads (default: the machine's cores, at most 8). The output
    /// is the same for any N; fleets under 128 clusters use one.
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// How findings are printed.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
    /// Accept values with no clusters.
    #[arg(long)]
    allow_empty: bool,
}

#[derive(Debug, Args)]
struct EndpointsArgs {
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// How endpoints are printed.
    #[arg(long, value_enum, default_value_t = endpoints::Format::Table)]
    format: endpoints::Format,
}

#[derive(Debug, Args)]
struct GuideArgs {
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// JSON Schema dialect; yaml-language-server validates `07`.
    #[arg(long, value_enum, default_value_t = Draft::Draft2020_12)]
    draft: Draft,
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// What a run needs from the process, so tests can run pgx in-process.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Whether standard error is a terminal that takes colour.
    pub color: bool,
    /// Whether the process exits when [`run`] returns. Then what a command built is left to
    /// the kernel instead of freed: freeing a values tree visits every node, which was 7 %
    /// of a lint of 10,000 clusters and more of its time, the memory being cold by then
    /// (issue #7). In-process runs (tests) free everything.
    pub exits: bool,
}

/// Entry point of the binary.
pub fn main() -> i32 {
    let env = |name: &str| std::env::var(name).ok();
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    run(
        std::env::args_os(),
        Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            env: &env,
            color,
            exits: true,
        },
    )
}

/// Runs pgx with these arguments and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>, io: Io<'_>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let text = if io.color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let out: &mut dyn Write = if e.use_stderr() { io.stderr } else { io.stdout };
            let _ = out.write_all(text.as_bytes());
            return code;
        }
    };
    let Io {
        stdin,
        stdout,
        stderr,
        env,
        color,
        exits,
    } = io;
    match execute(cli.command, stdin, env, color, stderr) {
        Ok(Outcome {
            stdout: chunks,
            code,
            built,
        }) => {
            let written = chunks
                .iter()
                .try_for_each(|chunk| stdout.write_all(chunk.as_bytes()))
                .and_then(|()| stdout.flush());
            if exits {
                // The kernel takes the memory back when the process exits, at once.
                std::mem::forget((chunks, built));
            }
            if let Err(e) = written {
                // A closed pipe (`pgx render | head`) is the reader's choice, not an error.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(stderr, "error: cannot write output: {e}");
                    return 2;
                }
            }
            code
        }
        Err(failure) => {
            let _ = writeln!(stderr, "error: {:#}", failure.error);
            failure.code
        }
    }
}

/// What a command produced: text for standard output (written only on success) and the
/// exit code.
struct Outcome {
    /// Standard output, in pieces written one after the other (a render's parts are not
    /// joined into one copy first).
    stdout: Vec<String>,
    code: i32,
    /// What the command built and no longer needs, kept so that a process about to exit
    /// can skip freeing it ([`Io::exits`]).
    built: Vec<Box<dyn std::any::Any>>,
}

struct Failure {
    error: anyhow::Error,
    code: i32,
}

fn usage(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        error: error.into(),
        code: 2,
    }
}

fn refused(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        error: error.into(),
        code: 1,
    }
}

fn execute(
    command: Command,
    stdin: &mut dyn Read,
    env: &dyn Fn(&str) -> Option<String>,
    color: bool,
    stderr: &mut dyn Write,
) -> Result<Outcome, Failure> {
    match command {
        Command::Render(args) => {
            let options = LintOptions {
                ignore: args.rules.ignore.clone(),
                allow_empty: args.allow_empty,
            };
            let checked = Checked::new("render", stdin, env, color, stderr);
            let values = checked.values(&args.values, &options)?;
            let mut renderer = Renderer::new().map_err(refused)?;
            if let Some(jobs) = args.jobs {
                renderer = renderer.with_threads(jobs);
            }
            let rendered = renderer.render(&values).map_err(refused)?;
            match args.output_dir {
                Some(dir) => {
                    write_output_dir(&dir, &rendered.files())
                        .with_context(|| format!("cannot write to {}", dir.display()))
                        .map_err(usage)?;
                    Ok(Outcome {
                        stdout: Vec::new(),
                        code: 0,
                        built: vec![Box::new(values), Box::new(renderer), Box::new(rendered)],
                    })
                }
                None => Ok(Outcome {
                    stdout: rendered.into_chunks(&args.show_only),
                    code: 0,
                    built: vec![Box::new(values), Box::new(renderer)],
                }),
            }
        }
        Command::Lint(args) => {
            let loaded = load_values(&args.values, stdin, env)?;
            let options = LintOptions {
                ignore: args.rules.ignore.clone(),
                allow_empty: args.allow_empty,
            };
            let findings = lint(&loaded, &options);
            let failing = findings.iter().any(|f| {
                !f.ignored
                    && (f.blocks()
                        || (args.strict && f.severity == crate::finding::Severity::Warning))
            });
            let text = report::print(args.format, &findings, &loaded.sources, color);
            let code = i32::from(failing);
            let built: Vec<Box<dyn std::any::Any>> = vec![Box::new(loaded), Box::new(findings)];
            match args.format {
                // Human findings are diagnostics: standard error, like a compiler's.
                Format::Human => {
                    let _ = stderr.write_all(text.as_bytes());
                    Ok(Outcome {
                        stdout: Vec::new(),
                        code,
                        built,
                    })
                }
                _ => Ok(Outcome {
                    stdout: vec![text],
                    code,
                    built,
                }),
            }
        }
        Command::Endpoints(args) => {
            let checked = Checked::new("endpoints", stdin, env, color, stderr);
            let values = checked.values(&args.values, &listing(&args.rules))?;
            Ok(Outcome {
                stdout: vec![Endpoints::new(&values).print(args.format)],
                code: 0,
                built: vec![Box::new(values)],
            })
        }
        Command::Guide(args) => {
            let checked = Checked::new("guide", stdin, env, color, stderr);
            let values = checked.values(&args.values, &listing(&args.rules))?;
            Ok(Outcome {
                stdout: vec![crate::guide::guide(&values).map_err(refused)?],
                code: 0,
                built: vec![Box::new(values)],
            })
        }
        Command::Schema(args) => Ok(Outcome {
            stdout: vec![schema::values_schema_text(args.draft)],
            code: 0,
            built: Vec::new(),
        }),
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "pgx", &mut script);
            Ok(Outcome {
                stdout: vec![String::from_utf8_lossy(&script).into_owned()],
                code: 0,
                built: Vec::new(),
            })
        }
    }
}

/// Lint options of the commands that describe values rather than render them: no
/// clusters is nothing to describe, not a danger.
fn listing(rules: &RuleArgs) -> LintOptions {
    LintOptions {
        ignore: rules.ignore.clone(),
        allow_empty: true,
    }
}

/// Loads values and runs every rule before a command uses them, the way `render` does:
/// findings go to standard error, and while an error remains the command is refused
/// (exit 1) with nothing on standard output.
struct Checked<'a> {
    command: &'static str,
    stdin: &'a mut dyn Read,
    env: &'a dyn Fn(&str) -> Option<String>,
    color: bool,
    stderr: &'a mut dyn Write,
}

impl<'a> Checked<'a> {
    fn new(
        command: &'static str,
        stdin: &'a mut dyn Read,
        env: &'a dyn Fn(&str) -> Option<String>,
        color: bool,
        stderr: &'a mut dyn Write,
    ) -> Self {
        Self {
            command,
            stdin,
            env,
            color,
            stderr,
        }
    }

    fn values(self, args: &ValuesArgs, options: &LintOptions) -> Result<Values, Failure> {
        let loaded = load_values(args, self.stdin, self.env)?;
        let findings = lint(&loaded, options);
        let shown: Vec<&Finding> = findings.iter().filter(|f| !f.ignored).collect();
        if !shown.is_empty() {
            let text = report::human(&shown, &loaded.sources, self.color);
            let _ = self.stderr.write_all(text.as_bytes());
        }
        let blocking = findings.iter().filter(|f| f.blocks()).count();
        match loaded.values {
            Some(values) if blocking == 0 => Ok(values),
            _ => Err(refused(anyhow::anyhow!(
                "{} refused: {blocking} error{} in the values (nothing was printed)",
                self.command,
                if blocking == 1 { "" } else { "s" }
            ))),
        }
    }
}

fn load_values(
    args: &ValuesArgs,
    stdin: &mut dyn Read,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Failure> {
    let files = if args.files.is_empty() {
        match load::files_from_environment(env) {
            Some((files, _)) => files,
            // In ArgoCD a forgotten PGX_VALUES would otherwise render the defaults and be
            // refused for having no clusters, which names the wrong cause.
            None if args.set.is_empty() && args.set_string.is_empty() => {
                return Err(usage(anyhow::anyhow!(
                    "no values given: pass -f FILE (or `-f -` for standard input), or name the \
                     files in PGX_VALUES (ARGOCD_ENV_PGX_VALUES in an ArgoCD plugin)"
                )))
            }
            None => Vec::new(),
        }
    } else {
        args.files.clone()
    };
    let input = ValuesInput {
        files,
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        max_file_size: args.max_file_size,
    };
    load::load(&input, stdin).map_err(|e: LoadError| usage(e))
}

/// Writes the rendered files under `dir/pgx/templates/`: they are staged beside the old
/// ones and swapped in with renames, so a failure leaves the directory as it was.
fn write_output_dir(dir: &Path, files: &[(Template, String)]) -> anyhow::Result<()> {
    // Anything but a folder where `pgx/` goes would be swapped out and then fail to be
    // removed, after the swap: refuse before touching anything.
    let existing = dir.join("pgx");
    if std::fs::symlink_metadata(&existing).is_ok() && !existing.is_dir() {
        anyhow::bail!("{} exists and is not a folder", existing.display());
    }
    // A folder created here is removed again if writing fails.
    let created = !dir.exists();
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".pgx-staging-{}", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let templates = staging.join("pgx").join("templates");
        std::fs::create_dir_all(&templates)?;
        for (template, text) in files {
            std::fs::write(templates.join(format!("{}.yaml", template.name())), text)?;
        }
        let target = dir.join("pgx");
        let previous = dir.join(format!(".pgx-previous-{}", std::process::id()));
        let had_previous = target.exists();
        if had_previous {
            std::fs::rename(&target, &previous)?;
        }
        if let Err(e) = std::fs::rename(staging.join("pgx"), &target) {
            if had_previous {
                let _ = std::fs::rename(&previous, &target);
            }
            return Err(e.into());
        }
        if had_previous {
            std::fs::remove_dir_all(&previous)?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    if result.is_err() && created {
        let _ = std::fs::remove_dir(dir);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs pgx in-process with no values and no environment.
    fn run_pgx(args: &[&str]) -> (i32, String, String) {
        let mut stdin: &[u8] = b"";
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = run(
            args.iter().map(OsString::from),
            Io {
                stdin: &mut stdin,
                stdout: &mut stdout,
                stderr: &mut stderr,
                env: &|_| None,
                color: false,
                exits: false,
            },
        );
        (
            code,
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        )
    }

    #[test]
    fn completions_know_every_command() {
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            let (code, stdout, stderr) = run_pgx(&["pgx", "completions", shell]);
            assert_eq!(code, 0, "{shell}: {stderr}");
            for command in ["render", "lint", "endpoints", "guide", "schema"] {
                assert!(stdout.contains(command), "{shell} completes no `{command}`");
            }
        }
        let (code, _, stderr) = run_pgx(&["pgx", "completions", "tcsh"]);
        assert_eq!(code, 2, "{stderr}");
    }

    #[test]
    fn schema_takes_a_draft() {
        let (code, stdout, _) = run_pgx(&["pgx", "schema", "--draft", "07"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("\"$schema\": \"http://json-schema.org/draft-07/schema#\""));
        let (code, _, stderr) = run_pgx(&["pgx", "schema", "--draft", "04"]);
        assert_eq!(code, 2, "{stderr}");
    }
}
