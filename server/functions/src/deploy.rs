//! The deploy policy: what the principal that deploys a stack (the CI role
//! running `sam deploy`, `cdk deploy`, `aws cloudformation deploy` or
//! `terraform apply`) needs to create, update and delete the resources the
//! templates declare.
//!
//! Each declared resource becomes the CloudFormation resource types it
//! deploys as (SAM resources expand as SAM expands them; Terraform types
//! through the reviewed table in the knowledge base), and each of those
//! contributes the permissions its resource provider's create, read, update
//! and delete handlers list. A permission on the resource's own resource type
//! is scoped to the ARN the templates give (exact, or the narrowest true
//! pattern); one on another type (`kms:*`, `ec2:Describe*`, a log group of
//! the service) gets `*`, and a warning says so. `iam:PassRole` is granted
//! only for the roles the stack hands to functions and state machines, with
//! `iam:PassedToService`. CloudFormation's own stack actions and the upload
//! of packaged code are added for the tools that use them.

use iamlens_engine::model::Requirement;
use iamlens_engine::policy::{self, Policy, PolicyOptions};
use iamlens_engine::Warning;
use iamlens_iac::{Code, Deployment, Framework, Location, Pattern, Resource, SamResource};
use iamlens_knowledge::{DeployData, KnowledgeBase};
use std::collections::{BTreeMap, BTreeSet};

/// What the person says about where the stack goes.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// The bucket `sam deploy --s3-bucket` / `aws cloudformation package` uploads code to.
    pub artifact_bucket: Option<String>,
}

/// The policy, its warnings, and how many Terraform types were mapped.
#[derive(Debug, Clone)]
pub struct DeployPolicy {
    pub policies: Vec<Policy>,
    pub warnings: Vec<Warning>,
    pub terraform: TerraformCoverage,
}

/// Terraform resource types seen in a run, mapped to a CloudFormation type or not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerraformCoverage {
    pub mapped: BTreeSet<String>,
    pub unmapped: BTreeSet<String>,
}

impl TerraformCoverage {
    pub fn seen(&self) -> usize {
        self.mapped.len() + self.unmapped.len()
    }
    /// `12 of 14 Terraform resource types mapped (unmapped: aws_x, aws_y)`.
    pub fn summary(&self) -> String {
        let mut out = format!("{} of {} Terraform resource types mapped to CloudFormation types", self.mapped.len(), self.seen());
        if !self.unmapped.is_empty() {
            out.push_str(&format!(" (unmapped, not in the policy: {})", self.unmapped.iter().cloned().collect::<Vec<_>>().join(", ")));
        }
        out
    }
}

/// CloudFormation stack actions a change-set deploy (`sam deploy`, `cdk deploy`,
/// `aws cloudformation deploy`) and a stack delete call, on the stack's ARN.
pub const STACK_ACTIONS: &[&str] = &[
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStackResources",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:GetTemplate",
    "cloudformation:ListStackResources",
];

/// The SAM transform's version: `CreateChangeSet` is also authorized on it.
const SAM_TRANSFORM: &str = "Serverless-2016-10-31";
/// CloudFormation appends 12–13 random characters to a generated name.
const RANDOM_SUFFIX: usize = 13;
/// The longest stack name CloudFormation accepts.
const MAX_STACK_NAME: usize = 128;

/// Where the stack goes, rendered into ARNs (`*` where unknown).
struct Env<'a> {
    options: &'a DeployOptions,
    partition: &'static str,
}

