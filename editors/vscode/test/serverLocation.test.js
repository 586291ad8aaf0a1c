"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { newWorld } = require("./harness");

const { locateServer, ServerNotFoundError, bundledServerPath } = newWorld().load("serverLocation.js");

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "iamlens-vscode-"));
}

function writeBinary(file, mode = 0o755) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, mode);
  return file;
}

test("the iamlens.server.path setting wins over the bundled binary and PATH", () => {
  const root = tempDir();
  const configured = writeBinary(path.join(root, "custom", "iamlens"));
  const extension = path.join(root, "ext");
  writeBinary(bundledServerPath(extension, "linux"));
  const found = locateServer({ configuredPath: configured, extensionPath: extension, platform: "linux", envPath: path.join(root, "custom") });
  assert.deepEqual(found, { path: configured, source: "setting" });
});

test("a relative or ~ setting resolves against the workspace folder or home", () => {
  const root = tempDir();
  const inWorkspace = writeBinary(path.join(root, "ws", "target", "debug", "iamlens"));
  assert.equal(
    locateServer({ configuredPath: "target/debug/iamlens", workspaceFolder: path.join(root, "ws"), extensionPath: root, platform: "linux" }).path,
    inWorkspace,
  );
  const inHome = writeBinary(path.join(root, "home", ".cargo", "bin", "iamlens"));
  assert.equal(
    locateServer({ configuredPath: "~/.cargo/bin/iamlens", home: path.join(root, "home"), extensionPath: root, platform: "linux" }).path,
    inHome,
  );
});

test("a setting that points nowhere is an error naming the path, not a silent fallback", () => {
  const root = tempDir();
  writeBinary(bundledServerPath(root, "linux"));
  const missing = path.join(root, "nope", "iamlens");
  assert.throws(
    () => locateServer({ configuredPath: missing, extensionPath: root, platform: "linux", envPath: "" }),
    (error) => error instanceof ServerNotFoundError && error.settingIsWrong && error.message.includes(missing) && error.message.includes("iamlens.server.path"),
  );
});

test("a non-executable file in the setting is rejected", () => {
  const root = tempDir();
  const file = writeBinary(path.join(root, "iamlens"), 0o644);
  assert.throws(() => locateServer({ configuredPath: file, extensionPath: root, platform: "linux", envPath: "" }), ServerNotFoundError);
});

test("without a setting the bundled binary is used, and made executable when the .vsix lost the bit", () => {
  const root = tempDir();
  const bundled = writeBinary(bundledServerPath(root, "linux"), 0o644);
  const other = writeBinary(path.join(root, "bin", "iamlens"));
  const found = locateServer({ configuredPath: "  ", extensionPath: root, platform: "linux", envPath: path.dirname(other) });
  assert.deepEqual(found, { path: bundled, source: "bundled" });
  assert.equal(fs.statSync(bundled).mode & 0o111, 0o111);
});

test("without setting or bundled binary, iamlens on PATH is used (first match, skipping non-executables)", () => {
  const root = tempDir();
  writeBinary(path.join(root, "a", "iamlens"), 0o644);
  const good = writeBinary(path.join(root, "b", "iamlens"));
  writeBinary(path.join(root, "c", "iamlens"));
  const envPath = ["", path.join(root, "a"), path.join(root, "b"), path.join(root, "c")].join(":");
  assert.deepEqual(locateServer({ extensionPath: path.join(root, "ext"), platform: "linux", envPath }), { path: good, source: "path" });
});

test("on Windows the binary is iamlens.exe and PATH is split on ;", () => {
  const checks = { isFile: () => false, isExecutable: (p) => p === path.join("C:\\tools", "iamlens.exe"), makeExecutable() {} };
  const found = locateServer({ extensionPath: "C:\\ext", platform: "win32", envPath: "C:\\other;C:\\tools" }, checks);
  assert.equal(found.source, "path");
  assert.ok(found.path.endsWith("iamlens.exe"));
});

test("nothing found: the message names the platform and both fixes", () => {
  const root = tempDir();
  assert.throws(
    () => locateServer({ extensionPath: root, platform: "linux", arch: "arm64", envPath: path.join(root, "empty") }),
    (error) =>
      error instanceof ServerNotFoundError &&
      !error.settingIsWrong &&
      error.message.includes("linux-arm64") &&
      error.message.includes("iamlens.server.path") &&
      error.message.includes("PATH"),
  );
});
