// The one way the app talks to the Parley API: same-origin fetch with the session cookie, JSON in
// and out, and every error turned into an ApiError that carries the problem+json `code`.
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.detail ?? body.title ?? `Request failed (${status})`));
    this.status = status;
    this.code = String(body.code ?? "unknown");
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    this.body = body;
  }
}

// Listeners told when any request answers 401, so the app can send the person back to sign-in.
// Sign-out and a 401 both leave for the sign-in page with a full load. The first one wins: a second
// navigation would abort the first mid-load (a 401 from a request still in flight as the agent signs
// out, say).
let leavingForSignIn = false;
export function leaveForSignIn(url: string) {
  if (leavingForSignIn) return;
  leavingForSignIn = true;
  window.location.assign(url);
}

const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

type Query = Record<string, string | number | boolean | undefined | null | Array<string | number>>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || options.body instanceof Blob) body = options.body;
  else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(path, options.query), {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    body,
    credentials: "same-origin",
    signal: options.signal,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = text ? safeJson(text) : {};
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/api/v1/auth/login")) {
      for (const listener of unauthorizedListeners) listener();
    }
    throw new ApiError(response.status, typeof parsed === "object" && parsed ? parsed : { detail: text });
  }
  return parsed as T;
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

// The server words a broken rule as a whole sentence that names its subject ("Dana Reyes is not
// a member of the Billing group, so ..."); a schema check answers with a phrase about the field
// at `path` ("is not an email address"), which needs the field's name in front to be read alone.
export function fieldErrorText(error: FieldError): string {
  if (/[.!?]$/.test(error.message)) return error.message;
  return `${error.path.replace(/^(body|querystring|params)\./, "")} ${error.message}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    // The field messages say what is wrong; the problem's detail ("The request has invalid
    // fields.", or the same phrases as one sentence) would only say it again.
    if (error.errors.length) return error.errors.map(fieldErrorText).join(" ");
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