impl Env<'_> {
    fn region(&self) -> &str {
        self.options.region.as_deref().unwrap_or("*")
    }
    fn account(&self) -> &str {
        self.options.account.as_deref().unwrap_or("*")
    }
    fn arn(&self, service: &str, regional: bool, account: bool, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition,
            if regional { self.region() } else { "" },
            if account { self.account() } else { "" }
        )
    }
    /// `<stack>-<logical id>-*` when that is the whole truth: the stack name is
    /// known and the generated name fits `max` untruncated; otherwise `*`.
    fn generated(&self, logical_id: &str, max: usize) -> String {
        let fixed = logical_id.chars().count() + 2 + RANDOM_SUFFIX;
        match &self.options.stack_name {
            Some(stack) if stack.chars().count() + fixed <= max => format!("{stack}-{logical_id}-*"),
            None if MAX_STACK_NAME + fixed <= max => format!("*-{logical_id}-*"),
            _ => "*".to_string(),
        }
    }
}

/// One CloudFormation resource the deploy creates, and where it comes from.
struct Unit {
    cfn_type: String,
    /// The resource's own ARNs (patterns); empty when not known.
    arns: Vec<String>,
    at: Location,
    /// `OrdersTable`, `GetOrderFunction (SAM: its role)`.
    label: String,
    /// Deployed by `terraform apply` rather than CloudFormation.
    terraform: bool,
}

/// A role the stack passes to a service.
struct Passed {
    arn: String,
    service: &'static str,
}

#[derive(Default)]
struct Out {
    units: Vec<Unit>,
    passed: Vec<Passed>,
    warnings: Vec<Warning>,
    terraform: TerraformCoverage,
    /// A template that CloudFormation deploys (SAM, CloudFormation, CDK).
    cloudformation: bool,
    sam: bool,
    cdk: bool,
    serverless: bool,
    /// Code or layers packaged from the project (uploaded to the artifact bucket).
    packaged: bool,
    /// Implicit APIs already added (`ServerlessRestApi`, `ServerlessHttpApi`).
    implicit: BTreeSet<&'static str>,
}

impl Out {
    fn warn(&mut self, at: &Location, kind: &str, message: String) {
        self.warnings.push(Warning { file: at.file.display().to_string(), line: at.line as u32, kind: kind.into(), message });
    }
    fn unit(&mut self, cfn_type: &str, arns: Vec<String>, at: &Location, label: String) {
        self.units.push(Unit { cfn_type: cfn_type.into(), arns, at: at.clone(), label, terraform: false });
    }
    fn terraform_unit(&mut self, cfn_type: &str, arns: Vec<String>, at: &Location, label: String) {
        self.units.push(Unit { cfn_type: cfn_type.into(), arns, at: at.clone(), label, terraform: true });
    }
}

/// The deploy policy of everything `deployment` declares.
pub fn deploy_policy(deployment: &Deployment, options: &DeployOptions) -> DeployPolicy {
    let partition = match options.region.as_deref() {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    };
    let env = Env { options, partition };
    let mut out = Out::default();
    for resource in &deployment.resources {
        expand_resource(&env, deployment, resource, &mut out);
    }
    for function in &deployment.functions {
        expand_function(&env, deployment, function, &mut out);
    }
    let mut requirements = Vec::new();
    handler_requirements(&env, &out.units, &mut requirements, &mut out.warnings);
    for p in &out.passed {
        requirements.push(requirement(
            "iam:PassRole",
            vec![p.arn.clone()],
            vec![("StringEquals".into(), "iam:PassedToService".into(), vec![p.service.to_string()])],
        ));
    }
    tool_requirements(&env, deployment, &mut out, &mut requirements);
    if out.terraform.seen() > 0 {
        let at = deployment.resources.iter().find(|r| r.resource_type.starts_with("aws_")).map(|r| r.declared_at.clone());
        if let Some(at) = at {
            let summary = out.terraform.summary();
            out.warn(&at, "TerraformCoverage", summary);
            out.warn(
                &at,
                "TerraformApproximation",
                "Terraform resources are granted what CloudFormation's handlers for the mapped type call; the AWS provider's own calls can differ (it often reads more attributes): check the first apply's AccessDenied errors".into(),
            );
        }
    }
    // Exact ARNs are the point of a deploy policy: no resource cutoff.
    let opts = PolicyOptions { resource_cutoff: usize::MAX, minimize_policy_size: false, resource_account: None };
    let policies = policy::synthesize(requirements.iter(), &opts);
    let mut warnings = out.warnings;
    warnings.sort();
    warnings.dedup();
    DeployPolicy { policies, warnings, terraform: out.terraform }
}

