// Browser tests of the console: Debian's Chromium driven by playwright-core against a real
// `cfr serve` on a fresh demo data directory. Each step is a job of MISSION.md's users done in
// the browser; a screenshot of each screen is saved (test artefacts; --screenshots DIR as well).
//
//   node tests/browser.mjs --cfr ../build/release/cfr [--screenshots ../docs/screenshots] [--keep]
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const cfr = resolve(opt("--cfr", join(here, "../../build/release/cfr")));
const shots = resolve(opt("--artifacts", join(here, "../test-artifacts")));
const docsShots = opt("--screenshots", null);
const browserPath = opt("--browser", process.env.CFR_CHROMIUM ?? "/usr/bin/chromium");
mkdirSync(shots, { recursive: true });

const data = mkdtempSync(join(tmpdir(), "cfr-browser-"));
execFileSync(cfr, ["demo", "--data", data], { stdio: "ignore" });
// The message classifier, as the README's first command trains it (when the labelled SMS are here).
const shared = resolve(process.env.CFR_SHARED_DATA ?? join(here, "../../../shared/data"));
const hasClassifier = existsSync(join(shared, "thai-sms/train.tsv")) && existsSync(join(shared, "uci-sms/train.tsv"));
if (hasClassifier) {
  execFileSync(cfr, ["content", "train", "--data", join(shared, "thai-sms/train.tsv"), "--data", join(shared, "uci-sms/train.tsv"),
    "--out", join(data, "content-model.bin")], { stdio: "ignore" });
}
const users = Object.fromEntries(
  readFileSync(join(data, "demo-users.txt"), "utf8").trim().split("\n").map((l) => {
    const [name, role, agency, password] = l.split("\t");
    return [name, { name, role, agency, password }];
  }),
);

// The server on a free port, serving the built console.
const server = spawn(cfr, ["serve", "--data", data, "--listen", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "pipe"],
  env: { ...process.env, CFR_CONSOLE_DIR: join(here, "../dist") },
});
let serverLog = "";
const base = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error("cfr serve did not start:\n" + serverLog)), 30000);
  server.stdout.on("data", (b) => {
    serverLog += b;
    const m = /listening on (http:\/\/[^/\s]+)\//.exec(serverLog);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  });
  server.stderr.on("data", (b) => (serverLog += b));
  server.on("exit", (code, signal) => {
    serverLog += `\n[cfr serve exited: code ${code}, signal ${signal}]\n`;
    fail(new Error(`cfr serve exited (${code}):\n${serverLog}`));
  });
});

