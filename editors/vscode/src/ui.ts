// How results and questions reach the user: JSON editor tabs, modal
// confirmations for AWS writes, one-line error messages.
import * as vscode from "vscode";

/** Opens `value` as pretty JSON in a new editor tab (untitled, language json). */
export async function showJson(value: unknown): Promise<void> {
  const content = JSON.stringify(value ?? null, null, 2) + "\n";
  const document = await vscode.workspace.openTextDocument({ language: "json", content });
  await vscode.window.showTextDocument(document, { preview: false });
}

/**
 * Asks before anything that writes to AWS. Resolves true only when the user
 * picks `action` in the modal dialog (Escape/Cancel resolve false).
 */
export async function confirmAwsWrite(message: string, detail: string, action: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
  return choice === action;
}

export function reportFailure(what: string, error: unknown): void {
  void vscode.window.showErrorMessage(`iamlens: ${what} failed: ${errorText(error)}`);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
