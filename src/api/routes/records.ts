// History and housekeeping: executions, alerts (list, acknowledge) and the appliance's settings.
import { z } from 'zod';
import {
  SETTINGS,
  SETTING_KEYS,
  parseSetting,
  settingInvalidMessage,
  type SettingKey,
} from '../../domain/settings.ts';
import { maskPushCredentials, PUSH_CREDENTIALS_SETTING } from '../../domain/website.ts';
import { AppError } from '../../errors/registry.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const ExecutionQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const AlertQuery = z.strictObject({
  open: z.enum(['true', 'false']).optional(),
  unacknowledged: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const SettingParams = z.strictObject({
  key: z.enum(SETTING_KEYS, { error: 'is not a setting this appliance has' }),
});
const SettingBody = z.strictObject({
  value: z
    .unknown()
    .refine((value) => value !== undefined, { error: 'is missing (send null to remove the setting)' }),
});

/** A webhook URL can hold a token in its path or query: only its origin is shown. */
function maskSetting(key: SettingKey, value: unknown): unknown {
  if (!SETTINGS[key].mask || value === null || typeof value !== 'object') return value;
  if (key === 'youtube.oauth_client') return { ...value, client_secret: '****' };
  if (key === PUSH_CREDENTIALS_SETTING) return maskPushCredentials(value);
  const webhook = value as { url?: unknown; enabled?: unknown };
  return {
    ...webhook,
    url: `${URL.canParse(String(webhook.url)) ? new URL(String(webhook.url)).origin : ''}/…`,
  };
}

export function registerRecordRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;

  app.get(
    '/api/executions',
    { schema: { tags: ['history'], summary: 'Shows run, newest first', querystring: ExecutionQuery } },
    async (request) =>
      store.executions.list(request.query.limit).map(({ plan: _plan, owner: _owner, ...row }) => row),
  );

  app.get(
    '/api/executions/:id',
    { schema: { tags: ['history'], summary: 'One show run with its metrics', params: IdParams } },
    async (request) => {
      const { owner: _owner, ...row } = store.executions.get(request.params.id);
      return row;
    },
  );

  app.get(
    '/api/alerts',
    { schema: { tags: ['alerts'], summary: 'Alerts, newest first', querystring: AlertQuery } },
    async (request) =>
      store.alerts.list({
        openOnly: request.query.open === 'true',
        unacknowledgedOnly: request.query.unacknowledged === 'true',
        limit: request.query.limit,
      }),
  );

  app.post(
    '/api/alerts/:id/acknowledge',
    { schema: { tags: ['alerts'], summary: 'Mark an alert as seen', params: IdParams } },
    async (request) =>
      deps.alerts ? deps.alerts.acknowledge(request.params.id) : store.alerts.acknowledge(request.params.id),
  );

  app.get(
    '/api/settings',
    { schema: { tags: ['settings'], summary: 'The appliance’s settings' } },
    async () => {
      const stored = store.settings.all();
      return Object.fromEntries(SETTING_KEYS.map((key) => [key, maskSetting(key, stored[key] ?? null)]));
    },
  );

  app.put(
    '/api/settings/:key',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change one setting ({ "value": … }; null removes it)',
        params: SettingParams,
        body: SettingBody,
      },
    },
    async (request) => {
      const { key } = request.params;
      const parsed = parseSetting(key, request.body.value);
      if (!parsed.success) {
        throw new AppError(
          key === 'alerts.webhook' ? 'WEBHOOK_URL_INVALID' : 'VALIDATION_FAILED',
          settingInvalidMessage(key, parsed.error.issues[0]?.message),
          parsed.error.issues.map((issue) => ({
            path: ['value', ...issue.path.map(String)].join('.'),
            message: issue.message,
          })),
        );
      }
      store.settings.set(key, parsed.data);
      deps.onSettingChanged?.(key, parsed.data);
      return { key, value: maskSetting(key, parsed.data) };
    },
  );
}
