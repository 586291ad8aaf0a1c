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

test("file commands on an editor in another language warn instead of calling the server", async () => {
  const w = await activated({ activeEditor: editor("/work/project/README.md", "markdown") });
  await w.registered.get("iamlens.editor.generatePolicyForFile")();
  assert.equal(w.log.requests.length, 0);
  assert.match(w.log.warnings[0].message, /open a Python, JavaScript, TypeScript, Go or Java file first/);
});

for (const [file, languageId] of [
  ["/work/project/src/reports.ts", "typescript"],
  ["/work/project/src/App.tsx", "typescriptreact"],
  ["/work/project/lib/queue.js", "javascript"],
  ["/work/project/web/Upload.jsx", "javascriptreact"],
  ["/work/project/cmd/main.go", "go"],
]) {
  test(`the file, function and explain commands work on a ${languageId} editor`, async () => {
    const w = await activated({
      activeEditor: editor(file, languageId, 5, 9),
      responses: { "iamlens.generatePolicy": ENVELOPE, "iamlens.explain": { Calls: [] } },
    });
    await w.registered.get("iamlens.editor.generatePolicyForFile")();
    await w.registered.get("iamlens.editor.generatePolicyForFunction")();
    await w.registered.get("iamlens.editor.explain")();
    assert.deepEqual(w.log.warnings, []);
    assert.deepEqual(executed(w), [
      { command: "iamlens.generatePolicy", args: { scope: "file", uri: `file://${file}` } },
      { command: "iamlens.generatePolicy", args: { scope: "function", uri: `file://${file}`, position: { line: 5, character: 9 } } },
      { command: "iamlens.explain", args: { uri: `file://${file}`, position: { line: 5, character: 9 } } },
    ]);
  });
}

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

test("an applicable fix is applied only after the modal confirmation, with the preview's plan id", async () => {
  const applied = { Applied: true };
  const plan = { ...APPLICABLE_PLAN, PlanId: "0123456789abcdef0123456789abcdef" };
  const w = await activated({
    answers: { input: DENIAL, warning: "Apply fix" },
    responses: { "iamlens.fixAccessDenied": (args) => (args.apply ? applied : plan) },
  });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.equal(w.log.warnings.length, 1);
  assert.equal(w.log.warnings[0].rest[0].modal, true);
  assert.match(w.log.warnings[0].rest[0].detail, /No identity-based policy of role app allows s3:GetObject/);
  assert.match(w.log.warnings[0].rest[0].detail, /assumed-role\/app\/s/);
  assert.deepEqual(executed(w).map((e) => e.args), [
    { message: DENIAL, apply: false },
    { message: DENIAL, apply: true, planId: "0123456789abcdef0123456789abcdef" },
  ]);
  assert.deepEqual(shownJson(w), [plan, applied]);
});

test("a server without plan ids gets the confirmed fix without one", async () => {
  const w = await activated({
    answers: { input: DENIAL, warning: "Apply fix" },
    responses: { "iamlens.fixAccessDenied": (args) => (args.apply ? { Applied: true } : APPLICABLE_PLAN) },
  });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.deepEqual(executed(w).map((e) => e.args), [{ message: DENIAL, apply: false }, { message: DENIAL, apply: true }]);
});

test("declining the modal leaves IAM untouched", async () => {
  const w = await activated({ answers: { input: DENIAL, warning: undefined }, responses: { "iamlens.fixAccessDenied": APPLICABLE_PLAN } });
  await w.registered.get("iamlens.editor.fixAccessDenied")();
  assert.deepEqual(executed(w).map((e) => e.args.apply), [false]);
});

test("Upload policy asks scope and prefix, previews with a dry run, confirms in a modal, then uploads", async () => {
  const preview = { DryRun: true, Account: "123456789012", Summary: ["would create Team_1 (arn:aws:iam::123456789012:policy/Team_1)"], PlanId: "feedfacefeedfacefeedfacefeedface" };
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
    // The write presents the dry run's plan id: the server writes exactly that, without asking again.
    { command: "iamlens.uploadPolicy", args: { ...args, planId: "feedfacefeedfacefeedfacefeedface" } },
  ]);
  const [dialog] = w.log.warnings;
  assert.equal(dialog.rest[0].modal, true);
  assert.match(dialog.message, /app\.py to AWS account 123456789012/);
  assert.match(dialog.rest[0].detail, /would create Team_1 \(arn:aws:iam::123456789012:policy\/Team_1\)/);
  assert.deepEqual(shownJson(w), [result]);
});

