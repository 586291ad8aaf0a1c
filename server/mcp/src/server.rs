//! The MCP server handler: server info, and the tool table routing each tool
//! to its module in `tools`. Kept apart from LSP code: rmcp's macros expand to
//! bare `Result`/`ServerCapabilities` names.

use std::sync::Arc;

use iamlens_aws::inline_fix::ConfiguredAccount;
use iamlens_knowledge::KnowledgeBase;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{InputResponses, RequestState, ToolCallContext};
use rmcp::model::{CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};

use super::args::{input_schema, output_schema, Args};
use super::confirm::{self, Confirmation};
use super::tools::{
    self, access_denied, check_role, describe_operation, explain_code, fix_access_denied, generate, search_actions, workspace_policy, ToolError,
};
use super::ServerOptions;

const INSTRUCTIONS: &str = "iamlens knows which AWS IAM permissions code needs, offline. \
Ask it instead of guessing IAM: generate_application_policies writes the least-privilege policy for source files; \
explain_code lists every AWS call in a file with its actions and resources; describe_operation and search_actions \
answer questions about IAM actions, ARN templates and condition keys; generate_policy_for_access_denied and \
fix_access_denied turn an AccessDenied error into the fix that can work; check_role says which calls a live role \
would deny and what it grants beyond them. Inside an editor, workspace_policy covers the open workspace, unsaved edits included.";

#[derive(Clone)]
pub struct IamlensMcp {
    options: Arc<ServerOptions>,
    tool_router: ToolRouter<IamlensMcp>,
}

impl IamlensMcp {
    pub fn new(options: ServerOptions) -> IamlensMcp {
        let mut tool_router = Self::tool_router();
        if options.workspace.is_none() {
            // Only a server embedded in the editor has a live workspace.
            tool_router.remove_route("workspace_policy");
        }
        IamlensMcp { options: Arc::new(options), tool_router }
    }
}

fn unknown_tool(name: &str, router: &ToolRouter<IamlensMcp>) -> ErrorData {
    let why = if name == "workspace_policy" {
        "is offered only by the endpoint embedded in the editor (iamlens lsp with iamlens.mcp.enable); \
use generate_application_policies with the workspace folder here"
            .to_string()
    } else {
        let known: Vec<String> = router.list_all().into_iter().map(|tool| tool.name.to_string()).collect();
        format!("is not an iamlens tool; the tools are {}", known.join(", "))
    };
    ErrorData::invalid_params(format!("tool `{name}` {why}"), Some(serde_json::json!({ "argument": "name" })))
}

/// Run engine work (file reads, analysis) off the async workers; a panic on
/// some odd input becomes an error result instead of a request never answered.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, ToolError> + Send + 'static) -> Result<T, ToolError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|panic| {
        Err(ToolError::failed(format!("iamlens failed on this input (internal error: {panic}); please report it with the input")))
    })
}

