"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { newWorld, editor } = require("./harness");

const envelope = (actions) => ({ Policies: [{ Policy: { Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] } }] });

function status(options, running = true) {
  const w = newWorld(options);
  const { ActionCountStatus } = w.load("statusBar.js");
  const requests = [];
  const source = {
    running,
    execute: async (command, args) => {
      requests.push({ command, args });
      const r = options.result;
      return typeof r === "function" ? r(requests.length) : r;
    },
  };
  return { w, bar: new ActionCountStatus(source), item: w.log.statusItems[0], requests };
}

test("shows the active Python file's action count and opens its policy on click", async () => {
  const { bar, item, requests } = status({ activeEditor: editor("/p/app.py"), result: envelope(["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]) });
  await bar.refresh();
  assert.deepEqual(requests, [{ command: "iamlens.generatePolicy", args: { scope: "file", uri: "file:///p/app.py" } }]);
  assert.equal(item.text, "$(shield) IAM: 3 actions");
  assert.match(item.tooltip, /3 IAM actions across 2 services/);
  assert.equal(item.command, "iamlens.editor.generatePolicyForFile");
  assert.ok(item.visible);
});

test("counts the actions of TypeScript, JavaScript and Go files too", async () => {
  for (const [file, languageId] of [["/p/app.ts", "typescript"], ["/p/app.jsx", "javascriptreact"], ["/p/main.go", "go"]]) {
    const { bar, item, requests } = status({ activeEditor: editor(file, languageId), result: envelope(["s3:GetObject"]) });
    await bar.refresh();
    assert.deepEqual(requests, [{ command: "iamlens.generatePolicy", args: { scope: "file", uri: `file://${file}` } }], languageId);
    assert.equal(item.text, "$(shield) IAM: 1 action", languageId);
    assert.ok(item.visible, languageId);
  }
});

test("hidden for other languages and while the server is not running", async () => {
  const other = status({ activeEditor: editor("/p/notes.md", "markdown"), result: envelope([]) });
  await other.bar.refresh();
  assert.equal(other.item.visible, false);
  assert.equal(other.requests.length, 0);
  const stopped = status({ activeEditor: editor("/p/app.py"), result: envelope([]) }, false);
  await stopped.bar.refresh();
  assert.equal(stopped.item.visible, false);
});

test("a failing server shows a question mark with the reason", async () => {
  const { bar, item } = status({ activeEditor: editor("/p/app.py"), result: () => { throw new Error("parse failed"); } });
  await bar.refresh();
  assert.equal(item.text, "$(shield) IAM: ?");
  assert.match(item.tooltip, /parse failed/);
});

test("a slow answer never overwrites a newer one", async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const { bar, item } = status({
    activeEditor: editor("/p/app.py"),
    result: (n) => (n === 1 ? gate.then(() => envelope(["a:One"])) : envelope(["a:One", "b:Two"])),
  });
  const slow = bar.refresh();
  await bar.refresh();
  release();
  await slow;
  assert.equal(item.text, "$(shield) IAM: 2 actions");
});

test("switching editors refreshes the count", async () => {
  const { w, bar, item, requests } = status({ activeEditor: editor("/p/a.py"), result: envelope(["s3:GetObject"]) });
  w.vscode.window.activeTextEditor = editor("/p/b.py");
  await w.emitters.activeEditor.fire();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(requests.at(-1).args.uri, "file:///p/b.py");
  assert.equal(item.text, "$(shield) IAM: 1 action");
  bar.dispose();
});

test("a content-modified answer (typing in progress) keeps the count and asks again", async () => {
  const { bar, item, requests } = status({
    activeEditor: editor("/p/app.py"),
    result: (n) => {
      if (n === 2) throw Object.assign(new Error("content modified; ask again"), { code: -32801 });
      return envelope(n === 1 ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject"]);
    },
  });
  await bar.refresh();
  assert.equal(item.text, "$(shield) IAM: 1 action");
  await bar.refresh();
  assert.equal(item.text, "$(shield) IAM: 1 action", "no question mark for a transient answer");
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(requests.length, 3, "asked again after the debounce");
  assert.equal(item.text, "$(shield) IAM: 2 actions");
  bar.dispose();
});
