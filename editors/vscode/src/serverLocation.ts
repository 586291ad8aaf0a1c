// Where the language server binary is: the `iamlens.server.path` setting,
// else the binary bundled in the extension (`server/iamlens`), else `iamlens`
// on PATH. When none is found the error says what to do.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type ServerSource = "setting" | "bundled" | "path";

export interface ServerLocation {
  path: string;
  source: ServerSource;
}

export interface LocateOptions {
  /** The `iamlens.server.path` setting (may be empty). */
  configuredPath?: string | null;
  /** Root of the installed extension. */
  extensionPath: string;
  /** First workspace folder, for a relative `iamlens.server.path`. */
  workspaceFolder?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  /** The PATH variable. */
  envPath?: string;
  home?: string;
}

/** The file checks this module needs, replaceable in tests. */
export interface FileChecks {
  isFile(p: string): boolean;
  isExecutable(p: string): boolean;
  makeExecutable(p: string): void;
}

export class ServerNotFoundError extends Error {
  constructor(message: string, readonly settingIsWrong: boolean) {
    super(message);
    this.name = "ServerNotFoundError";
  }
}

export const nodeFileChecks: FileChecks = {
  isFile(p) {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  isExecutable(p) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  makeExecutable(p) {
    fs.chmodSync(p, 0o755);
  },
};

export function serverExecutableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "iamlens.exe" : "iamlens";
}

export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, "server", serverExecutableName(platform));
}

export function locateServer(options: LocateOptions, files: FileChecks = nodeFileChecks): ServerLocation {
  const platform = options.platform ?? process.platform;
  const configured = options.configuredPath?.trim();
  if (configured) {
    const resolved = resolveConfigured(configured, options.workspaceFolder, options.home ?? os.homedir());
    if (!files.isExecutable(resolved)) {
      throw new ServerNotFoundError(
        `The iamlens.server.path setting points to "${resolved}", which is not an executable file. ` +
          `Fix the path, or clear the setting to use the server bundled with the extension.`,
        true,
      );
    }
    return { path: resolved, source: "setting" };
  }

  const bundled = bundledServerPath(options.extensionPath, platform);
  if (files.isFile(bundled)) {
    // A .vsix does not always keep the executable bit.
    if (platform !== "win32" && !files.isExecutable(bundled)) files.makeExecutable(bundled);
    return { path: bundled, source: "bundled" };
  }

  const onPath = findOnPath(serverExecutableName(platform), options.envPath ?? process.env.PATH ?? "", platform, files);
  if (onPath) return { path: onPath, source: "path" };

  const target = `${platform}-${options.arch ?? process.arch}`;
  throw new ServerNotFoundError(
    `The iamlens language server was not found: this extension has no server bundled for ${target} ` +
      `and "iamlens" is not on PATH. Install iamlens (cargo install --path server, from the iamlens repository) ` +
      `or set iamlens.server.path to the binary, then run "IAM: Restart language server".`,
    false,
  );
}

function resolveConfigured(configured: string, workspaceFolder: string | undefined, home: string): string {
  let p = configured;
  if (p === "~" || p.startsWith("~/")) p = path.join(home, p.slice(1));
  if (!path.isAbsolute(p) && workspaceFolder) p = path.join(workspaceFolder, p);
  return path.normalize(p);
}

function findOnPath(exe: string, envPath: string, platform: NodeJS.Platform, files: FileChecks): string | undefined {
  const separator = platform === "win32" ? ";" : ":";
  for (const dir of envPath.split(separator)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (files.isExecutable(candidate)) return candidate;
  }
  return undefined;
}