#[tool_router]
impl IamlensMcp {
    #[tool(
        name = "generate_application_policies",
        description = "Least-privilege IAM policies for the AWS SDK calls in source files or directories (absolute paths). \
Resources are as narrow as the code allows (literal bucket, table and queue names become ARNs). Returns \
{\"Policies\": [...], \"Warnings\": [...]} like `iamlens generate-policies`.",
        input_schema = input_schema::<generate::GenerateInput>(),
        output_schema = output_schema(generate::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn generate_application_policies(&self, Args(input): Args<generate::GenerateInput>) -> Result<CallToolResult, ErrorData> {
        let base = self.options.workspace.as_ref().and_then(|w| w.roots().into_iter().next());
        let outcome = match generate::validate(input, base.as_deref()) {
            Ok(job) => blocking(move || generate::run(job)).await,
            Err(err) => Err(err),
        };
        tools::respond(outcome)
    }

    #[tool(
        name = "explain_code",
        description = "Every AWS SDK call in one source file (absolute `Path`) or in pasted `Source`: location, \
service and operation, the IAM actions it needs with the resources they are bound to, and findings such as typos \
or resources only known at run time. In an editor-embedded server, open files are read with unsaved edits.",
        input_schema = input_schema::<explain_code::ExplainCodeInput>(),
        output_schema = output_schema(explain_code::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn explain_code(&self, Args(input): Args<explain_code::ExplainCodeInput>) -> Result<CallToolResult, ErrorData> {
        let workspace = self.options.workspace.clone();
        let base = workspace.as_ref().and_then(|w| w.roots().into_iter().next());
        let outcome = match explain_code::validate(input, base.as_deref()) {
            Ok(job) => {
                blocking(move || {
                    let live = match (&job.target, &workspace) {
                        (explain_code::Target::File(path), Some(workspace)) => {
                            workspace.reports(path.parent()).reports.into_iter().find(|r| &r.path == path)
                        }
                        _ => None,
                    };
                    explain_code::run(job, live)
                })
                .await
            }
            Err(err) => Err(err),
        };
        tools::respond(outcome)
    }

    #[tool(
        name = "generate_policy_for_access_denied",
        description = "Explain a pasted AWS AccessDenied error: who was denied which action on which resource, which \
kind of policy denied it (identity, resource, SCP/RCP, boundary, session, VPC endpoint, trust, bucket setting), and \
the remedy that can work, with the policy to add when an Allow can fix it. Offline; changes nothing.",
        input_schema = input_schema::<access_denied::AccessDeniedInput>(),
        output_schema = output_schema(access_denied::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn generate_policy_for_access_denied(&self, Args(input): Args<access_denied::AccessDeniedInput>) -> Result<CallToolResult, ErrorData> {
        tools::respond(blocking(move || access_denied::run(input)).await)
    }

    #[tool(
        name = "fix_access_denied",
        description = "Fix an implicit identity-based AccessDenied error by adding one Allow statement to the denied \
role's or user's inline policy `iamlens-<name>` in AWS. Asks the user to confirm first (MCP elicitation) unless the \
server runs with --allow-unattended-apply; without a way to ask, returns the plan and how to apply it. Denials an \
Allow cannot fix (SCPs, explicit denies, boundaries...) are explained, never applied.",
        input_schema = input_schema::<fix_access_denied::FixAccessDeniedInput>(),
        output_schema = output_schema(fix_access_denied::output_schema()),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    async fn fix_access_denied(
        &self,
        Args(input): Args<fix_access_denied::FixAccessDeniedInput>,
        context: RequestContext<RoleServer>,
        RequestState(request_state): RequestState,
        InputResponses(responses): InputResponses,
    ) -> Result<CallToolResponse, ErrorData> {
        let analysis = blocking({
            let input = input.clone();
            move || fix_access_denied::analyze(&input)
        })
        .await;
        let report = match analysis {
            Ok(report) => report,
            Err(err) => return tools::respond(Err(err)).map(Into::into),
        };
        if !report.can_apply() {
            return tools::respond(Ok(fix_access_denied::not_applicable(&report))).map(Into::into);
        }
        // Writes go only to the account the caller named (`Account`), or, in
        // the editor, the one the iamlens.account setting names.
        let configured = match (&input.account, &self.options.workspace) {
            (Some(account), _) => ConfiguredAccount::new(Some(account), "the Account argument"),
            (None, Some(workspace)) => ConfiguredAccount::new(workspace.account().as_deref(), "the iamlens.account setting"),
            (None, None) => None,
        };
        // A grant that can raise privileges always asks the user, naming the risk.
        let decision = if self.options.allow_unattended_apply && report.unattended_apply_blocker().is_none() {
            Confirmation::Confirmed
        } else {
            let question = fix_access_denied::question(&report);
            confirm::ask(&context, request_state, responses, &question, &fix_access_denied::plan_id(&report)).await
        };
        let outcome = match decision {
            Confirmation::Pending(input_required) => return Ok(input_required.into()),
            Confirmation::Declined => Ok(fix_access_denied::declined(&report, &input)),
            Confirmation::Unavailable(why) => Ok(fix_access_denied::planned(&report, &input, &why)),
            Confirmation::Confirmed => {
                match iamlens_aws::inline_fix::apply_fix(&report, &iamlens_aws::AwsOptions::default(), configured.as_ref()).await {
                    Ok(applied) => Ok(fix_access_denied::applied(&report, &applied)),
                    Err(err) => Err(ToolError::failed(format!("The fix was not applied: {err}"))),
                }
            }
        };
        tools::respond(outcome).map(Into::into)
    }

    #[tool(
        name = "workspace_policy",
        description = "The least-privilege IAM policy for the workspace open in the editor (or one `Folder` of it), \
unsaved edits included, computed with the editor's iamlens settings (region, account). With templates in the \
workspace (SAM, CloudFormation, cdk.out, Terraform, serverless.yml), one policy per deployed function with its \
environment bound, as generate_application_policies gives (`Merged` for one union). Returns the \
generate_application_policies envelope plus the `Files` it covers.",
        input_schema = input_schema::<workspace_policy::WorkspacePolicyInput>(),
        output_schema = output_schema(workspace_policy::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn workspace_policy(&self, Args(input): Args<workspace_policy::WorkspacePolicyInput>) -> Result<CallToolResult, ErrorData> {
        let Some(workspace) = self.options.workspace.clone() else {
            return tools::respond(Err(ToolError::failed(
                "workspace_policy needs the MCP endpoint of a running editor (iamlens lsp with iamlens.mcp.enable)",
            )));
        };
        let outcome = match workspace_policy::validate(input, &workspace.roots()) {
            Ok(job) => blocking(move || workspace_policy::run(job, workspace.as_ref())).await,
            Err(err) => Err(err),
        };
        tools::respond(outcome)
    }

    #[tool(
        name = "check_role",
        description = "Would this IAM role allow what the code does, and does it grant more? Reads the role's policies and \
permissions boundary from IAM (read-only, uses the server's AWS credentials) and decides every AWS call site locally: \
allowed, denied (and by what), or depends on run-time values; Missing lists each denied action and resource, Excess \
each statement granting actions or resources no call read needs, with the narrower grant (like `iamlens check --role`). \
Excess is relative to the code read: Allow and the project's .iamlens.toml record grants needed for other reasons. In an \
editor-embedded server, SourceFiles defaults to the live workspace.",
        input_schema = input_schema::<check_role::CheckRoleInput>(),
        output_schema = output_schema(check_role::output_schema()),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn check_role(&self, Args(input): Args<check_role::CheckRoleInput>) -> Result<CallToolResult, ErrorData> {
        let workspace = self.options.workspace.clone();
        let job = match check_role::validate(input, workspace.is_some()) {
            Ok(job) => job,
            Err(err) => return tools::respond(Err(err)),
        };
        let sdk = iamlens_aws::load_sdk_config(&iamlens_aws::AwsOptions { region: job.region.clone(), ..Default::default() }).await;
        // Always read the role fresh: an agent checks right after changing it.
        iamlens_aws::invalidate_role_cache(&job.role_name);
        let role = match iamlens_aws::load_role_policies(&job.role_name, &sdk).await {
            Ok(role) => role,
            Err(err) => return tools::respond(Err(ToolError::failed(format!("cannot read role `{}`: {err}", job.role_name)))),
        };
        let region = job.region.clone().or_else(|| sdk.region().map(|r| r.to_string()));
        let outcome = blocking(move || {
            let (reports, incomplete, checked) = match (&job.paths, &workspace) {
                (Some(paths), _) => (check_role::analyze(paths, &role, region.as_deref())?, None, paths.clone()),
                (None, Some(workspace)) => {
                    let live = workspace.reports(None);
                    (live.reports, live.incomplete, workspace.roots())
                }
                (None, None) => return Err(ToolError::bad("SourceFiles", "is required")),
            };
            let allowed = check_role::allowed(&job, &checked)?;
            let mut out = check_role::result(&role, &reports, region.as_deref(), &allowed)?;
            out["Incomplete"] = serde_json::json!(incomplete);
            Ok(out)
        })
        .await;
        tools::respond(outcome)
    }

    #[tool(
        name = "describe_operation",
        description = "What one AWS API call needs from IAM (offline knowledge base): give the service (`s3`, or IAM \
prefix `states`) and the boto3 method (`get_object`, `upload_file`) or operation (`GetObject`). Returns every action \
with its ARN templates, condition keys, kind (primary, PassRole, KMS on your behalf, dependent) and access level, \
like `iamlens lookup --json`.",
        input_schema = input_schema::<describe_operation::DescribeOperationInput>(),
        output_schema = output_schema(describe_operation::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn describe_operation(&self, Args(input): Args<describe_operation::DescribeOperationInput>) -> Result<CallToolResult, ErrorData> {
        tools::respond(blocking(move || describe_operation::run(KnowledgeBase::embedded(), input)).await)
    }

    #[tool(
        name = "search_actions",
        description = "Search every IAM action (offline knowledge base) by words of its name (`send message` finds \
sqs:SendMessage). Returns each action's access level, resource types with ARN templates, condition keys and \
dependent actions.",
        input_schema = input_schema::<search_actions::SearchActionsInput>(),
        output_schema = output_schema(search_actions::output_schema()),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_actions(&self, Args(input): Args<search_actions::SearchActionsInput>) -> Result<CallToolResult, ErrorData> {
        tools::respond(blocking(move || search_actions::run(KnowledgeBase::embedded(), input)).await)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for IamlensMcp {
    /// Route a call; an unknown tool name is a bad argument that lists the tools.
    async fn call_tool(&self, request: CallToolRequestParams, context: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        if !self.tool_router.has_route(&request.name) {
            return Err(unknown_tool(&request.name, &self.tool_router));
        }
        self.tool_router.call(ToolCallContext::new(self, request, context)).await
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("iamlens", env!("CARGO_PKG_VERSION")).with_title("iamlens: least-privilege IAM from code"))
            .with_instructions(INSTRUCTIONS)
    }
}
