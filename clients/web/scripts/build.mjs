// Bundles the app with esbuild into OUT (argument; default dist/), copies
// the static files, and checks the JS budget: the gzipped JavaScript a
// phone downloads (app.js + sw.js) must stay under BUDGET_GZIP_BYTES.
// The staff console (src/console/main.ts, static/console/) goes to
// OUT/console/ with a budget of its own: it carries ECharts and is opened
// on office desktops, not on a phone on mobile data.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 48 * 1024;
const CONSOLE_BUDGET_GZIP_BYTES = 300 * 1024;
const here = dirname(dirname(fileURLToPath(import.meta.url)));
const out = resolve(process.argv[2] ?? join(here, "dist"));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(here, "static"), out, { recursive: true });  // static/console/ -> OUT/console/

const common = { bundle: true, minify: true, format: "iife", target: ["es2020"], legalComments: "none", logLevel: "warning" };
await build({ ...common, entryPoints: [join(here, "src/main.ts")], outfile: join(out, "app.js") });
const appHash = createHash("sha256").update(readFileSync(join(out, "app.js")))
  .update(readFileSync(join(out, "app.css"))).update(readFileSync(join(out, "index.html")))
  .digest("hex").slice(0, 12);
await build({ ...common, entryPoints: [join(here, "src/sw.ts")], outfile: join(out, "sw.js"),
  define: { BUILD_ID: JSON.stringify(appHash) } });

const sizes = {};
let total = 0;
for (const f of ["app.js", "sw.js"]) {
  const raw = readFileSync(join(out, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  sizes[f] = { bytes: raw.length, gzip: gz };
  total += gz;
}

await build({ ...common, entryPoints: [join(here, "src/console/main.ts")], outfile: join(out, "console", "console.js") });
const consoleGzip = gzipSync(readFileSync(join(out, "console", "console.js")), { level: 9 }).length;
sizes["console/console.js"] = { bytes: readFileSync(join(out, "console", "console.js")).length, gzip: consoleGzip };

writeFileSync(join(out, "build-info.json"), JSON.stringify({ build: appHash, sizes, gzipTotal: total, budget: BUDGET_GZIP_BYTES,
  consoleGzip, consoleBudget: CONSOLE_BUDGET_GZIP_BYTES }, null, 1));
console.log(`web app -> ${out}: JS ${total} bytes gzipped (budget ${BUDGET_GZIP_BYTES}); ` +
  `console ${consoleGzip} bytes gzipped (budget ${CONSOLE_BUDGET_GZIP_BYTES})`);
let over = false;
if (total > BUDGET_GZIP_BYTES) {
  console.error(`JS budget exceeded: ${total} > ${BUDGET_GZIP_BYTES} bytes gzipped`);
  over = true;
}
if (consoleGzip > CONSOLE_BUDGET_GZIP_BYTES) {
  console.error(`console JS budget exceeded: ${consoleGzip} > ${CONSOLE_BUDGET_GZIP_BYTES} bytes gzipped`);
  over = true;
}
if (over) process.exit(1);
