"use strict";
// The extension's commands, settings and status bar against the real
// `iamlens lsp` (the binary test.sh bundles, or $IAMLENS_BIN): the contract
// between this extension and the server, without VS Code's UI.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { newWorld, context, editor } = require("./harness");

const defaultBinary = path.resolve(__dirname, "..", "..", "..", "target", "debug", "iamlens");
const binary = process.env.IAMLENS_BIN || defaultBinary;
const missing = fs.existsSync(binary)
  ? false
  : process.env.IAMLENS_BIN
    ? assert.fail(`IAMLENS_BIN=${binary} does not exist`)
    : `no server at ${binary}: build it with cargo build -p iamlens`;

const APP_PY = `import boto3

s3 = boto3.client("s3")
table = boto3.client("dynamodb")


def load(key):
    return s3.get_object(Bucket="reports", Key=key)["Body"].read()


def order(order_id):
    return table.get_item(TableName="orders", Key={"id": {"S": order_id}})
`;

const REPORTS_TS = `import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const s3 = new S3Client({});
const sqs = new SQSClient({});

export async function getReport(key: string) {
  return s3.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
}

export async function announce(body: string) {
  await sqs.send(new SendMessageCommand({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody: body }));
}
`;

const MAIN_GO = `package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func Save(ctx context.Context, key string, body []byte) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(cfg)
	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("reports"), Key: aws.String(key)})
	return err
}
`;

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamlens-ws-"));
  fs.writeFileSync(path.join(dir, "app.py"), APP_PY);
  fs.writeFileSync(path.join(dir, "reports.ts"), REPORTS_TS);
  fs.writeFileSync(path.join(dir, "main.go"), MAIN_GO);
  fs.writeFileSync(path.join(dir, "pyproject.toml"), '[project]\nname = "demo"\n');
  return dir;
}

async function activatedAgainstServer(options = {}) {
  const ws = workspace();
  const w = newWorld({
    settings: { "server.path": binary, kmsViaService: false, ...(options.settings ?? {}) },
    activeEditor: editor(path.join(ws, options.file ?? "app.py"), options.languageId ?? "python", options.line ?? 0, options.character ?? 0),
    answers: options.answers ?? {},
    clipboard: options.clipboard ?? "",
    realServerIn: ws,
  });
  const extension = w.load("extension.js");
  const server = await extension.activate(context(ws));
  assert.ok(server.running, `the server did not start: ${w.log.errors.map((e) => e.message).join("; ")}`);
  return { w, ws, server, extension };
}

const actionsOf = (envelope) =>
  new Set(envelope.Policies.flatMap((p) => p.Policy.Statement.flatMap((s) => [].concat(s.Action))));
const resourcesOf = (envelope) =>
  new Set(envelope.Policies.flatMap((p) => p.Policy.Statement.flatMap((s) => [].concat(s.Resource))));

test("Generate policy for this file: the server's envelope in a JSON tab, with region and account from the settings", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ settings: { region: "eu-west-1", account: "123456789012" } });
  try {
    await w.registered.get("iamlens.editor.generatePolicyForFile")();
    assert.deepEqual(w.log.errors, []);
    const envelope = JSON.parse(w.log.openedDocuments[0].content);
    assert.deepEqual([...actionsOf(envelope)].sort(), ["dynamodb:GetItem", "s3:GetObject"]);
    assert.ok(resourcesOf(envelope).has("arn:aws:dynamodb:eu-west-1:123456789012:table/orders"), [...resourcesOf(envelope)].join(" "));
    assert.ok(resourcesOf(envelope).has("arn:aws:s3:::reports/*"));
  } finally {
    await extension.deactivate();
  }
});

test("Generate policy for this file on a TypeScript file: its calls' actions and ARNs", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ file: "reports.ts", languageId: "typescript", settings: { region: "us-east-1", account: "123456789012" } });
  try {
    await w.registered.get("iamlens.editor.generatePolicyForFile")();
    assert.deepEqual(w.log.errors, []);
    assert.deepEqual(w.log.warnings, []);
    const envelope = JSON.parse(w.log.openedDocuments[0].content);
    assert.deepEqual([...actionsOf(envelope)].sort(), ["s3:GetObject", "sqs:SendMessage"]);
    assert.ok(resourcesOf(envelope).has("arn:aws:s3:::reports/*"), [...resourcesOf(envelope)].join(" "));
    assert.ok(resourcesOf(envelope).has("arn:aws:sqs:us-east-1:123456789012:jobs"), [...resourcesOf(envelope)].join(" "));
  } finally {
    await extension.deactivate();
  }
});

test("the status bar counts a Go file's actions from the server", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ file: "main.go", languageId: "go" });
  try {
    const [item] = w.log.statusItems;
    const ok = await waitFor(() => item.text === "$(shield) IAM: 1 action");
    assert.ok(ok, `status bar shows ${JSON.stringify(item.text)} (${item.tooltip})`);
    await w.registered.get("iamlens.editor.generatePolicyForFile")();
    assert.deepEqual([...actionsOf(JSON.parse(w.log.openedDocuments[0].content))], ["s3:DeleteObject"]);
  } finally {
    await extension.deactivate();
  }
});

