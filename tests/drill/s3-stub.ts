/**
 * A minimal S3-compatible server for the backup drill: path-style PUT and GET of objects on
 * 127.0.0.1, with AWS Signature V4 checked against one known key pair, the signed payload hash
 * (`x-amz-content-sha256`) and `Content-MD5` (required on PUT, as on object-lock buckets) checked
 * against the body, and objects written atomically (temp file + rename, only after every check
 * passed), so a failed upload never leaves anything under its key. User metadata (`x-amz-meta-*`)
 * is kept beside the object and returned on GET; `GET /<bucket>?list-type=2` answers
 * ListObjectsV2 (prefix, continuation token, pages of `pageSize`). Test infrastructure only.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import { AddressInfo } from "node:net";
import { join } from "node:path";

export interface S3StubOptions {
  /** Directory holding one sub-directory per bucket. */
  readonly root: string;
  readonly buckets: readonly string[];
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Signing region the requests must use. */
  readonly region: string;
  /** Keys per ListObjectsV2 page (S3's is 1000; small values exercise paging). @default 1000 */
  readonly pageSize?: number;
}

/** One answered request, for assertions. */
export interface S3StubRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code?: string;
}

export interface S3Stub {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly requests: S3StubRequest[];
  /** Keys stored in `bucket` (temp files excluded). */
  keys(bucket: string): string[];
  close(): Promise<void>;
}

