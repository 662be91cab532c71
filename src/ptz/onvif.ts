// PTZ over ONVIF: a small typed client on the `onvif` library (agsh/onvif). The library is
// callback based and untyped where it matters; the shapes it hands back are checked here with
// zod, so nothing untyped leaves this module. Failures become PTZ_FAILED with a sentence a venue
// manager can act on (wrong password, unreachable, no PTZ); passwords never appear in messages.
// Network deadlines are real time: this module is an I/O edge, like the process supervisor.
import onvif from 'onvif';
import { z } from 'zod';
import { AppError } from '../errors/registry.ts';
import { messageOf } from '../core/message-of.ts';
import { redactText } from '../core/redact.ts';

export interface PtzPosition {
  pan: number;
  tilt: number;
  zoom: number;
}

export interface PtzStatus extends PtzPosition {
  /** The camera reports a pan/tilt or zoom movement in progress. */
  moving: boolean;
}

/** A preset as the camera knows it. */
export interface CameraPreset {
  token: string;
  name: string;
  /** Where it points, when the camera says so. */
  position: PtzPosition | null;
}

export interface PtzClient {
  /** The presets stored in the camera. */
  presets(): Promise<CameraPreset[]>;
  /** Starts the move to a preset (the camera answers before it arrives). Speed 0 < s ≤ 1. */
  gotoPreset(token: string, speed?: number): Promise<void>;
  /** Starts a move to a position (generic space: pan/tilt −1…1, zoom 0…1; without zoom, the
   *  zoom stays as it is). */
  moveTo(position: { pan: number; tilt: number; zoom?: number }, speed?: number): Promise<void>;
  /** Stores the current position as a preset (SetPreset); with a token, overwrites that preset. */
  capturePreset(name: string, token?: string): Promise<{ token: string }>;
  removePreset(token: string): Promise<void>;
  status(): Promise<PtzStatus>;
}

export interface OnvifConnectOptions {
  /** The device service, e.g. http://192.168.1.20/onvif/device_service. */
  url: string;
  username?: string | null;
  password?: string | null;
  /** Deadline for connecting and for each later operation (default 8 s). */
  timeoutMs?: number;
  /** How messages name the camera, e.g. `camera "Dock"` (default: its address). */
  label?: string;
}

export type PtzConnect = (options: OnvifConnectOptions) => Promise<PtzClient>;

export const DEFAULT_PTZ_TIMEOUT_MS = 8000;

// ---- The library, as this module uses it ---------------------------------------------------

type Done = (error: unknown, data?: unknown) => void;

interface CamOptions {
  hostname: string;
  port: number;
  path: string;
  username?: string;
  password?: string;
  timeout: number;
  useSecure: boolean;
  autoconnect: false;
}

interface PtzVector {
  x: number;
  y: number;
  zoom: number;
}

interface OnvifCam {
  uri?: Record<string, unknown>;
  profiles?: unknown;
  presets?: unknown;
  connect(callback: (error: unknown) => void): void;
  on(event: 'warning', listener: (warning: unknown) => void): unknown;
  getActiveSources(): void;
  getPresets(options: { profileToken: string }, callback: Done): void;
  gotoPreset(options: { profileToken: string; preset: string; speed?: PtzVector }, callback: Done): void;
  absoluteMove(
    options: { profileToken: string; speed?: PtzVector; onlySendPanTilt?: boolean } & PtzVector,
    callback: Done,
  ): void;
  setPreset(
    options: { profileToken: string; presetName: string; presetToken?: string },
    callback: Done,
  ): void;
  removePreset(options: { profileToken: string; presetToken: string }, callback: Done): void;
  getStatus(options: { profileToken: string }, callback: Done): void;
}

const Cam = (onvif as unknown as { Cam: new (options: CamOptions) => OnvifCam }).Cam;

/** The library turns numeric-looking text into numbers and ISO dates into Dates. */
const Scalar = z
  .union([z.string(), z.number(), z.boolean(), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString() : String(value)));
const Num = z.union([z.number(), z.string()]).transform(Number).pipe(z.number());

const ProfileShape = z.object({ $: z.object({ token: Scalar }), PTZConfiguration: z.unknown().optional() });
const PresetShape = z.object({
  $: z.object({ token: Scalar }),
  name: Scalar.optional(),
  PTZPosition: z
    .object({
      panTilt: z.object({ $: z.object({ x: Num, y: Num }) }).optional(),
      zoom: z.object({ $: z.object({ x: Num }) }).optional(),
    })
    .optional(),
});
const StatusShape = z.object({
  position: z.object({ x: Num, y: Num, zoom: Num }),
  moveStatus: z.unknown().optional(),
});
const Text = z.union([z.string(), z.object({ _: z.string() }).transform((node) => node._)]);
/** SetPreset's answer as the library hands it over: the raw SOAP body (xml2js arrays). */
const SetPresetShape = z.array(
  z.object({ setPresetResponse: z.array(z.object({ presetToken: z.array(Text).min(1) })).min(1) }),
);

