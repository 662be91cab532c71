// Alerting wired from the store: the alert center, plus the webhook when one is configured.
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { AlertWebhookSchema } from '../domain/schemas.ts';
import type { AlertRepository } from '../store/repositories/alerts.ts';
import { AlertCenter } from './alert-center.ts';
import { WebhookNotifier } from './webhook.ts';

export * from './alert-center.ts';
export * from './webhook.ts';

/** Settings key the webhook configuration ({ url, enabled }) is stored under. */
export const ALERT_WEBHOOK_SETTING = 'alerts.webhook';
/** Closed alerts older than this are deleted at start. */
export const ALERT_RETAIN_DAYS = 90;

export interface AlertingOptions {
  alerts: AlertRepository;
  /** The stored webhook setting (validated here); null or absent for none. */
  webhook?: unknown;
  clock?: Clock;
  logger?: Logger;
  retainDays?: number;
}

export interface Alerting {
  center: AlertCenter;
  /** The webhook events go to now (null: none). */
  readonly webhook: WebhookNotifier | null;
  /** Replaces the webhook with this setting ({ url, enabled }, or null for none), at once. */
  configureWebhook(setting: unknown): void;
  /** Stops the webhook (queued events are dropped). */
  close(): void;
}

/**
 * Builds the alert center. A bad webhook setting is logged and skipped: a notifier must never
 * keep the appliance from starting its show.
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger('alerts');
  const retainMs = (options.retainDays ?? ALERT_RETAIN_DAYS) * 86_400_000;
  try {
    const pruned = options.alerts.prune(new Date(clock.wallNow() - retainMs).toISOString());
    if (pruned > 0) log.info({ pruned }, 'deleted old closed alerts');
  } catch (error) {
    log.error({ err: error }, 'could not delete old alerts');
  }
  let webhook: WebhookNotifier | null = null;
  const configureWebhook = (setting: unknown): void => {
    webhook?.close();
    webhook = null;
    if (setting === undefined || setting === null) return;
    const parsed = AlertWebhookSchema.safeParse(setting);
    if (!parsed.success) {
      // The issues name fields, never the URL's value.
      log.error(
        { issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'webhook setting is not valid; no webhook',
      );
    } else if (parsed.data.enabled) {
      try {
        webhook = new WebhookNotifier({ url: parsed.data.url, clock, logger: log });
        log.info({ webhook: webhook.origin }, 'alerts go to the webhook');
      } catch (error) {
        log.error({ err: error }, 'webhook setting is not usable; no webhook');
      }
    }
  };
  configureWebhook(options.webhook);
  const center = new AlertCenter({
    store: options.alerts,
    clock,
    logger: log,
    // One notifier for the center's lifetime, forwarding to whichever webhook is current.
    notifiers: [{ notify: (event) => webhook?.notify(event) }],
  });
  return {
    center,
    get webhook() {
      return webhook;
    },
    configureWebhook,
    close: () => webhook?.close(),
  };
}
