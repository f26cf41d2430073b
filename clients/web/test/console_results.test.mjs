// The console's results pages in Debian's Chromium (puppeteer-core) against
// the real survey-gateway --console and survey-server that
// tests/e2e/console_test.cc started. The figures each page shows (its
// tables, and the data its charts were given, read back from ECharts into
// data-plotted) are compared with the API's own answers, fetched in the
// same browser with the same session cookie. Environment:
//   SURVEY_CONSOLE_URL      gateway origin, e.g. http://127.0.0.1:8080
//   SURVEY_CONSOLE_FIXTURE  JSON file: accounts, campaigns, periods, k
//   SURVEY_WEB_ARTIFACTS    directory for the screenshots
//   CHROMIUM                default /usr/bin/chromium
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium, signedInPages } from "./console_session.mjs";

const base = process.env.SURVEY_CONSOLE_URL;
if (!base) {
  test("results tests need SURVEY_CONSOLE_URL (run by tests/e2e/console_test.cc)", { skip: true }, () => {});
} else {
  const fx = JSON.parse(readFileSync(process.env.SURVEY_CONSOLE_FIXTURE, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "console-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const closed = fx.closedPeriod ?? "2026-10";
  const openPeriod = fx.openPeriod ?? "2026-11";
  const k = fx.anonymityK ?? 5;
  let chromium, as;

  before(async () => {
    chromium = await launchChromium("chromium-results-");
    as = signedInPages(chromium.browser, origin, fx);
  });
  after(async () => {
    await chromium?.close();
  });

  // A Connect unary call with the page's own session (JSON; the gateway
  // requires the anti-forgery header). Returns { status, body }.
  async function api(page, method, body) {
    return page.evaluate(async (m, b) => {
      const r = await fetch(`/survey.v1.${m}`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(b),
        headers: { "content-type": "application/json", "connect-protocol-version": "1", "x-survey-csrf": "1" },
      });
      return { status: r.status, body: await r.json() };
    }, method, body);
  }
  async function report(page, method, body) {
    const r = await api(page, `ReportService/${method}`, body);
    assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  // Proto3 JSON leaves out defaults: a released figure may have no
  // `suppression` and a zero `value` may be absent.
  const isReleased = (f) => !!f && (!f.suppression || f.suppression === "SUPPRESSION_NONE");
  const val = (f) => f?.value ?? 0;
  const reasonText = {
    SUPPRESSION_BELOW_THRESHOLD: new RegExp(`不足 ${k} 人|fewer than ${k}`),
    SUPPRESSION_COMPLEMENTARY: /互补隐藏|complementary/,
    SUPPRESSION_CAMPAIGN_OPEN: /活动进行中|campaign still open/,
    SUPPRESSION_NO_DATA: /无数据|No data/,
  };

  async function visit(page, hash, ready) {
    await page.goto(`${origin}/c/#${hash}`);
    await page.waitForSelector(ready);
  }
  async function shot(page, name) {
    await page.screenshot({ path: join(artifacts, `results-${name}.png`), fullPage: true });
  }
  async function axe(page) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`), []);
  }

  // The table's cells of one figure field, by row code.
  async function cells(page, tableName, field) {
    return page.$$eval(`table[data-table="${tableName}"] tbody tr`, (trs, f) => trs.map((tr) => {
      const td = tr.querySelector(`[data-field="${f}"]`);
      return { code: tr.dataset.code, text: td?.textContent ?? null, value: td?.dataset.value ?? null,
        withheld: td?.dataset.withheld ?? null, low: td?.dataset.low ?? null, high: td?.dataset.high ?? null };
    }), field);
  }
  const plotted = (page, name) =>
    page.$eval(`[data-chart="${name}"]`, (d) => JSON.parse(d.dataset.plotted));

  // Checks a ranking table and its chart against the API's ranked subjects.
  async function checkRanking(page, tableName, chartName, list, key) {
    const shown = new Map((await cells(page, tableName, "total")).map((c) => [c.code, c]));
    const ci = new Map((await cells(page, tableName, "ci95")).map((c) => [c.code, c]));
    const chart = new Map((await plotted(page, chartName)).map((p) => [p.code, p]));
    assert.equal(shown.size, list.length, `${tableName}: one row per subject`);
    assert.equal(chart.size, list.length, `${chartName}: one bar per subject`);
    let rel = 0, hid = 0;
    for (const r of list) {
      const code = r.subject[key];
      const cell = shown.get(code), bar = chart.get(code), total = r.figures.total;
      assert.ok(cell, `${tableName}: row ${code}`);
      if (isReleased(total)) {
        rel++;
        assert.equal(Number(cell.value), val(total), `${code} total in the table`);
        assert.equal(cell.text, val(total).toFixed(1), `${code} total as shown`);
        assert.equal(bar.total, val(total), `${code} total in the chart`);
        assert.equal(bar.withheld, null);
        const want = r.figures.ci95 ? [r.figures.ci95.low ?? 0, r.figures.ci95.high ?? 0] : null;
        assert.deepEqual(bar.ci95, want, `${code} interval in the chart`);
        if (want) assert.deepEqual([Number(ci.get(code).low), Number(ci.get(code).high)], want, `${code} interval in the table`);
      } else {
        hid++;
        assert.equal(cell.withheld !== null, true, `${code} withheld in the table`);
        assert.match(cell.text, reasonText[total?.suppression ?? "SUPPRESSION_NO_DATA"], `${code}: the reason`);
        assert.doesNotMatch(cell.text, /^\s*0(\.0)?\s*$/, `${code}: never a zero`);
        assert.equal(bar.total, null, `${code}: no bar length in the chart`);
        assert.match(bar.withheld, reasonText[total?.suppression ?? "SUPPRESSION_NO_DATA"]);
      }
    }
    return { rel, hid };
  }

  describe("results pages", () => {
    test("HR: organisation ranking after close matches the API, withheld cells say why", async () => {
      const page = await as("hr");
      await visit(page, `/results/org?range=${closed}`, '[data-chart="org-employees"][data-plotted]');
      const api = await report(page, "GetOrganisationReport", { range: { month: closed }, pageSize: 1000 });
      const d = await checkRanking(page, "org-departments", "org-departments", api.departments, "departmentCode");
      const e = await checkRanking(page, "org-employees", "org-employees", api.employees, "employeeNo");
      assert.ok(d.rel > 0, "some departments released");
      assert.ok(e.rel > 0 && e.hid > 0, `released and withheld employees (${e.rel}/${e.hid})`);
      // Every employee below k is withheld with that reason, in the page.
      const shown = new Map((await cells(page, "org-employees", "total")).map((c) => [c.code, c]));
      for (const no of fx.belowK ?? []) {
        if (!shown.has(no)) continue;
        assert.equal(shown.get(no).withheld, "1", `${no} is below k`);
        assert.match(shown.get(no).text, reasonText.SUPPRESSION_BELOW_THRESHOLD);
      }
      // The chart has a text alternative; the rank is in the table.
      assert.match(await page.$eval('[data-chart="org-departments"]', (d) => d.getAttribute("aria-label")), /95%/);
      await shot(page, "org");
      await axe(page);
    });

    test("HR: a campaign still open shows counts, and its scores as withheld (campaign open)", async () => {
      const page = await as("hr");
      await visit(page, `/results/org?range=${openPeriod}`, '[data-chart="org-departments"][data-plotted]');
      const api = await report(page, "GetOrganisationReport", { range: { month: openPeriod } });
      assert.ok(api.departments.length > 0);
      const totals = await cells(page, "org-departments", "total");
      const responses = new Map((await cells(page, "org-departments", "responses")).map((c) => [c.code, c]));
      let answered = 0;
      for (const r of api.departments) {
        const code = r.subject.departmentCode, why = r.figures.total.suppression;
        // Scores wait for the close; a department nobody was asked about has none at all.
        assert.equal(why, val(r.figures.responses) > 0 ? "SUPPRESSION_CAMPAIGN_OPEN" : "SUPPRESSION_NO_DATA", code);
        if (why === "SUPPRESSION_CAMPAIGN_OPEN") answered++;
        assert.match(totals.find((c) => c.code === code).text, reasonText[why], code);
        assert.equal(Number(responses.get(code).value), val(r.figures.responses), `${code}: answers counted`);
      }
      assert.ok(answered > 0, "some departments have answers in the open campaign");
      await shot(page, "org-open");
    });

    test("HR: department view, radar and distributions match the API", async () => {
      const page = await as("hr");
      const dept = fx.manager.department;
      await visit(page, `/results/department/${dept}?range=${closed}`, '[data-chart="department-employees"][data-plotted]');
      const api = await report(page, "GetDepartmentReport", { departmentCode: dept, range: { month: closed } });
      await checkRanking(page, "department-employees", "department-employees", api.employees, "employeeNo");
      const [summary] = await cells(page, "department-summary", "total");
      if (isReleased(api.department.total)) {
        assert.equal(Number(summary.value), val(api.department.total));
        await checkSubs(page, "department", api.department);
      } else {
        assert.match(summary.text, reasonText[api.department.total.suppression]);
      }
      await page.waitForSelector("[data-comments] :is(ul, p)");
      await shot(page, "department");
      await axe(page);
    });

    // The radar's means and the stacked bars' counts against the API.
    async function checkSubs(page, name, figures) {
      const subs = figures.indicators.flatMap((i) => i.subIndicators);
      assert.equal(subs.length, 9, "nine sub-indicators");
      const radar = await plotted(page, `${name}-radar`);
      const dist = await plotted(page, `${name}-distribution`);
      subs.forEach((s, i) => {
        assert.equal(radar[i].key, s.key);
        assert.equal(radar[i].mean, val(s.mean), `${s.key} mean`);
        assert.equal(dist[i].key, s.key);
        assert.deepEqual(dist[i].counts, s.distribution.map(Number), `${s.key} distribution`);
      });
      const counts = await page.$$eval(`table[data-table="${name}-subs"] tbody tr`, (trs) =>
        trs.map((tr) => [...tr.querySelectorAll("[data-field^=d]")].map((td) => Number(td.dataset.value))));
      assert.deepEqual(counts, subs.map((s) => s.distribution.map(Number)));
    }

    test("HR: an employee at or above k: radar and 1–10 distributions; one below k: withheld", async () => {
      const page = await as("hr");
      const api = await report(page, "GetOrganisationReport", { range: { month: closed } });
      const shown = api.employees.find((r) => isReleased(r.figures.total));
      const hidden = api.employees.find((r) => r.figures.total?.suppression === "SUPPRESSION_BELOW_THRESHOLD");
      assert.ok(shown && hidden);
      const no = shown.subject.employeeNo;
      await visit(page, `/results/employee/${no}?range=${closed}`, '[data-chart="employee-distribution"][data-plotted]');
      const subject = await report(page, "GetSubjectReport", { subject: { employeeNo: no }, range: { month: closed } });
      const [summary] = await cells(page, "employee-summary", "total");
      assert.equal(Number(summary.value), val(subject.figures.total));
      await checkSubs(page, "employee", subject.figures);
      await shot(page, "employee");
      await axe(page);

      await visit(page, `/results/employee/${hidden.subject.employeeNo}?range=${closed}`, '[data-chart="employee-radar"]');
      const box = await page.$eval('[data-chart="employee-radar"]', (d) => ({ w: d.dataset.withheld, text: d.textContent }));
      assert.equal(box.w, "1");
      assert.match(box.text, reasonText.SUPPRESSION_BELOW_THRESHOLD);
      const [cell] = await cells(page, "employee-summary", "total");
      assert.match(cell.text, reasonText.SUPPRESSION_BELOW_THRESHOLD);
      await shot(page, "employee-withheld");
    });

    test("HR: the cross-evaluation heat map matches the API", async () => {
      const page = await as("hr");
      await visit(page, `/results/cross?range=${closed}`, '[data-chart="cross-heatmap"][data-plotted]');
      const api = await report(page, "GetCrossEvaluationReport", { range: { month: closed } });
      const p = await plotted(page, "cross-heatmap");
      assert.deepEqual(p.rows, api.rows.map((r) => r.ratedDepartmentCode));
      const released = new Map(p.released.map(([x, y, v]) => [`${p.rows[y]}/${p.columns[x]}`, v]));
      const withheld = new Map(p.withheld.map(([x, y, why]) => [`${p.rows[y]}/${p.columns[x]}`, why]));
      let rel = 0;
      for (const r of api.rows) {
        const all = [...(r.byEvaluator ?? []).map((c) => [c.evaluatingDepartmentCode, c.figures]), ["overall", r.overall]];
        for (const [ev, f] of all) {
          const key = `${r.ratedDepartmentCode}/${ev}`;
          if (isReleased(f.total)) {
            rel++;
            assert.equal(released.get(key), Number(val(f.total).toFixed(1)), key);
          } else {
            assert.match(withheld.get(key), reasonText[f.total?.suppression ?? "SUPPRESSION_NO_DATA"], key);
          }
        }
      }
      assert.ok(rel > 0, "some cells released");
      const table = await page.$$eval('table[data-table="cross"] td[data-field="total"]', (tds) =>
        tds.map((td) => ({ w: td.dataset.withheld, text: td.textContent })));
      for (const c of table.filter((c) => c.w)) assert.doesNotMatch(c.text, /^\s*0(\.0)?\s*$/);
      await shot(page, "cross");
      await axe(page);
    });

    test("HR: trend over the months, quarters and year of a department", async () => {
      const page = await as("hr");
      const dept = fx.manager.department;
      const year = closed.slice(0, 4);
      await visit(page, `/results/trend/department/${dept}?year=${year}`, '[data-chart="trend-quarters"][data-plotted]');
      const rows = await cells(page, "trend", "total");
      for (const range of [closed, `${year}-Q4`, year]) {
        const kind = range.length === 7 && range[5] === "Q" ? "quarter" : range.length === 4 ? "year" : "month";
        const r = await report(page, "GetSubjectReport", { subject: { departmentCode: dept }, range: { [kind]: range } });
        const row = rows.find((c) => c.code === range);
        if (!row) continue;  // a quarter not begun yet
        if (isReleased(r.figures.total)) assert.equal(Number(row.value), val(r.figures.total), range);
        else assert.match(row.text, reasonText[r.figures.total.suppression], range);
      }
      await shot(page, "trend");
      await axe(page);
    });

    test("HR: the period form puts the choice in the URL; English on the switch", async () => {
      const page = await as("hr");
      await visit(page, `/results/org?range=${openPeriod}`, '[data-chart="org-departments"]');
      await page.$eval("#results-range", (i) => { i.value = ""; });
      await page.type("#results-range", closed);
      await page.click(".period-bar button[type=submit]");
      await page.waitForFunction((r) => location.hash.includes(`range=${r}`) &&
        document.querySelector(`[data-view="org"][data-range="${r}"] [data-chart="org-employees"]`), {}, closed);
      await page.click("#lang");
      await page.waitForFunction(() => document.documentElement.lang === "en" &&
        document.querySelector('[data-chart="org-employees"]'));
      const text = await page.$eval('table[data-table="org-employees"]', (t) => t.innerText);
      assert.match(text, /Withheld: fewer than/);
      await shot(page, "org-en");
      await page.click("#lang");
      await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    });

    test("HR: the organisation CSV streams from the server's export", async () => {
      const page = await as("hr");
      await visit(page, `/results/org?range=${closed}`, '[data-export="organisation"]');
      await page.evaluate(() => {
        window.__csv = [];
        const create = URL.createObjectURL.bind(URL);
        URL.createObjectURL = (b) => { window.__csv.push(b); return create(b); };
      });
      await page.click('[data-export="organisation"]');
      await page.waitForFunction(() => window.__csv.length > 0 ||
        document.querySelector(".export-status[data-reason]"), { timeout: 20000 });
      const failed = await page.$eval(".export-status", (s) => s.dataset.reason ?? "");
      assert.equal(failed, "", "the export did not fail");
      const csv = await page.evaluate(() => window.__csv[0].text());
      const lines = csv.trim().split(/\r?\n/);
      assert.match(lines[0], /^view,range,subject_kind,subject,/);
      const api = await report(page, "GetOrganisationReport", { range: { month: closed } });
      assert.equal(lines.length - 1, api.departments.length + api.employees.length, "one line per subject");
    });

    // Runs the export button `name` on the current page; the CSV's text.
    async function exported(page, name) {
      await page.evaluate(() => {
        window.__csv = [];
        const create = URL.createObjectURL.bind(URL);
        URL.createObjectURL = (b) => { window.__csv.push(b); return create(b); };
      });
      await page.click(`[data-export="${name}"]`);
      await page.waitForFunction((n) => window.__csv.length > 0 ||
        document.querySelector(`[data-export="${n}"] + .export-status[data-reason]`), {}, name);
      assert.equal(await page.$eval(`[data-export="${name}"] + .export-status`, (s) => s.dataset.reason ?? ""), "");
      return page.evaluate(() => window.__csv[0].text());
    }

    test("HR: a campaign in the URL picks its period; its anonymised responses and a trend export", async () => {
      const page = await as("hr");
      await visit(page, `/results/org?campaign=${fx.closedCustomerCampaign}`, '[data-export="responses"]');
      assert.equal(await page.$eval('[data-view="org"]', (s) => s.dataset.range), closed, "the campaign's period");
      assert.equal(await page.$eval("#results-campaign", (s) => s.value), fx.closedCustomerCampaign);
      const rows = (await exported(page, "responses")).trim().split(/\r?\n/);
      assert.equal(rows[0], "campaign,period,subject,evaluating_department,scores");
      assert.ok(rows.length > 1, "released groups' rows");
      // Only released employees' rows: none of someone below k.
      const below = new Set(fx.belowK ?? []);
      for (const r of rows.slice(1)) assert.ok(!below.has(r.split(",")[2]), r);

      const dept = fx.manager.department;
      await visit(page, `/results/trend/department/${dept}?year=${closed.slice(0, 4)}`, '[data-export="trend"]');
      const trend = (await exported(page, "trend")).trim().split(/\r?\n/);
      const shown = await page.$$eval('table[data-table="trend"] tbody tr', (trs) => trs.map((tr) => tr.dataset.code));
      assert.match(trend[0], /^view,range,/);
      assert.equal(trend.filter((l) => l.startsWith("view,")).length, 1, "one header");
      assert.deepEqual(trend.slice(1).map((l) => l.split(",")[1]), shown, "a line per period of the table");
    });

    test("manager: their department; another's gets the server's refusal", async () => {
      const page = await as("manager");
      const own = fx.manager.department;
      await visit(page, `/results/department/${own}?range=${closed}`, '[data-chart="department-employees"][data-plotted]');
      const mine = await report(page, "GetDepartmentReport", { departmentCode: own, range: { month: closed } });
      await checkRanking(page, "department-employees", "department-employees", mine.employees, "employeeNo");
      await shot(page, "manager-department");
      await axe(page);

      await visit(page, `/results/department/${fx.otherDepartment}?range=${closed}`, ".refusal");
      const refused = await page.$eval(".refusal", (r) => ({ reason: r.dataset.reason, text: r.innerText }));
      assert.equal(refused.reason, "PERMISSION_DENIED");
      assert.match(refused.text, /PERMISSION_DENIED/);
      assert.equal(await page.$('table[data-table="department-employees"]'), null, "no figures of another department");
      const direct = await api(page, "ReportService/GetDepartmentReport",
        { departmentCode: fx.otherDepartment, range: { month: closed } });
      assert.equal(direct.body.code, "permission_denied", "the page shows what the server said");
      await shot(page, "manager-refused");
      await axe(page);

      await visit(page, `/results/org?range=${closed}`, ".refusal");
      assert.equal(await page.$eval(".refusal", (r) => r.dataset.reason), "PERMISSION_DENIED");

      await visit(page, `/results/cross?range=${closed}`, '[data-chart="cross-heatmap"][data-plotted]');
      const p = await plotted(page, "cross-heatmap");
      assert.deepEqual(p.rows, [own], "only the cross-evaluation about their own department");
      await shot(page, "manager-cross");
    });

    test("employee: their own results only", async () => {
      const page = await as("employee");
      const me = fx.employee.employee_no;
      await visit(page, `/results/employee?range=${closed}`, '[data-view="employee"] :is(table[data-table="employee-summary"], .refusal)');
      assert.equal(await page.$eval('[data-view="employee"]', (s) => s.dataset.employee), me);
      const api = await report(page, "GetSubjectReport", { subject: { employeeNo: me }, range: { month: closed } });
      const [cell] = await cells(page, "employee-summary", "total");
      if (isReleased(api.figures.total)) assert.equal(Number(cell.value), val(api.figures.total));
      else assert.match(cell.text, reasonText[api.figures.total.suppression]);
      await shot(page, "employee-own");
      await axe(page);

      const other = [...(fx.aboveK ?? []), ...(fx.belowK ?? [])].find((n) => n !== me) ?? "E0001";
      await visit(page, `/results/employee/${other}?range=${closed}`, ".refusal");
      assert.equal(await page.$eval(".refusal", (r) => r.dataset.reason), "PERMISSION_DENIED");
      await visit(page, `/results/department/${fx.manager.department}?range=${closed}`, ".refusal");
      assert.equal(await page.$eval(".refusal", (r) => r.dataset.reason), "PERMISSION_DENIED");
      await shot(page, "employee-refused");
    });
  });
}
