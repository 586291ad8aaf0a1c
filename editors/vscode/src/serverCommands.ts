// The language server's workspace/executeCommand commands and their arguments
// (the contract with server/lsp).

export const SERVER_COMMANDS = {
  generatePolicy: "iamlens.generatePolicy",
  fixAccessDenied: "iamlens.fixAccessDenied",
  uploadPolicy: "iamlens.uploadPolicy",
  explain: "iamlens.explain",
  checkRole: "iamlens.checkRole",
} as const;

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

export interface FixAccessDeniedArgs {
  message: string;
  apply?: boolean;
}

export interface UploadPolicyArgs {
  scope: PolicyScope;
  uri?: string;
  prefix?: string;
  dryRun?: boolean;
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

/** Does running this server command write to AWS? */
export function writesToAws(command: string, args: unknown): boolean {
  const first = Array.isArray(args) ? args[0] : args;
  const options = typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {};
  if (command === SERVER_COMMANDS.uploadPolicy) return options["dryRun"] !== true;
  if (command === SERVER_COMMANDS.fixAccessDenied) return options["apply"] === true;
  return false;
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
