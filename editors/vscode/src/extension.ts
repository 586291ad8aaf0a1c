// Entry point: wires the server controller, palette commands and status bar.
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { ServerController } from "./serverController";
import { ActionCountStatus } from "./statusBar";

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ServerController> {
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
