// Entry point: wires the server controller, palette commands and status bar.
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { ServerController } from "./serverController";
import { ActionCountStatus } from "./statusBar";
import { LANGUAGES_CONTEXT_KEY, SUPPORTED_LANGUAGES } from "./languages";

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ServerController> {
  // The menus' `when` clauses read the supported languages from this key.
  void vscode.commands.executeCommand("setContext", LANGUAGES_CONTEXT_KEY, SUPPORTED_LANGUAGES);
  const output = vscode.window.createOutputChannel("iamlens");
  controller = new ServerController(context.extensionPath, output);
  const server = controller;
  const status = new ActionCountStatus(server);
  context.subscriptions.push(
    output,
    server,
    status,
    ...registerCommands(server, output),
    vscode.workspace.onDidChangeConfiguration((event) => server.onConfigurationChanged(event)),
    server.onDidStart(() => status.scheduleRefresh(0)),
  );
  await server.start();
  return server;
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
