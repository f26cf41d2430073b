// The staff console's shell and HR pages in Debian's Chromium
// (puppeteer-core), against the real survey-gateway --console and
// survey-server that tests/e2e/console_test.cc started. Environment:
//   SURVEY_CONSOLE_URL      gateway origin, e.g. http://127.0.0.1:8080
//   SURVEY_CONSOLE_FIXTURE  JSON file: accounts, campaigns, survey-sim (see console_test.cc)
//   SURVEY_WEB_ARTIFACTS    directory for the screenshots
//   CHROMIUM                default /usr/bin/chromium
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import puppeteer from "puppeteer-core";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("console tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const at = (hash) => `${origin}/c/#${hash}`;
  const work = mkdtempSync(join(tmpdir(), "console-test-"));
  const shots = [];
  let browser, profile;

  before(async () => {
    profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             `--user-data-dir=${profile}`, "--lang=zh-CN"],
      protocolTimeout: 60000,
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    for (const s of shots) console.log(`screenshot: ${s}`);
  });

  // Each context downloads into a fresh directory of its own.
  const downloadDirs = new WeakMap();
  async function desk() {
    const dir = mkdtempSync(join(work, "dl-"));
    const ctx = await browser.createBrowserContext({ downloadBehavior: { policy: "allow", downloadPath: dir } });
    downloadDirs.set(ctx, dir);
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.setDefaultTimeout(20000);
    return page;
  }
  async function shot(page, name) {
    const path = join(artifacts, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  }
  async function axe(page, name) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${name}: ${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), []);
  }
  const mainText = (page) => page.$eval("main", (m) => m.innerText);
  const hash = (page) => page.evaluate(() => location.hash);

  async function signIn(page, account, password, hashAfter = "/") {
    await page.goto(at(`/signin?next=${encodeURIComponent(hashAfter)}`));
    await page.waitForSelector("#signin-form");
    await page.type("#account", account);
    await page.type("#password", password);
    await Promise.all([page.waitForSelector("#sign-out"), page.click("#signin-form button[type=submit]")]);
  }
  async function refusalReason(page) {
    const el = await page.waitForSelector("main .refusal");
    return el.evaluate((e) => ({ code: e.dataset.code, reason: e.dataset.reason, text: e.innerText }));
  }
  const downloadsTo = (page) => downloadDirs.get(page.browserContext());
  async function downloaded(dir, suffix = ".csv") {
    const deadline = Date.now() + 15000;
    for (;;) {
      const files = readdirSync(dir).filter((f) => f.endsWith(suffix));
      if (files.length) return readFileSync(join(dir, files[0]), "utf8");
      if (Date.now() > deadline) throw new Error(`no download in ${dir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const csvRows = (text) => text.trim().split(/\r?\n/).map((l) => l.split(","));

  test("activation: account, one-time code, new password twice; then signed in", async () => {
    const page = await desk();
    await page.goto(at("/activate"));
    await page.waitForSelector("#activate-form");
    assert.equal(await page.$eval("html", (h) => h.lang), "zh-CN");
    await axe(page, "activate");
    await shot(page, "activate-zh");
    await page.type("#account", fx.activation.account);
    await page.type("#code", fx.activation.code);
    await page.type("#new-password", "first-Password-of-E0003");
    await page.type("#new-password-again", "first-Password-of-E0OO3");
    await page.click("#activate-form button[type=submit]");
    await page.waitForSelector("#activate-error .error");
    assert.match(await page.$eval("#activate-error", (e) => e.innerText), /不一致/);
    await page.$eval("#new-password-again", (e) => { e.value = ""; });
    await page.type("#new-password-again", "first-Password-of-E0003");
    await Promise.all([page.waitForSelector("#sign-out"), page.click("#activate-form button[type=submit]")]);
    assert.match(await page.$eval("#who-name", (e) => e.innerText), /员工/);
    // The code worked once: signing out and activating again is refused.
    await Promise.all([page.waitForFunction(() => location.hash.startsWith("#/signin")), page.click("#sign-out")]);
    // Signed out: the browser holds no session any more.
    const after = await page.evaluate(async () => (await fetch("/survey.v1.AccountService/WhoAmI", {
      method: "POST", headers: { "content-type": "application/json", "x-survey-csrf": "1" }, body: "{}" })).status);
    assert.notEqual(after, 200, "WhoAmI after sign-out");
    await page.goto(at("/activate"));
    await page.waitForSelector("#activate-form");
    await page.type("#account", fx.activation.account);
    await page.type("#code", fx.activation.code);
    await page.type("#new-password", "second-Password-of-E0003");
    await page.type("#new-password-again", "second-Password-of-E0003");
    await page.click("#activate-form button[type=submit]");
    const r = await refusalReason(page);
    assert.equal(r.code, "Unauthenticated", JSON.stringify(r));
    // And the password set by the activation signs in.
    await signIn(page, fx.activation.account, "first-Password-of-E0003");
    await page.browserContext().close();
  });

  test("sign-in page: accessible, English switch remembered", async () => {
    const page = await desk();
    await page.goto(at("/signin"));
    await page.waitForSelector("#signin-form");
    await axe(page, "signin");
    await shot(page, "signin-zh");
    assert.match(await mainText(page), /登录/);
    await page.click("#lang");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.match(await mainText(page), /Sign in/);
    await page.reload();
    await page.waitForSelector("#signin-form");
    assert.equal(await page.$eval("html", (h) => h.lang), "en");
    await shot(page, "signin-en");
    await page.browserContext().close();
  });

  test("the session cookie is HttpOnly, Secure, SameSite=Strict and invisible to scripts", async () => {
    const page = await desk();
    await signIn(page, fx.hr.account, fx.hr.password);
    const cookies = await page.cookies();
    assert.ok(cookies.length >= 1, "a session cookie");
    for (const c of cookies) {
      assert.equal(c.httpOnly, true, `${c.name} HttpOnly`);
      assert.equal(c.secure, true, `${c.name} Secure`);
      assert.equal(c.sameSite, "Strict", `${c.name} SameSite`);
    }
    const visible = await page.evaluate(() => document.cookie);
    for (const c of cookies) {
      assert.ok(!visible.includes(c.name) && !visible.includes(c.value), "document.cookie shows the session");
    }
    // A call without the anti-forgery header is refused even with the cookie.
    const bare = await page.evaluate(async () => {
      const r = await fetch("/survey.v1.AccountService/WhoAmI", { method: "POST",
        headers: { "content-type": "application/json" }, body: "{}" });
      return r.status;
    });
    assert.notEqual(bare, 200, "a staff call without x-survey-csrf");
    const withHeader = await page.evaluate(async () => {
      const r = await fetch("/survey.v1.AccountService/WhoAmI", { method: "POST",
        headers: { "content-type": "application/json", "x-survey-csrf": "1" }, body: "{}" });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(withHeader.status, 200);
    assert.equal(withHeader.body.accountName, fx.hr.account);
    assert.ok(!JSON.stringify(withHeader.body).includes("sss_"), "the session token reaches the page");
    await page.browserContext().close();
  });

  test("a cross-site form POST and a cross-site fetch are refused", async () => {
    const hr = await desk();
    await signIn(hr, fx.hr.account, fx.hr.password);
    // Another site: "localhost" is not "127.0.0.1", so SameSite applies.
    const target = `${origin}/survey.v1.AdminService/CreateCampaign`;
    const evil = createServer((req, res) => {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(`<!doctype html><title>evil</title>
<form id="f" method="POST" enctype="text/plain" action="${target}">
<input name='{"campaign":{"kind":1,"period":"2026-09","templateKey":"default","title":{"zh":"x' value='"}}}'>
</form>
<script>
fetch(${JSON.stringify(target)}, { method: "POST", credentials: "include", mode: "cors",
  headers: { "content-type": "application/json", "x-survey-csrf": "1" },
  body: '{"campaign":{"kind":1,"period":"2026-09","templateKey":"default"}}' })
  .then((r) => { document.title = "fetch:" + r.status; }, () => { document.title = "fetch:blocked"; });
</script>`);
    });
    await new Promise((r) => evil.listen(0, "127.0.0.1", r));
    try {
      const page = await hr.browserContext().newPage();
      await page.goto(`http://localhost:${evil.address().port}/`);
      await page.waitForFunction(() => document.title.startsWith("fetch:"));
      assert.equal(await page.title(), "fetch:blocked");
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: "domcontentloaded" }),
        page.$eval("#f", (f) => f.submit()),
      ]);
      assert.notEqual(response?.status(), 200, "the form POST");
    } finally {
      evil.close();
    }
    // Nothing was created for 2026-09.
    const listed = await hr.evaluate(async () => {
      const r = await fetch("/survey.v1.AdminService/ListCampaigns", { method: "POST",
        headers: { "content-type": "application/json", "x-survey-csrf": "1" }, body: '{"period":"2026-09"}' });
      return r.json();
    });
    assert.deepEqual(listed.campaigns ?? [], []);
    await hr.browserContext().close();
  });

  test("HR: create a campaign, upload tickets, download invitations, watch participation, close", async () => {
    const page = await desk();
    await signIn(page, fx.hr.account, fx.hr.password, "/campaigns");
    await page.waitForSelector("#create-campaign");
    const navRoutes = await page.$$eval("#nav a", (as) => as.map((a) => a.dataset.route));
    assert.ok(navRoutes.includes("campaigns") && navRoutes.includes("accounts"), navRoutes.join());
    assert.ok(!navRoutes.includes("sessions"), "HR sees no admin pages");
    await axe(page, "campaigns");
    await shot(page, "campaigns-zh");
    await page.$eval("#period", (e) => { e.value = ""; });
    await page.type("#period", fx.newCampaignPeriod);
    await page.type("#title-zh", "浏览器测试调查");
    await page.type("#title-en", "Browser test survey");
    await Promise.all([page.waitForSelector("#open-campaign"), page.click("#create-campaign button[type=submit]")]);
    const id = (await hash(page)).replace("#/campaigns/", "");
    assert.ok(id.length > 0);
    await Promise.all([page.waitForSelector("#close-campaign"), page.click("#open-campaign")]);

    // Tickets: 6 for E0002, 4 for E0013.
    const tickets = join(work, "tickets.csv");
    const rows = [];
    for (let i = 1; i <= 6; i++) rows.push(["E0002", `BT-${i}`]);
    for (let i = 7; i <= 10; i++) rows.push(["E0013", `BT-${i}`]);
    writeFileSync(tickets, "subject_employee_no,ticket\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
    const input = await page.$("#tickets");
    await input.uploadFile(tickets);
    await page.click("#issue-form button[type=submit]");
    await page.waitForSelector(".handover, #issue-status :is(.refusal, .error)", { timeout: 40000 });
    assert.equal(await page.$eval("#issue-status", (e) => e.innerText), "");
    await page.waitForSelector(".handover[data-issued='10']", { timeout: 40000 });
    assert.match(await page.$eval(".handover .note", (e) => e.innerText), /只在这次回答中出现/);
    const dir = downloadsTo(page);
    await page.click("#download-invitations");
    const csv = csvRows(await downloaded(dir));
    assert.deepEqual(csv[0], ["ticket", "subject", "token", "deep_link", "expires_at"]);
    assert.equal(csv.length, 11);
    const body = csv.slice(1);
    assert.deepEqual(body.map((r) => [r[1], r[0]]), rows);
    for (const r of body) {
      assert.match(r[2], /^[A-Z2-7]{20,}$/);
      assert.equal(r[3], `${origin}/a/#${r[2]}`);
      assert.match(r[4], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    assert.equal(new Set(body.map((r) => r[2])).size, 10);

    // The printable QR sheet: one code per invitation.
    await page.click("#qr-sheet-button");
    await page.waitForSelector("#qr-sheet");
    assert.equal(await page.$$eval("#qr-sheet svg", (s) => s.length), 10);
    await shot(page, "qr-sheet");
    await page.click("#qr-sheet button:not(.primary)");
    await page.waitForSelector("#qr-sheet", { hidden: true });

    // Participation moves while survey-sim answers 4 of them.
    await page.waitForSelector("#participation[data-invitations='10'][data-responses='0']");
    const some = join(work, "some.csv");
    writeFileSync(some, ["ticket,subject,token,deep_link,expires_at", ...body.slice(0, 4).map((r) => r.join(","))].join("\n") + "\n");
    const sim = spawn(fx.surveySim, ["--server", fx.grpcTarget, "--insecure", "--tokens", some, "--fraction", "1"],
      { stdio: "inherit" });
    const simExit = new Promise((r) => sim.on("exit", r));
    await page.waitForSelector("#participation[data-responses='4']", { timeout: 30000 });
    assert.equal(await simExit, 0);
    const employees = await page.$$eval("#participation table:last-of-type tbody tr",
      (trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText)));
    const e2 = employees.find((r) => r[0].includes("E0002"));
    assert.ok(e2, "E0002 in the employee table");
    await axe(page, "campaign-open");
    await shot(page, "campaign-open");

    // Revoking the batch: 4 already answered, 6 revoked.
    await page.click("#revoke-batch");
    await page.waitForFunction(() => /已撤回 6 份；4 份已被回答/.test(
      document.querySelector(".handover .ok[role=status]:last-child")?.innerText ?? ""));

    // Close, after the confirmation.
    await page.click("#close-campaign");
    await page.waitForSelector("dialog[open] #confirm-close");
    await shot(page, "campaign-close-confirm");
    await page.click("#confirm-close");
    await page.waitForSelector("#campaign-head [data-state='closed']");
    assert.equal(await page.$("#issue-form"), null, "a closed campaign takes no invitations");
    await shot(page, "campaign-closed");
    await page.browserContext().close();
  });

  test("HR: a cross-evaluation's invitations from the matrix", async () => {
    const page = await desk();
    await signIn(page, fx.hr.account, fx.hr.password, "/campaigns");
    await page.waitForSelector("#create-campaign");
    await page.select("#kind", "2");
    await page.$eval("#period", (e) => { e.value = ""; });
    await page.type("#period", fx.newCampaignPeriod);
    await page.type("#title-zh", "浏览器测试互评");
    await Promise.all([page.waitForSelector("#open-campaign"), page.click("#create-campaign button[type=submit]")]);
    await Promise.all([page.waitForSelector("#close-campaign"), page.click("#open-campaign")]);
    assert.equal(await page.$("#tickets"), null, "no tickets file for a cross-evaluation");
    await page.click("#issue-form button[type=submit]");
    await page.waitForSelector(".handover, #issue-status :is(.refusal, .error)", { timeout: 40000 });
    assert.equal(await page.$eval("#issue-status", (e) => e.innerText), "");
    const n = Number(await page.$eval(".handover", (e) => e.dataset.issued));
    await page.click("#download-invitations");
    const csv = csvRows(await downloaded(downloadsTo(page)));
    assert.deepEqual(csv[0], ["subject", "evaluating_department", "recipient_employee_no", "token", "deep_link", "expires_at"]);
    assert.equal(csv.length - 1, n);
    for (const r of csv.slice(1)) assert.notEqual(r[0], r[1], "a department never rates itself");
    await page.waitForSelector(`#participation[data-invitations='${n}']`);
    await shot(page, "campaign-cross-issued");
    await page.browserContext().close();
  });

  test("leaving a live campaign page stops its refresh", async () => {
    const page = await desk();
    await signIn(page, fx.hr.account, fx.hr.password, `/campaigns/${fx.openCampaign}`);
    await page.waitForSelector("#participation[data-responses]");
    let calls = 0;
    page.on("request", (r) => { if (/GetCampaign|GetOrganisationReport/.test(r.url())) calls++; });
    await page.goto(at("/accounts"));
    await page.waitForSelector("#org-accounts");
    calls = 0;
    // A window longer than the refresh period; nothing may be asked in it.
    await new Promise((r) => setTimeout(r, 6500));
    assert.equal(calls, 0);
    await page.browserContext().close();
  });

  test("HR accounts: the whole organisation's activation CSV, a password reset", async () => {
    const page = await desk();
    await signIn(page, fx.hr.account, fx.hr.password, "/accounts");
    await page.waitForSelector("#org-accounts");
    await axe(page, "accounts");
    await shot(page, "accounts");
    const dir = downloadsTo(page);
    await page.click("#create-accounts");
    const csv = csvRows(await downloaded(dir));
    assert.deepEqual(csv[0], ["account_name", "employee_no", "name", "department_code", "role", "activation_code", "expires_at"]);
    assert.ok(csv.length >= 61, `${csv.length - 1} accounts`);
    const e1 = csv.find((r) => r[0] === fx.manager.account);
    assert.ok(e1, "the manager's account is listed");
    assert.equal(e1[5], "", "an existing account gets no new code");
    await page.waitForSelector("#org-accounts-status .ok");
    await page.type("#reset-account", "E0021");
    await page.click("#reset-form button[type=submit]");
    await page.waitForSelector("#reset-status :is(.ok, .refusal)");
    const text = await page.$eval("#reset-status", (e) => e.innerText);
    assert.match(text, /激活码/);
    await page.browserContext().close();
  });

  test("roles: the employee and the manager see their navigation; the server refuses the rest", async () => {
    const emp = await desk();
    await signIn(emp, fx.employee.account, fx.employee.password);
    const empNav = await emp.$$eval("#nav a", (as) => as.map((a) => a.dataset.route));
    assert.ok(!empNav.includes("campaigns") && !empNav.includes("accounts"), empNav.join());
    await emp.goto(at("/campaigns"));
    const r1 = await refusalReason(emp);
    assert.equal(r1.code, "PermissionDenied", JSON.stringify(r1));
    await shot(emp, "refusal-employee-campaigns");
    await emp.browserContext().close();

    const mgr = await desk();
    await signIn(mgr, fx.manager.account, fx.manager.password);
    const mgrNav = await mgr.$$eval("#nav a", (as) => as.map((a) => a.dataset.route));
    assert.ok(!mgrNav.includes("campaigns"), mgrNav.join());
    await mgr.goto(at(`/results/department/${fx.otherDepartment}?range=${fx.closedPeriod}`));
    const r2 = await refusalReason(mgr);
    assert.equal(r2.code, "PermissionDenied", JSON.stringify(r2));
    await axe(mgr, "refusal");
    await shot(mgr, "refusal-manager-other-department");
    await mgr.browserContext().close();
  });

  test("admin: sessions list; a revoked session sends its page to sign-in and back", async () => {
    const hr = await desk();
    const where = `/campaigns/${fx.openCampaign}`;
    await signIn(hr, fx.hr.account, fx.hr.password, where);
    await hr.waitForSelector("#participation[data-responses]");
    const admin = await desk();
    await signIn(admin, fx.admin.account, fx.admin.password, "/sessions");
    await admin.waitForSelector("#sessions table");
    await axe(admin, "sessions");
    await shot(admin, "sessions");
    // The newest session of the HR account is the one just signed in.
    const id = await admin.$$eval("#sessions tbody tr", (trs, name) => {
      const row = trs.find((tr) => tr.cells[0].innerText === name);
      return row?.querySelector("button")?.dataset.session;
    }, fx.hr.account);
    assert.ok(id, "HR's session is listed");
    await admin.click(`button[data-session="${id}"]`);
    await admin.waitForSelector("#sessions .ok");
    // HR's page refreshes its participation and hears UNAUTHENTICATED.
    await hr.waitForFunction(() => location.hash.startsWith("#/signin"), { timeout: 20000 });
    assert.equal(await hash(hr), `#/signin?next=${encodeURIComponent(where)}`);
    await hr.type("#account", fx.hr.account);
    await hr.type("#password", fx.hr.password);
    await Promise.all([hr.waitForSelector("#sign-out"), hr.click("#signin-form button[type=submit]")]);
    await hr.waitForFunction((w) => location.hash === `#${w}`, {}, where);
    await hr.waitForSelector("#participation[data-responses]");
    await hr.browserContext().close();
    await admin.browserContext().close();
  });

  test("change password, then sign in with the new one", async () => {
    const page = await desk();
    await signIn(page, fx.employee.account, fx.employee.password, "/password");
    await page.waitForSelector("#password-form");
    await axe(page, "password");
    await shot(page, "password");
    await page.type("#current-password", "not-the-password");
    await page.type("#new-password", "changed-Password-15");
    await page.type("#new-password-again", "changed-Password-15");
    await page.click("#password-form button[type=submit]");
    const wrong = await refusalReason(page);
    assert.equal(wrong.reason, "BAD_CREDENTIALS");
    assert.ok((await hash(page)).startsWith("#/password"), "a wrong current password keeps the page");
    await page.$eval("#current-password", (e) => { e.value = ""; });
    await page.type("#current-password", fx.employee.password);
    await page.click("#password-form button[type=submit]");
    await page.waitForSelector("#password-form .ok");
    // Back to the fixture's password for the tests that follow.
    await page.type("#current-password", "changed-Password-15");
    await page.type("#new-password", fx.employee.password);
    await page.type("#new-password-again", fx.employee.password);
    await page.click("#password-form button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll("#password-form .ok").length === 1 &&
      !document.querySelector("#password-form button[disabled]"));
    await page.browserContext().close();
  });

  // Last: it fails sign-ins on purpose (its own account, fx.lockout).
  test("a wrong password many times: the account is locked (ACCOUNT_LOCKED)", async () => {
    const page = await desk();
    await page.goto(at("/signin"));
    await page.waitForSelector("#signin-form");
    let last;
    for (let i = 0; i < 20; i++) {
      await page.$eval("#account", (e) => { e.value = ""; });
      await page.type("#account", fx.lockout.account);
      await page.type("#password", `wrong-${i}`);
      await page.click("#signin-form button[type=submit]");
      last = await refusalReason(page);
      if (last.reason === "ACCOUNT_LOCKED") break;
      assert.equal(last.reason, "BAD_CREDENTIALS", JSON.stringify(last));
    }
    assert.equal(last.reason, "ACCOUNT_LOCKED", JSON.stringify(last));
    assert.match(last.text, /锁定/);
    await shot(page, "signin-locked");
    await page.browserContext().close();
  });

  test("screenshots are kept", () => {
    for (const s of shots) assert.ok(existsSync(s), s);
  });
}
