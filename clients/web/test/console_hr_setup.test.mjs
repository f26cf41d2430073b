// HR's appraisal set-up pages (issue 16, item 3, first half) in Debian's
// Chromium (puppeteer-core) against the real survey-gateway --console and
// survey-server of tests/e2e/console_test.cc: the parameters of a month and
// what later months carry forward, the holiday calendar, the pay-profile CSV
// upload with the server's line and column at the offending line, and the
// satisfaction push with its summary. Every figure the page shows is
// compared with the API's answer fetched with the same session cookie.
// Data: this file changes only 2027-01 (configuration, pay profiles) and the
// 2027 calendar (restored at the end); its push is 2026-10's again, which
// the harness already pushed (idempotent: the other files' sheets keep
// their lines). Environment as console_appraisal.test.mjs.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium, signedInPages } from "./console_session.mjs";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("HR set-up tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const month = "2027-01";     // this file's own month
  const carried = "2027-03";   // no configuration of its own: carries 2027-01's
  const year = "2027";         // this file's calendar year (restored after)
  const pushMonth = fx.appraisalPeriod ?? "2026-10";
  const work = mkdtempSync(join(tmpdir(), "hr-setup-"));
  let chromium, as;

  before(async () => {
    chromium = await launchChromium("chromium-hr-setup-");
    as = signedInPages(chromium.browser, origin, fx);
  });
  after(async () => {
    await chromium?.close();
    rmSync(work, { recursive: true, force: true });
  });

  // A Connect unary call with the page's own session cookie; the refusal's
  // trailers come as "trailer-" headers.
  async function api(page, method, body) {
    return page.evaluate(async (m, b) => {
      const r = await fetch(`/survey.v1.AppraisalService/${m}`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(b),
        headers: { "content-type": "application/json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
      });
      return { status: r.status, body: await r.json(), reason: r.headers.get("trailer-reason"),
        line: r.headers.get("trailer-line"), column: r.headers.get("trailer-column") };
    }, method, body);
  }
  async function call(page, method, body) {
    const r = await api(page, method, body);
    assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
  async function open(page, path) {
    await page.goto(`${origin}/c/#${path}`);
    await page.waitForSelector('#setup-body[aria-busy="false"]');
  }
  async function shot(page, name) {
    await page.screenshot({ path: join(artifacts, `hr-setup-${name}.png`), fullPage: true });
  }
  async function axe(page) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`), []);
  }
  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

  // The configuration page's values against GetPeriodConfig's.
  async function sameConfig(page, period) {
    const c = await call(page, "GetPeriodConfig", { period });
    const shown = await page.evaluate(() => ({
      inputs: [...document.querySelectorAll("#config-form input[data-config]")].map((i) => [i.name, i.value]),
      template: document.querySelector("#cfg-sheet_template").dataset.value,
      caps: [...document.querySelectorAll("#caps-body tr")].map((tr) => [...tr.querySelectorAll("input")].map((i) => i.value))
        .filter(([k]) => k !== ""),
      source: document.querySelector('#config-summary [data-field="configured-period"]').dataset.value,
      zone: document.querySelector('#config-summary [data-field="time-zone"]').dataset.value,
    }));
    assert.ok(shown.inputs.length >= 20, "every number of the configuration is shown");
    for (const [name, value] of shown.inputs) assert.equal(Number(value), Number(c[camel(name)] ?? 0), name);
    assert.equal(`SHEET_TEMPLATE_${shown.template}`, c.sheetTemplate ?? "SHEET_TEMPLATE_STANDARD");
    assert.deepEqual(Object.fromEntries(shown.caps.map(([k, y]) => [k, Number(y)])), c.performanceCaps ?? {});
    assert.equal(shown.source, c.configuredPeriod ?? "");
    assert.equal(shown.zone, c.timeZone);
    return c;
  }

  describe("HR set-up pages", () => {
    test("hr setup: a month's parameters, carried forward to a later month", async () => {
      const hr = await as("hr");
      // The navigation offers the set-up to HR.
      assert.ok(await hr.$('nav a[data-route="appraisal/config"]'), "HR's navigation has the set-up");
      await open(hr, `/appraisal/config?month=${month}`);
      const before = await sameConfig(hr, month);
      assert.equal(before.timeZone, "Asia/Shanghai");
      assert.match(await hr.$eval("#setup-zone", (e) => e.textContent), /Asia\/Shanghai/);
      await axe(hr);

      // A weight out of range: the server's refusal at the form, focused,
      // nothing stored.
      await hr.$eval("#cfg-satisfaction_weight_percent", (e) => { e.value = "150"; });
      await hr.click("#save-config");
      const bad = await hr.waitForSelector("#config-status .refusal");
      assert.equal(await bad.evaluate((e) => e.dataset.code), "InvalidArgument");
      assert.match(await bad.evaluate((e) => e.textContent), /satisfaction_weight/);
      assert.equal(await hr.evaluate(() => document.activeElement?.closest("#config-status") !== null), true);
      assert.equal((await call(hr, "GetPeriodConfig", { period: month })).satisfactionWeightPercent,
        before.satisfactionWeightPercent);

      // Good values and a new performance cap: saved for 2027-01.
      await hr.$eval("#cfg-satisfaction_weight_percent", (e) => { e.value = "25"; });
      await hr.$eval("#cfg-anonymity_k", (e) => { e.value = "6"; });
      const empty = await hr.$$eval("#caps-body tr", (trs) => trs.length);
      await hr.type(`#cap-key-${empty}`, "engineer:7");
      await hr.type(`#cap-yuan-${empty}`, "3250.5");
      await hr.click("#save-config");
      await hr.waitForSelector("#config-status .ok");
      assert.equal(await hr.evaluate(() => document.activeElement?.closest("#config-status") !== null), true);
      const saved = await sameConfig(hr, month);
      assert.equal(saved.configuredPeriod, month);
      assert.equal(saved.anonymityK, 6);
      assert.equal(saved.satisfactionWeightPercent, 25);
      assert.equal(saved.performanceCaps["engineer:7"], 3250.5);
      await shot(hr, "config-zh");

      // A later month without its own: the same values, saying where from.
      await open(hr, `/appraisal/config?month=${carried}`);
      const later = await sameConfig(hr, carried);
      assert.equal(later.configuredPeriod, month);
      assert.deepEqual({ ...later, period: month }, saved);
      assert.equal(await hr.$eval("#config-source", (e) => e.dataset.carried), "true");
      assert.ok((await hr.$eval("#config-source", (e) => e.textContent)).includes(`沿用 ${month} 的设置`));
      await axe(hr);
      await shot(hr, "config-carried-zh");

      // English.
      await hr.click("#lang");
      await hr.waitForFunction(() => document.documentElement.lang === "en" &&
        document.querySelector('#setup-body[aria-busy="false"]') && /Appraisal parameters/.test(document.querySelector("h1")?.textContent ?? ""));
      await sameConfig(hr, carried);
      assert.match(await hr.$eval("#config-source", (e) => e.textContent), new RegExp(`carries forward the configuration of ${month}`));
      await axe(hr);
      await shot(hr, "config-carried-en");
      await hr.click("#lang");
      await hr.waitForFunction(() => document.documentElement.lang === "zh-CN");
    });

    test("hr setup: the holiday calendar of a year", async () => {
      const hr = await as("hr");
      const original = await call(hr, "GetHolidays", { year });
      try {
        await open(hr, `/appraisal/holidays?year=${year}`);
        const stored = async () => {
          const cal = await call(hr, "GetHolidays", { year });
          const rows = await hr.$$eval('table[data-table="calendar"] tbody tr', (trs) => trs.map((tr) => [tr.dataset.date, tr.dataset.kind]));
          const want = [...(cal.dates ?? []).map((d) => [d, "holiday"]), ...(cal.extraWorkingDays ?? []).map((d) => [d, "extra"])]
            .sort((a, b) => a[0].localeCompare(b[0]));
          assert.deepEqual(rows, want);
          assert.equal(await hr.$eval("#holiday-dates", (e) => e.value), (cal.dates ?? []).join("\n"));
          assert.equal(await hr.$eval("#extra-days", (e) => e.value), (cal.extraWorkingDays ?? []).join("\n"));
          return cal;
        };
        await stored();
        assert.match(await hr.$eval("#setup-zone", (e) => e.textContent), /Asia\/Shanghai/);

        // A date of another year: the server's refusal under that list.
        await hr.$eval("#holiday-dates", (e) => { e.value = "2027-10-01\n2026-10-02"; });
        await hr.click("#save-holidays");
        const bad = await hr.waitForSelector("#holiday-dates-error .refusal");
        assert.deepEqual(await bad.evaluate((e) => ({ code: e.dataset.code, field: e.dataset.field })),
          { code: "InvalidArgument", field: "dates[1]" });
        assert.equal(await hr.evaluate(() => document.activeElement?.id), "holiday-dates");
        assert.equal(await hr.$eval("#holiday-dates", (e) => e.getAttribute("aria-invalid")), "true");

        // National Day week and the two weekend days worked around it.
        const weekendFrom = (day, step) => {
          let t = Date.parse(`${day}T00:00:00Z`);
          while (![0, 6].includes(new Date(t).getUTCDay())) t += step * 86400000;
          return new Date(t).toISOString().slice(0, 10);
        };
        const holidays = Array.from({ length: 7 }, (_, i) => `2027-10-0${i + 1}`);
        const extra = [weekendFrom("2027-09-30", -1), weekendFrom("2027-10-08", 1)];
        await hr.$eval("#holiday-dates", (e, v) => { e.value = v; }, holidays.join("\n"));
        await hr.$eval("#extra-days", (e, v) => { e.value = v; }, extra.join(", "));
        await hr.click("#save-holidays");
        await hr.waitForSelector("#holidays-status .ok");
        const cal = await stored();
        assert.deepEqual(cal.dates, holidays);
        assert.deepEqual(cal.extraWorkingDays, [...extra].sort());
        assert.equal(await hr.$eval("#calendar-counts", (e) => e.dataset.holidays), "7");
        await axe(hr);
        await shot(hr, "holidays-zh");
      } finally {
        await call(hr, "SetHolidays", { year, dates: original.dates ?? [], extraWorkingDays: original.extraWorkingDays ?? [] });
      }
    });

    test("hr setup: pay CSV upload, the server's line and column at the line", async () => {
      const hr = await as("hr");
      await open(hr, `/appraisal/pay?month=${month}`);
      const list = async () => (await call(hr, "ListPayProfiles", { period: month })).profiles ?? [];
      const shownRows = () => hr.$$eval('table[data-table="pay"] tbody tr', (trs) => trs.map((tr) => {
        const v = (f) => tr.querySelector(`[data-field="${f}"]`);
        return { employeeNo: v("employee_no").textContent, fromPeriod: v("from_period").textContent,
          post: v("post").textContent, grade: v("grade").textContent,
          postPay: Number(v("post_pay").dataset.value), baseSalary: Number(v("base_salary").dataset.value) };
      }));
      const norm = (ps) => ps.map((p) => ({ employeeNo: p.employeeNo, fromPeriod: p.fromPeriod, post: p.post,
        grade: p.grade, postPay: p.postPay ?? 0, baseSalary: p.baseSalary ?? 0 }));
      const before = await list();
      assert.deepEqual(await shownRows(), norm(before));

      // Line 3's post pay has three decimals: the file with the message
      // beside that line, focused; nothing written.
      const header = "employee_no,from_period,post,grade,post_pay,base_salary\n";
      const badCsv = `${header}E0034,${month},engineer,7,4800.50,9000\nE0035,${month},engineer,7,4800.505,9000\n`;
      const badFile = join(work, "pay-bad.csv");
      writeFileSync(badFile, badCsv);
      await (await hr.$("#pay-file")).uploadFile(badFile);
      await hr.click("#upload-pay");
      const problem = await hr.waitForSelector("#csv-problem");
      const at = await problem.evaluate((e) => ({ line: e.dataset.line, column: e.dataset.column, text: e.textContent,
        row: e.closest("tr")?.dataset.csvLine, rowText: e.closest("tr")?.querySelector("td")?.firstChild?.textContent,
        focused: document.activeElement === e, code: e.querySelector(".refusal")?.dataset.code }));
      const direct = await api(hr, "SetPayProfiles", { csv: badCsv });
      assert.equal(direct.reason, "CSV_INVALID");
      assert.deepEqual(at, { line: direct.line, column: direct.column, text: at.text, row: "3",
        rowText: `E0035,${month},engineer,7,4800.505,9000`, focused: true, code: "InvalidArgument" });
      assert.deepEqual([direct.line, direct.column], ["3", "post_pay"]);
      assert.ok(at.text.startsWith("第 3 行，post_pay 列："), at.text);
      assert.ok(at.text.includes(direct.body.message), at.text);
      assert.deepEqual(norm(await list()), norm(before), "nothing was written");
      await axe(hr);
      await shot(hr, "pay-error-zh");

      // The corrected file: written, and the page's table is the API's.
      const goodFile = join(work, "pay-good.csv");
      writeFileSync(goodFile, `${header}E0034,${month},engineer,7,4800.50,9000\nE0035,${month},engineer,7,4800.5,9100\n`);
      await (await hr.$("#pay-file")).uploadFile(goodFile);
      await hr.click("#upload-pay");
      await hr.waitForSelector("#pay-status .ok");
      assert.equal(await hr.$("#csv-problem"), null);
      const now = await list();
      assert.deepEqual(await shownRows(), norm(now));
      for (const no of ["E0034", "E0035"]) {
        const p = now.find((x) => x.employeeNo === no);
        assert.deepEqual([p.fromPeriod, p.post, p.grade, p.postPay], [month, "engineer", "7", 4800.5]);
      }
      await axe(hr);
      await shot(hr, "pay-zh");
    });

    test("hr setup: the satisfaction push and its summary", async () => {
      const hr = await as("hr");
      await open(hr, `/appraisal/push?month=${pushMonth}`);
      const c = await call(hr, "GetPeriodConfig", { period: pushMonth });
      const uses = await hr.$$eval("#push-config [data-field]", (dds) => Object.fromEntries(dds.map((d) => [d.dataset.field, d.dataset.value])));
      assert.equal(Number(uses.anonymity_k), c.anonymityK);
      assert.equal(Number(uses.max_window_periods), c.maxWindowPeriods);
      assert.equal(Number(uses.satisfaction_weight_percent), c.satisfactionWeightPercent);
      // The page's figures are the answer of the RPC it made.
      const answered = hr.waitForResponse((r) => r.url().endsWith("/survey.v1.AppraisalService/PushSatisfaction"));
      await hr.click("#run-push");
      const rpc = await (await answered).json();
      await hr.waitForSelector("#push-status .ok");
      const shown = await hr.$$eval("#push-summary [data-field][data-value]", (dds) =>
        Object.fromEntries(dds.map((d) => [d.dataset.field, Number(d.dataset.value)])));
      const fields = ["sheets_written", "sheets_unchanged", "insufficient", "sheets_skipped_not_draft",
        "departments_written", "departments_unchanged"];
      assert.deepEqual(shown, Object.fromEntries(fields.map((f) => [f, rpc[camel(f)] ?? 0])));
      assert.ok(shown.sheets_written + shown.sheets_unchanged + shown.sheets_skipped_not_draft > 0, "the month has sheets");
      assert.match(await hr.$eval('#push-summary [data-field="pushed-at"]', (e) => e.textContent), /Asia\/Shanghai/);
      // Idempotent: again, nothing is written and the totals are the same.
      const again = await call(hr, "PushSatisfaction", { period: pushMonth });
      assert.equal(again.sheetsWritten ?? 0, 0);
      assert.equal((again.sheetsUnchanged ?? 0) + (again.sheetsSkippedNotDraft ?? 0),
        shown.sheets_written + shown.sheets_unchanged + shown.sheets_skipped_not_draft);
      await axe(hr);
      await shot(hr, "push-zh");
    });

    test("hr setup: an employee and a manager get the server's refusal", async () => {
      const emp = await as("employee");
      assert.equal(await emp.$('nav a[data-route="appraisal/config"]'), null, "no set-up in an employee's navigation");
      for (const path of [`/appraisal/config?month=${month}`, `/appraisal/pay?month=${month}`, `/appraisal/push?month=${pushMonth}`]) {
        await open(emp, path);
        const r = await emp.$eval("#setup-body .refusal", (e) => ({ code: e.dataset.code, reason: e.dataset.reason }));
        assert.deepEqual(r, { code: "PermissionDenied", reason: "PERMISSION_DENIED" }, path);
        assert.equal(await emp.$("#config-form, #pay-form, #run-push"), null, path);
      }
      await axe(emp);
      await shot(emp, "refused-employee");
      const mgr = await as("manager");
      for (const path of [`/appraisal/config?month=${month}`, `/appraisal/push?month=${pushMonth}`]) {
        await open(mgr, path);
        assert.equal(await mgr.$eval("#setup-body .refusal", (e) => e.dataset.code), "PermissionDenied", path);
      }
      // The calendar is readable by everyone (deadlines are counted on it);
      // changing it is HR's: the refusal at the form, nothing changed.
      const cal = await call(mgr, "GetHolidays", { year });
      await open(mgr, `/appraisal/holidays?year=${year}`);
      await mgr.$eval("#holiday-dates", (e) => { e.value = "2027-05-03"; });
      await mgr.click("#save-holidays");
      const refused = await mgr.waitForSelector("#holidays-status .refusal");
      assert.equal(await refused.evaluate((e) => e.dataset.code), "PermissionDenied");
      assert.deepEqual(await call(mgr, "GetHolidays", { year }), cal);
      await axe(mgr);
      await shot(mgr, "refused-manager-holidays");
    });
  });
}
