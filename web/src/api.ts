// The console's client of the OpenCFR API: same-origin requests carrying the session cookie, the
// CSRF token on every change, JSON in and out, and the API's error body turned into ApiError.

export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.field = body.field;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)cfr_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? headers : { "Content-Type": "application/json", ...headers });
}

// A body that is not JSON (a bank's CSV or NDJSON transfers), sent as it is.
export function postText<T>(path: string, text: string, contentType: string): Promise<T> {
  return send<T>("POST", path, text, { "Content-Type": contentType });
}

// A file (an evidence picture or PDF), sent as the body.
export function postFile<T>(path: string, file: Blob): Promise<T> {
  return send<T>("POST", path, file, { "Content-Type": file.type || "application/octet-stream" });
}

async function send<T>(method: string, path: string, body: BodyInit | undefined, headers: Record<string, string>): Promise<T> {
  const h: Record<string, string> = { Accept: "application/json", ...headers };
  if (method !== "GET") h["X-CSRF-Token"] = csrfToken();
  const res = await fetch(path, { method, headers: h, body, credentials: "same-origin" });
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const err = (parsed as { error?: ApiErrorBody } | null)?.error;
    throw new ApiError(res.status, err ?? { code: "http_" + res.status, message: res.statusText || "request failed" });
  }
  if (res.status === 401) throw new ApiError(401, { code: "unauthenticated", message: "not logged in" });
  return parsed as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>("POST", path, body ?? {}, headers);
export const put = <T>(path: string, body: unknown) => api<T>("PUT", path, body);

// Builds "path?a=1&b=2" from the defined, non-empty values.
export function withQuery(path: string, q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

// An entity's address in the API: kind and canonical value, the value encoded as one segment.
export const entityPath = (kind: string, canonical: string) =>
  `/api/v1/entities/${encodeURIComponent(kind)}/${encodeURIComponent(canonical)}`;

export interface Me {
  user: string | null;
  agency: string;
  role: string;
  credential: string | null;
  centre_agency: string;
}
