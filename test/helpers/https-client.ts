// A real HTTPS client that trusts exactly one certificate (the appliance's own), as a browser
// does once the operator has accepted it. Node's fetch cannot be given a certificate to trust.
import { request } from 'node:https';
import { checkServerIdentity } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request; `ca` is the only certificate trusted (none: the system's list). The certificate is
 *  checked against the address dialled, also when `headers.host` names another host (to send a
 *  foreign Host, as a page under another name would, past the TLS check). */
export function httpsRequest(
  url: string,
  options: { method?: string; ca?: Buffer; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpsAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        // A fresh connection each time: a kept-alive one would skip the certificate check.
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
        checkServerIdentity: (_host, certificate) => checkServerIdentity(new URL(url).hostname, certificate),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