// ---- Errors ----------------------------------------------------------------------------------

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'it refused the connection',
  EHOSTUNREACH: 'there is no route to it',
  ENETUNREACH: 'its network is unreachable',
  EHOSTDOWN: 'it is down',
  ENOTFOUND: 'its address was not found',
  EAI_AGAIN: 'its address could not be looked up',
  ECONNRESET: 'it closed the connection',
  EPIPE: 'it closed the connection',
};

interface Target {
  hostname: string;
  port: number;
  path: string;
  useSecure: boolean;
  who: string;
}

class Deadline extends Error {}

/** The text of an error, one line, without the password. */
/** One line of the library's message, with the password and any URL secrets masked. */
function scrub(text: string, password: string | null | undefined): string {
  return redactText(text.replace(/\s+/g, ' ').trim().slice(0, 300), { secrets: password ? [password] : [] });
}

function ptzFailure(
  target: Target,
  doing: string,
  error: unknown,
  timeoutMs: number,
  credentials: { username?: string | null | undefined; password?: string | null | undefined },
): AppError {
  const { who } = target;
  const raw = messageOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const text = scrub(raw, credentials.password);
  const cause = { cause: new Error(text) };
  if (error instanceof Deadline || raw === 'Network timeout' || code === 'ETIMEDOUT') {
    const seconds = Math.round(timeoutMs / 100) / 10;
    return new AppError(
      'PTZ_FAILED',
      `${who} did not answer within ${seconds} s (trying to ${doing})`,
      [],
      cause,
    );
  }
  if (typeof code === 'string' && NETWORK_REASONS[code]) {
    return new AppError(
      'PTZ_FAILED',
      `${who} cannot be reached: ${NETWORK_REASONS[code]}. Check it is powered and on the network, and its ONVIF address and port`,
      [],
      cause,
    );
  }
  if (/not ?authori[sz]ed|unauthori[sz]ed|authentication failed/i.test(raw)) {
    const message =
      credentials.username && credentials.password
        ? `${who} refused the ONVIF user name or password`
        : `${who} asks for an ONVIF user name and password, and none is set`;
    return new AppError('PTZ_FAILED', message, [], cause);
  }
  if (/Wrong ONVIF SOAP response|Non-whitespace before first tag|Unexpected close tag/i.test(raw)) {
    return new AppError(
      'PTZ_FAILED',
      `${who} does not answer like an ONVIF device; check the ONVIF address (it usually ends in /onvif/device_service)`,
      [],
      cause,
    );
  }
  const fault = /^ONVIF SOAP Fault: ?(.*)$/.exec(text);
  if (fault)
    return new AppError(
      'PTZ_FAILED',
      `${who} refused to ${doing}: ${fault[1] || 'no reason given'}`,
      [],
      cause,
    );
  return new AppError('PTZ_FAILED', `${who}: could not ${doing} (${text})`, [], cause);
}

function noPtz(target: Target): AppError {
  return new AppError('PTZ_FAILED', `${target.who} has no PTZ control over ONVIF`);
}

// ---- The client ----------------------------------------------------------------------------

/** The library writes values into its XML unescaped; tokens and names are escaped here. */
function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function speedVector(speed: number | undefined): PtzVector | undefined {
  if (speed === undefined) return undefined;
  if (!(speed > 0 && speed <= 1)) throw new RangeError(`speed must be in (0, 1], got ${speed}`);
  return { x: speed, y: speed, zoom: speed };
}

function parseTarget(url: string, label: string | undefined): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError(
      'PTZ_NOT_CONFIGURED',
      `${label ?? 'the camera'} has an ONVIF address that is not a URL`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new AppError(
      'PTZ_NOT_CONFIGURED',
      `${label ?? 'the camera'} has an ONVIF address that is not http(s)`,
    );
  const useSecure = parsed.protocol === 'https:';
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port ? Number(parsed.port) : useSecure ? 443 : 80;
  const path = parsed.pathname === '/' ? '/onvif/device_service' : `${parsed.pathname}${parsed.search}`;
  const address = `${parsed.hostname}:${port}`;
  return {
    hostname,
    port,
    path,
    useSecure,
    who: label ? `${label} (${address})` : `the camera at ${address}`,
  };
}

