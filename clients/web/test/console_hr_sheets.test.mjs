// HR's appraisal pages (issue 16, item 3, second half) in Debian's Chromium
// (puppeteer-core) against the survey-gateway --console and survey-server
// that tests/e2e/console_test.cc started: the sheets across the company
// with their filters, CSV export, release and finalize; the appeals queue;
// annual grading. Every figure the pages show is compared with the API's
// answer fetched in the same browser with the same session cookie. This
// file runs last: its own month (2026-09) is made in `before` through the
// API as HR (lines with reviewer scores for 38 employees, pay caps and
// profiles, a smaller grading unit for the year) and E0002 confirms it.
// Environment: SURVEY_CONSOLE_URL, SURVEY_CONSOLE_FIXTURE,
// SURVEY_WEB_ARTIFACTS (screenshots hr-*.png), CHROMIUM.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "./console_session.mjs";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("HR sheets tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const month = "2026-09";   // this file's own month
  const year = "2026";
  const no = fx.employee.employee_no;  // E0002: has a password, confirms and appeals
  const work = mkdtempSync(join(tmpdir(), "hr-sheets-"));
  const shots = [];
  let chromium;
  const pages = {};
  const dirs = {};

  // A signed-in page per role, each in a context of its own that downloads
  // into a directory of its own.
  async function as(role) {
    if (pages[role]) return pages[role];
    const dir = mkdtempSync(join(work, `dl-${role}-`));
    const ctx = await chromium.browser.createBrowserContext({ downloadBehavior: { policy: "allow", downloadPath: dir } });
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.setDefaultTimeout(20000);
    page.on("pageerror", (e) => console.error(`[${role}] page error: ${e.message}`));
    await page.goto(`${origin}/c/#/signin`);
    await page.waitForSelector("#signin-form #account");
    await page.type("#account", fx[role].account);
    await page.type("#password", fx[role].password);
    await Promise.all([page.waitForSelector("#who-name"), page.click("#signin-form button[type=submit]")]);
    pages[role] = page;
    dirs[role] = dir;
    return page;
  }

  // A Connect unary call with the page's own session cookie.
  async function api(page, method, body, service = "AppraisalService") {
    return page.evaluate(async (s, m, b) => {
      const r = await fetch(`/survey.v1.${s}/${m}`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(b),
        headers: { "content-type": "application/json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
      });
      return { status: r.status, body: await r.json() };
    }, service, method, body);
  }
  async function call(page, method, body, service) {
    const r = await api(page, method, body, service);
    assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
  // ExportSheets, a server stream, through the Connect streaming protocol:
  // enveloped JSON messages; the chunks' bytes (base64) joined as text.
  async function exportSheets(page, body) {
    const r = await page.evaluate(async (b) => {
      const json = new TextEncoder().encode(JSON.stringify(b));
      const env = new Uint8Array(5 + json.length);
      new DataView(env.buffer).setUint32(1, json.length);
      env.set(json, 5);
      const res = await fetch("/survey.v1.AppraisalService/ExportSheets", {
        method: "POST", credentials: "same-origin", body: env,
        headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
      });
      const buf = new Uint8Array(await res.arrayBuffer());
      const dec = new TextDecoder();
      const bytes = [];
      let end = null;
      for (let i = 0; i + 5 <= buf.length;) {
        const len = new DataView(buf.buffer, buf.byteOffset + i + 1, 4).getUint32(0);
        const msg = JSON.parse(dec.decode(buf.subarray(i + 5, i + 5 + len)));
        if (buf[i] & 2) end = msg;
        else if (msg.data) for (const c of atob(msg.data)) bytes.push(c.charCodeAt(0));
        i += 5 + len;
      }
      return { status: res.status, end, text: dec.decode(new Uint8Array(bytes)) };
    }, body);
    assert.equal(r.status, 200);
    assert.ok(!r.end?.error, JSON.stringify(r.end));
    return r.text;
  }
  function parseCsv(text) {
    const rows = [];
    let row = [], cell = "", quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows.filter((r) => r.some((x) => x !== ""));
  }
  async function downloaded(role) {
    const deadline = Date.now() + 15000;
    for (;;) {
      const files = readdirSync(dirs[role]).filter((f) => f.endsWith(".csv"));
      if (files.length) {
        const text = readFileSync(join(dirs[role], files[0]), "utf8");
        rmSync(join(dirs[role], files[0]));
        return { name: files[0], text };
      }
      if (Date.now() > deadline) throw new Error(`no download in ${dirs[role]}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function shot(page, name) {
    const path = join(artifacts, `hr-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  }
  async function axe(page, name) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${name}: ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`), []);
  }
  const num = (x) => Number(x ?? 0);
  const stateWord = (s) => (s ?? "SHEET_STATE_UNSPECIFIED").replace("SHEET_STATE_", "").toLowerCase();

  async function open(page, hash, busy) {
    await page.goto("about:blank");
    await page.goto(`${origin}/c/#${hash}`);
    await page.waitForSelector(`${busy}[aria-busy="false"]`);
  }

  // The scored employees of the month: every "other" post of AS and CS
  // (units of their own once the unit minimum is 9) and five of each of
  // four more departments (pooled: 20, so the pool has an E quota).
  let graded = [];
  before(async () => {
    chromium = await launchChromium("chromium-hr-sheets-");
    const hr = await as("hr");
    const employees = (await call(hr, "ListEmployees", { pageSize: 1000 }, "AdminService")).employees
      .filter((e) => e.active && e.postType === "POST_TYPE_OTHER");
    const by = (d) => employees.filter((e) => e.departmentCode === d).map((e) => e.employeeNo);
    graded = [...by("AS"), ...by("CS"), ...["TS", "PC", "MK", "HR"].flatMap((d) => by(d).slice(0, 5))];
    assert.ok(graded.includes(no) && graded.length >= 35, graded.join(","));
    // Pay: a cap for the month, a profile for each graded employee.
    const config = await call(hr, "GetPeriodConfig", { period: month });
    await call(hr, "SetPeriodConfig", { ...config, period: month,
      performanceCaps: { ...(config.performanceCaps ?? {}), "engineer:3": 3000 } });
    const december = await call(hr, "GetPeriodConfig", { period: `${year}-12` });
    await call(hr, "SetPeriodConfig", { ...december, period: `${year}-12`, minGradingUnit: 9,
      performanceCaps: { ...(december.performanceCaps ?? {}), "engineer:3": 3000 } });
    await call(hr, "SetPayProfiles", { profiles: graded.map((e) => ({ employeeNo: e, fromPeriod: month, post: "engineer",
      grade: "3", postPay: 4000, baseSalary: 60000 })) });
    // Lines with reviewer scores (spread, so the grades differ); AS's
    // sheets are submitted, E0002 confirms its own.
    for (let i = 0; i < graded.length; i++) {
      const kpi = 40 + ((i * 37) % 60), behaviour = 55 + ((i * 23) % 45);
      await call(hr, "UpdateSheetLines", { employeeNo: graded[i], period: month, lines: [
        { section: "SHEET_SECTION_KPI", title: "工单及时率", weightPercent: 100, reviewerScore: kpi },
        { section: "SHEET_SECTION_BEHAVIOUR", title: "团队协作", weightPercent: 100, reviewerScore: behaviour }] });
      if (by("AS").includes(graded[i])) {
        await call(hr, "TransitionSheet", { employeeNo: graded[i], period: month, to: "SHEET_STATE_SUBMITTED" });
      }
    }
    const emp = await as("employee");
    await call(emp, "TransitionSheet", { employeeNo: no, period: month, to: "SHEET_STATE_CONFIRMED" });
  });
  after(async () => {
    await chromium?.close();
    rmSync(work, { recursive: true, force: true });
    for (const s of shots) console.log(`screenshot: ${s}`);
  });

  // ---------------------------------------------------------------- grading
  async function sameGrading(page) {
    const g = await call(page, "GetAnnualGrading", { year });
    const shown = await page.$eval("#grading-result", (r) => ({
      provisional: r.dataset.provisional,
      units: [...r.querySelectorAll("section.grading-unit")].map((u) => ({
        name: u.dataset.unit,
        plotted: JSON.parse(u.querySelector("div.chart").dataset.plotted),
        quotas: [...u.querySelectorAll('tr[data-row="quota"] td[data-field^="quota-"]')].map((td) => Number(td.dataset.value)),
        counts: [...u.querySelectorAll('tr[data-row="given"] td[data-field^="given-"]')].map((td) => Number(td.dataset.value)),
      })),
      grades: [...r.querySelectorAll('table[data-table="grades"] tbody tr')].map((tr) => {
        const v = (f) => tr.querySelector(`[data-field="${f}"]`).dataset.value;
        return { no: v("employee"), grade: v("grade"), unit: v("unit"), coefficient: Number(v("coefficient")),
          payable: Number(v("payable")), formula: Number(v("formula")), flags: v("flags") };
      }),
      skipped: [...r.querySelectorAll('table[data-table="skipped"] tbody tr')].map((tr) => tr.dataset.text),
    }));
    assert.equal(shown.provisional, g.provisional ? "true" : "false");
    assert.equal(shown.units.length, g.units.length);
    g.units.forEach((u, i) => {
      const five = (xs) => [0, 1, 2, 3, 4].map((k) => num(xs?.[k]));
      const s = shown.units[i];
      assert.equal(s.name, u.name);
      assert.deepEqual(s.plotted, { unit: u.name, quotas: five(u.quotas), counts: five(u.counts) }, `chart of ${u.name}`);
      assert.deepEqual(s.quotas, five(u.quotas), `quotas of ${u.name}`);
      assert.deepEqual(s.counts, five(u.counts), `grades given in ${u.name}`);
    });
    assert.deepEqual(shown.grades, g.employees.map((e) => ({ no: e.employeeNo, grade: e.grade, unit: e.unit,
      coefficient: num(e.annualCoefficient), payable: num(e.yearEndBonus), formula: num(e.yearEndBonusFormula),
      flags: (e.flags ?? []).join("|") })));
    assert.deepEqual(shown.skipped, g.skipped ?? []);
    return g;
  }

  describe("HR appraisal: sheets, appeals, grading", () => {
    test("hr grading: run, then the page's quotas, grades, skipped and provisional equal GetAnnualGrading", async () => {
      const hr = await as("hr");
      await open(hr, `/appraisal/grading?year=${year}`, "#grading-body");
      await hr.$eval("#run-completion", (e) => { e.value = "100"; });
      await hr.$eval("#run-factor", (e) => { e.value = "1.5"; });
      await hr.click("#run-submit");
      await hr.waitForSelector("#run-status .ok");
      assert.equal(await hr.evaluate(() => document.activeElement?.closest("#run-status") !== null), true, "focus on the confirmation");
      let g = await sameGrading(hr);
      assert.equal(g.provisional, true, "sheets of the year are not final");
      assert.ok(g.units.length >= 3, `units: ${g.units.map((u) => u.name)}`);
      assert.ok((g.skipped ?? []).some((s) => /: no scored sheet in 2026$/.test(s)), "who was skipped and why");
      // Grade E: payable 0, the formula's amount beside it for information.
      const e = g.employees.filter((x) => x.grade === "E");
      assert.ok(e.length >= 1, "the pooled unit of 20 has an E");
      for (const x of e) {
        assert.equal(num(x.yearEndBonus), 0);
        assert.ok(num(x.yearEndBonusFormula) > 0);
        const row = await hr.$eval(`table[data-table="grades"] tr[data-employee="${x.employeeNo}"] [data-field="payable"]`, (td) => td.textContent);
        assert.equal(row, "0.00");
      }
      assert.ok(g.employees.some((x) => x.grade !== "E" && num(x.yearEndBonus) > 0 && num(x.yearEndBonus) === num(x.yearEndBonusFormula)));
      assert.match(await hr.$eval("#e-rule", (p) => p.textContent), /E.*0/);
      assert.match(await hr.$eval("#grading-provisional", (p) => p.textContent), /暂定/);
      await axe(hr, "grading");
      await shot(hr, "grading-zh");
      // Bookmarked: the stored grading, the same figures.
      await open(hr, `/appraisal/grading?year=${year}`, "#grading-body");
      g = await sameGrading(hr);
      // A dry run is labelled and not stored.
      await hr.click("#run-dry");
      await hr.select("#run-pooling", "company");
      await hr.click("#run-submit");
      await hr.waitForSelector('#grading-result[data-dry-run="true"]');
      assert.equal((await call(hr, "GetAnnualGrading", { year })).pooling, "department");
    });

    test("hr sheets: the table with each filter equals ListSheets with that filter", async () => {
      const hr = await as("hr");
      const cases = [{}, { department: "AS" }, { grade: "C" }, { late: "1" }, { state: "submitted" },
        { department: "CS", state: "draft", grade: "B" }, { state: "confirmed" }];
      for (const c of cases) {
        const q = new URLSearchParams({ month, ...c });
        await open(hr, `/appraisal/sheets?${q}`, "#sheets-body");
        const list = (await call(hr, "ListSheets", { period: month, departmentCode: c.department ?? "",
          grade: c.grade ?? "", lateOnly: c.late === "1" })).sheets ?? [];
        const want = list.filter((s) => !c.state || stateWord(s.state) === c.state).map((s) => ({
          no: s.employeeNo, state: stateWord(s.state), score: s.scored ? String(num(s.score)) : "",
          coefficient: s.scored ? String(num(s.coefficient)) : "", pay: String(num(s.performancePay)),
          base: String(num(s.basePay)), grade: s.grade ?? "", late: s.late ? "true" : "false", flags: (s.flags ?? []).join("|") }));
        const shown = await hr.$$eval('table[data-table="sheets"] tbody tr', (trs) => trs.map((tr) => {
          const v = (f) => tr.querySelector(`[data-field="${f}"]`).dataset.value;
          return { no: v("employee"), state: v("state"), score: v("score"), coefficient: v("coefficient"),
            pay: v("performance-pay"), base: v("base-pay"), grade: v("grade"), late: v("late"), flags: v("flags") };
        }));
        assert.deepEqual(shown, want, `filter ${q}`);
        assert.ok(want.length > 0 || (await hr.$("#no-sheets")) !== null, `filter ${q}: empty said so`);
        // The form shows the URL's filters.
        assert.equal(await hr.$eval("#filter-department", (s) => s.value), c.department ?? "");
        assert.equal(await hr.$eval("#filter-state", (s) => s.value), c.state ?? "");
      }
      // The form builds the bookmarkable URL.
      await open(hr, `/appraisal/sheets?month=${month}`, "#sheets-body");
      await hr.select("#filter-department", "AS");
      await hr.select("#filter-state", "submitted");
      await hr.click("#filter-late");
      await hr.click("#apply-filters");
      await hr.waitForFunction(() => /department=AS/.test(location.hash) && /state=submitted/.test(location.hash) &&
        /late=1/.test(location.hash) && document.querySelector('#sheets-body[aria-busy="false"]'));
      await axe(hr, "sheets");
      await shot(hr, "sheets-filtered-zh");
    });

    test("hr sheets: the CSV download's rows equal ExportSheets", async () => {
      const hr = await as("hr");
      for (const c of [{ department: "AS" }, { state: "draft" }]) {
        const q = new URLSearchParams({ month, ...c });
        await open(hr, `/appraisal/sheets?${q}`, "#sheets-body");
        await hr.click("#export-sheets");
        await hr.waitForSelector("#export-status .ok");
        const file = await downloaded("hr");
        const rows = parseCsv(file.text);
        let want = parseCsv(await exportSheets(hr, { period: month, departmentCode: c.department ?? "",
          format: "EXPORT_FORMAT_CSV" }));
        const col = want[0].indexOf("state");
        if (c.state) want = [want[0], ...want.slice(1).filter((r) => r[col] === c.state)];
        assert.deepEqual(rows, want, `export ${q}`);
        assert.ok(rows.length > 1);
        const table = await hr.$$eval('table[data-table="sheets"] tbody tr', (trs) => trs.map((tr) => tr.dataset.employee));
        assert.deepEqual(rows.slice(1).map((r) => r[1]), table, "the file has the table's sheets");
        assert.match(file.name, new RegExp(`^sheets-${month}`));
      }
    });

    test("hr sheets: release and finalize the month, with a confirmation and the server's refusals", async () => {
      const hr = await as("hr");
      await open(hr, `/appraisal/sheets?month=${month}`, "#sheets-body");
      // Cancelled: nothing moves.
      await hr.click("#release-month");
      assert.match(await hr.$eval("#month-question", (p) => p.textContent), /1/);
      await hr.click("#month-cancel");
      await hr.waitForSelector("#month-result [role=status]");
      let sheet = await call(hr, "GetSheet", { employeeNo: no, period: month });
      assert.equal(sheet.state, "SHEET_STATE_CONFIRMED");
      // Released: the confirmed sheet (E0002's) goes to its appeal window.
      await hr.click("#release-month");
      await hr.waitForSelector("#month-confirm-do");
      await shot(hr, "sheets-release-confirm-zh");
      await hr.click("#month-confirm-do");
      const done = await hr.waitForSelector("#month-summary");
      assert.deepEqual(await done.evaluate((p) => [p.dataset.done, p.dataset.refused]), ["1", "0"]);
      assert.equal(await hr.evaluate(() => document.activeElement?.id), "month-summary");
      sheet = await call(hr, "GetSheet", { employeeNo: no, period: month });
      assert.equal(sheet.state, "SHEET_STATE_APPEAL_WINDOW");
      assert.ok(Number(sheet.appealDeadlineUnix) > 0);
      // The table was redrawn from the server.
      assert.equal(await hr.$eval(`table[data-table="sheets"] tr[data-employee="${no}"]`, (tr) => tr.dataset.state), "appeal_window");
      // Finalize: the window is open (5 working days from today), so the
      // server refuses, and the page lists its reason per sheet.
      await hr.click("#finalize-month");
      await hr.click("#month-confirm-do");
      await hr.waitForSelector("#month-summary");
      const summary = await hr.$eval("#month-summary", (p) => [p.dataset.done, p.dataset.refused]);
      assert.deepEqual(summary, ["0", "1"]);
      const refused = await hr.$$eval('table[data-table="refusals"] tbody tr', (trs) => trs.map((tr) => ({
        no: tr.dataset.employee, message: tr.querySelector('[data-field="message"]').textContent })));
      assert.equal(refused.length, 1);
      assert.equal(refused[0].no, no);
      assert.match(refused[0].message, /appeal window is open until \d{4}-\d{2}-\d{2}/);
      assert.equal((await call(hr, "GetSheet", { employeeNo: no, period: month })).state, "SHEET_STATE_APPEAL_WINDOW");
      await axe(hr, "sheets-finalize-refused");
      await shot(hr, "sheets-finalize-refused-zh");
    });

    test("hr appeals: reject needs a reason (at the field), accept with a score; the employee sees score and pay", async () => {
      const hr = await as("hr");
      const emp = await as("employee");
      // The employee appeals the month HR just released.
      const filed = await call(emp, "FileAppeal", { employeeNo: no, period: month, reason: "KPI 数据有误，请复核" });
      await open(hr, "/appraisal/appeals", "#appeals-body");
      const card = `article.appeal-card[data-appeal="${filed.id}"]`;
      await hr.waitForSelector(card);
      // The queue equals ListAppeals (open), each with its sheet's figures.
      const open_ = (await call(hr, "ListAppeals", { state: "APPEAL_STATE_OPEN" })).appeals ?? [];
      assert.deepEqual(await hr.$$eval("article.appeal-card", (as) => as.map((a) => a.dataset.appeal)), open_.map((a) => a.id));
      const sheets = (await call(hr, "ListSheets", { period: month })).sheets;
      const s = sheets.find((x) => x.employeeNo === no);
      const fig = async (f) => hr.$eval(`${card} [data-field="${f}"]`, (d) => d.dataset.value);
      assert.equal(await fig("sheet-state"), "appeal_window");
      assert.equal(Number(await fig("sheet-score")), num(s.score));
      assert.equal(Number(await fig("sheet-coefficient")), num(s.coefficient));
      assert.equal(Number(await fig("sheet-performance-pay")), num(s.performancePay));
      assert.equal(Number(await fig("sheet-base-pay")), num(s.basePay));
      assert.equal(Number(await fig("score-before")), num(filed.scoreBefore));
      assert.equal(await fig("deadline"), filed.deadline);
      await axe(hr, "appeals");
      await shot(hr, "appeals-open-zh");

      // Reject without a reason: the server's refusal at the reason field.
      await hr.click(`#reject-${filed.id}`);
      await hr.click(`#submit-${filed.id}`);
      const err = await hr.waitForSelector(`#resolution-error-${filed.id} .refusal`);
      assert.equal(await err.evaluate((e) => e.dataset.code), "InvalidArgument");
      assert.match(await err.evaluate((e) => e.textContent), /resolution: required/);
      assert.equal(await hr.$eval(`#resolution-${filed.id}`, (t) => t.getAttribute("aria-invalid")), "true");
      assert.equal(await hr.evaluate(() => document.activeElement?.id), `resolution-${filed.id}`);
      await shot(hr, "appeals-reject-refused-zh");
      // Accept without a score: the refusal at the score field.
      await hr.click(`#accept-${filed.id}`);
      await hr.type(`#resolution-${filed.id}`, "复核后改为 85 分");
      await hr.click(`#submit-${filed.id}`);
      const scoreErr = await hr.waitForSelector(`#new-score-error-${filed.id} .refusal`);
      assert.match(await scoreErr.evaluate((e) => e.textContent), /new_score/);
      assert.equal((await call(hr, "ListAppeals", { employeeNo: no, period: month })).appeals[0].state, "APPEAL_STATE_OPEN");
      // Accepted with 85.
      await hr.type(`#new-score-${filed.id}`, "85");
      await hr.click(`#submit-${filed.id}`);
      await hr.waitForSelector(`#decided-note[data-appeal="${filed.id}"]`);
      assert.equal(await hr.evaluate(() => document.activeElement?.id), "decided-note");
      assert.equal(await hr.$(card), null, "left the open queue");
      const decided = (await call(hr, "ListAppeals", { employeeNo: no, period: month })).appeals[0];
      assert.equal(decided.state, "APPEAL_STATE_ACCEPTED");
      assert.equal(num(decided.newScore), 85);
      // The decided one under "accepted", with its decision.
      await open(hr, `/appraisal/appeals?state=accepted&month=${month}`, "#appeals-body");
      assert.equal(await fig("new-score"), "85");
      assert.equal(await fig("resolution"), "复核后改为 85 分");
      assert.equal(Number(await fig("sheet-score")), 85);
      await shot(hr, "appeals-accepted-zh");

      // The employee's page: the new score and the pay it gives.
      await emp.goto("about:blank");
      await emp.goto(`${origin}/c/#/appraisal/sheet?month=${month}`);
      await emp.waitForSelector('#sheet-body[aria-busy="false"]');
      const sheet = await call(emp, "GetSheet", { employeeNo: no, period: month });
      assert.equal(num(sheet.score), 85);
      assert.ok(num(sheet.performancePay) > 0, "a cap and a profile give pay");
      const f = (x) => emp.$eval(`#sheet-summary [data-field="${x}"]`, (d) => d.dataset.value);
      assert.equal(Number(await f("score")), 85);
      assert.equal(Number(await f("performance-pay")), num(sheet.performancePay));
      assert.equal(Number(await f("base-pay")), num(sheet.basePay));
    });

    test("hr pages: a manager and an employee get the server's refusal", async () => {
      const emp = await as("employee");
      await open(emp, `/appraisal/sheets?month=${month}`, "#sheets-body");
      assert.equal(await emp.$eval("#sheets-body .refusal", (e) => e.dataset.code), "PermissionDenied");
      assert.equal(await emp.$('table[data-table="sheets"]'), null);
      await axe(emp, "employee-sheets-refused");
      await shot(emp, "refusal-employee-sheets");
      // Their own appeals exist (state=all); the queue's sheet figures are HR's.
      await open(emp, "/appraisal/appeals?state=all", "#appeals-body");
      assert.equal(await emp.$eval("#appeals-body .refusal", (e) => e.dataset.code), "PermissionDenied");
      await open(emp, `/appraisal/grading?year=${year}`, "#grading-body");
      assert.equal(await emp.$eval("#grading-body .refusal", (e) => e.dataset.code), "PermissionDenied");
      assert.equal(await emp.$('nav a[data-route="appraisal/sheets"]'), null, "no HR entries in the employee's navigation");

      const mgr = await as("manager");
      await open(mgr, `/appraisal/sheets?month=${month}&department=${fx.otherDepartment ?? "CS"}`, "#sheets-body");
      assert.equal(await mgr.$eval("#sheets-body .refusal", (e) => e.dataset.code), "PermissionDenied");
      await shot(mgr, "refusal-manager-other-department");
      await open(mgr, `/appraisal/grading?year=${year}`, "#grading-body");
      await mgr.click("#run-submit");
      const run = await mgr.waitForSelector("#run-status .refusal");
      assert.equal(await run.evaluate((e) => e.dataset.code), "PermissionDenied");
      // Their own department's sheets are theirs to see, but releasing is
      // HR's: the server refuses each.
      await open(mgr, `/appraisal/sheets?month=${month}&state=appeal_window`, "#sheets-body");
      await mgr.click("#finalize-month");
      await mgr.click("#month-confirm-do");
      await mgr.waitForSelector("#month-summary");
      const refused = await mgr.$$eval('table[data-table="refusals"] tbody tr', (trs) => trs.map((tr) => ({
        no: tr.dataset.employee, reason: tr.querySelector('[data-field="reason"]').dataset.value,
        message: tr.querySelector('[data-field="message"]').textContent })));
      assert.deepEqual(refused.map((r) => r.no), [no]);
      assert.match(refused[0].message, /HR releases and files results/);
      assert.equal((await call(mgr, "GetSheet", { employeeNo: no, period: month })).state, "SHEET_STATE_APPEAL_WINDOW");
      assert.equal(await mgr.$('nav a[data-route="appraisal/grading"]'), null, "no HR entries in the manager's navigation");
      await axe(mgr, "manager-refused");
    });

    // Finalizing needs the appeal window to have passed: the server's
    // appraisal clock is moved 30 days on (the harness's development clock
    // file) and back, whatever happens.
    test("hr sheets: finalize once the appeal window has passed (moved clock)", { skip: !fx.appraisalClockFile }, async () => {
      const hr = await as("hr");
      writeFileSync(fx.appraisalClockFile, `${30 * 86400}\n`);
      try {
        await open(hr, `/appraisal/sheets?month=${month}&state=appeal_window`, "#sheets-body");
        const shown = await hr.$$eval('table[data-table="sheets"] tbody tr', (trs) => trs.map((tr) => tr.dataset.employee));
        assert.deepEqual(shown, [no]);
        await hr.click("#finalize-month");
        await hr.click("#month-confirm-do");
        const done = await hr.waitForSelector("#month-summary");
        assert.deepEqual(await done.evaluate((p) => [p.dataset.done, p.dataset.refused]), ["1", "0"]);
        const sheet = await call(hr, "GetSheet", { employeeNo: no, period: month });
        assert.equal(sheet.state, "SHEET_STATE_FINAL");
        assert.equal(num(sheet.score), 85, "the appeal's score stays");
        assert.equal(await hr.$("#no-sheets") !== null, true, "no sheet left in the appeal window");
        await shot(hr, "sheets-finalized-zh");
      } finally {
        writeFileSync(fx.appraisalClockFile, "0\n");
      }
    });

    test("hr pages in English: navigation, axe, screenshots", async () => {
      const hr = await as("hr");
      await open(hr, `/appraisal/sheets?month=${month}`, "#sheets-body");
      const nav = await hr.$$eval("nav a[data-route]", (as) => as.map((a) => a.dataset.route));
      for (const r of ["appraisal/sheets", "appraisal/appeals", "appraisal/grading"]) assert.ok(nav.includes(r), r);
      await axe(hr, "sheets");
      await shot(hr, "sheets-zh");
      await hr.click("#lang");
      await hr.waitForFunction(() => document.documentElement.lang === "en" &&
        document.querySelector('#sheets-body[aria-busy="false"]') && /Appraisal sheets/.test(document.querySelector("h1")?.textContent ?? ""));
      await axe(hr, "sheets-en");
      await shot(hr, "sheets-en");
      await open(hr, `/appraisal/appeals?state=all`, "#appeals-body");
      await axe(hr, "appeals-en");
      await shot(hr, "appeals-en");
      await open(hr, `/appraisal/grading?year=${year}`, "#grading-body");
      await sameGrading(hr);
      await axe(hr, "grading-en");
      await shot(hr, "grading-en");
      await hr.click("#lang");
    });
  });
}
