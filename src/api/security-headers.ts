// Security headers on every answer, the web UI's and the API's alike (errors included): a content
// security policy that allows exactly what the control room and the API reference load, no
// framing by other sites, no referrer to other sites, no content-type guessing.
//
// What the pages need, and why each source is there:
// - scripts, styles, fonts: the built files under / and /api/docs only ('self'); no inline code.
// - img-src data: the API reference's icons; blob: the camera snapshot and the timeline preview
//   frame, fetched and shown as object URLs.
// - media-src blob: the program preview plays through Media Source Extensions (mpegts.js and
//   hls.js attach a MediaSource object URL to the <video>).
// - worker-src blob: hls.js runs its transmuxer in a worker made from a blob URL.
// - connect-src 'self': the API, the preview files and the WebSockets (same host: CSP 3 lets
//   'self' match ws:/wss: too).
// - The API reference (/api/docs, Swagger UI) also sets inline styles: 'unsafe-inline' styles
//   there only (styles cannot run code; its scripts stay 'self').
// Not sent: Strict-Transport-Security. The certificate is usually the appliance's own: a browser
// that pinned HTTPS for its name could not be told to accept a new one after a reinstall.
import type { ApiInstance } from './http.ts';

const POLICY: ReadonlyArray<readonly [directive: string, sources: string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['media-src', "'self' blob:"],
  ['worker-src', "'self' blob:"],
  ['connect-src', "'self'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

const policyText = (policy: typeof POLICY): string =>
  policy.map(([directive, sources]) => `${directive} ${sources}`).join('; ');

export const CONTENT_SECURITY_POLICY = policyText(POLICY);
export const API_REFERENCE_POLICY = policyText(
  POLICY.map(([directive, sources]) =>
    directive === 'style-src' ? [directive, `${sources} 'unsafe-inline'`] : [directive, sources],
  ),
);
const API_REFERENCE = /^\/api\/docs(\/|\?|$)/;

/** The headers every answer carries but the content security policy. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // For browsers without frame-ancestors.
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" on a form
  // post, and the cross-site check would refuse the appliance's own page.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Sets the headers as each request arrives, so answers refused by a later hook carry them too. */
export function registerSecurityHeaders(app: ApiInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS);
    void reply.header(
      'content-security-policy',
      API_REFERENCE.test(request.url) ? API_REFERENCE_POLICY : CONTENT_SECURITY_POLICY,
    );
  });
}