/** Suffix of the file that holds an object's user metadata. */
const META_SUFFIX = ".meta-json";
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000; // S3 rejects requests more than 15 minutes off

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks the request's SigV4 signature; returns the payload hash it signed. */
function verifySignature(req: IncomingMessage, url: URL, o: S3StubOptions): string {
  const m = AUTH.exec(String(req.headers.authorization ?? ""));
  if (!m) throw new S3Error(403, "AccessDenied", "missing or malformed AWS4-HMAC-SHA256 Authorization header");
  const [, keyId, day, region, signedHeaders, signature] = m;
  if (keyId !== o.accessKeyId) throw new S3Error(403, "InvalidAccessKeyId", `unknown access key id ${keyId}`);
  if (region !== o.region) throw new S3Error(400, "AuthorizationHeaderMalformed", `region ${region}, expected ${o.region}`);
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const t = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  if (!t || !amzDate.startsWith(day)) throw new S3Error(403, "AccessDenied", "x-amz-date missing or not the credential's day");
  const when = Date.UTC(+t[1], +t[2] - 1, +t[3], +t[4], +t[5], +t[6]);
  if (Math.abs(Date.now() - when) > MAX_SKEW_MS) throw new S3Error(403, "RequestTimeTooSkewed", `x-amz-date ${amzDate}`);
  const payloadHash = req.headers["x-amz-content-sha256"];
  if (typeof payloadHash !== "string") throw new S3Error(400, "InvalidRequest", "missing required header x-amz-content-sha256");
  const signed = signedHeaders.split(";");
  for (const h of ["host", "x-amz-date", "x-amz-content-sha256", ...Object.keys(req.headers).filter((k) => k.startsWith("x-amz-"))]) {
    if (!signed.includes(h)) throw new S3Error(403, "AccessDenied", `header ${h} is not signed`);
  }
  const canonicalHeaders = signed
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .sort()
    .join("&");
  const canonicalUri = url.pathname
    .split("/")
    .map((s) => uriEncode(decodeURIComponent(s)))
    .join("/");
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secretAccessKey}`, day), region), "s3"), "aws4_request");
  const expected = Buffer.from(createHmac("sha256", key).update(toSign).digest("hex"));
  if (!timingSafeEqual(expected, Buffer.from(signature))) {
    throw new S3Error(403, "SignatureDoesNotMatch", "the request signature we calculated does not match the signature you provided");
  }
  return payloadHash;
}

/** Streams the body to a temp file while hashing it; checks the hashes; renames it into place. */
async function putObject(req: IncomingMessage, file: string, payloadHash: string): Promise<void> {
  const contentMd5 = req.headers["content-md5"];
  if (typeof contentMd5 !== "string") throw new S3Error(400, "InvalidRequest", "Content-MD5 is required (object lock)");
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
  const md5 = createHash("md5");
  const sha = createHash("sha256");
  const out = createWriteStream(tmp, { flags: "wx", mode: 0o600 });
  try {
    await new Promise<void>((resolve, reject) => {
      req.on("data", (chunk: Buffer) => (md5.update(chunk), sha.update(chunk)));
      req.on("error", reject);
      out.on("error", reject);
      out.on("finish", resolve);
      req.pipe(out);
    });
    if (md5.digest("base64") !== contentMd5) throw new S3Error(400, "BadDigest", "Content-MD5 does not match the body");
    if (payloadHash !== "UNSIGNED-PAYLOAD" && sha.digest("hex") !== payloadHash) {
      throw new S3Error(400, "XAmzContentSHA256Mismatch", "x-amz-content-sha256 does not match the body");
    }
    const meta = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-amz-meta-")));
    writeFileSync(`${file}${META_SUFFIX}`, JSON.stringify(meta));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, o: S3StubOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const [, bucket = "", ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const payloadHash = verifySignature(req, url, o);
  if (!o.buckets.includes(bucket)) throw new S3Error(404, "NoSuchBucket", `bucket ${bucket}`);
  if (!key && req.method === "GET" && url.searchParams.get("list-type") === "2") {
    if (payloadHash !== EMPTY_SHA256) throw new S3Error(400, "XAmzContentSHA256Mismatch", "GET has an empty body");
    res.writeHead(200, { "Content-Type": "application/xml" }).end(listObjects(o, bucket, url.searchParams));
    return;
  }
  if (!key) throw new S3Error(400, "InvalidRequest", "this stub only serves objects and ListObjectsV2: /<bucket>/<key>, /<bucket>?list-type=2");
  const file = join(o.root, bucket, encodeURIComponent(key));
  if (req.method === "PUT") {
    await putObject(req, file, payloadHash);
    res.writeHead(200, { ETag: `"${String(req.headers["content-md5"])}"` }).end();
  } else if (req.method === "GET") {
    if (payloadHash !== EMPTY_SHA256) throw new S3Error(400, "XAmzContentSHA256Mismatch", "GET has an empty body");
    if (!existsSync(file)) throw new S3Error(404, "NoSuchKey", `key ${key}`);
    const meta = existsSync(`${file}${META_SUFFIX}`) ? (JSON.parse(readFileSync(`${file}${META_SUFFIX}`, "utf8")) as Record<string, string>) : {};
    res.writeHead(200, { "Content-Type": "application/octet-stream", ...meta });
    await new Promise<void>((resolve, reject) => createReadStream(file).on("error", reject).on("end", resolve).pipe(res));
  } else {
    throw new S3Error(405, "MethodNotAllowed", `${req.method} is not supported by this stub`);
  }
}

const storedKeys = (o: S3StubOptions, bucket: string): string[] =>
  readdirSync(join(o.root, bucket))
    .filter((f) => !f.includes(".tmp-") && !f.endsWith(META_SUFFIX))
    .map(decodeURIComponent)
    .sort();

const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** ListObjectsV2: keys under `prefix` in UTF-8 order, `pageSize` a page; the token is base64 of the last key. */
function listObjects(o: S3StubOptions, bucket: string, q: URLSearchParams): string {
  const prefix = q.get("prefix") ?? "";
  const token = q.get("continuation-token");
  const after = token === null ? "" : Buffer.from(token, "base64").toString("utf8");
  const max = Math.min(Number(q.get("max-keys") ?? 1000), o.pageSize ?? 1000);
  const matching = storedKeys(o, bucket).filter((k) => k.startsWith(prefix) && k > after);
  const page = matching.slice(0, max);
  const truncated = matching.length > page.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    ...(token !== null ? [`<ContinuationToken>${xmlEscape(token)}</ContinuationToken>`] : []),
    ...(truncated ? [`<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString("base64")}</NextContinuationToken>`] : []),
    ...page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><StorageClass>STANDARD</StorageClass></Contents>`),
    "</ListBucketResult>",
  ].join("");
}

/** Starts the stub on 127.0.0.1 (a free port unless `port` is given). */
export async function startS3Stub(o: S3StubOptions, port = 0): Promise<S3Stub> {
  for (const b of o.buckets) mkdirSync(join(o.root, b), { recursive: true });
  const requests: S3StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    handle(req, res, o).then(
      () => requests.push({ method: req.method ?? "", path, status: res.statusCode }),
      (e: unknown) => {
        const err = e instanceof S3Error ? e : new S3Error(500, "InternalError", String(e));
        requests.push({ method: req.method ?? "", path, status: err.status, code: err.code });
        req.resume(); // drain an unread body so the client sees the answer, not a reset
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${err.message}</Message></Error>\n`;
        if (!res.headersSent) res.writeHead(err.status, { "Content-Type": "application/xml", Connection: "close" });
        res.end(xml);
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    keys: (bucket) => storedKeys(o, bucket),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
