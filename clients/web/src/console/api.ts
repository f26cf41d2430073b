// The console's way to the server: one Connect transport on the page's own
// origin (survey-gateway), JSON, with the anti-forgery header the gateway
// requires on every staff-service call. The credential is the session
// cookie, which page scripts never see; a fetch to the same origin sends it.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AccountService } from "../gen/survey/v1/account_pb";
import { AdminService } from "../gen/survey/v1/admin_pb";
import { AppraisalService } from "../gen/survey/v1/appraisal_pb";
import { ReportService } from "../gen/survey/v1/report_pb";
import type { Clients } from "./page";

// Called when any staff call answers UNAUTHENTICATED (the session ended,
// expired or was revoked): the shell sends the user to sign-in and back.
let unauthenticated: () => void = () => {};
export function onUnauthenticated(handler: () => void) {
  unauthenticated = handler;
}

// Sign-in and activation answer UNAUTHENTICATED for a wrong password; that
// is the form's business, not a reason to leave the page.
const kPublicMethods = new Set(["SignIn", "Activate"]);

// A wrong current password in ChangePassword is BAD_CREDENTIALS: the
// session is still good, so that one stays on the page.
export function noteFailure(e: unknown) {
  const err = ConnectError.from(e);
  if (err.code === Code.Unauthenticated && err.metadata.get("reason") !== "BAD_CREDENTIALS") unauthenticated();
}

const csrf: Interceptor = (next) => async (req) => {
  req.header.set("x-survey-csrf", "1");
  try {
    return await next(req);
  } catch (e) {
    if (!kPublicMethods.has(req.method.name)) noteFailure(e);
    throw e;
  }
};

const transport = createConnectTransport({
  baseUrl: new URL("/", location.href).href,
  useBinaryFormat: false,
  interceptors: [csrf],
  // Same origin: the browser sends the HttpOnly session cookie itself.
  fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
});

export const clients: Clients = {
  account: createClient(AccountService, transport),
  admin: createClient(AdminService, transport),
  report: createClient(ReportService, transport),
  appraisal: createClient(AppraisalService, transport),
};

export interface Refusal {
  code: string;    // e.g. "permission_denied"
  reason: string;  // the server's machine-readable reason, may be ""
  message: string;
}

export function refusalOf(e: unknown): Refusal {
  const err = ConnectError.from(e);
  const reason = err.metadata.get("reason") ?? "";
  return { code: Code[err.code] ?? String(err.code), reason, message: err.rawMessage };
}

// Reads a stream of chunks with `data` bytes (CSV exports) into one string.
export async function readChunks(stream: AsyncIterable<{ data: Uint8Array }>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of stream) text += decoder.decode(chunk.data, { stream: true });
  } catch (e) {
    noteFailure(e);
    throw e;
  }
  return text + decoder.decode();
}
