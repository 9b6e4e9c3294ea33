import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { setSecurityHeaders } from "./security-headers.ts";
import { type FieldError, validationDetail, validationMessages } from "./validation-messages.ts";

// Every error that leaves the API is application/problem+json with a stable `code`.
// The codes are listed in docs/api/errors.md and are never renamed.
export type { FieldError };

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { errors?: FieldError[]; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.extra = options.extra;
  }
}

export const notFound = (what = "resource") => new AppError(404, "not_found", `The ${what} was not found.`);
export const forbidden = (message = "You are not allowed to do this.") =>
  new AppError(403, "forbidden", message);
export const unauthorized = (message = "Sign in or send an API token.") =>
  new AppError(401, "unauthorized", message);
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(409, code, message, { extra });
export const invalid = (errors: FieldError[], message = "The request has invalid fields.") =>
  new AppError(422, "validation_failed", message, { errors });
export const badRequest = (code: string, message: string) => new AppError(400, code, message);

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

// The RFC 9457 members come last: an error's extra members add to the problem, and can never
// replace its type, title, HTTP status, code or detail.
function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    type: `https://parley.dev/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    code,
    detail,
  };
}

// What the database refuses in a value the client sent. The HTTP layer checks text and dates
// before they get here (server/http/input-guard.ts, dates.ts); these are the net under it.
const PG_CODES: Record<string, [number, string, string]> = {
  "23505": [409, "already_exists", "A record with the same unique value already exists."],
  "23503": [422, "reference_not_found", "A referenced record does not exist."],
  "22P02": [400, "invalid_value", "A value has the wrong format."],
  "22003": [400, "invalid_value", "A number is out of range."],
  "22007": [400, "invalid_value", "A date has the wrong format."],
  "22008": [400, "invalid_value", "A date is out of range."],
  "22021": [400, "invalid_text", "Text may not contain the NUL character (U+0000)."],
  "22P05": [400, "invalid_text", "Text may not contain the NUL character (U+0000)."],
  "22001": [422, "value_too_long", "A value is too long."],
};

// `appPage` answers a browser's GET of a path the agent app's router owns (/tickets/12).
export function registerErrorHandling(
  app: FastifyInstance,
  appPage?: (req: FastifyRequest, reply: FastifyReply) => unknown,
) {
  app.setErrorHandler((error: FastifyError & { code?: string }, req, reply) => {
    reply.type("application/problem+json");
    if (error instanceof AppError) {
      return reply
        .status(error.status)
        .send(problem(error.status, error.code, error.message, { errors: error.errors, ...error.extra }));
    }
    if (error.validation) {
      const errors = validationMessages(error.validation, error.validationContext);
      return reply.status(400).send(problem(400, "validation_failed", validationDetail(errors), { errors }));
    }
    const pgCode = typeof error.code === "string" ? PG_CODES[error.code] : undefined;
    if (pgCode) {
      req.log.info(
        { pgCode: error.code, constraint: (error as any).constraint },
        "database constraint rejected a write",
      );
      return reply.status(pgCode[0]).send(problem(pgCode[0], pgCode[1], pgCode[2]));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code = error.statusCode === 429 ? "rate_limited" : mapFastifyCode(error.code);
      return reply.status(error.statusCode).send(problem(error.statusCode, code, error.message));
    }
    req.log.error({ err: error }, "request failed");
    return reply
      .status(500)
      .send(problem(500, "internal", "Something went wrong on our side.", { requestId: req.id }));
  });

  app.setNotFoundHandler((req, reply) => {
    if (appPage) {
      const page = appPage(req, reply);
      if (page) return page;
    }
    reply
      .status(404)
      .type("application/problem+json")
      .send(problem(404, "route_not_found", `No route ${req.method} ${req.url.split("?")[0]}.`));
  });
}

// Errors the router meets before any route or hook runs: a path that is not valid percent-encoded
// UTF-8 (/tickets/%E0%A4%A), or a path parameter past its length limit. Fastify answered them with
// its own JSON and none of Parley's headers.
export function answerFrameworkError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
  const status = tooLong ? 414 : 400;
  const detail = tooLong
    ? "A part of the URL path is too long."
    : error.code === "FST_ERR_BAD_URL"
      ? "The URL path is not valid percent-encoded UTF-8."
      : "The request could not be routed.";
  req.log.info({ code: error.code }, "request refused by the router");
  // No hook runs for these: the headers every other answer gets are set here.
  setSecurityHeaders(req, reply);
  reply.header("x-request-id", req.id);
  return reply
    .status(status)
    .type("application/problem+json")
    .send(problem(status, tooLong ? "uri_too_long" : "bad_request", detail));
}

function mapFastifyCode(code: string | undefined): string {
  switch (code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported_media_type";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "payload_too_large";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "invalid_json";
    default:
      return "bad_request";
  }
}
