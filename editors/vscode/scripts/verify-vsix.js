// Checks a packaged .vsix: a valid manifest that activates on every supported
// language (out/languages.js, so run tsc first), with the contributed commands
// and settings, the bundle `main` points at, the server binary (executable,
// the same bytes as the one it was built from), the target platform, and
// nothing that should stay out (sources, tests, node_modules).
// Usage: node scripts/verify-vsix.js <file.vsix> <server-binary> <target>
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { readZip } = require("./zip");

function verify(vsixPath, serverBinary, target) {
  const problems = [];
  const zip = readZip(vsixPath);
  const manifest = JSON.parse(zip.read("extension/package.json").toString("utf8"));
  const source = require(path.join(__dirname, "..", "package.json"));

  for (const field of ["name", "publisher", "version", "main"]) {
    if (!manifest[field]) problems.push(`package.json has no "${field}"`);
  }
  if (!manifest.engines?.vscode) problems.push("package.json has no engines.vscode");
  // The languages the extension serves (src/languages.ts, compiled by tsc before packaging).
  const { SUPPORTED_LANGUAGES } = require(path.join(__dirname, "..", "out", "languages.js"));
  for (const language of SUPPORTED_LANGUAGES) {
    if (!(manifest.activationEvents ?? []).includes(`onLanguage:${language}`)) problems.push(`the extension does not activate on ${language} files`);
  }
  const menus = Object.values(manifest.contributes?.menus ?? {}).flat();
  for (const item of menus) {
    if (/editorLangId\s*==/.test(item.when ?? "")) problems.push(`menu item ${item.command} is shown for one language only (${item.when})`);
  }
  const commands = (manifest.contributes?.commands ?? []).map((c) => c.command);
  if (commands.length === 0) problems.push("no commands contributed");
  for (const c of commands) if (!c.startsWith("iamlens.")) problems.push(`command ${c} is outside the iamlens namespace`);
  const settings = Object.keys(manifest.contributes?.configuration?.properties ?? {});
  for (const key of ["iamlens.region", "iamlens.account", "iamlens.server.path"]) {
    if (!settings.includes(key)) problems.push(`setting ${key} is not contributed`);
  }
  if (JSON.stringify(manifest.contributes) !== JSON.stringify(source.contributes)) problems.push("packaged contributes differ from package.json");

  const main = "extension/" + path.posix.normalize(manifest.main.replace(/^\.\//, ""));
  const mainEntry = zip.entries.get(main) ?? zip.entries.get(main + ".js");
  if (!mainEntry || mainEntry.size === 0) problems.push(`main ${manifest.main} is missing from the package`);
  else if (/require\(["']vscode-languageclient/.test(zip.read(mainEntry.name).toString("utf8"))) {
    problems.push("the bundle still requires vscode-languageclient (not bundled)");
  }

  const serverName = target.startsWith("win32-") ? "extension/server/iamlens.exe" : "extension/server/iamlens";
  const serverEntry = zip.entries.get(serverName);
  if (!serverEntry) problems.push(`the server binary ${serverName} is missing`);
  else {
    if (!target.startsWith("win32-") && (serverEntry.mode & 0o111) === 0) problems.push(`the bundled server is not executable (mode ${serverEntry.mode.toString(8)})`);
    const packed = crypto.createHash("sha256").update(zip.read(serverEntry.name)).digest("hex");
    const built = crypto.createHash("sha256").update(fs.readFileSync(serverBinary)).digest("hex");
    if (packed !== built) problems.push(`the bundled server differs from ${serverBinary}`);
  }

  const vsixManifest = zip.read("extension.vsixmanifest").toString("utf8");
  if (!vsixManifest.includes(`TargetPlatform="${target}"`)) problems.push(`extension.vsixmanifest does not target ${target}`);

  for (const name of zip.entries.keys()) {
    if (/^extension\/(src|test|out|node_modules|scripts)\//.test(name) || name.endsWith(".map")) problems.push(`${name} should not be packaged`);
  }
  return { problems, entries: [...zip.entries.values()], manifest };
}

if (require.main === module) {
  const [vsix, server, target] = process.argv.slice(2);
  if (!vsix || !server || !target) {
    console.error("usage: node scripts/verify-vsix.js <file.vsix> <server-binary> <target>");
    process.exit(2);
  }
  const { problems, entries } = verify(vsix, server, target);
  if (problems.length) {
    for (const p of problems) console.error(`verify-vsix: ${p}`);
    process.exit(1);
  }
  const size = (fs.statSync(vsix).size / 1024 / 1024).toFixed(1);
  console.log(`verify-vsix: ${path.basename(vsix)} ok (${entries.length} files, ${size} MiB, target ${target})`);
}

module.exports = { verify };
