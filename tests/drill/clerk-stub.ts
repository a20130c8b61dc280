/**
 * A stand-in for Clerk's Backend API `GET /v1/users` (operation GetUserList) on 127.0.0.1, for
 * the Clerk user export drill (tests/drill/clerk-export.test.ts). Test infrastructure only.
 *
 * Its answers follow Clerk's OpenAPI spec (github.com/clerk/openapi-specs, `bapi/2026-05-12.yml`,
 * checked out 2026-12-07): `Authorization: Bearer <secret key>` (security `bearerAuth`); 200 is a
 * JSON array of `User` objects (response `User.List`), every field the `User` schema requires;
 * `limit` 1..500, default 10 (`LimitParameter`); `order_by` default `-created_at`;
 * `starting_after` is the id of the last user of the previous page, only with the `created_at`
 * orderings and never with a non-zero `offset` (else 422); errors are `ClerkErrors`
 * (`{"errors":[{"message","long_message","code"}],"clerk_trace_id"}`); 401 for a bad key. A
 * rate-limited request gets 429 with `Retry-After` in seconds (Clerk docs, "Rate limits":
 * https://clerk.com/docs/guides/how-clerk-works/system-limits).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

/** The `User` fields Clerk's spec requires, plus a few optional ones an export should keep. */
export type ClerkUser = Record<string, unknown> & { readonly id: string; readonly created_at: number };

/** `count` users, newest first (Clerk's default order), shaped like the spec's `User` schema. */
export function clerkUsers(count: number, seed = "drill"): ClerkUser[] {
  const base = 1_733_000_000_000;
  return Array.from({ length: count }, (_, n) => {
    const i = count - 1 - n; // newest (highest created_at) first
    const id = `user_2${seed}${String(i).padStart(8, "0")}`;
    const email = `idn_2${seed}${String(i).padStart(8, "0")}`;
    return {
      id,
      object: "user",
      external_id: i % 7 === 0 ? `legacy-${i}` : null,
      primary_email_address_id: email,
      primary_phone_number_id: null,
      primary_web3_wallet_id: null,
      username: null,
      first_name: i % 3 === 0 ? "Zoë" : `First${i}`,
      last_name: `O"Brien \\ ${i}`, // quotes and backslashes arrive escaped in the JSON
      image_url: `https://img.clerk.com/${id}`,
      has_image: false,
      public_metadata: { plan: i % 2 ? "pro" : "free", tags: ["a", "b"], nested: { n: i, ok: true, none: null, f: -1.5e-3 } },
      private_metadata: { note: "line1\nline2\ttab \u2603" },
      unsafe_metadata: {},
      email_addresses: [
        {
          id: email,
          object: "email_address",
          email_address: `user${i}@example.com`,
          reserved: false,
          verification: { status: "verified", strategy: "email_code", attempts: null, expire_at: null },
          linked_to: [],
          created_at: base + i,
          updated_at: base + i,
        },
      ],
      phone_numbers: [],
      web3_wallets: [],
      passkeys: [],
      password_enabled: i % 2 === 0,
      two_factor_enabled: false,
      totp_enabled: false,
      backup_code_enabled: false,
      external_accounts: [],
      saml_accounts: [],
      enterprise_accounts: [],
      last_sign_in_at: base + i * 10,
      banned: i % 11 === 0,
      locked: false,
      lockout_expires_in_seconds: null,
      verification_attempts_remaining: 100,
      created_at: base + i,
      updated_at: base + i,
      delete_self_enabled: true,
      create_organization_enabled: true,
      last_active_at: base + i * 10,
      mfa_enabled_at: null,
      mfa_disabled_at: null,
      legal_accepted_at: null,
    };
  });
}

/** One request the stand-in answered. */
export interface ClerkStubRequest {
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | undefined;
  readonly status: number;
}

/** An answer that replaces the normal one, e.g. a 429 or a broken page. */
export interface ClerkFault {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

export interface ClerkStubOptions {
  readonly secretKey: string;
  readonly users: readonly ClerkUser[];
  /**
   * Called for every `GET /v1/users` with the 1-based number of the request and its query; a fault
   * answers instead of the page.
   */
  readonly fault?: (request: number, query: Record<string, string>) => ClerkFault | undefined;
}

export interface ClerkStub {
  /** `http://127.0.0.1:<port>/v1`, what CLERK_API_URL points at. */
  readonly apiUrl: string;
  readonly requests: ClerkStubRequest[];
  close(): Promise<void>;
}

const clerkErrors = (code: string, message: string): string =>
  JSON.stringify({ errors: [{ message, long_message: message, code }], clerk_trace_id: "trace_drill" });

function answer(req: IncomingMessage, o: ClerkStubOptions, n: number, query: Record<string, string>): ClerkFault {
  if (req.headers.authorization !== `Bearer ${o.secretKey}`) {
    return { status: 401, body: clerkErrors("authentication_invalid", "Invalid authentication") };
  }
  const fault = o.fault?.(n, query);
  if (fault) return fault;
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return { status: 422, body: clerkErrors("form_param_value_invalid", "limit must be 1..500") };
  const orderBy = query.order_by ?? "-created_at";
  const offset = Number(query.offset ?? 0);
  const after = query.starting_after;
  if (after !== undefined && !["created_at", "+created_at", "-created_at"].includes(orderBy)) {
    return { status: 422, body: clerkErrors("form_param_value_invalid", "starting_after requires ordering by created_at") };
  }
  if (after !== undefined && offset !== 0) return { status: 422, body: clerkErrors("form_param_value_invalid", "starting_after and offset") };
  const ordered = orderBy.startsWith("+") || orderBy === "created_at" ? [...o.users].reverse() : [...o.users];
  let start = offset;
  if (after !== undefined) {
    const at = ordered.findIndex((u) => u.id === after);
    start = at < 0 ? ordered.length : at + 1;
  }
  return { status: 200, body: JSON.stringify(ordered.slice(start, start + limit)) };
}

/** Starts the stand-in on 127.0.0.1 on a free port. */
export async function startClerkStub(o: ClerkStubOptions): Promise<ClerkStub> {
  const requests: ClerkStubRequest[] = [];
  let count = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    let a: ClerkFault;
    if (req.method === "GET" && url.pathname === "/v1/users") a = answer(req, o, ++count, query);
    else a = { status: 404, body: clerkErrors("resource_not_found", `no route ${req.method} ${url.pathname}`) };
    requests.push({ path: url.pathname, query, authorization: req.headers.authorization, status: a.status });
    res.writeHead(a.status, { "Content-Type": "application/json", ...a.headers }).end(a.body);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
