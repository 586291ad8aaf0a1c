// Owns the language client: finds the server, starts/restarts it, forwards
// settings, and runs the server's commands.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { locateServer, ServerLocation, ServerNotFoundError } from "./serverLocation";
import { RESTART_KEYS, serverSettings, ServerSettings } from "./settings";
import { PRESENTED_COMMANDS, writesToAws } from "./serverCommands";
import { errorText, showJson } from "./ui";
import { confirmServerWrite } from "./writes";
import { documentSelector } from "./languages";

export const CLIENT_ID = "iamlens";
export const DOCUMENT_SELECTOR = documentSelector();

export class ServerNotRunningError extends Error {
  constructor() {
    super('the iamlens language server is not running (see the "iamlens" output, or run "IAM: Restart language server")');
  }
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private location: ServerLocation | undefined;
  private readonly startedEmitter = new vscode.EventEmitter<void>();
  /** Fires each time a server has started (first start and restarts). */
  readonly onDidStart = this.startedEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.OutputChannel,
  ) {}

  get running(): boolean {
    return this.client !== undefined;
  }

  get serverLocation(): ServerLocation | undefined {
    return this.location;
  }

  settings(): ServerSettings {
    return serverSettings(vscode.workspace.getConfiguration("iamlens"));
  }

  /** Starts the server; tells the user what to do when it cannot be found or fails. */
  async start(): Promise<void> {
    if (this.client) return;
    const config = vscode.workspace.getConfiguration("iamlens");
    try {
      this.location = locateServer({
        configuredPath: config.get<string>("server.path"),
        extensionPath: this.extensionPath,
        workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      });
    } catch (error) {
      if (error instanceof ServerNotFoundError) {
        this.output.appendLine(error.message);
        void this.offerSettings(error.message);
        return;
      }
      throw error;
    }
    this.output.appendLine(`Starting ${this.location.path} lsp (found via ${this.location.source})`);
    const client = new LanguageClient(CLIENT_ID, "iamlens", this.serverOptions(this.location), this.clientOptions());
    try {
      await client.start();
    } catch (error) {
      void vscode.window.showErrorMessage(
        `iamlens: the language server at ${this.location.path} failed to start: ${errorText(error)}`,
      );
      return;
    }
    this.client = client;
    this.startedEmitter.fire();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Does the running server implement this workspace/executeCommand command? */
  supportsCommand(command: string): boolean {
    const commands = this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    return commands.includes(command);
  }

  /** Runs a server command (workspace/executeCommand) and returns its result. */
  async execute<T = unknown>(command: string, args: object): Promise<T> {
    if (!this.client) throw new ServerNotRunningError();
    return this.client.sendRequest("workspace/executeCommand", { command, arguments: [args] }) as Promise<T>;
  }

  async onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration("iamlens")) return;
    if (RESTART_KEYS.some((key) => event.affectsConfiguration(`iamlens.${key}`))) {
      await this.restart();
      return;
    }
    await this.client?.sendNotification("workspace/didChangeConfiguration", { settings: this.settings() });
  }

  dispose(): void {
    void this.stop();
    this.startedEmitter.dispose();
  }

  private serverOptions(location: ServerLocation): ServerOptions {
    // The MCP endpoint is configured through the settings (`iamlens.mcp`).
    return { command: location.path, args: ["lsp"] };
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      initializationOptions: this.settings(),
      outputChannel: this.output,
      middleware: {
        // Commands the server attaches to code lenses and code actions run
        // through here. A write (uploadPolicy, fixAccessDenied or
        // addToRolePolicy with apply) is previewed, confirmed in the modal
        // dialog with the previewed plan, and sent with the plan's id, so the
        // server writes exactly that and does not ask a second time.
        executeCommand: async (command, args, next) => {
          if (writesToAws(command, args)) {
            const confirmed = await confirmServerWrite(command, args, (preview) => Promise.resolve(next(command, preview)));
            if (confirmed === undefined) return undefined;
            args = confirmed;
          }
          const result = await next(command, args);
          if (PRESENTED_COMMANDS.has(command) && result !== undefined && result !== null) await showJson(result);
          return result;
        },
      },
    };
  }

  private async offerSettings(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(`iamlens: ${message}`, "Open Settings");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "iamlens.server.path");
    }
  }
}
