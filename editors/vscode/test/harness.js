// Loads the compiled extension (out/) against scripted stand-ins for the
// `vscode` and `vscode-languageclient/node` modules, which exist only inside
// VS Code. Each test builds a fresh world with `newWorld()` and inspects what
// the extension did to it.
"use strict";
const Module = require("module");
const path = require("path");

const OUT = path.resolve(__dirname, "..", "out");
let world;

const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return world.vscode;
  if (request === "vscode-languageclient/node") return world.languageclient;
  return originalLoad.call(this, request, parent, isMain);
};

class Emitter {
  constructor() {
    this.listeners = [];
    this.event = (listener) => {
      this.listeners.push(listener);
      return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
    };
  }
  fire(value) {
    return Promise.all(this.listeners.map((l) => l(value)));
  }
  dispose() {
    this.listeners = [];
  }
}

function uri(fsPath) {
  return { fsPath, scheme: "file", path: fsPath, toString: () => `file://${fsPath}` };
}

function editor(fsPath, languageId = "python", line = 0, character = 0) {
  return {
    document: { uri: uri(fsPath), languageId, fileName: fsPath },
    selection: { active: { line, character } },
  };
}

/**
 * A fresh stub world. `settings` are `iamlens.*` configuration values;
 * `answers` script the user's replies (input boxes, quick picks, dialogs);
 * `responses` map server command ids to results (or Errors to throw).
 */
const SERVER_COMMANDS = ["iamlens.generatePolicy", "iamlens.explain", "iamlens.fixAccessDenied", "iamlens.uploadPolicy"];

/**
 * With `realServerIn` (a workspace folder), the language client is a real
 * JSON-RPC client to the server binary the extension locates (see realClient.js).
 */
function newWorld({ settings = {}, answers = {}, responses = {}, clipboard = "", activeEditor, serverCommands = SERVER_COMMANDS, realServerIn } = {}) {
  const log = {
    errors: [],
    warnings: [],
    infos: [],
    inputBoxes: [],
    quickPicks: [],
    openedDocuments: [],
    shownDocuments: [],
    executedVscodeCommands: [],
    requests: [],
    notifications: [],
    clients: [],
    statusItems: [],
    configUpdates: [],
    /** Context keys set with the `setContext` command (read by `when` clauses). */
    contexts: {},
  };
  const registered = new Map();
  const emitters = {
    config: new Emitter(),
    activeEditor: new Emitter(),
    save: new Emitter(),
    change: new Emitter(),
  };
  const answer = (kind, fallback) => {
    const queue = answers[kind];
    if (Array.isArray(queue)) return queue.length ? queue.shift() : fallback;
    return queue === undefined ? fallback : queue;
  };

  const vscode = {
    StatusBarAlignment: { Left: 1, Right: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    EventEmitter: Emitter,
    Uri: { file: uri },
    window: {
      activeTextEditor: activeEditor,
      createOutputChannel: (name) => ({ name, lines: [], appendLine(l) { this.lines.push(l); }, show() { this.shown = true; }, dispose() {} }),
      createStatusBarItem: (alignment, priority) => {
        const item = { alignment, priority, text: "", tooltip: "", visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
        log.statusItems.push(item);
        return item;
      },
      showErrorMessage: async (message, ...items) => { log.errors.push({ message, items }); return answer("error", undefined); },
      showWarningMessage: async (message, ...rest) => { log.warnings.push({ message, rest }); return answer("warning", undefined); },
      showInformationMessage: async (message, ...items) => { log.infos.push({ message, items }); return undefined; },
      showInputBox: async (options) => { log.inputBoxes.push(options); return answer("input", undefined); },
      showQuickPick: async (items, options) => { log.quickPicks.push({ items, options }); const pick = answer("quickPick", undefined); return typeof pick === "number" ? items[pick] : pick; },
      showTextDocument: async (document, options) => { log.shownDocuments.push({ document, options }); },
      onDidChangeActiveTextEditor: emitters.activeEditor.event,
    },
    workspace: {
      workspaceFolders: [{ uri: uri("/work/project") }],
      getConfiguration: (section) => {
        if (section !== "iamlens") throw new Error(`unexpected configuration section ${section}`);
        return {
          get: (key, fallback) => (key in settings ? settings[key] : fallback),
          update: async (key, value, target) => { log.configUpdates.push({ key, value, target }); settings[key] = value; },
        };
      },
      onDidChangeConfiguration: emitters.config.event,
      onDidSaveTextDocument: emitters.save.event,
      onDidChangeTextDocument: emitters.change.event,
      openTextDocument: async (options) => { log.openedDocuments.push(options); return { options }; },
      asRelativePath: (u) => path.relative("/work/project", u.fsPath),
    },
    commands: {
      registerCommand: (id, handler) => {
        if (registered.has(id)) throw new Error(`command ${id} registered twice`);
        registered.set(id, handler);
        return { dispose: () => registered.delete(id) };
      },
      executeCommand: async (id, ...args) => {
        if (id === "setContext") {
          log.contexts[args[0]] = args[1];
          return;
        }
        log.executedVscodeCommands.push({ id, args });
      },
    },
    env: { clipboard: { readText: async () => clipboard } },
  };

  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      log.clients.push(this);
    }
    async start() {
      if (answers.startFails) throw new Error(answers.startFails);
      this.started = true;
      this.initializeResult = { capabilities: { executeCommandProvider: { commands: serverCommands } } };
    }
    async stop() { this.stopped = true; }
    async sendRequest(method, params) {
      log.requests.push({ method, params });
      if (method !== "workspace/executeCommand") throw new Error(`unexpected request ${method}`);
      const response = responses[params.command];
      if (response instanceof Error) throw response;
      if (response === undefined) throw new Error(`no scripted response for ${params.command}`);
      return typeof response === "function" ? response(params.arguments[0]) : response;
    }
    async sendNotification(method, params) { log.notifications.push({ method, params }); }
  }

  if (realServerIn) vscode.workspace.workspaceFolders = [{ uri: uri(realServerIn) }];
  // The active editor's file is open in the real server (as VS Code's client
  // syncs it) when it is in a language the extension's selector covers.
  const { isSupportedLanguage } = require(path.join(OUT, "languages.js"));
  const openFiles = activeEditor && isSupportedLanguage(activeEditor.document.languageId)
    ? [{ fsPath: activeEditor.document.uri.fsPath, languageId: activeEditor.document.languageId }]
    : [];
  const clientClass = realServerIn ? require("./realClient").realLanguageClientClass(log, realServerIn, openFiles) : LanguageClient;
  world = { vscode, languageclient: { LanguageClient: clientClass } };
  for (const key of Object.keys(require.cache)) if (key.startsWith(OUT)) delete require.cache[key];
  return { vscode, log, registered, emitters, load: (name) => require(path.join(OUT, name)) };
}

function context(extensionPath) {
  return { extensionPath, subscriptions: [] };
}

module.exports = { newWorld, context, editor, uri };