test("a changed setting reaches the running server (didChangeConfiguration)", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ settings: { account: "111111111111", region: "us-east-1" } });
  try {
    const settings = w.vscode.workspace.getConfiguration("iamlens");
    await settings.update("account", "222222222222");
    await w.emitters.config.fire({ affectsConfiguration: (s) => s === "iamlens" || s === "iamlens.account" });
    await w.registered.get("iamlens.editor.generatePolicyForFile")();
    const envelope = JSON.parse(w.log.openedDocuments[0].content);
    assert.ok(resourcesOf(envelope).has("arn:aws:dynamodb:us-east-1:222222222222:table/orders"), [...resourcesOf(envelope)].join(" "));
  } finally {
    await extension.deactivate();
  }
});

test("Generate policy for the function at the cursor covers only that function", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ line: 11, character: 8 });
  try {
    await w.registered.get("iamlens.editor.generatePolicyForFunction")();
    assert.deepEqual(w.log.errors, []);
    assert.deepEqual([...actionsOf(JSON.parse(w.log.openedDocuments[0].content))], ["dynamodb:GetItem"]);
  } finally {
    await extension.deactivate();
  }
});

test("the status bar counts the file's actions from the server", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer();
  try {
    const [item] = w.log.statusItems;
    const ok = await waitFor(() => item.text === "$(shield) IAM: 2 actions");
    assert.ok(ok, `status bar shows ${JSON.stringify(item.text)} (${item.tooltip})`);
    assert.match(item.tooltip, /2 IAM actions across 2 services/);
  } finally {
    await extension.deactivate();
  }
});

test("Explain at the cursor returns the call under it", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ line: 7, character: 16 });
  try {
    await w.registered.get("iamlens.editor.explain")();
    assert.deepEqual(w.log.errors, []);
    const explained = JSON.parse(w.log.openedDocuments[0].content);
    assert.deepEqual(explained.Calls.map((c) => c.Operation), ["GetObject"]);
  } finally {
    await extension.deactivate();
  }
});

test("Fix AccessDenied: the real plan is shown and the fix offered for an identity-based denial; declining writes nothing", { skip: missing }, async () => {
  const denial =
    "User: arn:aws:sts::123456789012:assumed-role/app-role/s is not authorized to perform: s3:GetObject " +
    'on resource: "arn:aws:s3:::reports/daily.csv" because no identity-based policy allows the s3:GetObject action';
  const { w, extension } = await activatedAgainstServer({ clipboard: denial, answers: { input: denial, warning: undefined } });
  try {
    await w.registered.get("iamlens.editor.fixAccessDenied")();
    assert.equal(w.log.inputBoxes[0].value, denial);
    assert.deepEqual(w.log.errors, []);
    const plan = JSON.parse(w.log.openedDocuments[0].content);
    assert.equal(plan.Action, "s3:GetObject");
    assert.equal(w.log.warnings.length, 1, "the apply question is asked");
    assert.equal(w.log.warnings[0].rest[0].modal, true);
    const applied = w.log.requests.filter((r) => r.params?.arguments?.[0]?.apply === true);
    assert.deepEqual(applied, []);
    assert.match(plan.PlanId, /^[0-9a-f]{32}$/, "an applicable fix comes with the plan id the apply presents");
  } finally {
    await extension.deactivate();
  }
});

test("the quick fix's write is previewed by the real server (a plan id, nothing written) before the dialog", { skip: missing }, async () => {
  const { w, extension } = await activatedAgainstServer({ answers: { warning: undefined } });
  try {
    const client = w.log.clients[0];
    const { executeCommand } = client.clientOptions.middleware;
    const next = (command, args) => client.sendRequest("workspace/executeCommand", { command, arguments: args });
    const quickFix = { action: "s3:PutObject", resources: ["arn:aws:s3:::reports/*"], role: "app-role", apply: true };
    assert.equal(await executeCommand("iamlens.addToRolePolicy", [quickFix], next), undefined);
    const sent = w.log.requests.filter((r) => r.params?.command === "iamlens.addToRolePolicy").map((r) => r.params.arguments[0]);
    assert.deepEqual(sent, [{ ...quickFix, apply: false, quiet: true }], "declined: only the preview reached the server");
    const [dialog] = w.log.warnings;
    assert.equal(dialog.message, "Add s3:PutObject to inline policy iamlens-app-role of role app-role?");
    assert.match(dialog.rest[0].detail, /"Resource": "arn:aws:s3:::reports\/\*"/);
  } finally {
    await extension.deactivate();
  }
});

test("the server's advertised commands decide how a role is checked", { skip: missing }, async () => {
  const { w, server, extension } = await activatedAgainstServer({ answers: { input: "app-role" } });
  try {
    for (const c of ["iamlens.generatePolicy", "iamlens.explain", "iamlens.fixAccessDenied", "iamlens.uploadPolicy"]) {
      assert.ok(server.supportsCommand(c), `server does not advertise ${c}`);
    }
    await w.registered.get("iamlens.editor.checkRole")();
    if (server.supportsCommand("iamlens.checkRole")) {
      // The server reads the role from IAM; with no AWS here it answers with one
      // error naming the role and why (the moto suite covers the answer itself).
      assert.equal(w.log.errors.length, 1, JSON.stringify(w.log.errors));
      assert.match(w.log.errors[0].message, /cannot read role `app-role`: iam:GetRole failed/);
      assert.deepEqual(w.log.configUpdates, []);
    } else {
      assert.deepEqual(w.log.errors, []);
      assert.deepEqual(w.log.configUpdates.map((u) => [u.key, u.value]), [["role", "app-role"]]);
    }
  } finally {
    await extension.deactivate();
  }
});

async function waitFor(predicate, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return predicate();
}
