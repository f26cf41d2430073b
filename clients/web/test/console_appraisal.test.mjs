// The employee's appraisal sheet page (issue 16, item 1) in Debian's
// Chromium (puppeteer-core) against the real survey-gateway --console and
// survey-server that tests/e2e/console_test.cc started (it pushed the closed
// month's satisfaction and gave E0002's sheet a KPI and a behaviour line,
// leaving it a draft). The figures the page shows are compared with the
// API's GetSheet fetched in the same browser with the same session cookie.
// The manager's submit and HR's release are API calls from their own signed
// -in pages (their pages are not part of this slice). Environment:
//   SURVEY_CONSOLE_URL      gateway origin, e.g. http://127.0.0.1:8080
//   SURVEY_CONSOLE_FIXTURE  JSON file: accounts, periods
//   SURVEY_WEB_ARTIFACTS    directory for the screenshots
//   CHROMIUM                default /usr/bin/chromium
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium, signedInPages } from "./console_session.mjs";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("appraisal tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const period = fx.appraisalPeriod ?? "2026-10";
  const no = fx.employee.employee_no;
  let chromium, as;

  before(async () => {
    chromium = await launchChromium("chromium-appraisal-");
    as = signedInPages(chromium.browser, origin, fx);
  });
  after(async () => {
    await chromium?.close();
  });

  // A Connect unary call with the page's own session cookie and the
  // gateway's anti-forgery header. Returns { status, body }.
  async function api(page, method, body) {
    return page.evaluate(async (m, b) => {
      const r = await fetch(`/survey.v1.AppraisalService/${m}`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(b),
        headers: { "content-type": "application/json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
      });
      return { status: r.status, body: await r.json() };
    }, method, body);
  }
  async function call(page, method, body) {
    const r = await api(page, method, body);
    assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  // Opens the sheet page and waits until it has drawn the server's answer.
  async function open(page, query = `month=${period}`) {
    await page.goto(`${origin}/c/#/appraisal/sheet?${query}`);
    await page.waitForSelector('#sheet-body[aria-busy="false"]');
  }
  async function reloadSheet(page) {
    await page.goto("about:blank");
    await open(page);
  }
  async function shot(page, name) {
    await page.screenshot({ path: join(artifacts, `appraisal-${name}.png`), fullPage: true });
  }
  async function axe(page) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`), []);
  }
  const fact = (page, field) => page.$eval(`#sheet-summary [data-field="${field}"]`,
    (d) => ({ text: d.textContent, value: d.dataset.value ?? "" }));
  const num = (x) => Number(x ?? 0);

  // The page's figures against GetSheet's: state, score, coefficient, pay,
  // flags, due date, and every line's weight, self score and score.
  async function samePage(page) {
    const sheet = await call(page, "GetSheet", { employeeNo: no, period });
    assert.equal((await fact(page, "state")).value, (sheet.state ?? "SHEET_STATE_UNSPECIFIED").replace("SHEET_STATE_", ""));
    if (sheet.scored) {
      assert.equal(Number((await fact(page, "score")).value), num(sheet.score));
      assert.equal(Number((await fact(page, "coefficient")).value), num(sheet.coefficient));
      assert.match((await fact(page, "score")).text, new RegExp(`${num(sheet.maxScore).toFixed(2)}`));
    } else {
      assert.equal((await fact(page, "score")).value, "");
    }
    assert.equal(Number((await fact(page, "performance-pay")).value), num(sheet.performancePay));
    assert.equal(Number((await fact(page, "base-pay")).value), num(sheet.basePay));
    assert.equal((await fact(page, "flags")).value, (sheet.flags ?? []).join("|"));
    assert.equal((await fact(page, "data-due")).value, sheet.dataDueDate ?? "");
    const rows = await page.$$eval("tr[data-line]", (trs) => trs.map((tr) => {
      const v = (f) => tr.querySelector(`[data-field="${f}"]`)?.dataset.value ?? null;
      return { id: tr.dataset.line, weight: v("weight"), self: v("self"), score: v("score"),
        provenance: tr.querySelector('[data-field="provenance"]')?.textContent ?? null };
    }));
    assert.equal(rows.length, sheet.lines.length, "one row per line");
    for (const l of sheet.lines) {
      const r = rows.find((x) => x.id === l.id);
      assert.ok(r, `line ${l.id} shown`);
      assert.equal(Number(r.weight), num(l.weightPercent), `${l.id} weight`);
      assert.equal(r.self, l.selfScore === undefined ? "" : String(l.selfScore), `${l.id} self score`);
      assert.equal(r.score, l.score === undefined ? "" : String(l.score), `${l.id} score`);
      if (l.satisfaction) {
        const p = l.provenance ?? {};
        for (const m of p.periods ?? []) assert.ok(r.provenance.includes(m), `provenance names ${m}`);
        if (p.insufficientResponses) {
          assert.match(r.provenance, /答卷不足|Insufficient responses/);
        } else {
          assert.match(r.provenance, new RegExp(`(^|\\D)${p.responses}(\\D|$)`));
          assert.ok(r.provenance.includes(num(p.mean).toFixed(2)), r.provenance);
          assert.ok(r.provenance.includes(num(p.ci95?.low).toFixed(2)), r.provenance);
        }
        assert.ok(r.provenance.includes(`${p.anonymityK}`), r.provenance);
      }
    }
    return sheet;
  }

  describe("appraisal: the employee's sheet", () => {
    test("appraisal: self score, confirm, appeal, listed; figures equal GetSheet", async () => {
      const emp = await as("employee");
      await open(emp);
      let sheet = await samePage(emp);
      assert.equal(sheet.state, "SHEET_STATE_DRAFT");
      assert.ok(sheet.lines.some((l) => l.satisfaction), "the push wrote the satisfaction line");
      await axe(emp);
      await shot(emp, "sheet-draft-zh");

      // A self score out of range: the server's refusal at the form.
      const line = sheet.lines.find((l) => !l.satisfaction && l.section === "SHEET_SECTION_KPI");
      const input = `#self-${line.id}`;
      await emp.$eval(input, (e) => { e.removeAttribute("max"); e.value = "150"; });
      await emp.click("#save-self");
      const bad = await emp.waitForSelector("#self-status .refusal");
      assert.equal(await bad.evaluate((e) => e.dataset.code), "InvalidArgument");
      // A good one is saved through UpdateSheetLines.
      await emp.$eval(input, (e) => { e.value = "85"; });
      await emp.click("#save-self");
      await emp.waitForSelector("#self-status .ok");
      sheet = await samePage(emp);
      assert.equal(sheet.lines.find((l) => l.id === line.id).selfScore, 85);

      // The manager submits (their pages are the next slice): the form is
      // gone and the page offers confirmation.
      const mgr = await as("manager");
      await call(mgr, "TransitionSheet", { employeeNo: no, period, to: "SHEET_STATE_SUBMITTED" });
      await reloadSheet(emp);
      assert.equal(await emp.$(input), null, "no self score input past draft");
      await emp.click("#confirm-sheet");
      await emp.waitForSelector("#confirm-status .ok");
      sheet = await samePage(emp);
      assert.equal(sheet.state, "SHEET_STATE_CONFIRMED");

      // HR releases the result: the appeal deadline counts down.
      const hr = await as("hr");
      await call(hr, "TransitionSheet", { employeeNo: no, period, to: "SHEET_STATE_APPEAL_WINDOW" });
      await reloadSheet(emp);
      sheet = await samePage(emp);
      const deadline = await fact(emp, "appeal-deadline");
      const d = new Date((Number(sheet.appealDeadlineUnix) + 8 * 3600) * 1000).toISOString().slice(0, 10);
      assert.equal(deadline.value, d, "the deadline's day in the company's zone (Asia/Shanghai)");
      assert.match(deadline.text, /剩余 [1-9]\d* 个工作日/);
      // The zone's name, from the sheet itself (Sheet.time_zone), with its offset.
      assert.equal(sheet.timeZone, "Asia/Shanghai");
      assert.equal((await fact(emp, "time-zone")).value, sheet.timeZone);
      assert.match((await fact(emp, "time-zone")).text, /^Asia\/Shanghai \(UTC\+08:00\)$/);

      // The appeal with its reason; it is listed as open.
      await emp.type("#appeal-reason", "满意度样本偏少，请复核");
      await emp.click("#file-appeal");
      await emp.waitForSelector("#appeal-status .ok");
      const listed = await call(emp, "ListAppeals", { employeeNo: no, period });
      assert.equal(listed.appeals.length, 1);
      const shown = await emp.$$eval('table[data-table="appeals"] tbody tr', (trs) => trs.map((tr) => ({
        id: tr.dataset.appeal, state: tr.dataset.state,
        reason: tr.querySelector('[data-field="reason"]').textContent,
        deadline: tr.querySelector('[data-field="deadline"]').textContent })));
      assert.deepEqual(shown, [{ id: listed.appeals[0].id, state: "OPEN", reason: "满意度样本偏少，请复核",
        deadline: listed.appeals[0].deadline }]);
      assert.equal(listed.appeals[0].deadline, d);
      // A second appeal while the first is open: the server's refusal at
      // the form.
      await emp.type("#appeal-reason", "再次申诉");
      await emp.click("#file-appeal");
      const again = await emp.waitForSelector("#appeal-status .refusal");
      assert.equal(await again.evaluate((e) => e.dataset.code), "FailedPrecondition");
      // The history names each step.
      const what = await emp.$$eval('table[data-table="history"] [data-field="what"]', (tds) => tds.map((t) => t.textContent));
      const history = await call(emp, "GetSheetHistory", { employeeNo: no, period });
      assert.deepEqual(what, history.changes.map((c) => c.what ?? ""));
      const details = await emp.$$eval('table[data-table="history"] [data-field="details"]', (tds) => tds.map((t) => t.textContent));
      assert.ok(details.includes("状态: 已提交 → 已确认"), details.join(" | "));
      assert.ok(details.some((d) => d.includes(`${line.title} 自评 — → 85`)), details.join(" | "));
      if ((sheet.flags ?? []).includes("late")) assert.match((await fact(emp, "flags")).text, /逾期/);
      await axe(emp);
      await shot(emp, "sheet-appealed-zh");

      // HR accepts it with a new score: the employee follows the decision,
      // and the page's score is the API's (the appeal's).
      await call(hr, "ResolveAppeal", { appealId: listed.appeals[0].id, accept: true, newScore: 80,
        resolution: "复核后改为 80 分" });
      await reloadSheet(emp);
      sheet = await samePage(emp);
      assert.equal(num(sheet.score), 80);
      assert.match((await fact(emp, "flags")).text, /得分经申诉调整/);
      const decided = await emp.$eval('table[data-table="appeals"] tbody tr', (tr) => ({
        state: tr.dataset.state, resolution: tr.querySelector('[data-field="resolution"]').textContent,
        score: tr.querySelector('[data-field="new-score"]').textContent }));
      assert.deepEqual(decided, { state: "ACCEPTED", resolution: "复核后改为 80 分", score: "80.00" });
      await shot(emp, "sheet-appeal-accepted-zh");

      // English.
      await emp.click("#lang");
      await emp.waitForFunction(() => document.documentElement.lang === "en" &&
        document.querySelector('#sheet-body[aria-busy="false"]') && /Monthly appraisal sheet/.test(document.querySelector("h1")?.textContent ?? ""));
      await samePage(emp);
      assert.match((await fact(emp, "appeal-deadline")).text, /working days? left/);
      await axe(emp);
      await shot(emp, "sheet-appealed-en");
      await emp.click("#lang");
    });

    test("appraisal: this month's draft counts down to its data due date", async () => {
      const emp = await as("employee");
      const month = fx.newCampaignPeriod ?? "2026-12";
      await open(emp, `month=${month}`);
      const sheet = await call(emp, "GetSheet", { employeeNo: no, period: month });
      const due = await fact(emp, "data-due");
      assert.equal(due.value, sheet.dataDueDate);
      assert.match(due.text, /剩余 [1-9]\d* 个工作日/);
      await axe(emp);
    });

    // The server's clock moved past the appeal deadline (the harness's
    // --dev-appraisal-clock-file): the employee's appeal is refused, in the
    // page, with the server's reason. Its own employee (a PC employee,
    // outside every other file's departments) and month (2025-08, outside
    // every graded year and quarter the other files use), made through the
    // API: a fresh activation code from HR, the sheet's lines, submit,
    // confirm, release.
    test("appraisal: after the deadline on a moved clock, the appeal is refused", {
      skip: fx.appraisalClockFile ? false : "the harness gives no appraisalClockFile",
    }, async () => {
      const late = { no: "E0033", month: "2025-08", password: "late-Appeal-Pass-16" };
      const hr = await as("hr");
      const account = async (page, method, body) => page.evaluate(async (m, b) => {
        const r = await fetch(`/survey.v1.AccountService/${m}`, {
          method: "POST", credentials: "same-origin", body: JSON.stringify(b),
          headers: { "content-type": "application/json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
        });
        return { status: r.status, body: await r.json() };
      }, method, body);
      const reset = await account(hr, "ResetPassword", { accountName: late.no });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      const ctx = await chromium.browser.createBrowserContext();
      const emp = await ctx.newPage();
      await emp.setViewport({ width: 1280, height: 900 });
      emp.setDefaultTimeout(20000);
      await emp.goto(`${origin}/c/#/signin`);
      const activated = await account(emp, "Activate", { accountName: late.no,
        activationCode: reset.body.activationCode, newPassword: late.password });
      assert.equal(activated.status, 200, JSON.stringify(activated.body));

      const lines = [
        { section: "SHEET_SECTION_KPI", title: "工单及时率", weightPercent: 100, reviewerScore: 75 },
        { section: "SHEET_SECTION_BEHAVIOUR", title: "团队协作", weightPercent: 100, reviewerScore: 80 }];
      await call(hr, "UpdateSheetLines", { employeeNo: late.no, period: late.month, lines });
      await call(hr, "TransitionSheet", { employeeNo: late.no, period: late.month, to: "SHEET_STATE_SUBMITTED" });
      await call(emp, "TransitionSheet", { employeeNo: late.no, period: late.month, to: "SHEET_STATE_CONFIRMED" });
      await call(hr, "TransitionSheet", { employeeNo: late.no, period: late.month, to: "SHEET_STATE_APPEAL_WINDOW" });
      const query = `month=${late.month}`;
      try {
        // 40 days on: past 5 working days whatever the holidays.
        writeFileSync(fx.appraisalClockFile, String(40 * 86400));
        await open(emp, query);
        const sheet = await call(emp, "GetSheet", { employeeNo: late.no, period: late.month });
        assert.equal(sheet.state, "SHEET_STATE_APPEAL_WINDOW");
        const day = new Date((Number(sheet.appealDeadlineUnix) + 8 * 3600) * 1000).toISOString().slice(0, 10);
        assert.ok(sheet.today > day, `the server's today ${sheet.today} is past the deadline ${day}`);
        const deadline = await fact(emp, "appeal-deadline");
        assert.equal(deadline.value, day);
        assert.match(deadline.text, /已过申诉期/);
        // The page still offers the form (the decision is the server's):
        // the refusal, its code and the server's own message, at the form.
        await emp.type("#appeal-reason", "过了截止日才看到结果");
        await emp.click("#file-appeal");
        const refused = await emp.waitForSelector("#appeal-status .refusal");
        const shown = await refused.evaluate((e) => ({ code: e.dataset.code,
          message: e.querySelector(".server-message")?.textContent ?? "" }));
        const direct = await api(emp, "FileAppeal", { employeeNo: late.no, period: late.month, reason: "直接调用" });
        assert.equal(direct.body.code, "failed_precondition");
        assert.deepEqual(shown, { code: "FailedPrecondition", message: direct.body.message });
        assert.match(shown.message, /deadline|截止/i);
        assert.equal((await call(emp, "ListAppeals", { employeeNo: late.no, period: late.month })).appeals?.length ?? 0, 0,
          "nothing was filed");
        await axe(emp);
        await shot(emp, "appeal-refused-after-deadline-zh");
      } finally {
        writeFileSync(fx.appraisalClockFile, "0");
      }
      // The clock is back: the same deadline is ahead again.
      await emp.goto("about:blank");
      await open(emp, query);
      assert.match((await fact(emp, "appeal-deadline")).text, /剩余 [1-9]\d* 个工作日/);
      await ctx.close();
    });

    test("appraisal: another employee's sheet is the server's refusal", async () => {
      const emp = await as("employee");
      await open(emp, `month=${period}&employee=${fx.otherEmployee ?? "E0003"}`);
      const r = await emp.$eval("#sheet-body .refusal", (e) => ({ code: e.dataset.code, text: e.textContent }));
      assert.equal(r.code, "PermissionDenied");
      assert.match(r.text, /an employee sees only their own sheet/);
      assert.equal(await emp.$("#sheet-summary"), null);
      await axe(emp);
      await shot(emp, "refusal-other-employee");
    });
  });
}
