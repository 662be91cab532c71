// The appliance's HTTP API: buildApp(deps) wires plugins and routes and returns the instance;
// main.ts only listens. Tests call app.inject() against a real SQLite file.
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createLogger } from '../core/logger.ts';
import { registerAuth } from './auth/plugin.ts';
import type { ApiDeps } from './deps.ts';
import { HostPolicy, registerHostGuard } from './host-guard.ts';
import {
  errorHandler,
  frameworkErrorHandler,
  notFoundHandler,
  zodValidatorCompiler,
  type ApiInstance,
} from './http.ts';
import { recordRoutes } from './public-routes.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { registerCameraRoutes } from './routes/cameras.ts';
import { registerDestinationRoutes } from './routes/destinations.ts';
import { registerHealthHistoryRoute } from './routes/health-history.ts';
import { registerPtzRoutes } from './routes/ptz.ts';
import { registerCameraMediaRoutes } from './routes/camera-media.ts';
import { registerProgramPreviewRoute } from './routes/program-preview.ts';
import { registerLogRoutes } from './routes/logs.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerScheduleRoutes } from './routes/schedules.ts';
import { registerHealthRoute, registerShowRoutes } from './routes/show.ts';
import { registerTimelinePreviewRoutes } from './routes/timeline-preview.ts';
import { registerTimelineRoutes } from './routes/timelines.ts';
import { registerTimelapseRoutes } from './routes/timelapses.ts';
import { registerWebUi } from './routes/web-ui.ts';
import { registerYouTubeRoutes } from './routes/youtube.ts';
import { registerWebsiteRoutes } from './routes/website.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { TrustedProxies } from './trusted-proxies.ts';

/** JSON bodies above this are refused with 413 (uploads have their own, larger limit). */
const JSON_BODY_LIMIT = 2 * 1024 * 1024;

/** How the app meets the network (main.ts sets them from the configuration). */
export interface WebServing {
  /** Serve HTTPS with this key and certificate (PEM); without: plain HTTP (tests, a TLS proxy). */
  https?: { key: Buffer; cert: Buffer };
  /** The Host names answered (default: this machine's names and addresses, and localhost). */
  hosts?: HostPolicy;
  /** Reverse proxies whose X-Forwarded-For/-Host are believed (default none: the peer's address). */
  trustedProxies?: readonly string[];
}

export async function buildApp(deps: ApiDeps & WebServing): Promise<ApiInstance> {
  const log = deps.logger ?? createLogger('api');
  const proxies = new TrustedProxies(deps.trustedProxies);
  const app = Fastify({
    // request.ip: the client's address from X-Forwarded-For, only from a trusted proxy.
    trustProxy: proxies.fastifyOption(),
    bodyLimit: JSON_BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
    // Request ids in errors help support; the logger is ours (pino), so nothing secret is logged.
    loggerInstance: log as FastifyBaseLogger,
    https: deps.https ?? null,
    // A request Fastify refuses itself (a broken %-escape in the URL) answers in our error shape.
    frameworkErrors: frameworkErrorHandler(log),
  }).withTypeProvider<ZodTypeProvider>();
  // Before anything else: every answer carries the security headers, and a request naming a
  // host that is not the appliance's is refused before any route or sign-in (DNS rebinding).
  registerSecurityHeaders(app);
  registerHostGuard(app, deps.hosts ?? new HostPolicy(), proxies);
  recordRoutes(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler(notFoundHandler);

  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'VistterStream appliance API',
        version: '1',
        description:
          'Every route but /api/health and sign-in needs a session cookie (with X-CSRF-Token on changes) or an API token (Authorization: Bearer …). Errors answer { code, message, remediation, issues[] }.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'vistter_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.addHook('onRoute', (route) => {
    // The API reference is public reading.
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  registerAuth(app, deps);
  registerRecordRoutes(app, deps);
  registerCameraMediaRoutes(app, deps);
  registerAssetRoutes(app, deps);
  registerHealthRoute(app, deps);
  registerHealthHistoryRoute(app, deps);
  if (deps.shows) registerShowRoutes(app, deps, deps.shows);
  if (deps.shows)
    registerProgramPreviewRoute(app, deps.shows, log.child({ component: 'program-preview' }), deps.clock);
  registerCameraRoutes(app, deps);
  registerPtzRoutes(app, deps);
  registerDestinationRoutes(app, deps);
  registerTimelineRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerTimelinePreviewRoutes(app, deps);
  registerLogRoutes(app);
  registerYouTubeRoutes(app, deps);
  // The venue website's public live picture and player (issue 17), each off until turned on.
  if (deps.shows) registerWebsiteRoutes(app, deps, deps.shows, deps.website);
  registerTimelapseRoutes(app, deps);
  if (deps.webRoot) await registerWebUi(app, deps.webRoot);
  return app;
}
