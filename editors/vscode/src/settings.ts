// The server's settings, read from VS Code's `iamlens.*` configuration and
// shaped as the language server expects them in initializationOptions and
// workspace/didChangeConfiguration: `{ "iamlens": { ... } }`.

/** The part of `vscode.WorkspaceConfiguration` this module reads. */
export interface ConfigReader {
  get<T>(key: string): T | undefined;
}

export interface IamlensSettings {
  region: string | null;
  account: string | null;
  serviceHints: string[];
  resourceCutoff: number;
  kmsViaService: boolean;
  inlayHints: { enable: boolean };
  codeLens: { enable: boolean };
  role: string | null;
  mcp: { enable: boolean; port: number | null };
  stackName: string | null;
  stage: string | null;
  parameterOverrides: Record<string, string>;
}

export interface ServerSettings {
  iamlens: IamlensSettings;
}

export const DEFAULT_RESOURCE_CUTOFF = 4;

/**
 * The configuration keys (below `iamlens.`) that are forwarded to the server.
 * `server.path` and `trace.server` configure the extension itself.
 */
export const FORWARDED_KEYS = [
  "region",
  "account",
  "serviceHints",
  "resourceCutoff",
  "kmsViaService",
  "inlayHints.enable",
  "codeLens.enable",
  "role",
  "mcp.enable",
  "mcp.port",
  "stackName",
  "stage",
  "parameterOverrides",
] as const;

/**
 * Settings that need a server restart rather than a didChangeConfiguration
 * (the server starts and stops its MCP endpoint on its own).
 */
export const RESTART_KEYS = ["server.path"] as const;

export function serverSettings(config: ConfigReader): ServerSettings {
  return {
    iamlens: {
      region: optionalText(config.get("region")),
      account: optionalText(config.get("account")),
      serviceHints: textList(config.get("serviceHints")),
      resourceCutoff: nonNegativeInt(config.get("resourceCutoff"), DEFAULT_RESOURCE_CUTOFF),
      kmsViaService: flag(config.get("kmsViaService"), true),
      inlayHints: { enable: flag(config.get("inlayHints.enable"), true) },
      codeLens: { enable: flag(config.get("codeLens.enable"), true) },
      role: optionalText(config.get("role")),
      mcp: {
        enable: flag(config.get("mcp.enable"), false),
        port: port(config.get("mcp.port")),
      },
      stackName: optionalText(config.get("stackName")),
      stage: optionalText(config.get("stage")),
      parameterOverrides: textMap(config.get("parameterOverrides")),
    },
  };
}

/** An empty or blank string means "not set" (the server then uses `*`). */
function optionalText(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function textList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const items = value
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return [...new Set(items)];
}

/** Template parameters by name; values that are not strings are left out. */
function textMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === "string" && name.trim() !== "") out[name.trim()] = v;
  }
  return out;
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function port(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : null;
}
