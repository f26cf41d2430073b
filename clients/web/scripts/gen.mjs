// Generates the TypeScript types and service descriptors of the protos the
// apps use (respond.proto for the respondent app; admin, account, report
// and appraisal for the staff console; and what they import) with the
// machine's protoc (3.15 or newer) and @bufbuild/protoc-gen-es from the
// lockfile, into src/gen (not committed).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const protoRoot = join(here, "..", "..", "proto");
const out = join(here, "src", "gen");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync("protoc", [
  `--plugin=protoc-gen-es=${join(here, "node_modules", ".bin", "protoc-gen-es")}`,
  `--es_out=${out}`,
  "--es_opt=target=ts,import_extension=none",
  `-I${protoRoot}`,
  join(protoRoot, "survey/v1/common.proto"),
  join(protoRoot, "survey/v1/respond.proto"),
  // The staff console's services.
  join(protoRoot, "survey/v1/admin.proto"),
  join(protoRoot, "survey/v1/account.proto"),
  join(protoRoot, "survey/v1/report.proto"),
  join(protoRoot, "survey/v1/appraisal.proto"),
], { stdio: "inherit" });
