"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { newWorld, context, editor } = require("./harness");

const ENVELOPE = { Policies: [{ Policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }] } }], Warnings: [] };
const DENIAL = "User: arn:aws:sts::123456789012:assumed-role/app/s is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action";
// The shape of `iamlens fix-access-denied --json` for an implicit identity-based denial.
const APPLICABLE_PLAN = {
  Principal: "arn:aws:sts::123456789012:assumed-role/app/s",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::b/k",
  Denial: "implicit",
  PolicyType: "identity-based",
  Remedy: { Kind: "add-identity-policy-statement", Summary: "No identity-based policy of role app allows s3:GetObject; add an Allow for it on arn:aws:s3:::b/k.", Steps: [] },
  ProposedPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k" }] },
};

async function activated(options) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "iamlens-ext-"));
  fs.mkdirSync(path.join(root, "server"));
  fs.writeFileSync(path.join(root, "server", "iamlens"), "#!/bin/sh\n", { mode: 0o755 });
  const w = newWorld(options);
  await w.load("extension.js").activate(context(root));
  return w;
}

const executed = (w) => w.log.requests.map((r) => ({ command: r.params.command, args: r.params.arguments[0] }));
const shownJson = (w) => w.log.openedDocuments.map((d) => { assert.equal(d.language, "json"); return JSON.parse(d.content); });

test("Generate policy for this file runs the server command on the active file and opens the JSON", async () => {
  const w = await activated({ activeEditor: editor("/work/project/app.py"), responses: { "iamlens.generatePolicy": ENVELOPE } });
  await w.registered.get("iamlens.editor.generatePolicyForFile")();
  assert.deepEqual(executed(w), [{ command: "iamlens.generatePolicy", args: { scope: "file", uri: "file:///work/project/app.py" } }]);
  assert.deepEqual(shownJson(w), [ENVELOPE]);
  assert.equal(w.log.shownDocuments[0].options.preview, false);
});

test("Generate policy for the workspace needs no open file", async () => {
  const w = await activated({ responses: { "iamlens.generatePolicy": ENVELOPE } });
  await w.registered.get("iamlens.editor.generatePolicyForWorkspace")();
  assert.deepEqual(executed(w), [{ command: "iamlens.generatePolicy", args: { scope: "workspace" } }]);
  assert.equal(w.log.openedDocuments.length, 1);
});

test("Generate policy for the function sends the cursor position", async () => {
  const w = await activated({ activeEditor: editor("/work/project/app.py", "python", 12, 4), responses: { "iamlens.generatePolicy": ENVELOPE } });
  await w.registered.get("iamlens.editor.generatePolicyForFunction")();
  assert.deepEqual(executed(w)[0].args, { scope: "function", uri: "file:///work/project/app.py", position: { line: 12, character: 4 } });
});

test("file commands on a non-Python editor warn instead of calling the server", async () => {
  const w = await activated({ activeEditor: editor("/work/project/README.md", "markdown") });
  await w.registered.get("iamlens.editor.generatePolicyForFile")();
  assert.equal(w.log.requests.length, 0);
  assert.match(w.log.warnings[0].message, /open a Python file first/);
});

test("a server error becomes one message naming the command", async () => {
  const w = await activated({ responses: { "iamlens.generatePolicy": new Error("workspace has no Python files") } });
  await w.registered.get("iamlens.editor.generatePolicyForWorkspace")();
  assert.deepEqual(w.log.errors.map((e) => e.message), ["iamlens: generating the policy for the workspace failed: workspace has no Python files"]);
  assert.equal(w.log.openedDocuments.length, 0);
});

test("Fix AccessDenied prefills the input from a clipboard that holds a denial and shows the plan", async () => {
  const plan = { ...APPLICABLE_PLAN, Denial: "explicit", PolicyType: "service-control-policy", Remedy: { Kind: "organization-policy", Summary: "An explicit Deny in an SCP…" } };
  delete plan.ProposedPolicy;
  const w = await activated({ clipboard: `  ${DENIAL}\n`, answers: { input: DENIAL }, responses: { "iamlens.fixAccessDenied": plan } });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.equal(w.log.inputBoxes[0].value, DENIAL);
  assert.equal(w.log.inputBoxes[0].validateInput("  "), "Paste the error message to explain");
  assert.deepEqual(executed(w), [{ command: "iamlens.fixAccessDenied", args: { message: DENIAL, apply: false } }]);
  assert.deepEqual(shownJson(w), [plan]);
  assert.equal(w.log.warnings.length, 0, "an explicit deny is never offered as an Allow to apply");
});

