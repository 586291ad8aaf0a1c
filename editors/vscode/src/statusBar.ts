// The status-bar item: how many IAM actions the active file needs (in any
// language iamlens reads).
import * as vscode from "vscode";
import { SERVER_COMMANDS } from "./serverCommands";
import { statusText, statusTooltip, summarizeEnvelope } from "./policySummary";
import { EDITOR_COMMANDS } from "./commands";
import { isSupportedLanguage } from "./languages";

export interface PolicySource {
  readonly running: boolean;
  execute<T>(command: string, args: object): Promise<T>;
}

const REFRESH_DELAY_MS = 400;
/** LSP ContentModified: the document changed while the server computed; ask again. */
const CONTENT_MODIFIED = -32801;

export class ActionCountStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Increases with every refresh, so a slow answer never overwrites a newer one. */
  private generation = 0;

  constructor(private readonly source: PolicySource) {
    this.item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
    this.item.name = "iamlens";
    this.item.command = EDITOR_COMMANDS.generatePolicyForFile;
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleRefresh(0)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.onDocumentEvent(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentEvent(e.document)),
    );
  }

  /** Recomputes the count for the active editor now; resolves when the item is updated. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isSupportedLanguage(document.languageId) || !this.source.running) {
      this.item.hide();
      return;
    }
    try {
      const envelope = await this.source.execute(SERVER_COMMANDS.generatePolicy, {
        scope: "file",
        uri: document.uri.toString(),
      });
      if (generation !== this.generation) return;
      const summary = summarizeEnvelope(envelope);
      this.item.text = statusText(summary);
      this.item.tooltip = statusTooltip(summary);
    } catch (error) {
      if (generation !== this.generation) return;
      if (isContentModified(error)) {
        this.scheduleRefresh();
        return;
      }
      this.item.text = "$(shield) IAM: ?";
      this.item.tooltip = `iamlens could not compute this file's policy: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.item.show();
  }

  scheduleRefresh(delay = REFRESH_DELAY_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscriptions.forEach((d) => d.dispose());
    this.item.dispose();
  }

  private onDocumentEvent(document: vscode.TextDocument): void {
    if (document === vscode.window.activeTextEditor?.document) this.scheduleRefresh();
  }
}

function isContentModified(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === CONTENT_MODIFIED;
}
