// Writes to AWS IAM. Each is previewed first (nothing written), the person
// confirms the previewed plan in the extension's modal dialog, and the write
// call presents the preview's plan id: the server then writes exactly what was
// shown, once, and does not ask a second time (see serverCommands.ts).
import { DEFAULT_POLICY_PREFIX, commandOptions, confirmedWrite, previewOf, remedySummary, SERVER_COMMANDS } from "./serverCommands";
import { confirmAwsWrite } from "./ui";

/** One modal question: the message, its detail and the button that writes. */
export interface WriteQuestion {
  message: string;
  detail: string;
  action: string;
}

export async function ask(question: WriteQuestion): Promise<boolean> {
  return confirmAwsWrite(question.message, question.detail, question.action);
}

/** Uploading a policy: the account, and the dry run's plan (each IAM change and the statements). */
export function uploadQuestion(preview: unknown, target: string, prefix?: string): WriteQuestion {
  return {
    message: `Upload the IAM policy for ${target} to AWS account ${uploadAccount(preview)}?`,
    detail: `${uploadPlan(preview, prefix)}\n\nThis uses iam:CreatePolicy with your current AWS credentials.`,
    action: "Upload",
  };
}

/** Applying the fix of a fix-access-denied plan. */
export function fixQuestion(plan: unknown): WriteQuestion {
  const p = isRecord(plan) ? plan : {};
  const write =
    `This adds an Allow to the inline policy of ${String(p["Principal"] ?? "the denied principal")} ` +
    `in AWS IAM, using your current AWS credentials.`;
  const summary = remedySummary(plan);
  return {
    message: `Apply the fix for ${String(p["Action"] ?? "this action")}?`,
    detail: summary ? `${summary}\n\n${write}` : write,
    action: "Apply fix",
  };
}

/** Adding the statement a role-denies diagnostic calls for to the role's inline policy. */
export function addToRoleQuestion(preview: unknown, options: Record<string, unknown>): WriteQuestion {
  const p = isRecord(preview) ? preview : {};
  const role = String(p["Role"] ?? options["role"] ?? "the role");
  const policy = String(p["PolicyName"] ?? `iamlens-${role}`);
  const statement = p["Statement"] !== undefined ? JSON.stringify(p["Statement"], null, 2) : "";
  return {
    message: `Add ${String(options["action"] ?? "this action")} to inline policy ${policy} of role ${role}?`,
    detail: `${statement ? `${statement}\n\n` : ""}This writes to AWS IAM with your current AWS credentials.`,
    action: "Write to IAM",
  };
}

/**
 * A writing server command run from a code lens or code action (through the
 * language client): previews it, asks with the previewed plan, and returns
 * the arguments of the confirmed write (with the plan id), or undefined when
 * the person declined. `send` runs the command on the server.
 */
export async function confirmServerWrite(
  command: string,
  args: unknown,
  send: (args: unknown[]) => Promise<unknown>,
): Promise<unknown[] | undefined> {
  const options = commandOptions(args);
  const original = Array.isArray(args) ? args : [args];
  if (options["planId"] !== undefined) {
    // Already bound to a plan the extension did not preview: the server will
    // not ask, so the extension does.
    const ok = await ask(genericQuestion(command));
    return ok ? original : undefined;
  }
  const preview = await send([previewOf(command, options)]);
  const confirmed = confirmedWrite(options, preview);
  if (confirmed.planId === undefined) {
    // A server without plan ids: ask, then let the original call write.
    return (await ask(genericQuestion(command))) ? original : undefined;
  }
  let question: WriteQuestion;
  if (command === SERVER_COMMANDS.uploadPolicy) {
    question = uploadQuestion(preview, uploadTarget(options), typeof options["prefix"] === "string" ? options["prefix"] : undefined);
  } else if (command === SERVER_COMMANDS.fixAccessDenied) {
    question = fixQuestion(preview);
  } else {
    question = addToRoleQuestion(preview, options);
  }
  return (await ask(question)) ? [confirmed, ...original.slice(1)] : undefined;
}

function genericQuestion(command: string): WriteQuestion {
  return {
    message: "iamlens is about to write to AWS IAM.",
    detail: `Command ${command} changes IAM in the account of your current AWS credentials.`,
    action: "Continue",
  };
}

function uploadTarget(options: Record<string, unknown>): string {
  const uri = options["uri"];
  if (options["scope"] === "workspace" || typeof uri !== "string") return "the workspace";
  const name = decodeURIComponent(uri.split("/").pop() ?? uri);
  return options["scope"] === "function" ? `a function of ${name}` : name;
}

function uploadAccount(preview: unknown): string {
  const account = isRecord(preview) ? preview["Account"] : undefined;
  return typeof account === "string" && account !== "" ? account : "(of your current credentials)";
}

/** The dry run's plan (account, changes, statements), else its summary lines, else what the prefix implies. */
function uploadPlan(preview: unknown, prefix?: string): string {
  const plan = isRecord(preview) ? preview["Plan"] : undefined;
  if (typeof plan === "string" && plan.trim() !== "") return plan;
  const summary = isRecord(preview) ? preview["Summary"] : undefined;
  if (Array.isArray(summary) && summary.length > 0) return summary.map(String).join("\n");
  return `Creates managed policies named ${prefix ?? DEFAULT_POLICY_PREFIX}_N.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
