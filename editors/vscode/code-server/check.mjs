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

  // A palette command end to end: the policy opens in a JSON editor tab.
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Shift+P");
  await page.waitForSelector(".quick-input-widget", { timeout: 10000 });
  await page.keyboard.type("IAM: Generate policy for this file");
  await page.waitForTimeout(800);
  await page.keyboard.press("Enter");
  const policyTab = await poll(
    async () => {
      const texts = await page.locator(".monaco-editor .view-lines").allInnerTexts();
      return texts.find((t) => t.includes('"Policies"')) ?? "";
    },
    (t) => t.includes("s3:GetObject"),
    20000,
  );
  // A code lens runs through the extension's middleware and opens that function's policy.
  await page.locator(".tabs-container .tab", { hasText: file }).first().click();
  await page.locator(".codelens-decoration a", { hasText: "IAM:" }).last().click();
  const lensTab = await poll(
    async () => {
      const texts = await page.locator(".monaco-editor .view-lines").allInnerTexts();
      return texts.find((t) => t.includes('"Policies"') && !t.includes("s3:GetObject")) ?? "";
    },
    (t) => t.includes("s3:PutObject"),
    20000,
  );
  const language = await page.locator(".statusbar-item[id*='editor.status.mode'], .statusbar-item#status\\.editor\\.mode").allInnerTexts();

  if (!/get_object\(.*\)\s*s3:GetObject/.test(text)) failures.push(`no s3:GetObject hint after the get_object call:\n${text}`);
  if (!/put_object\(.*\)\s*s3:PutObject/.test(text)) failures.push(`no s3:PutObject hint after the put_object call:\n${text}`);
  if (!lenses.some((l) => /IAM: \d+ actions? · \d+ services?/.test(l))) failures.push(`no IAM code lens: ${JSON.stringify(lenses)}`);
  if (!status.some((s) => /IAM: \d+ actions?/.test(s))) failures.push(`no IAM status-bar item: ${JSON.stringify(status)}`);
  if (!policyTab.includes("s3:GetObject") || !policyTab.includes("arn:aws:s3:::reports/*")) {
    failures.push(`"IAM: Generate policy for this file" opened no policy tab:\n${policyTab}`);
  }
  if (!lensTab.includes("s3:PutObject")) failures.push("clicking the code lens of save() opened no policy tab with only its actions");
  if (!language.some((l) => /JSON/.test(l))) failures.push(`the policy tab is not a JSON editor (status: ${JSON.stringify(language)})`);
  console.log(JSON.stringify({ hints: text.split("\n").filter((l) => /s3:\w+/.test(l)), lenses, status: status.filter((s) => s.includes("IAM")), policyTab: policyTab.split("\n").slice(0, 6), language }, null, 1));
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`code-server check: ${f}`);
  process.exit(1);
}
console.log("code-server check: hints, code lenses (and their click), status bar and the generate-policy command work in the packaged extension");