test("Fix AccessDenied does not prefill unrelated clipboard text, and Escape does nothing", async () => {
  const w = await activated({ clipboard: "import boto3", answers: { input: undefined } });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.equal(w.log.inputBoxes[0].value, "");
  assert.equal(w.log.requests.length, 0);
});

test("an applicable fix is applied only after the modal confirmation", async () => {
  const applied = { Applied: true };
  const w = await activated({
    answers: { input: DENIAL, warning: "Apply fix" },
    responses: { "iamlens.fixAccessDenied": (args) => (args.apply ? applied : APPLICABLE_PLAN) },
  });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.equal(w.log.warnings.length, 1);
  assert.equal(w.log.warnings[0].rest[0].modal, true);
  assert.match(w.log.warnings[0].rest[0].detail, /No identity-based policy of role app allows s3:GetObject/);
  assert.match(w.log.warnings[0].rest[0].detail, /assumed-role\/app\/s/);
  assert.deepEqual(executed(w).map((e) => e.args.apply), [false, true]);
  assert.deepEqual(shownJson(w), [APPLICABLE_PLAN, applied]);
});

test("declining the modal leaves IAM untouched", async () => {
  const w = await activated({ answers: { input: DENIAL, warning: undefined }, responses: { "iamlens.fixAccessDenied": APPLICABLE_PLAN } });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.deepEqual(executed(w).map((e) => e.args.apply), [false]);
});

test("Upload policy asks scope and prefix, previews with a dry run, confirms in a modal, then uploads", async () => {
  const preview = { DryRun: true, Account: "123456789012", Summary: ["would create Team_1 (arn:aws:iam::123456789012:policy/Team_1)"] };
  const result = { DryRun: false, Account: "123456789012", Summary: ["created Team_1 (arn:aws:iam::123456789012:policy/Team_1)"] };
  const w = await activated({
    activeEditor: editor("/work/project/app.py"),
    answers: { quickPick: 0, input: " Team ", warning: "Upload" },
    responses: { "iamlens.uploadPolicy": (args) => (args.dryRun ? preview : result) },
  });
  await w.registered.get("iamlens.editor.uploadPolicy")();
  assert.deepEqual(w.log.quickPicks[0].items.map((i) => i.scope), ["file", "workspace"]);
  assert.equal(w.log.inputBoxes[0].validateInput("bad name!"), "Use 1–120 letters, digits or + = , . @ _ -");
  assert.equal(w.log.inputBoxes[0].validateInput("Team"), undefined);
  const args = { scope: "file", uri: "file:///work/project/app.py", prefix: "Team" };
  assert.deepEqual(executed(w), [
    { command: "iamlens.uploadPolicy", args: { ...args, dryRun: true } },
    { command: "iamlens.uploadPolicy", args },
  ]);
  const [dialog] = w.log.warnings;
  assert.equal(dialog.rest[0].modal, true);
  assert.match(dialog.message, /app\.py to AWS account 123456789012/);
  assert.match(dialog.rest[0].detail, /would create Team_1 \(arn:aws:iam::123456789012:policy\/Team_1\)/);
  assert.deepEqual(shownJson(w), [result]);
});

test("Upload policy cancelled at the modal only ran the dry run", async () => {
  const w = await activated({
    answers: { quickPick: 0, input: "Team", warning: "Cancel" },
    responses: { "iamlens.uploadPolicy": (args) => ({ DryRun: args.dryRun === true, Summary: [] }) },
  });
  await w.registered.get("iamlens.editor.uploadPolicy")();
  assert.deepEqual(w.log.quickPicks[0].items.map((i) => i.scope), ["workspace"]);
  assert.deepEqual(executed(w).map((e) => e.args.dryRun), [true]);
  assert.match(w.log.warnings[0].rest[0].detail, /Creates managed policies named Team_N/);
});

