// The palette commands. Each asks what it needs, runs one server command and
// shows the result in a JSON tab; AWS writes are confirmed in a modal dialog.
import * as vscode from "vscode";
import { looksLikeAccessDenied } from "./denial";
import { confirmedWrite, DEFAULT_POLICY_PREFIX, fixIsApplicable, PolicyScope, SERVER_COMMANDS, UploadPolicyArgs } from "./serverCommands";
import { reportFailure, showJson } from "./ui";
import { ask, fixQuestion, uploadQuestion } from "./writes";
import { isSupportedLanguage, LANGUAGE_NAMES } from "./languages";

/** Client-side command ids (the server's own ids are registered by the language client). */
export const EDITOR_COMMANDS = {
  generatePolicyForFile: "iamlens.editor.generatePolicyForFile",
  generatePolicyForWorkspace: "iamlens.editor.generatePolicyForWorkspace",
  generatePolicyForFunction: "iamlens.editor.generatePolicyForFunction",
  fixAccessDenied: "iamlens.editor.fixAccessDenied",
  uploadPolicy: "iamlens.editor.uploadPolicy",
  checkRole: "iamlens.editor.checkRole",
  explain: "iamlens.editor.explain",
  restartServer: "iamlens.editor.restartServer",
  showOutput: "iamlens.editor.showOutput",
} as const;

export interface CommandHost {
  execute<T = unknown>(command: string, args: object): Promise<T>;
  supportsCommand(command: string): boolean;
  restart(): Promise<void>;
  settings(): { iamlens: { role: string | null } };
}

export function registerCommands(host: CommandHost, output: vscode.OutputChannel): vscode.Disposable[] {
  const run = (what: string, task: () => Promise<void>) => async () => {
    try {
      await task();
    } catch (error) {
      reportFailure(what, error);
    }
  };
  const generate = (scope: PolicyScope) =>
    run(`generating the policy for the ${scope}`, () => generatePolicy(host, scope));
  return [
    vscode.commands.registerCommand(EDITOR_COMMANDS.generatePolicyForFile, generate("file")),
    vscode.commands.registerCommand(EDITOR_COMMANDS.generatePolicyForWorkspace, generate("workspace")),
    vscode.commands.registerCommand(EDITOR_COMMANDS.generatePolicyForFunction, generate("function")),
    vscode.commands.registerCommand(EDITOR_COMMANDS.fixAccessDenied, run("fixing the AccessDenied", () => fixAccessDenied(host))),
    vscode.commands.registerCommand(EDITOR_COMMANDS.uploadPolicy, run("uploading the policy", () => uploadPolicy(host))),
    vscode.commands.registerCommand(EDITOR_COMMANDS.checkRole, run("checking the role", () => checkRole(host))),
    vscode.commands.registerCommand(EDITOR_COMMANDS.explain, run("explaining the call", () => explain(host))),
    vscode.commands.registerCommand(EDITOR_COMMANDS.restartServer, run("restarting the server", () => host.restart())),
    vscode.commands.registerCommand(EDITOR_COMMANDS.showOutput, () => output.show(true)),
  ];
}

export async function generatePolicy(host: CommandHost, scope: PolicyScope): Promise<void> {
  const args: { scope: PolicyScope; uri?: string; position?: { line: number; character: number } } = { scope };
  if (scope !== "workspace") {
    const editor = activeSupportedEditor();
    if (!editor) return;
    args.uri = editor.document.uri.toString();
    if (scope === "function") args.position = lspPosition(editor.selection.active);
  }
  await showJson(await host.execute(SERVER_COMMANDS.generatePolicy, args));
}

export async function fixAccessDenied(host: CommandHost): Promise<void> {
  const clipboard = await vscode.env.clipboard.readText();
  const message = await vscode.window.showInputBox({
    title: "IAM: Fix AccessDenied",
    prompt: "Paste the AccessDenied error (any SDK, CLI, log or CloudTrail wording)",
    value: looksLikeAccessDenied(clipboard) ? clipboard.trim() : "",
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === "" ? "Paste the error message to explain" : undefined),
  });
  if (message === undefined || message.trim() === "") return;
  const plan = await host.execute(SERVER_COMMANDS.fixAccessDenied, { message: message.trim(), apply: false });
  await showJson(plan);
  if (!fixIsApplicable(plan)) return;
  if (!(await ask(fixQuestion(plan)))) return;
  // The plan id: the server applies exactly the fix shown, without asking again.
  await showJson(await host.execute(SERVER_COMMANDS.fixAccessDenied, confirmedWrite({ message: message.trim(), apply: true }, plan)));
}

