// The console's first load on localhost (issue 9: ≤ 1 s), measured, not asserted: a fresh browser
// context (empty cache) opens the log-in page of a running `cfr serve` N times; for each, the time
// from navigation to the form being usable, the Navigation Timing figures, and the bytes fetched.
//   node tests/first_load.mjs --base http://127.0.0.1:8080 [--runs 10]
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const opt = (n, d) => (args.indexOf(n) >= 0 ? args[args.indexOf(n) + 1] : d);
const base = opt("--base", "http://127.0.0.1:8080");
const runs = Number(opt("--runs", "10"));
const browser = await chromium.launch({
  executablePath: opt("--browser", "/usr/bin/chromium"),
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const usable = [], dcl = [], load = [], bytes = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let fetched = 0;
  page.on("response", async (r) => {
    const len = Number(r.headers()["content-length"] ?? 0);
    fetched += len;
  });
  const t0 = Date.now();
  await page.goto(base + "/login");
  await page.locator('input[name="password"]').waitFor();
  usable.push(Date.now() - t0);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  dcl.push(nav.dcl);
  load.push(nav.load);
  bytes.push(fetched);
  await context.close();
}
await browser.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
console.log(`first load of ${base}/login, ${runs} fresh contexts (empty cache):`);
console.log(`  form usable: median ${median(usable)} ms, max ${max(usable)} ms`);
console.log(`  DOMContentLoaded: median ${median(dcl).toFixed(0)} ms; load event: median ${median(load).toFixed(0)} ms`);
console.log(`  bytes fetched: ${median(bytes)}`);
