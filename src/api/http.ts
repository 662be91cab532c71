// The HTTP layer's shared pieces: zod validation that names each field, one error shape for
// every answer ({ code, message, remediation, issues }), and the typed Fastify instance routes use.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaCompiler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '../core/logger.ts';
import { toFieldIssues } from '../domain/issues.ts';
import { AppError, isAppError, type ErrorCode, type FieldIssue } from '../errors/registry.ts';

export type ApiInstance = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in (health, sign-in, first-run setup). */
    public?: boolean;
  }
}

const PART_PREFIX: Record<string, string[]> = {
  body: [],
  querystring: ['query'],
  params: ['params'],
  headers: ['headers'],
};

/** Request parts are validated by their zod schema; a failure is VALIDATION_FAILED naming each field. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const prefix = PART_PREFIX[httpPart ?? 'body'] ?? [];
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const where =
      { query: 'the query string', params: 'the URL path', headers: 'the headers' }[prefix[0] ?? ''] ??
      'the request body';
    return {
      error: new AppError('VALIDATION_FAILED', `${where} is not valid`, toFieldIssues(result.error, prefix)),
    };
  };
};

/** `/:id` parameters. */
export const IdParams = z.strictObject({
  id: z.coerce.number().int().positive({ error: 'must be a positive number' }),
});

/** Fastify's own errors that reach users, mapped to the registry. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
};

/** Any other refusal Fastify or a plugin marks as the client's (4xx), by its status. */
const CLIENT_STATUS_CODES: Record<number, ErrorCode> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'UNSUPPORTED_MEDIA_TYPE',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** busboy's refusals of a malformed multipart body: plain Errors without a status. */
const MULTIPART_BODY_ERROR =
  /^(Unexpected end of multipart data|Multipart: Boundary not found|\w+ terminated early due to unexpected end of multipart data)/;

/** Errors about the address rather than the body. */
const URL_CODES = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

/** Where a request-level problem is, for the issues list: the body, the address, or neither. */
function requestIssue(code: string | undefined, message: string): FieldIssue {
  const where =
    code === undefined
      ? '(request)'
      : URL_CODES.has(code)
        ? '(url)'
        : code.startsWith('FST_')
          ? '(body)'
          : '(request)';
  return { path: where, message };
}

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof z.ZodError)
    return new AppError('VALIDATION_FAILED', 'the input is not valid', toFieldIssues(error));
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) {
    const message = fastifyError.message ?? mapped;
    return new AppError(mapped, message, [requestIssue(fastifyError.code, message)], { cause: error });
  }
  if (fastifyError.statusCode === 400 && fastifyError.validation)
    return new AppError('VALIDATION_FAILED', fastifyError.message ?? 'the input is not valid', []);
  if (error instanceof Error && MULTIPART_BODY_ERROR.test(error.message)) {
    const cutOff = /unexpected end/i.test(error.message);
    const message = cutOff
      ? 'the upload ended before the multipart body did; nothing was stored'
      : 'the multipart body has no boundary (send a file from a form, or the JSON as the body)';
    return new AppError(
      cutOff ? 'UPLOAD_INCOMPLETE' : 'VALIDATION_FAILED',
      message,
      [{ path: '(body)', message }],
      {
        cause: error,
      },
    );
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The client's mistake as Fastify or a plugin saw it (a bad Content-Length, a %-escape that is
    // not one, a cut-off body): say so, never "something went wrong on the appliance".
    const message = fastifyError.message || 'the request is not valid';
    return new AppError(
      CLIENT_STATUS_CODES[status] ?? 'VALIDATION_FAILED',
      message,
      [requestIssue(fastifyError.code, message)],
      { cause: error },
    );
  }
  return new AppError('INTERNAL_ERROR', 'something went wrong on the appliance', [], { cause: error });
}

export function errorHandler(log: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const appError = toAppError(error);
    if (appError.status >= 500)
      log.error({ err: error, method: request.method, route: request.routeOptions.url }, appError.message);
    else
      log.debug(
        { code: appError.code, method: request.method, route: request.routeOptions.url },
        appError.message,
      );
    void reply.code(appError.status).type('application/json').send(appError.toJSON());
  };
}

/**
 * For Fastify's `frameworkErrors` option: what fails before a route is chosen (a %-escape that is
 * not one, like /api/cameras/%zz) answers in the one error shape too, not Fastify's own.
 */
export function frameworkErrorHandler(log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const appError = toAppError(error);
    log.debug({ code: appError.code, method: request.method }, appError.message);
    void reply.code(appError.status).type('application/json').send(appError.toJSON());
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const error = new AppError('NOT_FOUND', `there is no ${request.method} ${request.url.split('?')[0] ?? ''}`);
  void reply.code(error.status).send(error.toJSON());
}
