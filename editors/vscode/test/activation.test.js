"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { newWorld, context } = require("./harness");

const manifest = require("../package.json");

function extensionWithBundledServer() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "iamlens-ext-"));
  fs.mkdirSync(path.join(root, "server"));
  fs.writeFileSync(path.join(root, "server", "iamlens"), "#!/bin/sh\n", { mode: 0o755 });
  return root;
}

const LANGUAGES = ["python", "javascript", "typescript", "javascriptreact", "typescriptreact", "go", "java"];

test("activation starts `iamlens lsp` for Python, JavaScript, TypeScript and Go files with the settings as initializationOptions", async () => {
  const extensionPath = extensionWithBundledServer();
  const w = newWorld({ settings: { region: "us-east-1", account: "123456789012" } });
  const ctx = context(extensionPath);
  await w.load("extension.js").activate(ctx);

  assert.equal(w.log.clients.length, 1);
  const client = w.log.clients[0];
  assert.ok(client.started);
  assert.equal(client.id, "iamlens");
  assert.deepEqual(client.serverOptions, { command: path.join(extensionPath, "server", "iamlens"), args: ["lsp"] });
  assert.deepEqual(
    client.clientOptions.documentSelector,
    LANGUAGES.flatMap((language) => [{ scheme: "file", language }, { scheme: "untitled", language }]),
  );
  assert.equal(client.clientOptions.initializationOptions.iamlens.region, "us-east-1");
  assert.equal(client.clientOptions.initializationOptions.iamlens.account, "123456789012");
  assert.deepEqual(w.log.errors, []);
  assert.ok(ctx.subscriptions.length > 0, "everything created is disposed with the extension");
});

test("activation registers exactly the palette commands the manifest contributes", async () => {
  const w = newWorld();
  await w.load("extension.js").activate(context(extensionWithBundledServer()));
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual([...w.registered.keys()].sort(), contributed);
});

test("the manifest activates on every supported language and points at the bundle", () => {
  const { SUPPORTED_LANGUAGES } = newWorld().load("languages.js");
  assert.deepEqual([...SUPPORTED_LANGUAGES], LANGUAGES);
  assert.deepEqual(manifest.activationEvents, SUPPORTED_LANGUAGES.map((l) => `onLanguage:${l}`));
  assert.equal(manifest.main, "./dist/extension.js");
  assert.equal(manifest.engines.vscode, "^1.82.0");
  for (const c of manifest.contributes.commands) assert.equal(c.category, "IAM", c.command);
});

test("menus offer the file commands in every supported language, through one context key set on activation", async () => {
  const w = newWorld();
  const { SUPPORTED_LANGUAGES, LANGUAGES_CONTEXT_KEY } = w.load("languages.js");
  await w.load("extension.js").activate(context(extensionWithBundledServer()));
  assert.deepEqual(w.log.contexts[LANGUAGES_CONTEXT_KEY], SUPPORTED_LANGUAGES);
  const menus = Object.values(manifest.contributes.menus).flat();
  assert.ok(menus.length > 0);
  for (const item of menus) {
    assert.equal(item.when, `editorLangId in ${LANGUAGES_CONTEXT_KEY}`, item.command);
  }
  assert.doesNotMatch(JSON.stringify(manifest), /editorLangId\s*==/, "no `when` clause names a single language");
});

test("the manifest contributes a setting for every value sent to the server", () => {
  const { FORWARDED_KEYS } = newWorld().load("settings.js");
  const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
  const expected = [...FORWARDED_KEYS.map((k) => `iamlens.${k}`), "iamlens.server.path", "iamlens.trace.server"].sort();
  assert.deepEqual(contributed, expected);
});