/** Connects to the camera's ONVIF device service and finds its PTZ profile. */
export async function connectOnvif(options: OnvifConnectOptions): Promise<PtzClient> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PTZ_TIMEOUT_MS;
  const target = parseTarget(options.url, options.label);
  const credentials = { username: options.username, password: options.password };
  const cam = new Cam({
    hostname: target.hostname,
    port: target.port,
    path: target.path,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    timeout: timeoutMs,
    useSecure: target.useSecure,
    autoconnect: false,
  });
  // The library matches video sources to profiles during connect and throws from inside an
  // HTTP callback (an uncaught exception) when a camera's profiles do not fit its pattern. PTZ
  // needs none of that: the PTZ profile is chosen below.
  const matchSources = cam.getActiveSources.bind(cam);
  cam.getActiveSources = () => {
    try {
      matchSources();
    } catch {
      // not needed for PTZ
    }
  };

  /** One library call with a deadline; errors become PTZ_FAILED. */
  const run = (doing: string, start: (done: Done) => void): Promise<unknown> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, data?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(ptzFailure(target, doing, error, timeoutMs, credentials));
        else resolve(data);
      };
      const timer = setTimeout(() => finish(new Deadline()), timeoutMs);
      try {
        start(finish);
      } catch (error) {
        finish(error);
      }
    });

  let warning: string | null = null;
  cam.on('warning', (message) => {
    warning = scrub(String(message), options.password);
  });

  await run('connect', (done) => cam.connect((error) => done(error)));
  if (!cam.uri?.ptz) throw noPtz(target);
  const profiles = Array.isArray(cam.profiles) ? cam.profiles : [];
  const ptzProfile = profiles
    .map((profile) => ProfileShape.safeParse(profile))
    .find((parsed) => parsed.success && parsed.data.PTZConfiguration !== undefined);
  if (!ptzProfile?.success) {
    // Media profiles that failed to load are a warning in the library, not an error.
    if (profiles.length === 0 && warning)
      throw new AppError('PTZ_FAILED', `${target.who} did not list its media profiles (${warning})`);
    throw noPtz(target);
  }
  const profileToken = xml(ptzProfile.data.$.token);

  const unexpected = (doing: string, what: string) =>
    new AppError('PTZ_FAILED', `${target.who} gave an unexpected answer when asked to ${doing} (${what})`);

  return {
    async presets() {
      const doing = 'list its presets';
      await run(doing, (done) => cam.getPresets({ profileToken }, done));
      const stored = cam.presets && typeof cam.presets === 'object' ? Object.values(cam.presets) : [];
      return stored.flatMap((entry): CameraPreset[] => {
        const parsed = PresetShape.safeParse(entry);
        if (!parsed.success) return [];
        const { $, name, PTZPosition } = parsed.data;
        const panTilt = PTZPosition?.panTilt?.$;
        return [
          {
            token: $.token,
            name: name ?? $.token,
            position: panTilt ? { pan: panTilt.x, tilt: panTilt.y, zoom: PTZPosition?.zoom?.$.x ?? 0 } : null,
          },
        ];
      });
    },

    async gotoPreset(token, speed) {
      const vector = speedVector(speed);
      await run(`go to preset "${token}"`, (done) =>
        cam.gotoPreset({ profileToken, preset: xml(token), ...(vector ? { speed: vector } : {}) }, done),
      );
    },

    async moveTo(position, speed) {
      const vector = speedVector(speed);
      await run('move', (done) =>
        cam.absoluteMove(
          {
            profileToken,
            x: position.pan,
            y: position.tilt,
            zoom: position.zoom ?? 0,
            ...(position.zoom === undefined ? { onlySendPanTilt: true } : {}),
            ...(vector ? { speed: vector } : {}),
          },
          done,
        ),
      );
    },

    async capturePreset(name, token) {
      const doing = `store preset "${name}"`;
      const data = await run(doing, (done) =>
        cam.setPreset(
          {
            profileToken,
            presetName: xml(name),
            ...(token !== undefined ? { presetToken: xml(token) } : {}),
          },
          done,
        ),
      );
      const parsed = SetPresetShape.safeParse(data);
      const stored = parsed.success
        ? parsed.data[0]?.setPresetResponse[0]?.presetToken[0]?.trim()
        : undefined;
      if (!stored) throw unexpected(doing, 'no preset token');
      return { token: stored };
    },

    async removePreset(token) {
      await run(`remove preset "${token}"`, (done) =>
        cam.removePreset({ profileToken, presetToken: xml(token) }, done),
      );
    },

    async status() {
      const doing = 'report its position';
      const parsed = StatusShape.safeParse(await run(doing, (done) => cam.getStatus({ profileToken }, done)));
      if (!parsed.success) throw unexpected(doing, 'no position');
      const { position, moveStatus } = parsed.data;
      const states =
        typeof moveStatus === 'string'
          ? [moveStatus]
          : moveStatus && typeof moveStatus === 'object'
            ? Object.values(moveStatus).map(String)
            : [];
      return {
        pan: position.x,
        tilt: position.y,
        zoom: position.zoom,
        moving: states.some((state) => state.toUpperCase() === 'MOVING'),
      };
    },
  };
}
