//! The command line: flags, the order of the pipeline, and exit codes. The only module that
//! writes to standard output or error, and the only one that uses `anyhow`.
//!
//! Exit codes: 0 success; 1 findings or render refused; 2 usage, unreadable file or
//! malformed YAML. On any error, standard output stays empty.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::finding::Finding;
use crate::lint::{lint, LintOptions};
use crate::load::{self, LoadError, Loaded, ValuesInput, DEFAULT_MAX_FILE_SIZE};
use crate::render::{Renderer, Template};
use crate::report::{self, Format};

#[derive(Debug, Parser)]
#[command(
    name = "pgx",
    version,
    about = "Render and lint PostgreSQL-on-Kubernetes manifests from Helm-compatible values",
    long_about = "pgx loads the values files of the pg-clusters-external Helm chart, validates them \
                  with rules that catch what broke production, and renders the Namespaces, \
                  ClusterIssuer, Certificates, postgresql objects, PDBs and MetalLB Services.\n\n\
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

/// What a run needs from the process, so tests can run pgx in-process.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Whether standard error is a terminal that takes colour.
    pub color: bool,
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
    } = io;
    match execute(cli.command, stdin, env, color, stderr) {
        Ok(outcome) => {
            if let Err(e) = stdout
                .write_all(outcome.stdout.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A closed pipe (`pgx render | head`) is the reader's choice, not an error.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(stderr, "error: cannot write output: {e}");
                    return 2;
                }
            }
            outcome.code
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
    stdout: String,
    code: i32,
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
            let loaded = load_values(&args.values, stdin, env)?;
            let options = LintOptions {
                ignore: args.rules.ignore.clone(),
                allow_empty: args.allow_empty,
            };
            let findings = lint(&loaded, &options);
            let shown: Vec<&Finding> = findings.iter().filter(|f| !f.ignored).collect();
            if !shown.is_empty() {
                let text = report::human(&shown, &loaded.sources, color);
                let _ = stderr.write_all(text.as_bytes());
            }
            let blocking = findings.iter().filter(|f| f.blocks()).count();
            let Some(values) = loaded.values.as_ref().filter(|_| blocking == 0) else {
                return Err(refused(anyhow::anyhow!(
                    "render refused: {blocking} error{} in the values (nothing was printed)",
                    if blocking == 1 { "" } else { "s" }
                )));
            };
            let renderer = Renderer::new().map_err(refused)?;
            let rendered = renderer.render(values).map_err(refused)?;
            match args.output_dir {
                Some(dir) => {
                    write_output_dir(&dir, &rendered.files())
                        .with_context(|| format!("cannot write to {}", dir.display()))
                        .map_err(usage)?;
                    Ok(Outcome {
                        stdout: String::new(),
                        code: 0,
                    })
                }
                None => Ok(Outcome {
                    stdout: rendered.stream(&args.show_only),
                    code: 0,
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
            match args.format {
                // Human findings are diagnostics: standard error, like a compiler's.
                Format::Human => {
                    let _ = stderr.write_all(text.as_bytes());
                    Ok(Outcome {
                        stdout: String::new(),
                        code,
                    })
                }
                _ => Ok(Outcome { stdout: text, code }),
            }
        }
    }
}

fn load_values(
    args: &ValuesArgs,
    stdin: &mut dyn Read,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Failure> {
    let files = if args.files.is_empty() {
        load::files_from_environment(env)
            .map(|(files, _)| files)
            .unwrap_or_default()
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
    result
}
