// A stand-in for vscode-languageclient's LanguageClient that talks to a real
// `iamlens lsp` process over stdio (JSON-RPC from vscode-jsonrpc, the
// library the real client is built on). Lets the extension's own code run
// against the real server without VS Code.
"use strict";
const { spawn } = require("child_process");
const rpc = require("vscode-jsonrpc/node");

const fs = require("fs");

/**
 * `openFiles`: the files open in the editor, `{ fsPath, languageId }`, synced
 * to the server as VS Code's client does.
 */
function realLanguageClientClass(log, workspaceFolder, openFiles = []) {
  return class RealLanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      log.clients.push(this);
    }

    async start() {
      this.process = spawn(this.serverOptions.command, this.serverOptions.args, { stdio: ["pipe", "pipe", "pipe"] });
      this.stderr = "";
      this.process.stderr.on("data", (d) => (this.stderr += d));
      this.connection = rpc.createMessageConnection(
        new rpc.StreamMessageReader(this.process.stdout),
        new rpc.StreamMessageWriter(this.process.stdin),
      );
      this.connection.listen();
      const rootUri = `file://${workspaceFolder}`;
      this.initializeResult = await this.connection.sendRequest("initialize", {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: "ws" }],
        capabilities: { general: { positionEncodings: ["utf-16"] } },
        initializationOptions: this.clientOptions.initializationOptions,
      });
      await this.connection.sendNotification("initialized", {});
      for (const { fsPath, languageId } of openFiles) {
        await this.connection.sendNotification("textDocument/didOpen", {
          textDocument: { uri: `file://${fsPath}`, languageId, version: 1, text: fs.readFileSync(fsPath, "utf8") },
        });
      }
      this.started = true;
    }

    async sendRequest(method, params) {
      log.requests.push({ method, params });
      return this.connection.sendRequest(method, params);
    }

    async sendNotification(method, params) {
      log.notifications.push({ method, params });
      return this.connection.sendNotification(method, params);
    }

    async stop() {
      if (this.stopped || !this.connection) return;
      this.stopped = true;
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
      await new Promise((resolve) => {
        const timer = setTimeout(() => { this.process.kill(); resolve(); }, 3000);
        this.process.on("exit", () => { clearTimeout(timer); resolve(); });
      });
      this.connection.dispose();
    }
  };
}

module.exports = { realLanguageClientClass };