fn requirement(action: &str, resources: Vec<String>, conditions: Vec<(String, String, Vec<String>)>) -> Requirement {
    Requirement { action: action.to_string(), resources, conditions, access_level: None, arn_templates: Vec::new(), note: None, call_index: 0 }
}

fn display(pattern: &Option<Pattern>) -> Option<String> {
    pattern.as_ref().map(Pattern::display).filter(|s| !s.is_empty())
}

fn sam_entry<'a>(deployment: &'a Deployment, id: &str, at: &Location) -> Option<&'a SamResource> {
    deployment.sam.iter().find(|s| s.id == id && s.declared_at.file == at.file)
}

fn apigateway_arns(env: &Env, v2: bool) -> Vec<String> {
    let collection = if v2 { "/apis" } else { "/restapis" };
    // API ids are generated: the collection (create), anything under it, and tags on it.
    [collection.to_string(), format!("{collection}/*"), "/tags/*".to_string()]
        .into_iter()
        .map(|path| format!("arn:{}:apigateway:{}::{path}", env.partition, env.region()))
        .collect()
}

fn expand_resource(env: &Env, deployment: &Deployment, r: &Resource, out: &mut Out) {
    let ty = r.resource_type.as_str();
    let at = &r.declared_at;
    if ty.starts_with("aws_") {
        // Terraform lists its functions as resources too: their roles are passed in expand_function.
        match iamlens_knowledge::terraform_mapping(ty) {
            Some(row) => {
                out.terraform.mapped.insert(ty.to_string());
                let arns = own_arns(env, &row.cloudformation, r);
                out.terraform_unit(&row.cloudformation, arns, at, format!("{} ({ty} as {})", r.id, row.cloudformation));
            }
            None => {
                out.terraform.unmapped.insert(ty.to_string());
                out.warn(
                    at,
                    "UnmappedResourceType",
                    format!("{} ({ty}): no reviewed CloudFormation type for this Terraform type; its permissions are not in the policy", r.id),
                );
            }
        }
        return;
    }
    out.cloudformation = true;
    match ty {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {} // with its function entry
        "AWS::Serverless::SimpleTable" => {
            out.sam = true;
            out.unit("AWS::DynamoDB::Table", own_arns(env, "AWS::DynamoDB::Table", r), at, format!("{} (SAM: AWS::DynamoDB::Table)", r.id));
        }
        "AWS::Serverless::Api" => {
            out.sam = true;
            for t in ["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"] {
                out.unit(t, apigateway_arns(env, false), at, format!("{} (SAM: {t})", r.id));
            }
        }
        "AWS::Serverless::HttpApi" => {
            out.sam = true;
            for t in ["AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"] {
                out.unit(t, apigateway_arns(env, true), at, format!("{} (SAM: {t})", r.id));
            }
        }
        "AWS::Serverless::LayerVersion" => {
            out.sam = true;
            out.packaged = true;
            let arns = match display(&r.name) {
                Some(name) => {
                    vec![env.arn("lambda", true, true, &format!("layer:{name}")), env.arn("lambda", true, true, &format!("layer:{name}:*"))]
                }
                None => vec![env.arn("lambda", true, true, "layer:*")],
            };
            out.unit("AWS::Lambda::LayerVersion", arns, at, format!("{} (SAM: AWS::Lambda::LayerVersion)", r.id));
        }
        "AWS::Serverless::StateMachine" => {
            out.sam = true;
            let arns = own_arns(env, "AWS::StepFunctions::StateMachine", r);
            out.unit("AWS::StepFunctions::StateMachine", arns, at, format!("{} (SAM: AWS::StepFunctions::StateMachine)", r.id));
            let entry = sam_entry(deployment, &r.id, at);
            match entry.map(|e| e.role.as_deref()) {
                Some(Some(role)) => pass_role(env, deployment, role, "states.amazonaws.com", at, &r.id, out),
                known => {
                    if known.is_none() {
                        out.warn(
                            at,
                            "SamAssumption",
                            format!(
                                "{}: the templates' reader did not say whether the state machine names its Role; assumed SAM creates {}Role",
                                r.id, r.id
                            ),
                        );
                    }
                    implicit_role(env, &r.id, "states.amazonaws.com", at, out);
                }
            }
        }
        t if t.starts_with("AWS::Serverless::") => {
            out.sam = true;
            out.warn(
                at,
                "UnsupportedResourceType",
                format!("{} ({t}): what SAM expands it into is not known to iamlens; its permissions are not in the policy", r.id),
            );
        }
        t if t.starts_with("AWS::ApiGateway::") || t.starts_with("AWS::ApiGatewayV2::") => {
            out.unit(t, apigateway_arns(env, t.starts_with("AWS::ApiGatewayV2::")), at, r.id.clone());
        }
        t => {
            let arns = own_arns(env, t, r);
            out.unit(t, arns, at, r.id.clone());
        }
    }
}