test("Upload policy shows the dry run's plan and proposes the server's default prefix", async () => {
  const plan = "in account 123456789012:\n- would create IamPolicyAutopilotGeneratedPolicy_1 (arn:…)\n  allow s3:GetObject on arn:aws:s3:::reports/*";
  const w = await activated({
    answers: { quickPick: 0, input: "IamPolicyAutopilotGeneratedPolicy", warning: "Upload" },
    responses: { "iamlens.uploadPolicy": (args) => (args.dryRun ? { Account: "123456789012", Summary: ["would create …"], Plan: plan, PlanId: "p1" } : { DryRun: false }) },
  });
  await w.registered.get("iamlens.editor.uploadPolicy")();
  assert.equal(w.log.inputBoxes[0].value, "IamPolicyAutopilotGeneratedPolicy");
  assert.ok(w.log.warnings[0].rest[0].detail.startsWith(plan), w.log.warnings[0].rest[0].detail);
  assert.deepEqual(executed(w).map((e) => e.args.planId), [undefined, "p1"]);
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

test("Upload policy and Check against role offer the active Go file like a Python one", async () => {
  const w = await activated({
    serverCommands: ["iamlens.generatePolicy", "iamlens.uploadPolicy", "iamlens.checkRole"],
    activeEditor: editor("/work/project/cmd/main.go", "go"),
    answers: { quickPick: [0], input: ["Team", "app-role"], warning: "Cancel" },
    responses: {
      "iamlens.uploadPolicy": { DryRun: true, Summary: [] },
      "iamlens.checkRole": { Role: "app-role", Calls: [] },
    },
  });
  await w.registered.get("iamlens.editor.uploadPolicy")();
  assert.deepEqual(w.log.quickPicks[0].items.map((i) => i.scope), ["file", "workspace"]);
  assert.equal(w.log.quickPicks[0].items[0].description, "cmd/main.go");
  await w.registered.get("iamlens.editor.checkRole")();
  assert.deepEqual(executed(w), [
    { command: "iamlens.uploadPolicy", args: { scope: "file", uri: "file:///work/project/cmd/main.go", prefix: "Team", dryRun: true } },
    { command: "iamlens.checkRole", args: { role: "app-role", uri: "file:///work/project/cmd/main.go" } },
  ]);
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

test("code-lens commands run through the client: a write is previewed, confirmed with its plan, then sent with the plan id", async () => {
  const w = await activated({ answers: { warning: [undefined, "Upload"] } });
  const { executeCommand } = w.log.clients[0].clientOptions.middleware;
  const calls = [];
  const next = async (command, args) => {
    calls.push({ command, args: args[0] });
    if (args[0].dryRun) return { DryRun: true, Account: "123456789012", Plan: "in account 123456789012:\n- would create P_1", PlanId: "plan-1" };
    return { ok: command };
  };

  assert.equal(await executeCommand("iamlens.uploadPolicy", [{ scope: "file", uri: "file:///work/project/app.py" }], next), undefined);
  assert.deepEqual(calls, [{ command: "iamlens.uploadPolicy", args: { scope: "file", uri: "file:///work/project/app.py", dryRun: true } }], "declined: only the dry run reached the server");
  assert.match(w.log.warnings[0].message, /app\.py to AWS account 123456789012/);
  assert.match(w.log.warnings[0].rest[0].detail, /would create P_1/);

  calls.length = 0;
  await executeCommand("iamlens.uploadPolicy", [{ scope: "file", uri: "file:///work/project/app.py" }], next);
  assert.deepEqual(calls.map((c) => c.args), [
    { scope: "file", uri: "file:///work/project/app.py", dryRun: true },
    { scope: "file", uri: "file:///work/project/app.py", planId: "plan-1" },
  ]);
  calls.length = 0;
  await executeCommand("iamlens.uploadPolicy", [{ scope: "file", dryRun: true }], next);
  await executeCommand("iamlens.generatePolicy", [{ scope: "function" }], next);
  assert.equal(calls.length, 2);
  assert.equal(w.log.warnings.length, 2, "dry runs and policy generation need no confirmation");
  assert.equal(shownJson(w).length, 3);
});

test("the quick fix that adds a statement to a role is confirmed once, in the modal, and written with the plan id", async () => {
  const w = await activated({ answers: { warning: ["Write to IAM", undefined] } });
  const { executeCommand } = w.log.clients[0].clientOptions.middleware;
  const calls = [];
  const statement = { Sid: "IamlensS3PutObject", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::reports/*" };
  const next = async (command, args) => {
    calls.push(args[0]);
    return args[0].apply ? { Applied: { Changed: true } } : { Role: "app-role", PolicyName: "iamlens-app-role", Statement: statement, PlanId: "plan-2" };
  };
  const quickFix = { action: "s3:PutObject", resources: ["arn:aws:s3:::reports/*"], role: "app-role", apply: true };

  await executeCommand("iamlens.addToRolePolicy", [quickFix], next);
  assert.deepEqual(calls, [{ ...quickFix, apply: false, quiet: true }, { ...quickFix, planId: "plan-2" }]);
  const [dialog] = w.log.warnings;
  assert.equal(dialog.rest[0].modal, true);
  assert.equal(dialog.message, "Add s3:PutObject to inline policy iamlens-app-role of role app-role?");
  assert.match(dialog.rest[0].detail, /"Action": "s3:PutObject"/);
  assert.deepEqual(dialog.rest.slice(1), ["Write to IAM"]);

  calls.length = 0;
  assert.equal(await executeCommand("iamlens.addToRolePolicy", [quickFix], next), undefined);
  assert.deepEqual(calls, [{ ...quickFix, apply: false, quiet: true }], "declined: nothing written");
  // The preview itself (apply: false) writes nothing and asks nothing.
  calls.length = 0;
  await executeCommand("iamlens.addToRolePolicy", [{ ...quickFix, apply: false }], next);
  assert.deepEqual(calls, [{ ...quickFix, apply: false }]);
  assert.equal(w.log.warnings.length, 2);
});

test("a fix applied from a command is previewed and applied with the plan id; an older server gets a plain confirmation", async () => {
  const w = await activated({ answers: { warning: ["Apply fix", "Continue"] } });
  const { executeCommand } = w.log.clients[0].clientOptions.middleware;
  const calls = [];
  let planIds = true;
  const next = async (command, args) => {
    calls.push(args[0]);
    if (args[0].apply) return { Applied: { Changed: true } };
    return planIds ? { ...APPLICABLE_PLAN, PlanId: "plan-3" } : APPLICABLE_PLAN;
  };
  await executeCommand("iamlens.fixAccessDenied", [{ message: DENIAL, apply: true }], next);
  assert.deepEqual(calls, [{ message: DENIAL, apply: false }, { message: DENIAL, apply: true, planId: "plan-3" }]);
  assert.match(w.log.warnings[0].message, /Apply the fix for s3:GetObject/);

  planIds = false;
  calls.length = 0;
  await executeCommand("iamlens.fixAccessDenied", [{ message: DENIAL, apply: true }], next);
  assert.deepEqual(calls, [{ message: DENIAL, apply: false }, { message: DENIAL, apply: true }]);
  assert.equal(w.log.warnings[1].message, "iamlens is about to write to AWS IAM.");
});

test("every writing server command is guarded; previews and reads are not", async () => {
  const w = await activated();
  const { writesToAws, previewOf, confirmedWrite } = w.load("serverCommands.js");
  assert.equal(writesToAws("iamlens.uploadPolicy", [{ scope: "file" }]), true);
  assert.equal(writesToAws("iamlens.uploadPolicy", [{ scope: "file", planId: "p" }]), true);
  assert.equal(writesToAws("iamlens.uploadPolicy", [{ scope: "file", dryRun: true }]), false);
  assert.equal(writesToAws("iamlens.fixAccessDenied", [{ message: "m", apply: true }]), true);
  assert.equal(writesToAws("iamlens.fixAccessDenied", [{ message: "m" }]), false);
  assert.equal(writesToAws("iamlens.addToRolePolicy", [{ action: "s3:GetObject", resources: ["*"], apply: true }]), true);
  assert.equal(writesToAws("iamlens.addToRolePolicy", [{ action: "s3:GetObject", resources: ["*"] }]), false);
  for (const read of ["iamlens.generatePolicy", "iamlens.explain", "iamlens.checkRole"]) assert.equal(writesToAws(read, [{ apply: true }]), false);
  assert.deepEqual(previewOf("iamlens.uploadPolicy", { scope: "file", planId: "old" }), { scope: "file", dryRun: true });
  assert.deepEqual(previewOf("iamlens.addToRolePolicy", { action: "a:B", apply: true }), { action: "a:B", apply: false, quiet: true });
  assert.deepEqual(confirmedWrite({ scope: "file" }, { PlanId: "p" }), { scope: "file", planId: "p" });
  assert.deepEqual(confirmedWrite({ scope: "file" }, { PlanId: "" }), { scope: "file" });
});

test("Restart language server restarts the client", async () => {
  const w = await activated();
  await w.registered.get("iamlens.editor.restartServer")();
  assert.equal(w.log.clients.length, 2);
  assert.ok(w.log.clients[0].stopped && w.log.clients[1].started);
});