test("a failing dry run (no credentials) stops before the dialog", async () => {
  const w = await activated({
    answers: { quickPick: 0, input: "Team" },
    responses: { "iamlens.uploadPolicy": new Error("iamlens.uploadPolicy: no AWS credentials found") },
  });
  await w.registered.get("iamlens.editor.uploadPolicy")();
  assert.equal(w.log.warnings.length, 0);
  assert.match(w.log.errors[0].message, /uploading the policy failed: .*no AWS credentials/);
});

test("Check against role is prefilled from iamlens.role and runs the server's command when it has one", async () => {
  const report = { Role: "app", Missing: [] };
  const w = await activated({
    serverCommands: ["iamlens.generatePolicy", "iamlens.checkRole"],
    settings: { role: "arn:aws:iam::123456789012:role/app" },
    activeEditor: editor("/work/project/app.py"),
    answers: { input: "arn:aws:iam::123456789012:role/app" },
    responses: { "iamlens.checkRole": report },
  });
  await w.registered.get("iamlens.editor.checkRole")();
  assert.equal(w.log.inputBoxes[0].value, "arn:aws:iam::123456789012:role/app");
  assert.deepEqual(executed(w), [{ command: "iamlens.checkRole", args: { role: "arn:aws:iam::123456789012:role/app", uri: "file:///work/project/app.py" } }]);
  assert.deepEqual(shownJson(w), [report]);
});

test("without a checkRole command the role goes to iamlens.role, which makes the server mark denied calls", async () => {
  const w = await activated({ answers: { input: " app-role " } });
  await w.registered.get("iamlens.editor.checkRole")();
  assert.equal(w.log.requests.length, 0);
  assert.deepEqual(w.log.configUpdates, [{ key: "role", value: "app-role", target: 2 }]);
  assert.match(w.log.infos[0].message, /checks this code against role app-role/);
  // VS Code then reports the change; the server gets the role with the other settings.
  await w.emitters.config.fire({ affectsConfiguration: (s) => s === "iamlens" || s === "iamlens.role" });
  assert.equal(w.log.notifications.at(-1).params.settings.iamlens.role, "app-role");
});

test("Explain sends the cursor position of the active file", async () => {
  const w = await activated({ activeEditor: editor("/work/project/app.py", "python", 3, 17), responses: { "iamlens.explain": { Calls: [] } } });
  await w.registered.get("iamlens.editor.explain")();
  assert.deepEqual(executed(w), [{ command: "iamlens.explain", args: { uri: "file:///work/project/app.py", position: { line: 3, character: 17 } } }]);
});

test("code-lens commands run through the client: uploads are confirmed, results shown", async () => {
  const w = await activated({ answers: { warning: [undefined, "Continue"] } });
  const { executeCommand } = w.log.clients[0].clientOptions.middleware;
  const calls = [];
  const next = async (command, args) => { calls.push({ command, args }); return { ok: command }; };

  assert.equal(await executeCommand("iamlens.uploadPolicy", [{ scope: "file" }], next), undefined);
  assert.equal(calls.length, 0, "declined upload never reaches the server");
  await executeCommand("iamlens.uploadPolicy", [{ scope: "file" }], next);
  assert.equal(calls.length, 1);
  await executeCommand("iamlens.uploadPolicy", [{ scope: "file", dryRun: true }], next);
  await executeCommand("iamlens.generatePolicy", [{ scope: "function" }], next);
  assert.equal(w.log.warnings.length, 2, "dry runs and policy generation need no confirmation");
  assert.deepEqual(shownJson(w), [{ ok: "iamlens.uploadPolicy" }, { ok: "iamlens.uploadPolicy" }, { ok: "iamlens.generatePolicy" }]);
});

test("Restart language server restarts the client", async () => {
  const w = await activated();
  await w.registered.get("iamlens.editor.restartServer")();
  assert.equal(w.log.clients.length, 2);
  assert.ok(w.log.clients[0].stopped && w.log.clients[1].started);
});