test("no server anywhere: one notification with the fix and a button to the setting; no client", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "iamlens-ext-"));
  const savedPath = process.env.PATH;
  process.env.PATH = empty;
  try {
    const w = newWorld({ answers: { error: "Open Settings" } });
    await w.load("extension.js").activate(context(empty));
    await new Promise((r) => setImmediate(r));
    assert.equal(w.log.clients.length, 0);
    assert.equal(w.log.errors.length, 1);
    assert.match(w.log.errors[0].message, /language server was not found/);
    assert.match(w.log.errors[0].message, /iamlens\.server\.path/);
    assert.deepEqual(w.log.errors[0].items, ["Open Settings"]);
    assert.deepEqual(w.log.executedVscodeCommands, [{ id: "workbench.action.openSettings", args: ["iamlens.server.path"] }]);
    // Commands still exist and explain why they cannot run.
    await w.registered.get("iamlens.editor.generatePolicyForWorkspace")();
    assert.match(w.log.errors[1].message, /generating the policy for the workspace failed: the iamlens language server is not running/);
  } finally {
    process.env.PATH = savedPath;
  }
});

test("a server that fails to start is reported with its path", async () => {
  const extensionPath = extensionWithBundledServer();
  const w = newWorld({ answers: { startFails: "spawn EACCES" } });
  const server = await w.load("extension.js").activate(context(extensionPath));
  assert.equal(server.running, false);
  assert.equal(w.log.errors.length, 1);
  assert.match(w.log.errors[0].message, /failed to start: spawn EACCES/);
  assert.ok(w.log.errors[0].message.includes(path.join(extensionPath, "server", "iamlens")));
});

test("changed settings reach the running server as didChangeConfiguration", async () => {
  const settings = { region: "us-east-1" };
  const w = newWorld({ settings });
  await w.load("extension.js").activate(context(extensionWithBundledServer()));
  settings.region = "eu-central-1";
  await w.emitters.config.fire({ affectsConfiguration: (s) => s === "iamlens" || s === "iamlens.region" });
  assert.equal(w.log.notifications.length, 1);
  assert.equal(w.log.notifications[0].method, "workspace/didChangeConfiguration");
  assert.equal(w.log.notifications[0].params.settings.iamlens.region, "eu-central-1");
  assert.equal(w.log.clients.length, 1, "no restart for an ordinary setting");
});

test("changing iamlens.server.path restarts the server with the new binary; other sections are ignored", async () => {
  const first = extensionWithBundledServer();
  const settings = {};
  const w = newWorld({ settings });
  await w.load("extension.js").activate(context(first));
  await w.emitters.config.fire({ affectsConfiguration: (s) => s.startsWith("editor") });
  assert.equal(w.log.notifications.length, 0);

  const other = path.join(extensionWithBundledServer(), "server", "iamlens");
  settings["server.path"] = other;
  await w.emitters.config.fire({ affectsConfiguration: (s) => s === "iamlens" || s === "iamlens.server.path" });
  assert.equal(w.log.clients.length, 2);
  assert.ok(w.log.clients[0].stopped);
  assert.equal(w.log.clients[1].serverOptions.command, other);
});

test("deactivate stops the server", async () => {
  const w = newWorld();
  const extension = w.load("extension.js");
  await extension.activate(context(extensionWithBundledServer()));
  await extension.deactivate();
  assert.ok(w.log.clients[0].stopped);
});

test("turning the MCP endpoint on is a settings change, not a restart", async () => {
  const settings = {};
  const w = newWorld({ settings });
  await w.load("extension.js").activate(context(extensionWithBundledServer()));
  settings["mcp.enable"] = true;
  await w.emitters.config.fire({ affectsConfiguration: (s) => s === "iamlens" || s.startsWith("iamlens.mcp") });
  assert.equal(w.log.clients.length, 1);
  assert.deepEqual(w.log.notifications[0].params.settings.iamlens.mcp, { enable: true, port: null });
});

test("an untrusted workspace cannot pick the binary that runs (iamlens.server.path is restricted)", () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, "limited");
  assert.deepEqual(untrusted.restrictedConfigurations, ["iamlens.server.path"]);
});