/// The declared resource's ARN patterns. A log group's ARN as CloudFormation
/// returns it ends in `:*`; IAM evaluates log-group actions on both forms.
fn own_arns(_env: &Env, cfn_type: &str, r: &Resource) -> Vec<String> {
    let Some(arn) = display(&r.arn) else { return Vec::new() };
    if cfn_type == "AWS::S3::Bucket" {
        // The bucket's handlers also act on its objects (emptying, ACLs).
        return vec![arn.clone(), format!("{arn}/*")];
    }
    if cfn_type == "AWS::Logs::LogGroup" {
        let bare = arn.strip_suffix(":*").unwrap_or(&arn).to_string();
        return vec![bare.clone(), format!("{bare}:*")];
    }
    vec![arn]
}

fn implicit_role(env: &Env, owner: &str, service: &'static str, at: &Location, out: &mut Out) {
    let id = format!("{owner}Role");
    let arn = env.arn("iam", false, true, &format!("role/{}", env.generated(&id, 64)));
    out.unit("AWS::IAM::Role", vec![arn.clone()], at, format!("{id} (SAM: the role of {owner})"));
    out.passed.push(Passed { arn, service });
}

/// `iam:PassRole` for the role a function or state machine names: a declared
/// role's ARN, an ARN written in the template, else every role (warned).
fn pass_role(env: &Env, deployment: &Deployment, role: &str, service: &'static str, at: &Location, owner: &str, out: &mut Out) {
    let declared = deployment
        .resources
        .iter()
        .find(|r| (r.id == role || role.strip_prefix(r.id.as_str()).is_some_and(|rest| rest.starts_with('.'))) && is_role_type(&r.resource_type));
    let arn = match declared.and_then(|r| display(&r.arn)) {
        Some(arn) => arn,
        None if role.starts_with("arn:") => role.to_string(),
        None => {
            out.warn(at, "UnknownRole", format!("{owner}'s role `{role}` is not a role the templates declare with a known ARN; iam:PassRole is granted on every role, to {service} only"));
            env.arn("iam", false, true, "role/*")
        }
    };
    out.passed.push(Passed { arn, service });
}

fn is_role_type(ty: &str) -> bool {
    ty == "AWS::IAM::Role" || ty == "aws_iam_role"
}

