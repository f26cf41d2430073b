// The manager's appraisal pages (issue 16, item 2) in Debian's Chromium
// (puppeteer-core) against the real survey-gateway --console and
// survey-server that tests/e2e/console_test.cc started. Manager E0001 of
// department AS: the department's sheets of a month (compared with
// ListSheets), a sheet of E0004 filled in the reviewer's editor (KPI
// weights that do not add up: the server's message at the weight field;
// fixed, an incident reported and confirmed, submitted), another
// department's sheet and list refused, the department appraisal and the
// quarter view (compared with GetDepartmentAppraisal and
// ListQuarterlyScores). Every figure read off a page is compared with the
// API's answer fetched in the same browser with the same session cookie.
//
// Data: E0002's 2026-10 sheet belongs to console_appraisal.test.mjs, and the
// HR files after this one make and grade 2026-09 and the year 2026, so this
// file changes only 2025-12 (outside the graded year): E0004's sheet and
// AS's department appraisal of that month. Environment:
//   SURVEY_CONSOLE_URL, SURVEY_CONSOLE_FIXTURE, SURVEY_WEB_ARTIFACTS, CHROMIUM
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium, signedInPages } from "./console_session.mjs";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("manager tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const period = fx.appraisalPeriod ?? "2026-10";  // pushed: satisfaction lines, customer part
  const fillMonth = "2025-12";                     // this file's own month
  const fillQuarter = "2025-Q4";
  const dept = fx.manager.department ?? "AS";
  const target = "E0004";                          // an AS engineer other than E0002
  const otherDept = fx.otherDepartment ?? "CS";
  const otherEmployee = "E0013";                   // an agent of CS
  let chromium, as;

  before(async () => {
    chromium = await launchChromium("chromium-manager-");
    as = signedInPages(chromium.browser, origin, fx);
  });
  after(async () => {
    await chromium?.close();
  });

  // A Connect unary call of AppraisalService with the page's session.
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
  async function open(page, hash, busy) {
    await page.goto("about:blank");
    await page.goto(`${origin}/c/#${hash}`);
    await page.waitForSelector(`${busy}[aria-busy="false"]`);
  }
  async function shot(page, name) {
    await page.screenshot({ path: join(artifacts, `manager-${name}.png`), fullPage: true });
  }
  async function axe(page) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`), []);
  }
  const num = (x) => Number(x ?? 0);
  const stateName = (s) => (s ?? "SHEET_STATE_UNSPECIFIED").replace("SHEET_STATE_", "");
  const sectionOf = (s) => (s ?? "").replace("SHEET_SECTION_", "");

  // The department table against ListSheets: the same sheets in the same
  // order, each with its state, score, coefficient, late and flags.
  async function sameTable(page, month, departmentCode = "") {
    const listed = (await call(page, "ListSheets", { period: month, departmentCode })).sheets ?? [];
    const rows = await page.$$eval('table[data-table="department-sheets"] tbody tr', (trs) => trs.map((tr) => {
      const v = (f) => tr.querySelector(`[data-field="${f}"]`)?.dataset.value ?? null;
      return { no: tr.dataset.employee, state: v("state"), score: v("score"), coefficient: v("coefficient"),
        late: v("late"), flags: v("flags"), href: tr.querySelector('[data-field="open"]').getAttribute("href") };
    }));
    assert.deepEqual(rows.map((r) => r.no), listed.map((s) => s.employeeNo), "one row per sheet, in order");
    for (const s of listed) {
      const r = rows.find((x) => x.no === s.employeeNo);
      assert.equal(r.state, stateName(s.state), `${s.employeeNo} state`);
      assert.equal(r.score, s.scored ? String(num(s.score)) : "", `${s.employeeNo} score`);
      assert.equal(r.coefficient, s.scored ? String(num(s.coefficient)) : "", `${s.employeeNo} coefficient`);
      assert.equal(r.late, s.late ? "true" : "false", `${s.employeeNo} late`);
      assert.equal(r.flags, (s.flags ?? []).join("|"), `${s.employeeNo} flags`);
      assert.equal(r.href, `#/appraisal/review?employee=${s.employeeNo}&month=${month}`);
    }
    const totals = await page.$eval("#department-totals", (p) => ({ ...p.dataset }));
    assert.equal(Number(totals.count), listed.length);
    assert.equal(Number(totals.late), listed.filter((s) => s.late).length);
    return listed;
  }

  const reviewHash = (no, month) => `/appraisal/review?employee=${no}&month=${month}`;
  const fact = (page, field) => page.$eval(`#review-summary [data-field="${field}"]`,
    (d) => ({ text: d.textContent, value: d.dataset.value ?? "" }));
  // The lines of a section as the editor shows them.
  const sectionRows = (page, code) => page.$$eval(`section[data-section="${code}"] tbody tr`, (trs) => trs.map((tr) => ({
    id: tr.dataset.line, key: tr.dataset.key,
    title: tr.querySelector('[data-field="title"] input')?.value ?? tr.querySelector('[data-field="title"]')?.textContent,
    weight: tr.querySelector('[data-field="weight"] input')?.id ?? null,
    confirmed: tr.querySelector('[data-field="confirmed"] input')?.id ?? null,
    score: tr.querySelector('[data-field="score"]')?.dataset.value ?? null })));
  async function typeInto(page, selector, text) {
    await page.$eval(selector, (e) => { e.value = ""; });
    await page.type(selector, text);
  }

  describe("manager: the department's appraisal", () => {
    test("manager: the department's sheets equal ListSheets, each row opens its sheet", async () => {
      const mgr = await as("manager");
      await open(mgr, `/appraisal/department?month=${period}`, "#department-body");
      assert.ok(await mgr.$('#nav a[data-route="appraisal/department"]'), "a navigation entry for the manager");
      const listed = await sameTable(mgr, period);
      assert.ok(listed.length >= 10, "the whole department, sheets or not");
      assert.ok(listed.every((s) => s.departmentCode === dept), "only the manager's department");
      assert.ok(listed.some((s) => s.employeeNo === fx.employee.employee_no));
      // The company's time zone, as the server names it.
      assert.ok(listed[0].timeZone, "the server names the company's time zone");
      assert.ok((await mgr.$eval("#department-body .hint", (p) => p.textContent)).includes(listed[0].timeZone));
      await axe(mgr);
      await shot(mgr, "department-zh");
      // A row opens the reviewer's editor of that sheet.
      await Promise.all([mgr.waitForFunction((h) => location.hash === h, {}, `#${reviewHash(target, period)}`),
        mgr.click(`tr[data-employee="${target}"] a[data-field="open"]`)]);
      await mgr.waitForSelector('#review-body[aria-busy="false"]');
      assert.equal((await fact(mgr, "state")).value,
        stateName((await call(mgr, "GetSheet", { employeeNo: target, period })).state));
    });

    test("manager: KPI weights that do not add up: the server's message at the field; fixed and submitted", async () => {
      const mgr = await as("manager");
      await open(mgr, reviewHash(target, fillMonth), "#review-body");
      let sheet = await call(mgr, "GetSheet", { employeeNo: target, period: fillMonth });
      assert.equal(sheet.state, "SHEET_STATE_DRAFT");
      assert.equal((sheet.lines ?? []).length, 0, "a fresh sheet");

      // Two KPI lines of 60 % and 30 %, a behaviour line of 100 %.
      await mgr.click('button[data-add="kpi"]');
      await mgr.click('button[data-add="kpi"]');
      await mgr.click('button[data-add="behaviour"]');
      const fill = [["new1", "工单闭环率", "60", "80"], ["new2", "备件准确率", "30", "90"], ["new3", "服务态度", "100", "85"]];
      for (const [key, title, weight, score] of fill) {
        await mgr.type(`#line-${key}-title`, title);
        await mgr.type(`#line-${key}-weight`, weight);
        await mgr.type(`#line-${key}-reviewer`, score);
      }
      await mgr.click("#save-lines");
      await mgr.waitForSelector("#review-status .ok");
      sheet = await call(mgr, "GetSheet", { employeeNo: target, period: fillMonth });
      assert.deepEqual(sheet.lines.map((l) => [sectionOf(l.section), l.title, num(l.weightPercent), num(l.reviewerScore)]),
        [["KPI", "工单闭环率", 60, 80], ["KPI", "备件准确率", 30, 90], ["BEHAVIOUR", "服务态度", 100, 85]]);
      // The server's verdict of the saved lines is at the KPI weights.
      const invalid = (sheet.flags ?? []).find((f) => f.startsWith("invalid: "));
      assert.ok(invalid && invalid.includes("section kpi line weights sum to 90, must be 100"), invalid);
      const atKpi = () => mgr.$$eval('section[data-section="kpi"] #weights-error-kpi .field-error',
        (ps) => ps.map((p) => ({ text: p.querySelector(".server-message").textContent, reason: p.dataset.reason })));
      assert.deepEqual(await atKpi(), [{ text: "section kpi line weights sum to 90, must be 100", reason: "" }]);
      const kpiWeights = () => mgr.$$eval('section[data-section="kpi"] [data-field="weight"] input', (is) => is.map((i) => ({
        id: i.id, invalid: i.getAttribute("aria-invalid"), describedBy: i.getAttribute("aria-describedby") })));
      for (const w of await kpiWeights()) {
        assert.equal(w.invalid, "true", `${w.id} marked invalid`);
        assert.equal(w.describedBy, "weights-error-kpi", `${w.id} described by the server's message`);
      }
      assert.equal(await mgr.$$eval('section[data-section="behaviour"] .field-error', (ps) => ps.length), 0);

      // Submitting is refused: the refusal at the button, its message at
      // the KPI weights (with its reason), the focus on the first weight.
      await mgr.click("#submit-sheet");
      const refused = await mgr.waitForSelector("#transition-status .refusal");
      const r = await refused.evaluate((e) => ({ code: e.dataset.code, reason: e.dataset.reason, text: e.textContent }));
      assert.equal(r.code, "FailedPrecondition");
      assert.equal(r.reason, "FAILED_PRECONDITION");
      const again = await api(mgr, "TransitionSheet", { employeeNo: target, period: fillMonth, to: "SHEET_STATE_SUBMITTED" });
      assert.notEqual(again.status, 200);
      assert.match(again.body.message, /section kpi line weights sum to 90, must be 100/);
      assert.ok(r.text.includes(again.body.message), r.text);
      assert.deepEqual(await atKpi(), [{ text: again.body.message, reason: "FAILED_PRECONDITION" }]);
      const focused = await mgr.evaluate(() => document.activeElement?.id ?? "");
      assert.equal(focused, (await kpiWeights())[0].id, "the focus goes to the field the server named");
      await axe(mgr);
      await shot(mgr, "review-weights-refused-zh");

      // An incident, reported in the page: it waits for confirmation.
      await mgr.type("#incident-title", "客户投诉：上门超时");
      await mgr.type("#incident-points", "-5");
      await mgr.click("#report-incident");
      await mgr.waitForSelector("#incident-status .ok");
      sheet = await call(mgr, "GetSheet", { employeeNo: target, period: fillMonth });
      const incident = sheet.lines.find((l) => l.section === "SHEET_SECTION_INCIDENTS");
      assert.ok(incident && !incident.confirmed && num(incident.points) === -5, JSON.stringify(incident));
      const incidents = await sectionRows(mgr, "incidents");
      assert.deepEqual(incidents.map((x) => x.id), [incident.id]);

      // Fixed (30 -> 40), the incident confirmed, saved: no message left.
      const kpi = await sectionRows(mgr, "kpi");
      const second = kpi.find((x) => x.title === "备件准确率");
      await typeInto(mgr, `#${second.weight}`, "40");
      await mgr.click(`#${incidents[0].confirmed}`);
      await mgr.click("#save-lines");
      await mgr.waitForSelector("#review-status .ok");
      assert.deepEqual(await atKpi(), []);
      assert.equal(await mgr.$$eval('#review-form [aria-invalid="true"]', (is) => is.length), 0);
      sheet = await call(mgr, "GetSheet", { employeeNo: target, period: fillMonth });
      assert.equal(sheet.scored, true, JSON.stringify(sheet.flags));
      assert.equal(Number((await fact(mgr, "score")).value), num(sheet.score));
      assert.equal(Number((await fact(mgr, "coefficient")).value), num(sheet.coefficient));
      assert.equal((await fact(mgr, "flags")).value, (sheet.flags ?? []).join("|"));
      assert.equal((await fact(mgr, "data-due")).value, sheet.dataDueDate);
      assert.equal((await fact(mgr, "time-zone")).value, sheet.timeZone);
      // 80 % × (60×80 + 40×90)/100 + 20 % × 85 − 5: the page shows the server's.
      assert.equal(num(sheet.score).toFixed(2), "79.20");
      for (const l of sheet.lines) {
        const shown = await mgr.$eval(`tr[data-line="${l.id}"] [data-field="score"]`, (td) => td.dataset.value);
        assert.equal(shown, l.score === undefined ? "" : String(l.score), `${l.id} score`);
      }

      // Submitted.
      await mgr.click("#submit-sheet");
      await mgr.waitForSelector("#transition-status .ok");
      sheet = await call(mgr, "GetSheet", { employeeNo: target, period: fillMonth });
      assert.equal(sheet.state, "SHEET_STATE_SUBMITTED");
      assert.equal((await fact(mgr, "state")).value, "SUBMITTED");
      assert.equal(await mgr.$("#review-form input"), null, "no inputs past draft");
      assert.ok(await mgr.$("#return-sheet"), "the manager may return it before the employee confirms");
      const what = await mgr.$$eval('table[data-table="history"] [data-field="what"]', (tds) => tds.map((t) => t.textContent));
      const history = await call(mgr, "GetSheetHistory", { employeeNo: target, period: fillMonth });
      assert.deepEqual(what, history.changes.map((c) => c.what ?? ""));
      const details = await mgr.$$eval('table[data-table="history"] [data-field="details"]', (tds) => tds.map((t) => t.textContent));
      assert.ok(details.includes("状态: 草稿 → 已提交"), details.join(" | "));
      await axe(mgr);
      await shot(mgr, "review-submitted-zh");

      // The department's table of that month shows it as the API does.
      await open(mgr, `/appraisal/department?month=${fillMonth}`, "#department-body");
      const listed = await sameTable(mgr, fillMonth);
      assert.equal(stateName(listed.find((s) => s.employeeNo === target).state), "SUBMITTED");
    });

    test("manager: another department's sheet and list are the server's refusal", async () => {
      const mgr = await as("manager");
      await open(mgr, reviewHash(otherEmployee, period), "#review-body");
      const r = await mgr.$eval("#review-body .refusal", (e) => ({ code: e.dataset.code, text: e.textContent }));
      assert.equal(r.code, "PermissionDenied");
      assert.match(r.text, /not an employee of your department/);
      assert.equal(await mgr.$("#review-form"), null);
      assert.equal(await mgr.$("#review-summary"), null);
      await axe(mgr);
      await shot(mgr, "refusal-other-department-sheet");

      await open(mgr, `/appraisal/department?month=${period}&department=${otherDept}`, "#department-body");
      const list = await mgr.$eval("#department-body .refusal", (e) => ({ code: e.dataset.code }));
      assert.equal(list.code, "PermissionDenied");
      assert.equal(await mgr.$('table[data-table="department-sheets"]'), null, "no rows of another department");
      const direct = await api(mgr, "ListSheets", { period, departmentCode: otherDept });
      assert.notEqual(direct.status, 200);
      await axe(mgr);
      await shot(mgr, "refusal-other-department-list");
    });

    test("manager: the department appraisal and the quarter view equal the API", async () => {
      // HR enters AS's audited scores of the month in the page.
      const hr = await as("hr");
      await open(hr, `/appraisal/unit?month=${fillMonth}&department=${dept}`, "#unit-body");
      await typeInto(hr, "#unit-duties", "90");
      await typeInto(hr, "#unit-plan", "85");
      await typeInto(hr, "#unit-key", "95");
      await hr.click("#save-unit");
      await hr.waitForSelector("#unit-status .ok");
      await axe(hr);
      await shot(hr, "unit-hr-zh");

      const mgr = await as("manager");
      const unitFacts = (page) => page.$$eval("#unit-facts [data-field]", (ds) =>
        Object.fromEntries(ds.filter((d) => d.tagName === "DD").map((d) => [d.dataset.field, d.dataset.value])));
      for (const month of [fillMonth, period]) {
        await open(mgr, `/appraisal/unit?month=${month}`, "#unit-body");
        const d = await call(mgr, "GetDepartmentAppraisal", { departmentCode: dept, period: month });
        const shown = await unitFacts(mgr);
        assert.deepEqual(shown, {
          duties: String(num(d.dutiesScore)), plan: String(num(d.planScore)), customer: String(num(d.customerScore)),
          "key-indicator": String(num(d.keyIndicatorScore)),
          total: d.complete ? String(num(d.total)) : "", "total-normalised": d.complete ? String(num(d.totalNormalised)) : "",
        }, month);
        assert.equal(await mgr.$("#unit-form"), null, "the audited scores are HR's");
        if (month === fillMonth) {
          assert.equal(d.complete, true);
          assert.deepEqual([num(d.dutiesScore), num(d.planScore), num(d.keyIndicatorScore)], [90, 85, 95]);
        } else {
          // The customer part the push wrote, with its provenance.
          const p = d.customerProvenance ?? {};
          const text = await mgr.$eval('[data-field="customer-provenance"]', (e) => e.textContent);
          for (const m of p.periods ?? []) assert.ok(text.includes(m), text);
          if (!p.insufficientResponses && p.responses) assert.match(text, new RegExp(`(^|\\D)${p.responses}(\\D|$)`));
          await axe(mgr);
          await shot(mgr, "unit-zh");
        }
      }

      // The quarter of the filled month.
      const quarter = fillQuarter;
      await open(mgr, `/appraisal/quarter?quarter=${quarter}`, "#quarter-body");
      const scores = (await call(mgr, "ListQuarterlyScores", { quarter })).scores ?? [];
      const rows = await mgr.$$eval('table[data-table="quarter"] tbody tr', (trs) => trs.map((tr) => {
        const v = (f) => tr.querySelector(`[data-field="${f}"]`).dataset.value;
        return { no: tr.dataset.employee, complete: tr.dataset.complete, role: v("role"), own: v("own"), months: v("months"),
          department: v("department"), departmentMonths: v("department-months"), quarterly: v("quarterly") };
      }));
      assert.deepEqual(rows, scores.map((s) => ({ no: s.employeeNo, complete: s.complete ? "true" : "false",
        role: s.manager ? "manager" : "member", own: num(s.months) > 0 ? String(num(s.own)) : "", months: String(num(s.months)),
        department: num(s.departmentMonths) > 0 ? String(num(s.department)) : "",
        departmentMonths: String(num(s.departmentMonths)), quarterly: s.complete ? String(num(s.quarterly)) : "" })));
      assert.ok(scores.every((s) => s.departmentCode === dept));
      const mine = scores.find((s) => s.employeeNo === target);
      assert.equal(mine.complete, true, "E0004's submitted sheet and AS's appraisal make a quarterly score");
      await axe(mgr);
      await shot(mgr, "quarter-zh");

      // English.
      await mgr.click("#lang");
      await mgr.waitForFunction(() => document.documentElement.lang === "en" &&
        document.querySelector('#quarter-body[aria-busy="false"]') && /Quarterly scores/.test(document.querySelector("h1")?.textContent ?? ""));
      assert.equal(await mgr.$eval(`tr[data-employee="${target}"] [data-field="quarterly"]`, (td) => td.dataset.value),
        String(num(mine.quarterly)));
      await axe(mgr);
      await shot(mgr, "quarter-en");
      await mgr.click("#lang");
      await mgr.waitForFunction(() => document.documentElement.lang === "zh-CN");
    });
  });
}
