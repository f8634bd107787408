// Run axe-core on report pages in Debian's Chromium and record every network request.
// Usage: node axe.mjs /usr/bin/chromium /abs/page1.html [/abs/page2.html ...]  -> JSON on stdout
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [, , executablePath, ...pages] = process.argv;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const results = [];
for (const path of pages) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith("file:") && !url.startsWith("data:")) requests.push(url);
  });
  await page.goto("file://" + path, { waitUntil: "load" });
  await page.addScriptTag({ content: axeSource }); // inline: no request
  const axe = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  results.push({
    page: path,
    requests,
    violations: axe.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    })),
  });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(results));