fn expand_function(env: &Env, deployment: &Deployment, f: &iamlens_iac::Function, out: &mut Out) {
    let at = &f.declared_at;
    let sam = f.framework == Framework::Sam;
    if f.framework != Framework::Terraform {
        out.cloudformation = true;
    }
    out.sam |= sam;
    out.cdk |= f.framework == Framework::Cdk;
    out.serverless |= f.framework == Framework::Serverless;
    if matches!(f.code, Code::Directory { .. }) && f.framework != Framework::Terraform {
        out.packaged = true;
    }
    let entry = sam_entry(deployment, &f.id, at);
    let listed = deployment.resources.iter().find(|r| r.id == f.id && r.declared_at.file == at.file);
    // The function's ARN: as a listed resource gives it, or from its name.
    let name = match (listed.and_then(|r| display(&r.arn)), entry) {
        (Some(arn), _) => Err(arn),
        (None, Some(e)) => Ok(display(&e.name).unwrap_or_else(|| env.generated(&f.id, 64))),
        (None, None) => {
            if f.framework != Framework::Terraform {
                out.warn(
                    at,
                    "UnknownName",
                    format!(
                        "{}: the templates' reader did not give the function's name; its actions are granted on every function of the account",
                        f.id
                    ),
                );
            }
            Ok("*".to_string())
        }
    };
    let function_arn = match name {
        Err(arn) => arn,
        Ok(name) => env.arn("lambda", true, true, &format!("function:{name}")),
    };
    if f.framework != Framework::Terraform || listed.is_none() {
        let label = if sam { format!("{} (SAM: AWS::Lambda::Function)", f.id) } else { f.id.clone() };
        if f.framework == Framework::Terraform {
            out.terraform_unit("AWS::Lambda::Function", vec![function_arn.clone()], at, label);
        } else {
            out.unit("AWS::Lambda::Function", vec![function_arn.clone()], at, label);
        }
    }
    let role = entry.and_then(|e| e.role.clone()).or_else(|| f.role.clone());
    match role {
        Some(role) => pass_role(env, deployment, &role, "lambda.amazonaws.com", at, &f.id, out),
        None if sam => implicit_role(env, &f.id, "lambda.amazonaws.com", at, out),
        None if f.framework == Framework::Serverless => {
            // The one role Serverless generates for every function of the service.
            let arn = env.arn("iam", false, true, "role/*");
            if out.implicit.insert("IamRoleLambdaExecution") {
                out.unit("AWS::IAM::Role", vec![arn.clone()], at, "IamRoleLambdaExecution (Serverless: the functions' role)".into());
                out.warn(
                    at,
                    "UnknownName",
                    "Serverless creates the functions' role IamRoleLambdaExecution, named <service>-<stage>-<region>-lambdaRole unless provider.iam.role.name says otherwise; that name is not known here: its actions and iam:PassRole are granted on every role (PassRole to Lambda only)".into(),
                );
            }
            out.passed.push(Passed { arn, service: "lambda.amazonaws.com" });
        }
        None => out.warn(at, "UnknownRole", format!("{}: no execution role was read; iam:PassRole for it is not in the policy", f.id)),
    }
    if !sam {
        return;
    }
    let Some(entry) = entry else {
        out.warn(at, "SamAssumption", format!("{}: the templates' reader did not give the function's Events; the permissions, event source mappings and rules SAM creates for them are not in the policy", f.id));
        return;
    };
    for event in &entry.events {
        let label = |t: &str| format!("{}.{} (SAM event {}: {t})", f.id, event.id, event.event_type);
        let permission = |out: &mut Out| out.unit("AWS::Lambda::Permission", vec![function_arn.clone()], at, label("AWS::Lambda::Permission"));
        match event.event_type.as_str() {
            "Api" => {
                permission(out);
                if out.implicit.insert("ServerlessRestApi") {
                    for t in ["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"] {
                        out.unit(
                            t,
                            apigateway_arns(env, false),
                            at,
                            format!("ServerlessRestApi (SAM: {t}, unless every Api event names a RestApiId)"),
                        );
                    }
                }
            }
            "HttpApi" => {
                permission(out);
                if out.implicit.insert("ServerlessHttpApi") {
                    for t in ["AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"] {
                        out.unit(
                            t,
                            apigateway_arns(env, true),
                            at,
                            format!("ServerlessHttpApi (SAM: {t}, unless every HttpApi event names an ApiId)"),
                        );
                    }
                }
            }
            "SQS" | "Kinesis" | "DynamoDB" | "MSK" | "MQ" | "SelfManagedKafka" | "DocumentDB" => {
                let arn = env.arn("lambda", true, true, "event-source-mapping:*");
                out.unit("AWS::Lambda::EventSourceMapping", vec![arn], at, label("AWS::Lambda::EventSourceMapping"));
            }
            "S3" | "AlexaSkill" | "Cognito" => permission(out),
            "IoTRule" => {
                permission(out);
                out.unit("AWS::IoT::TopicRule", Vec::new(), at, label("AWS::IoT::TopicRule"));
            }
            "SNS" => {
                permission(out);
                out.unit("AWS::SNS::Subscription", Vec::new(), at, label("AWS::SNS::Subscription"));
            }
            "Schedule" | "EventBridgeRule" | "CloudWatchEvent" => {
                permission(out);
                let rule = env.arn("events", true, true, &format!("rule/{}", env.generated(&format!("{}{}", f.id, event.id), 64)));
                out.unit("AWS::Events::Rule", vec![rule], at, label("AWS::Events::Rule"));
            }
            "CloudWatchLogs" => {
                permission(out);
                out.unit("AWS::Logs::SubscriptionFilter", Vec::new(), at, label("AWS::Logs::SubscriptionFilter"));
            }
            other => out.warn(
                at,
                "UnsupportedEvent",
                format!("{}.{}: what SAM creates for a {other} event is not known to iamlens; its permissions are not in the policy", f.id, event.id),
            ),
        }
    }
}