// A receiving account of the demo's first report (a mule: reported, dark grey), as a person
// would type it: the bank's short name and the account number.
const keys = Object.fromEntries(readFileSync(join(data, "demo-keys.txt"), "utf8").trim().split("\n").map((l) => l.split("\t")).map((f) => [f[0] + (f[0] === "bank" ? ":" + f[1] : ""), f[2]]));
async function apiGet(path) {
  const r = await fetch(base + path, { headers: { Authorization: "Bearer " + keys.operator } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}
const firstReport = await apiGet("/api/v1/reports/RPT-" + new Date().getFullYear() + "-000001");
const canonical = firstReport.loss_transfers[0].to.canonical;
const banks = (await apiGet("/api/v1/banks")).items;
const acct = {
  canonical,
  bank: banks.find((b) => b.code === canonical.split(":")[0]).short_name,
  number: canonical.split(":")[1],
};
acct.account = acct.bank + " " + acct.number;

const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

let failures = 0;
const results = [];
async function step(name, fn) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-GB" });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  // 4xx answers are part of some steps (a bad value gets its error); a 5xx never is.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && consoleErrors.push(m.text()));
  page.on("response", (r) => r.status() >= 500 && consoleErrors.push(`${r.status()} from ${r.url()}`));
  const started = Date.now();
  try {
    await fn(page);
    if (consoleErrors.length) throw new Error("errors in the page: " + consoleErrors.join(" | "));
    results.push(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failures++;
    results.push(`FAIL  ${name}: ${e.message.split("\n")[0]}`);
    await page.screenshot({ path: join(shots, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
    console.error(e);
  } finally {
    await context.close();
  }
}
async function shot(page, file) {
  await page.screenshot({ path: join(shots, file), fullPage: false });
  if (docsShots) copyFileSync(join(shots, file), join(resolve(docsShots), file));
}
function expect(cond, what) {
  if (!cond) throw new Error(what);
}
async function login(page, user) {
  await page.goto(base + "/login");
  await page.getByLabel(/User name|ชื่อผู้ใช้/).fill(user.name);
  await page.getByLabel(/Password|รหัสผ่าน/).fill(user.password);
  await page.getByRole("button", { name: /Log in|เข้าสู่ระบบ/ }).click();
  await page.getByTestId("user").waitFor();
}
async function english(page) {
  await page.getByTestId("lang-en").click();
}

// --- the public check: no login, one box, a verdict
await step("public-check", async (page) => {
  const started = Date.now();
  await page.goto(base + "/check");
  await page.getByRole("button", { name: /Check|ตรวจสอบ/ }).waitFor();
  const firstLoadMs = Date.now() - started;
  results.push(`      first load of /check: ${firstLoadMs} ms`);
  await english(page);
  // A receiving account of the demo's first report: dark grey (reported).
  await page.getByRole("textbox").fill(acct.account);
  await page.getByRole("button", { name: "Check" }).click();
  const verdict = await page.getByTestId("verdict").innerText();
  expect(/High risk|Confirmed scam|Suspicious|Reported/.test(verdict), "a reported account's verdict: " + verdict);
  await shot(page, "public-check.png");
  await page.getByRole("textbox").fill("not a number");
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByRole("alert").waitFor();
});

// --- an operator files a report, sees the holds, opens the trail graph
await step("intake-holds-trail", async (page) => {
  await login(page, users["demo.operator"]);
  await english(page);
  await page.goto(base + "/intake");
  await page.locator('input[name="victim.name"]').fill("Somsri Test");
  await page.locator('input[name="victim.phone"]').fill("081-111-2222");
  await page.locator('input[name="victim.province"]').fill("Bangkok");
  await page.locator('select[name="scam_type"]').selectOption("call_centre_impersonation");
  await page.getByLabel("loss_transfers[0].to.bank").selectOption(acct.bank);
  await page.locator('input[name="loss_transfers[0].to.account"]').fill(acct.number);
  await page.locator(".check.good").first().waitFor();  // validated live
  await page.locator('input[name="loss_transfers[0].amount"]').fill("12,500.50");
  // A second transfer, to a KBANK account: the bank user below acts on its hold.
  await page.getByRole("button", { name: "+ transfer" }).click();
  await page.getByLabel("loss_transfers[1].to.bank").selectOption("KBANK");
  await page.locator('input[name="loss_transfers[1].to.account"]').fill("123-4-56789-0");
  await page.locator('input[name="loss_transfers[1].amount"]').fill("3000");
  await page.locator('input[name="scammer_identifiers[0].value"]').fill("02-123-4567");
  await shot(page, "intake.png");
  await page.getByTestId("save-report").click();
  await page.getByTestId("intake-saved").waitFor();
  const caseId = await page.getByTestId("saved-case").innerText();
  expect(/^CFR-\d{4}-\d{6}$/.test(caseId), "a case number: " + caseId);
  const holds = await page.getByTestId("urgent-holds").locator("tbody tr").count();
  expect(holds >= 2, "a hold for each receiving account");
  expect((await page.getByTestId("urgent-holds").innerText()).includes("12,500.50"), "the hold asks for the amount lost");
  await shot(page, "intake-saved.png");
  await page.getByRole("link", { name: "Follow the money" }).click();
  await page.getByRole("button", { name: "Follow the money" }).click();
  await page.getByTestId("trail-totals").waitFor();
  expect((await page.getByTestId("trail-totals").innerText()).includes("✓"), "the trail reconciles");
  await page.locator('[data-testid="graph"] canvas').first().waitFor();
  // The demo's first case: money that went on through further mules, drawn with a time slider.
  await page.goto(base + "/trail?case=" + firstReport.case_id);
  await page.getByRole("button", { name: "Follow the money" }).click();
  await page.getByTestId("holdings").waitFor();
  await page.locator('[data-testid="graph"] canvas').first().waitFor();
  await page.getByTestId("time-slider").fill("60");
  await page.waitForTimeout(300);
  await shot(page, "trail.png");
  // The case itself: its orders with deadlines counting down.
  await page.goto(base + "/cases/" + caseId);
  await page.getByTestId("case-orders").waitFor();
  expect(await page.getByTestId("case-orders").locator("tbody tr").count() >= 1, "the case lists its orders");
  expect(/left/.test(await page.getByTestId("deadlines").innerText()), "deadlines count down");
  await page.getByTestId("report-card").first().waitFor();
  // The victim's sealed record, opened on purpose (an audited read).
  await page.getByRole("button", { name: /Show the victim/ }).click();
  expect((await page.getByTestId("victim").innerText()).includes("Somsri Test"), "the victim's name from the sealed record");
  await shot(page, "case.png");
});

// --- an officer sees a case's evidence: the slip checked against the ledger, the same screenshot
// used with another victim, and uploads another picture
await step("case-evidence", async (page) => {
  // The demo draws slips for its first reports (cfr demo: demo_evidence.cc): find the re-sent one.
  let shown = null;
  const seen = [];
  for (let n = 1; n <= 40 && !shown; n++) {
    const id = `RPT-${new Date().getFullYear()}-${String(n).padStart(6, "0")}`;
    const files = await apiGet(`/api/v1/reports/${id}/evidence`).catch((e) => ({ items: [], error: String(e) }));
    if (files.items.length || files.error) seen.push(id + ": " + (files.error ?? files.items.map((f) => f.slip?.status + "/" + f.reuse?.length).join(",")));
    const reused = files.items.find((f) => f.stored && f.reuse.length > 0 && f.slip.status === "mismatch");
    if (reused) shown = { report: await apiGet(`/api/v1/reports/${id}`), file: reused };
  }
  expect(shown, "the demo has a slip used again with another victim: " + seen.join("; "));
  await login(page, users["demo.operator"]);
  await english(page);
  await page.goto(base + "/cases/" + shown.report.case_id);
  await page.getByTestId("case-evidence").waitFor();
  const text = await page.getByTestId("case-evidence").innerText();
  expect(text.includes("does not match the ledger"), "the slip's check: " + text);
  expect(text.includes("amount_satang"), "the field that differs");
  expect(text.includes("same picture") && shown.file.reuse[0].case_ids.every((c) => text.includes(c)),
    "the other case where the picture was used: " + text);
  await page.getByTestId("case-evidence").scrollIntoViewIfNeeded();
  await shot(page, "case-evidence.png");
  // Upload a slip whose transaction does not exist: the case lists it as not backed by the ledger.
  const forged = join(data, "forged-slip.png");
  execFileSync(cfr, ["gen", "slip", "--out", forged, "--ref", "BROWSER0000099", "--seed", "31"], { stdio: "ignore" });
  const before = await page.getByTestId("case-evidence").locator("tbody tr").count();
  await page.getByLabel("Upload a slip or screenshot").setInputFiles(forged);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="case-evidence"] tbody tr').length > n, before);
  expect((await page.getByTestId("case-evidence").innerText()).includes("not backed by the ledger"), "the forged slip is flagged");
});

// --- a bank user acknowledges and executes an order
await step("bank-acknowledges-order", async (page) => {
  const bank = users["demo.bank.kbank"];
  await login(page, bank);
  await english(page);
  await page.goto(base + "/orders");
  await page.getByTestId("order-list").waitFor();
  // The hold the operator's report above asked KBANK for (account xxxxxx7890, 3,000 baht).
  const mine = page.getByTestId("order-list").locator("tbody tr", { hasText: "xxxxxx7890" }).first();
  await mine.waitFor();
  await mine.getByRole("link").click();
  await page.getByTestId("order-detail").waitFor();
  await page.getByTestId("acknowledge").click();
  await page.getByText("acknowledged", { exact: true }).first().waitFor();
  await page.locator('input[name="held"]').fill("1000");
  await page.getByTestId("execute").click();
  await page.getByTestId("order-detail").getByText("executed", { exact: true }).waitFor();
  // Later the bank returns part of what it held to the victim.
  await page.locator('input[name="returned"]').fill("400");
  await page.getByTestId("record-return").click();
  await page.getByTestId("order-detail").getByText("฿400.00").waitFor();
  await shot(page, "bank-orders.png");
});

// --- a bank submits transfers for tracing: the good rows land, a bad row is named by its line
await step("bank-submits-transfers", async (page) => {
  await login(page, users["demo.bank.kbank"]);
  await english(page);
  await page.goto(base + "/transfers");
  const now = Date.now();
  const csv = "txn_id,from_bank,from_account,to_bank,to_account,amount_satang,at,channel\n" +
    `KBANK-BT-1,KBANK,123-4-56789-0,SCB,407-2-00002-2,150000,${now - 60000},promptpay\n` +
    `KBANK-BT-2,KBANK,123-4-56789-0,SCB,407-2-00002-2,-5,${now - 30000},promptpay\n`;
  await page.getByLabel("File").setInputFiles({ name: "transfers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Submit" }).click();
  const result = await page.getByTestId("transfer-result").innerText();
  expect(/Saved\s*1/.test(result) && /Rejected\s*1/.test(result), "one saved, one rejected: " + result);
  expect((await page.locator("table.grid").innerText()).includes("amount_satang"), "the rejected row names its column");
  await shot(page, "bank-transfers.png");
});

// --- the police record the victim's complaint on a hold, then extend it
await step("police-complaint", async (page) => {
  await login(page, users["demo.police"]);
  await english(page);
  await page.goto(base + "/orders");
  await page.getByTestId("order-list").locator("tbody tr a").first().click();
  await page.getByTestId("order-detail").waitFor();
  await page.getByLabel("Complaint reference").fill("BKK-2569-0042");
  await page.getByRole("button", { name: "Record complaint" }).click();
  await page.locator("ol.timeline").getByText("police complaint", { exact: true }).waitFor();
  await shot(page, "police-order.png");
});

// --- Thai: the labels, the Buddhist-era dates
await step("thai", async (page) => {
  await login(page, users["demo.police"]);
  await page.getByTestId("lang-th").click();
  await page.goto(base + "/cases");
  await page.getByTestId("case-list").waitFor();
  const nav = await page.locator("nav").innerText();
  expect(nav.includes("คดี") && nav.includes("คำสั่ง"), "Thai menu: " + nav);
  const table = await page.getByTestId("case-list").innerText();
  const year = new Date().getFullYear() + 543;
  expect(table.includes(String(year)), `Buddhist-era year ${year} in the dates`);
  expect(/฿[\d,]+\.\d\d/.test(table), "amounts in baht with separators");
  await shot(page, "cases-thai.png");
  await page.reload();  // the choice is remembered
  expect((await page.locator("nav").innerText()).includes("คดี"), "Thai after reload");
});

// --- the dashboard renders its charts
await step("dashboard", async (page) => {
  await login(page, users["demo.analyst"]);
  await english(page);
  await page.goto(base + "/dashboard");
  await page.getByTestId("kpis").waitFor();
  for (const id of ["chart-daily", "chart-types", "chart-hold", "chart-banks"]) {
    await page.locator(`[data-testid="${id}"][data-rendered="true"] canvas`).first().waitFor();
  }
  await shot(page, "dashboard.png");
});

// --- the message check highlights its evidence
await step("content-check", async (page) => {
  await login(page, users["demo.operator"]);
  await english(page);
  await page.goto(base + "/content");
  await page.getByLabel("Message").fill("ยินดีด้วย คุณได้รับเงินรางวัล 50,000 บาท จากธนาคารกรุงไทย กดรับสิทธิ์ด่วนที่ hxxps://krungthai-reward[.]com/claim ภายในวันนี้");
  await page.getByRole("button", { name: "Analyse" }).click();
  const verdict = await page.getByTestId("content-verdict").innerText();
  if (hasClassifier) expect(!/Unknown/.test(verdict), "a classifier's label: " + verdict);
  expect(await page.getByTestId("highlighted").locator("mark").count() >= 1, "evidence highlighted");
  await shot(page, "content.png");
  // The fact-check desk adds a checked claim; it is listed.
  await page.getByLabel("Claim").fill("Drinking hot lemon water cures COVID-19 (browser test)");
  await page.getByLabel("Source").fill("Anti-Fake News Center");
  await page.getByRole("button", { name: "Add" }).click();
  await page.getByTestId("factchecks").getByText("Drinking hot lemon water cures COVID-19 (browser test)").waitFor();
});

// --- the other screens open with demo data
await step("screens", async (page) => {
  await login(page, users["demo.admin"]);
  await english(page);
  for (const [path, testId, file] of [
    ["/networks", "network-list", "networks.png"],
    ["/alerts", "alert-list", "alerts.png"],
    ["/admin", "users", "admin.png"],
  ]) {
    await page.goto(base + path);
    await page.getByTestId(testId).waitFor();
    await shot(page, file);
  }
  // The liaison's work: a new partner and a pseudonymising agreement, its key shown once.
  await page.goto(base + "/exchange");
  const partnerForm = page.getByTestId("partner-form");
  await partnerForm.getByLabel("Code", { exact: true }).fill("LA-CIB");
  await partnerForm.getByLabel("Name", { exact: true }).fill("Lao anti-fraud unit (browser test)");
  await partnerForm.getByLabel("Country", { exact: true }).fill("LA");
  await partnerForm.getByRole("button", { name: "Save partner" }).click();
  await page.getByTestId("partners").getByText("LA-CIB").waitFor();
  const agreementForm = page.getByTestId("agreement-form");
  await agreementForm.getByLabel("Agreement", { exact: true }).fill("th-la-browser");
  await agreementForm.locator("select").first().selectOption("LA-CIB");
  await agreementForm.getByRole("button", { name: "Make agreement" }).click();
  expect(/^[0-9a-f]{64}$/.test(await page.getByTestId("agreement-key").innerText()), "a 32-byte key, shown once");
  await page.getByTestId("agreements").getByText("th-la-browser").waitFor();
  await shot(page, "exchange.png");
  await page.goto(base + "/networks");
  await page.getByTestId("network-list").locator("tbody tr a").first().click();
  await page.locator('[data-testid="graph"] canvas').first().waitFor();
  await shot(page, "network.png");
  await page.goto(base + "/entities/bank_account/" + encodeURIComponent(acct.canonical));
  await page.getByTestId("entity-history").waitFor();
  await shot(page, "entity.png");
});

await browser.close();
server.kill("SIGTERM");
if (!args.includes("--keep")) rmSync(data, { recursive: true, force: true });
console.log(results.join("\n"));
if (failures) console.log("--- the server's log (last 40 lines):\n" + serverLog.split("\n").slice(-40).join("\n"));
console.log(failures ? `browser tests: ${failures} failed (screenshots in ${shots})` : `browser tests: all passed (screenshots in ${shots})`);
process.exit(failures ? 1 : 0);