export async function uploadPolicy(host: CommandHost): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const choices: (vscode.QuickPickItem & { scope: PolicyScope })[] = [
    { label: "Whole workspace", scope: "workspace" },
  ];
  if (editor && isSupportedLanguage(editor.document.languageId)) {
    choices.unshift({ label: "This file", description: vscode.workspace.asRelativePath(editor.document.uri), scope: "file" });
  }
  const picked = await vscode.window.showQuickPick(choices, { title: "IAM: Upload policy for…" });
  if (!picked) return;
  const prefix = await vscode.window.showInputBox({
    title: "IAM: Upload policy",
    prompt: "Name prefix of the managed policies (created as PREFIX_1, PREFIX_2, …)",
    value: DEFAULT_POLICY_PREFIX,
    ignoreFocusOut: true,
    validateInput: (text) =>
      /^[\w+=,.@-]{1,120}$/.test(text.trim()) ? undefined : "Use 1–120 letters, digits or + = , . @ _ -",
  });
  if (prefix === undefined) return;
  const args: UploadPolicyArgs = {
    scope: picked.scope,
    uri: picked.scope === "file" ? editor?.document.uri.toString() : undefined,
    prefix: prefix.trim(),
  };
  // A dry run first: it checks the credentials, names every IAM change and
  // returns the plan id of exactly that upload.
  const preview = await host.execute(SERVER_COMMANDS.uploadPolicy, { ...args, dryRun: true });
  const target = picked.scope === "file" ? `${picked.description}` : "the workspace";
  if (!(await ask(uploadQuestion(preview, target, args.prefix)))) return;
  await showJson(await host.execute(SERVER_COMMANDS.uploadPolicy, confirmedWrite(args, preview)));
}

export async function checkRole(host: CommandHost): Promise<void> {
  const role = await vscode.window.showInputBox({
    title: "IAM: Check against role",
    prompt: "Role name or ARN whose policies should allow this code",
    value: host.settings().iamlens.role ?? "",
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === "" ? "Enter a role name or ARN" : undefined),
  });
  if (role === undefined || role.trim() === "") return;
  if (host.supportsCommand(SERVER_COMMANDS.checkRole)) {
    const editor = vscode.window.activeTextEditor;
    const uri = editor && isSupportedLanguage(editor.document.languageId) ? editor.document.uri.toString() : undefined;
    await showJson(await host.execute(SERVER_COMMANDS.checkRole, { role: role.trim(), uri }));
    return;
  }
  // Servers without the command check the role named in the iamlens.role
  // setting, and mark the calls it would deny as warnings.
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration("iamlens").update("role", role.trim(), target);
  void vscode.window.showInformationMessage(
    `iamlens now checks this code against role ${role.trim()}: calls the role would deny are marked as warnings ` +
      `in the Problems panel. Clear the iamlens.role setting to stop.`,
  );
}

export async function explain(host: CommandHost): Promise<void> {
  const editor = activeSupportedEditor();
  if (!editor) return;
  await showJson(
    await host.execute(SERVER_COMMANDS.explain, {
      uri: editor.document.uri.toString(),
      position: lspPosition(editor.selection.active),
    }),
  );
}

function activeSupportedEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && isSupportedLanguage(editor.document.languageId)) return editor;
  void vscode.window.showWarningMessage(
    `iamlens: open a ${LANGUAGE_NAMES} file first (this command works on the active editor).`,
  );
  return undefined;
}

/** VS Code and LSP positions are both zero-based with UTF-16 columns. */
function lspPosition(position: vscode.Position): { line: number; character: number } {
  return { line: position.line, character: position.character };
}