/// Whether an ARN pattern fits an IAM ARN template: a variable matches any
/// run of characters without `:`, and without `/` unless it names a path, an
/// object key, a log group or a parameter (so a bucket's ARN is not its
/// objects' and a table's is not its stream's).
fn fits(template: &str, arn: &str) -> bool {
    enum Tok<'a> {
        Lit(&'a str),
        /// Whether the variable may span `/`.
        Var(bool),
    }
    let mut toks = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            toks.push(Tok::Lit(&rest[..start]));
        }
        match rest[start..].find('}') {
            Some(end) => {
                let name = &rest[start + 2..start + end];
                let slashes = ["Path", "ObjectName", "LogGroupName", "ParameterName", "Key"].iter().any(|k| name.contains(k));
                toks.push(Tok::Var(slashes));
                rest = &rest[start + end + 1..];
            }
            None => {
                toks.push(Tok::Lit(&rest[start..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        toks.push(Tok::Lit(rest));
    }
    fn go(toks: &[Tok], s: &str) -> bool {
        match toks.split_first() {
            None => s.is_empty(),
            Some((Tok::Lit(l), more)) => s.strip_prefix(l).is_some_and(|s| go(more, s)),
            Some((Tok::Var(slashes), more)) => {
                let limit = s.find(|c| c == ':' || (c == '/' && !slashes)).unwrap_or(s.len());
                (0..=limit).any(|i| s.is_char_boundary(i) && go(more, &s[i..]))
            }
        }
    }
    go(&toks, arn)
}

/// Types whose create/update handlers read the packaged code or definition
/// from the artifact bucket (`s3:GetObject` there).
const READS_ARTIFACTS: &[&str] =
    &["AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::StepFunctions::StateMachine", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"];

/// The types that pass a role the deploy policy grants on its own (with
/// `iam:PassedToService`): their handlers' `iam:PassRole` is dropped.
const PASSES_KNOWN_ROLES: &[&str] = &["AWS::Lambda::Function", "AWS::StepFunctions::StateMachine"];

fn handler_requirements(env: &Env, units: &[Unit], out: &mut Vec<Requirement>, warnings: &mut Vec<Warning>) {
    let kb = KnowledgeBase::embedded();
    let data = DeployData::embedded();
    // Per CloudFormation type, warn once (at its first unit) about what is not exact.
    let mut foreign: BTreeMap<&str, (&Location, BTreeSet<String>, Vec<&str>)> = BTreeMap::new();
    let mut unknown: BTreeMap<&str, (&Location, BTreeSet<String>)> = BTreeMap::new();
    let mut other_pass_role: BTreeMap<&str, &Location> = BTreeMap::new();
    let mut artifact_reads: BTreeMap<&str, &Location> = BTreeMap::new();
    let mut terraform_code: BTreeMap<&str, &Location> = BTreeMap::new();
    for unit in units {
        let ty = unit.cfn_type.as_str();
        let Some(perms) = data.permissions(ty) else {
            warnings.push(Warning {
                file: unit.at.file.display().to_string(),
                line: unit.at.line as u32,
                kind: "UnsupportedResourceType".into(),
                message: format!("{}: {ty} has no resource provider schema with handlers; its permissions are not in the policy", unit.label),
            });
            continue;
        };
        for action in perms.all() {
            if action == "iam:PassRole" {
                if !PASSES_KNOWN_ROLES.contains(&ty) {
                    other_pass_role.entry(ty).or_insert(&unit.at);
                }
                continue;
            }
            let Some(info) = kb.action(action) else {
                unknown.entry(ty).or_insert((&unit.at, BTreeSet::new())).1.insert(action.to_string());
                continue;
            };
            if info.resource_types.is_empty() {
                out.push(requirement(action, vec!["*".into()], Vec::new()));
                continue;
            }
            if READS_ARTIFACTS.contains(&ty) && (action == "s3:GetObject" || action == "s3:GetObjectVersion") {
                if unit.terraform {
                    // Terraform sends a local archive (`filename`) with the call itself: no S3 read.
                    terraform_code.entry(ty).or_insert(&unit.at);
                    continue;
                }
                let resource = match &env.options.artifact_bucket {
                    Some(bucket) => format!("arn:{}:s3:::{bucket}/*", env.partition),
                    None => {
                        artifact_reads.entry(ty).or_insert(&unit.at);
                        "*".to_string()
                    }
                };
                out.push(requirement(action, vec![resource], Vec::new()));
                continue;
            }
            let prefix = action.split(':').next().unwrap_or_default();
            let templates: Vec<String> =
                info.resource_types.iter().filter_map(|rt| kb.resource_type(prefix, &rt.name)).flat_map(|rt| rt.arn_templates).collect();
            let own: Vec<String> = unit.arns.iter().filter(|arn| templates.iter().any(|t| fits(t, arn))).cloned().collect();
            if own.is_empty() {
                let entry = foreign.entry(ty).or_insert((&unit.at, BTreeSet::new(), Vec::new()));
                entry.1.insert(action.to_string());
                if !entry.2.contains(&unit.label.as_str()) {
                    entry.2.push(unit.label.as_str());
                }
                out.push(requirement(action, vec!["*".into()], Vec::new()));
            } else {
                out.push(requirement(action, own, Vec::new()));
            }
        }
    }
    let warn = |warnings: &mut Vec<Warning>, at: &Location, kind: &str, message: String| {
        warnings.push(Warning { file: at.file.display().to_string(), line: at.line as u32, kind: kind.into(), message });
    };
    for (ty, (at, actions, labels)) in foreign {
        warn(
            warnings,
            at,
            "WildcardResource",
            format!(
                "{ty} ({}): {} of its handlers' actions act on resources the templates do not name (another resource type, or an ARN not known): granted on `*`: {}",
                labels.join(", "),
                actions.len(),
                shorten(&actions)
            ),
        );
    }
    for (ty, (at, actions)) in unknown {
        warn(
            warnings,
            at,
            "NotAnIamAction",
            format!("{ty}: its provider schema lists permissions that are not IAM actions, left out: {}", shorten(&actions)),
        );
    }
    for (ty, at) in other_pass_role {
        warn(
            warnings,
            at,
            "PassRole",
            format!("{ty}'s handlers list iam:PassRole for a role the templates' reader does not name; it is not granted: add iam:PassRole on that role if the resource takes one"),
        );
    }
    for (ty, at) in terraform_code {
        warn(
            warnings,
            at,
            "TerraformCode",
            format!("{ty}: CloudFormation's handler reads the code from S3, Terraform uploads a local archive (`filename`) in the call: s3:GetObject is not granted; code kept in S3 (`s3_bucket`) needs s3:GetObject on that object"),
        );
    }
    for (ty, at) in artifact_reads {
        warn(
            warnings,
            at,
            "ArtifactBucket",
            format!(
                "{ty} reads its packaged code from the deployment bucket, which is not known: s3:GetObject is granted on `*`; pass --artifact-bucket"
            ),
        );
    }
}

fn shorten(actions: &BTreeSet<String>) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<&str> = actions.iter().take(SHOWN).map(String::as_str).collect();
    let more = actions.len().saturating_sub(SHOWN);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// CloudFormation's stack actions, the SAM transform, and the code upload.
fn tool_requirements(env: &Env, deployment: &Deployment, out: &mut Out, requirements: &mut Vec<Requirement>) {
    if !out.cloudformation {
        return;
    }
    let at = deployment
        .functions
        .iter()
        .map(|f| f.declared_at.clone())
        .chain(deployment.resources.iter().map(|r| r.declared_at.clone()))
        .next()
        .unwrap_or_else(|| Location { file: deployment.templates.first().cloned().unwrap_or_default(), line: 1 });
    let stack = match &env.options.stack_name {
        Some(name) => env.arn("cloudformation", true, true, &format!("stack/{name}/*")),
        None => {
            out.warn(
                &at,
                "StackName",
                "the stack name is not known (--stack-name): the CloudFormation stack actions are granted on every stack of the account".into(),
            );
            env.arn("cloudformation", true, true, "stack/*")
        }
    };
    for action in STACK_ACTIONS {
        requirements.push(requirement(action, vec![stack.clone()], Vec::new()));
    }
    // With a template body rather than a stack, it authorizes on `*`.
    requirements.push(requirement("cloudformation:GetTemplateSummary", vec!["*".into()], Vec::new()));
    if out.sam {
        let transform = format!("arn:{}:cloudformation:{}:aws:transform/{SAM_TRANSFORM}", env.partition, env.region());
        requirements.push(requirement("cloudformation:CreateChangeSet", vec![transform], Vec::new()));
    }
    if out.cdk {
        out.warn(
            &at,
            "CdkBootstrap",
            "with the modern CDK bootstrap, `cdk deploy` assumes the bootstrap roles (cdk-hnb659fds-deploy-role-*, -file-publishing-role-*) and CloudFormation acts as the execution role: this policy is what that execution role, or a deploy without bootstrap roles, needs".into(),
        );
    }
    if out.packaged {
        match &env.options.artifact_bucket {
            Some(bucket) => {
                let objects = format!("arn:{}:s3:::{bucket}/*", env.partition);
                for action in ["s3:GetObject", "s3:PutObject"] {
                    requirements.push(requirement(action, vec![objects.clone()], Vec::new()));
                }
            }
            None => {
                let which = if out.cdk {
                    "cdk deploy: the bootstrap assets bucket cdk-hnb659fds-assets-<account>-<region>"
                } else if out.serverless {
                    "serverless deploy: the stack's own ServerlessDeploymentBucket, or provider.deploymentBucket"
                } else {
                    "sam deploy --s3-bucket, or --resolve-s3's aws-sam-cli-managed-default-samclisourcebucket-*"
                };
                out.warn(
                    &at,
                    "ArtifactBucket",
                    format!(
                        "the packaged code is uploaded to a deployment bucket that is not known ({which}): s3:PutObject/GetObject on it are not in the policy; pass --artifact-bucket"
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests;
