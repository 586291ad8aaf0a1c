// The language server's workspace/executeCommand commands and their arguments
// (the contract with server/lsp).

export const SERVER_COMMANDS = {
  generatePolicy: "iamlens.generatePolicy",
  fixAccessDenied: "iamlens.fixAccessDenied",
  uploadPolicy: "iamlens.uploadPolicy",
  addToRolePolicy: "iamlens.addToRolePolicy",
  explain: "iamlens.explain",
  checkRole: "iamlens.checkRole",
} as const;

/** The policy-name prefix of uploads: the server's (and the CLI's) default. */
export const DEFAULT_POLICY_PREFIX = "IamPolicyAutopilotGeneratedPolicy";

export type PolicyScope = "function" | "file" | "workspace";

export interface LspPosition {
  line: number;
  character: number;
}

export interface GeneratePolicyArgs {
  scope: PolicyScope;
  uri?: string;
  position?: LspPosition;
}

/*
 * Writes to AWS. The server writes only with the person's consent, given in
 * one of two ways:
 * - a preview (uploadPolicy `dryRun: true`, fixAccessDenied and
 *   addToRolePolicy `apply: false`) returns a `PlanId`; the write call that
 *   presents it as `planId` writes exactly that previewed plan, once, within
 *   5 minutes, without asking (what this extension does after its own modal
 *   dialog);
 * - a write call without `planId` makes the server ask the person itself
 *   (window/showMessageRequest, "Write to IAM" / "Cancel"); anything but
 *   "Write to IAM" returns a `NotWritten`.
 * Every write also refuses a change for another account than `iamlens.account`.
 */

export interface FixAccessDeniedArgs {
  message: string;
  apply?: boolean;
  resourceOverride?: string;
  /** The `PlanId` of the preview (`apply: false`) the person confirmed. */
  planId?: string;
}

export interface UploadPolicyArgs {
  scope: PolicyScope;
  uri?: string;
  position?: LspPosition;
  /** Default: {@link DEFAULT_POLICY_PREFIX}. */
  prefix?: string;
  update?: boolean;
  attachRole?: string;
  dryRun?: boolean;
  /** The `PlanId` of the dry run the person confirmed. */
  planId?: string;
}

/** What a role-denies diagnostic names, as a statement for the role's inline policy. */
export interface AddToRolePolicyArgs {
  action: string;
  resources: string[];
  role?: string;
  apply?: boolean;
  /** The `PlanId` of the preview (`apply: false`) the person confirmed. */
  planId?: string;
}

/** The result of an upload dry run (the fields the extension reads). */
export interface UploadPreview {
  DryRun?: boolean;
  Account?: string;
  /** One line per IAM call ("would create Team_1 (arn:…)"). */
  Summary?: string[];
  /** The account, each change and the statements, in words. */
  Plan?: string;
  /** Present it as `planId` to write exactly this plan. */
  PlanId?: string;
}

/** The result of an addToRolePolicy preview (`apply: false`). */
export interface AddToRolePreview {
  Role?: string;
  PolicyName?: string;
  Statement?: unknown;
  PlanId?: string;
}

/** What a write returns when the person did not consent to the server's request. */
export interface NotWritten {
  Written: false;
  Reason: string;
  Plan: string;
}

export interface ExplainArgs {
  uri: string;
  position: LspPosition;
}

export interface CheckRoleArgs {
  role: string;
  uri?: string;
}

/** Server commands whose result the user wants to read: shown in a JSON tab. */
export const PRESENTED_COMMANDS: ReadonlySet<string> = new Set([
  SERVER_COMMANDS.generatePolicy,
  SERVER_COMMANDS.fixAccessDenied,
  SERVER_COMMANDS.uploadPolicy,
  SERVER_COMMANDS.explain,
  SERVER_COMMANDS.checkRole,
]);

/** The argument object of a command (its first argument), or `{}`. */
export function commandOptions(args: unknown): Record<string, unknown> {
  const first = Array.isArray(args) ? args[0] : args;
  return typeof first === "object" && first !== null && !Array.isArray(first) ? (first as Record<string, unknown>) : {};
}

/** Does running this server command write to AWS? */
export function writesToAws(command: string, args: unknown): boolean {
  const options = commandOptions(args);
  if (command === SERVER_COMMANDS.uploadPolicy) return options["dryRun"] !== true;
  if (command === SERVER_COMMANDS.fixAccessDenied) return options["apply"] === true;
  if (command === SERVER_COMMANDS.addToRolePolicy) return options["apply"] === true;
  return false;
}

/** The same command's preview: what the write would do, nothing written. */
export function previewOf(command: string, options: Record<string, unknown>): Record<string, unknown> {
  const { planId: _ignored, ...rest } = options;
  if (command === SERVER_COMMANDS.uploadPolicy) return { ...rest, dryRun: true };
  // `quiet`: the extension shows the plan itself; the server need not show it too.
  if (command === SERVER_COMMANDS.addToRolePolicy) return { ...rest, apply: false, quiet: true };
  return { ...rest, apply: false };
}

/** The preview's plan id, when the server returned one. */
export function planIdOf(preview: unknown): string | undefined {
  const id = typeof preview === "object" && preview !== null ? (preview as Record<string, unknown>)["PlanId"] : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The write call for a confirmed preview: the original arguments plus the
 * preview's plan id, so the server writes exactly what was shown and does not
 * ask again. Without a plan id (an older server) the arguments are unchanged.
 */
export function confirmedWrite<T extends object>(args: T, preview: unknown): T & { planId?: string } {
  const planId = planIdOf(preview);
  return planId === undefined ? args : { ...args, planId };
}

/** The remedy kind of the only denial iamlens may fix itself (implicit, identity-based). */
export const APPLICABLE_REMEDY = "add-identity-policy-statement";

/** The plan of a fix-access-denied result can be applied by iamlens itself. */
export function fixIsApplicable(plan: unknown): boolean {
  if (typeof plan !== "object" || plan === null) return false;
  const p = plan as Record<string, unknown>;
  const remedy = p["Remedy"];
  const kind = typeof remedy === "object" && remedy !== null ? (remedy as Record<string, unknown>)["Kind"] : undefined;
  return kind === APPLICABLE_REMEDY && p["ProposedPolicy"] != null;
}

/** The one-sentence summary of a plan's remedy, when it has one. */
export function remedySummary(plan: unknown): string | undefined {
  const remedy = typeof plan === "object" && plan !== null ? (plan as Record<string, unknown>)["Remedy"] : undefined;
  const summary = typeof remedy === "object" && remedy !== null ? (remedy as Record<string, unknown>)["Summary"] : undefined;
  return typeof summary === "string" ? summary : undefined;
}
