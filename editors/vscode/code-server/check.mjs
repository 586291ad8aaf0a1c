// Opens a workspace in code-server (a real VS Code) in headless Chromium,
// opens a Python file and checks what iamlens shows: inlay hints after the
// AWS calls, code lenses on the functions and the status-bar action count.
// Usage: node check.mjs <code-server URL> <file to open> [screenshot.png]
import { chromium } from "playwright-core";

const [url, file, screenshot] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

async function poll(read, ok, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    value = await read();
  }
  return value;
}

const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(url);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  // Open the file from the Explorer (the workspace opens with it expanded).
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: file }).first();
  await row.waitFor({ timeout: 60000 });
  await row.click();
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 60000 });

  const editorText = () => page.locator(".monaco-editor .view-lines").first().innerText();
  const text = await poll(editorText, (t) => t.includes("s3:GetObject") && t.includes("s3:PutObject"), 30000);
  const lenses = await poll(() => page.locator(".codelens-decoration").allInnerTexts(), (l) => l.some((x) => x.includes("IAM:")), 15000);
  const status = await poll(() => page.locator(".statusbar-item").allInnerTexts(), (s) => s.some((x) => /IAM: \d+ action/.test(x)), 15000);
  if (screenshot) await page.screenshot({ path: screenshot });

  if (!/get_object\(.*\)\s*s3:GetObject/.test(text)) failures.push(`no s3:GetObject hint after the get_object call:\n${text}`);
  if (!/put_object\(.*\)\s*s3:PutObject/.test(text)) failures.push(`no s3:PutObject hint after the put_object call:\n${text}`);
  if (!lenses.some((l) => /IAM: \d+ actions? · \d+ services?/.test(l))) failures.push(`no IAM code lens: ${JSON.stringify(lenses)}`);
  if (!status.some((s) => /IAM: \d+ actions?/.test(s))) failures.push(`no IAM status-bar item: ${JSON.stringify(status)}`);
  console.log(JSON.stringify({ hints: text.split("\n").filter((l) => /s3:\w+/.test(l)), lenses, status: status.filter((s) => s.includes("IAM")) }, null, 1));
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`code-server check: ${f}`);
  process.exit(1);
}
console.log("code-server check: hints, code lenses and status bar shown by the packaged extension");
