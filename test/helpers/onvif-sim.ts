// A simulated ONVIF PTZ camera for tests: an HTTP server on 127.0.0.1 that reads the SOAP 1.2
// requests a client sends (XML parsed for real), checks the WS-Security UsernameToken
// PasswordDigest, and answers with SOAP envelopes from the ONVIF device, media and PTZ services.
// It keeps presets and the current position in memory, records every request with its time, and
// can be told to fail or hang.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childOf, childText, escapeXml, parseXml, XmlError, type XmlElement } from '../fixtures/onvif/xml.ts';

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
  ptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  schema: 'http://www.onvif.org/ver10/schema',
  error: 'http://www.onvif.org/ver10/error',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const GENERIC_PAN_TILT = 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace';
const GENERIC_ZOOM = 'http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace';
/** Cameras accept a UsernameToken whose Created is within a few minutes of their clock. */
const CREATED_WINDOW_MS = 5 * 60_000;

const SERVICE_PATHS = {
  device: '/onvif/device_service',
  media: '/onvif/media_service',
  ptz: '/onvif/ptz_service',
} as const;
type Service = keyof typeof SERVICE_PATHS;

export interface SimPosition {
  pan: number;
  tilt: number;
  zoom: number;
}

export interface SimPreset extends SimPosition {
  token: string;
  name: string;
}

export interface OnvifSimOptions {
  username?: string; // default 'admin'
  password?: string; // default 'cam-secret'
  /** Presets the camera already has. */
  presets?: SimPreset[];
  position?: SimPosition; // default 0, 0, 0
  /** Advertise the PTZ service and a PTZ configuration in the media profile (default true). */
  ptz?: boolean;
  /** Answer GetServices (default true); false makes clients fall back to GetCapabilities, like
   *  cameras built to the first ONVIF versions. */
  getServices?: boolean;
  maxPresets?: number; // default 64
  /** GotoPreset / AbsoluteMove take this long: GetStatus says MOVING and reports the position on
   *  the way (linear). Default 0: the camera is there at once. */
  moveDurationMs?: number;
  /** The camera's clock (ms since the epoch): request times, its date and time, move progress. */
  now?: () => number;
}

export interface SimRequest {
  /** When the request arrived (the simulator's clock). */
  at: number;
  path: string;
  /** Operation name, e.g. 'GotoPreset' ('' when the body could not be read). */
  action: string;
  /** Namespace of the operation element. */
  ns: string;
  /** The UsernameToken user when the digest was valid. */
  user: string | null;
  /** Text of the operation's direct children by name, e.g. { ProfileToken, PresetToken }. */
  params: Record<string, string>;
  /** The operation element, for deeper checks (e.g. Speed). */
  body: XmlElement | null;
  /** How it was answered: 'ok', a fault subcode (e.g. 'ter:NotAuthorized'), 'hang' or 'http-<status>'. */
  outcome: string;
}

export type SimFailure =
  | { kind: 'fault'; subcode?: string; reason?: string }
  | { kind: 'hang' }
  | { kind: 'http'; status: number; body?: string }
  | { kind: 'drop' };

interface FailureRule {
  action: string;
  failure: SimFailure;
  remaining: number;
}

class Fault extends Error {
  constructor(
    readonly code: 'Sender' | 'Receiver',
    readonly subcodes: string[],
    readonly reason: string,
  ) {
    super(reason);
  }
}

const notAuthorized = () => new Fault('Sender', ['ter:NotAuthorized'], 'Sender not Authorized');
const noProfile = () => new Fault('Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'No such profile');
const noToken = () => new Fault('Sender', ['ter:InvalidArgVal', 'ter:NoToken'], 'No such PTZ preset');

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function clampUnit(value: number, min = -1): number {
  return Math.min(1, Math.max(min, value));
}

export class OnvifSim {
  readonly requests: SimRequest[] = [];
  readonly presets = new Map<string, SimPreset>();
  readonly username: string;
  password: string;
  /** Where the camera is (or heads for, while moving). */
  target: SimPosition;
  private moveFrom: SimPosition;
  private moveStartedAt = Number.NEGATIVE_INFINITY;
  private readonly server: Server;
  private readonly now: () => number;
  private readonly options: Required<
    Pick<OnvifSimOptions, 'ptz' | 'getServices' | 'maxPresets' | 'moveDurationMs'>
  >;
  private failures: FailureRule[] = [];
  private readonly seenNonces = new Map<string, number>();
  private nextPreset = 1;
  private port = 0;

  constructor(options: OnvifSimOptions = {}) {
    this.username = options.username ?? 'admin';
    this.password = options.password ?? 'cam-secret';
    this.now = options.now ?? Date.now;
    this.options = {
      ptz: options.ptz ?? true,
      getServices: options.getServices ?? true,
      maxPresets: options.maxPresets ?? 64,
      moveDurationMs: options.moveDurationMs ?? 0,
    };
    for (const preset of options.presets ?? []) this.presets.set(preset.token, { ...preset });
    this.target = { ...(options.position ?? { pan: 0, tilt: 0, zoom: 0 }) };
    this.moveFrom = { ...this.target };
    this.server = createServer((request, response) => this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The device service address (what a user enters as the camera's ONVIF URL). */
  get url(): string {
    return `http://127.0.0.1:${this.port}${SERVICE_PATHS.device}`;
  }

  /** The position now (on the way while a move is in progress). */
  get position(): SimPosition {
    const progress = this.moveProgress();
    if (progress >= 1) return { ...this.target };
    const lerp = (from: number, to: number) => from + (to - from) * progress;
    return {
      pan: lerp(this.moveFrom.pan, this.target.pan),
      tilt: lerp(this.moveFrom.tilt, this.target.tilt),
      zoom: lerp(this.moveFrom.zoom, this.target.zoom),
    };
  }

  get moving(): boolean {
    return this.moveProgress() < 1;
  }

  /** Someone moved the camera (a joystick, the camera's web page): it is there now. */
  moveTo(position: SimPosition): void {
    this.target = { pan: position.pan, tilt: position.tilt, zoom: position.zoom };
    this.moveFrom = { ...this.target };
    this.moveStartedAt = Number.NEGATIVE_INFINITY;
  }

  /** Requests for one operation, in order. */
  received(action: string): SimRequest[] {
    return this.requests.filter((request) => request.action === action);
  }

  /** Fail requests for `action` ('*' for every operation) `times` times (default: until cleared). */
  failOn(action: string, failure: SimFailure, times = Number.POSITIVE_INFINITY): void {
    this.failures.push({ action, failure, remaining: times });
  }

  clearFailures(): void {
    this.failures = [];
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Hanging requests keep their sockets: end them so close() returns.
      this.server.closeAllConnections();
    });
  }

  private moveProgress(): number {
    const duration = this.options.moveDurationMs;
    if (duration <= 0) return 1;
    return Math.min(1, Math.max(0, (this.now() - this.moveStartedAt) / duration));
  }

  private startMove(to: SimPosition): void {
    this.moveFrom = this.position;
    this.target = { pan: to.pan, tilt: to.tilt, zoom: to.zoom };
    this.moveStartedAt = this.now();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = this.now();
      const record: SimRequest = {
        at,
        path: (request.url ?? '/').split('?')[0]!,
        action: '',
        ns: '',
        user: null,
        params: {},
        body: null,
        outcome: 'ok',
      };
      this.requests.push(record);
      this.answer(request, Buffer.concat(chunks).toString('utf8'), record, response);
    });
  }

  private answer(request: IncomingMessage, text: string, record: SimRequest, response: ServerResponse): void {
    const send = (status: number, xml: string) => {
      response.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      response.end(xml);
    };
    const sendFault = (fault: Fault) => {
      record.outcome = fault.subcodes.at(-1) ?? fault.code;
      send(fault.code === 'Sender' ? 400 : 500, faultEnvelope(fault));
    };

    if (request.method !== 'POST') {
      record.outcome = 'http-405';
      response.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    if (!/^application\/soap\+xml\b/i.test(request.headers['content-type'] ?? '')) {
      // SOAP 1.2 over HTTP is application/soap+xml; text/xml would be SOAP 1.1.
      record.outcome = 'http-415';
      response.writeHead(415).end();
      return;
    }

    let envelope: XmlElement;
    try {
      envelope = parseXml(text);
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      sendFault(new Fault('Sender', ['ter:WellFormed'], 'Well-formed Error'));
      return;
    }
    if (envelope.name !== 'Envelope' || envelope.ns !== NS.soap) {
      sendFault(new Fault('Sender', ['ter:VersionMismatch'], 'SOAP 1.2 envelope expected'));
      return;
    }
    const operation = childOf(envelope, 'Body', NS.soap)?.children[0];
    if (!operation) {
      sendFault(new Fault('Sender', ['ter:MissingAttr'], 'The SOAP body is empty'));
      return;
    }
    record.action = operation.name;
    record.ns = operation.ns;
    record.body = operation;
    for (const child of operation.children) record.params[child.name] = child.text.trim();

    const rule = this.failures.find(
      (r) => r.remaining > 0 && (r.action === '*' || r.action === operation.name),
    );
    if (rule) {
      rule.remaining--;
      const failure = rule.failure;
      if (failure.kind === 'hang') {
        record.outcome = 'hang';
        return; // never answered; the socket stays open until the client gives up or close()
      }
      if (failure.kind === 'drop') {
        record.outcome = 'drop';
        request.socket.destroy();
        return;
      }
      if (failure.kind === 'http') {
        record.outcome = `http-${failure.status}`;
        response.writeHead(failure.status, { 'Content-Type': 'text/html' }).end(failure.body ?? '');
        return;
      }
      sendFault(
        new Fault(
          'Receiver',
          [failure.subcode ?? 'ter:Action'],
          failure.reason ?? 'The requested operation failed',
        ),
      );
      return;
    }

    try {
      // GetSystemDateAndTime is answered without credentials: clients need the camera's clock
      // before they can compute a digest it accepts.
      if (!(operation.name === 'GetSystemDateAndTime' && operation.ns === NS.device)) {
        record.user = this.authenticate(envelope);
      }
      const service = this.serviceAt(record.path);
      if (!service) throw new Fault('Sender', ['ter:ActionNotSupported'], `No service at ${record.path}`);
      send(200, envelopeOf(this.perform(service, operation)));
    } catch (error) {
      if (!(error instanceof Fault)) throw error;
      sendFault(error);
    }
  }

  private serviceAt(path: string): Service | undefined {
    const entry = Object.entries(SERVICE_PATHS).find(([, servicePath]) => servicePath === path);
    if (!entry) return undefined;
    const service = entry[0] as Service;
    return service === 'ptz' && !this.options.ptz ? undefined : service;
  }

  /** Checks the WS-Security UsernameToken: Digest = Base64(SHA-1(nonce + created + password)). */
  private authenticate(envelope: XmlElement): string {
    const token = childOf(
      childOf(childOf(envelope, 'Header', NS.soap), 'Security', NS.wsse),
      'UsernameToken',
      NS.wsse,
    );
    const username = childText(token, 'Username');
    const password = childOf(token, 'Password', NS.wsse);
    const nonce = childText(token, 'Nonce');
    const created = childOf(token, 'Created', NS.wsu)?.text.trim();
    if (!token || username === undefined || !password || nonce === undefined || created === undefined)
      throw notAuthorized();
    if (password.attrs.Type !== PASSWORD_DIGEST) throw notAuthorized(); // plain text is refused
    const createdAt = Date.parse(created);
    if (!Number.isFinite(createdAt) || Math.abs(createdAt - this.now()) > CREATED_WINDOW_MS)
      throw notAuthorized();
    const expected = createHash('sha1')
      .update(
        Buffer.concat([
          Buffer.from(nonce, 'base64'),
          Buffer.from(created, 'utf8'),
          Buffer.from(this.password, 'utf8'),
        ]),
      )
      .digest('base64');
    if (username !== this.username || password.text.trim() !== expected) throw notAuthorized();
    // A nonce is good once (replay protection); forget those older than the window.
    for (const [seen, when] of this.seenNonces)
      if (this.now() - when > CREATED_WINDOW_MS) this.seenNonces.delete(seen);
    if (this.seenNonces.has(nonce)) throw notAuthorized();
    this.seenNonces.set(nonce, this.now());
    return username;
  }

  private perform(service: Service, operation: XmlElement): string {
    const key = `${operation.ns} ${operation.name}`;
    const expectNs = { device: NS.device, media: NS.media, ptz: NS.ptz }[service];
    if (operation.ns !== expectNs)
      throw new Fault(
        'Sender',
        ['ter:ActionNotSupported'],
        `${operation.name} is not a ${service} operation`,
      );
    switch (key) {
      case `${NS.device} GetSystemDateAndTime`:
        return this.systemDateAndTime();
      case `${NS.device} GetServices`:
        if (!this.options.getServices)
          throw new Fault('Receiver', ['ter:ActionNotSupported'], 'Optional Action Not Implemented');
        return this.services();
      case `${NS.device} GetCapabilities`:
        return this.capabilities();
      case `${NS.device} GetDeviceInformation`:
        return (
          `<tds:GetDeviceInformationResponse><tds:Manufacturer>Vistter Test</tds:Manufacturer>` +
          `<tds:Model>SimPTZ 1</tds:Model><tds:FirmwareVersion>1.0.0</tds:FirmwareVersion>` +
          `<tds:SerialNumber>SIM-0001</tds:SerialNumber><tds:HardwareId>sim</tds:HardwareId>` +
          `</tds:GetDeviceInformationResponse>`
        );
      case `${NS.media} GetProfiles`:
        return `<trt:GetProfilesResponse>${this.profile('trt:Profiles')}</trt:GetProfilesResponse>`;
      case `${NS.media} GetProfile`:
        this.checkProfile(operation);
        return `<trt:GetProfileResponse>${this.profile('trt:Profile')}</trt:GetProfileResponse>`;
      case `${NS.media} GetVideoSources`:
        return (
          `<trt:GetVideoSourcesResponse><trt:VideoSources token="video_src_1"><tt:Framerate>30</tt:Framerate>` +
          `<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>` +
          `</trt:VideoSources></trt:GetVideoSourcesResponse>`
        );
      case `${NS.ptz} GetNodes`:
        return `<tptz:GetNodesResponse>${this.node()}</tptz:GetNodesResponse>`;
      case `${NS.ptz} GetConfigurations`:
        return `<tptz:GetConfigurationsResponse>${this.ptzConfiguration('tptz:PTZConfiguration')}</tptz:GetConfigurationsResponse>`;
      case `${NS.ptz} GetPresets`:
        this.checkProfile(operation);
        return `<tptz:GetPresetsResponse>${[...this.presets.values()].map(presetXml).join('')}</tptz:GetPresetsResponse>`;
      case `${NS.ptz} GotoPreset`: {
        this.checkProfile(operation);
        const preset = this.presets.get(childText(operation, 'PresetToken') ?? '');
        if (!preset) throw noToken();
        this.startMove(preset);
        return '<tptz:GotoPresetResponse/>';
      }
      case `${NS.ptz} AbsoluteMove`: {
        this.checkProfile(operation);
        const position = childOf(operation, 'Position');
        const panTilt = childOf(position, 'PanTilt')?.attrs;
        const zoom = childOf(position, 'Zoom')?.attrs;
        const current = this.position;
        this.startMove({
          pan: clampUnit(panTilt?.x === undefined ? current.pan : Number(panTilt.x)),
          tilt: clampUnit(panTilt?.y === undefined ? current.tilt : Number(panTilt.y)),
          zoom: clampUnit(zoom?.x === undefined ? current.zoom : Number(zoom.x), 0),
        });
        return '<tptz:AbsoluteMoveResponse/>';
      }
      case `${NS.ptz} SetPreset`:
        return `<tptz:SetPresetResponse><tptz:PresetToken>${escapeXml(this.setPreset(operation))}</tptz:PresetToken></tptz:SetPresetResponse>`;
      case `${NS.ptz} RemovePreset`: {
        this.checkProfile(operation);
        if (!this.presets.delete(childText(operation, 'PresetToken') ?? '')) throw noToken();
        return '<tptz:RemovePresetResponse/>';
      }
      case `${NS.ptz} GetStatus`: {
        this.checkProfile(operation);
        const { pan, tilt, zoom } = this.position;
        const state = this.moving ? 'MOVING' : 'IDLE';
        return (
          `<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>${vectors({ pan, tilt, zoom })}</tt:Position>` +
          `<tt:MoveStatus><tt:PanTilt>${state}</tt:PanTilt><tt:Zoom>${state}</tt:Zoom></tt:MoveStatus>` +
          `<tt:UtcTime>${new Date(this.now()).toISOString()}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>`
        );
      }
      default:
        throw new Fault('Receiver', ['ter:ActionNotSupported'], 'Optional Action Not Implemented');
    }
  }

  private checkProfile(operation: XmlElement): void {
    if (childText(operation, 'ProfileToken') !== 'profile_1') throw noProfile();
  }

  /** SetPreset stores the current position under a new token, or overwrites the given one. */
  private setPreset(operation: XmlElement): string {
    this.checkProfile(operation);
    const requestedToken = childText(operation, 'PresetToken');
    const name = childText(operation, 'PresetName');
    if (requestedToken !== undefined && !this.presets.has(requestedToken)) throw noToken();
    if (
      name !== undefined &&
      [...this.presets.values()].some((p) => p.name === name && p.token !== requestedToken)
    )
      throw new Fault(
        'Sender',
        ['ter:InvalidArgVal', 'ter:PresetExist'],
        'A preset with this name already exists',
      );
    if (requestedToken === undefined && this.presets.size >= this.options.maxPresets)
      throw new Fault(
        'Receiver',
        ['ter:Action', 'ter:TooManyPresets'],
        'The maximum number of presets is reached',
      );
    if (this.moving) throw new Fault('Receiver', ['ter:Action', 'ter:MovingPTZ'], 'The camera is moving');
    let token = requestedToken;
    while (token === undefined || (requestedToken === undefined && this.presets.has(token)))
      token = `preset_${this.nextPreset++}`;
    const previous = this.presets.get(token);
    this.presets.set(token, { token, name: name ?? previous?.name ?? token, ...this.position });
    return token;
  }

  private systemDateAndTime(): string {
    const now = new Date(this.now());
    return (
      `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>` +
      `<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>` +
      `<tt:UTCDateTime><tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute>` +
      `<tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year>` +
      `<tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
      `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
    );
  }

  private xaddr(service: Service): string {
    return `http://127.0.0.1:${this.port}${SERVICE_PATHS[service]}`;
  }

  private services(): string {
    const service = (ns: string, xaddr: string, major: number, minor: number) =>
      `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${xaddr}</tds:XAddr>` +
      `<tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${pad(minor)}</tt:Minor></tds:Version></tds:Service>`;
    return (
      '<tds:GetServicesResponse>' +
      service(NS.device, this.xaddr('device'), 2, 60) +
      service(NS.media, this.xaddr('media'), 2, 60) +
      (this.options.ptz ? service(NS.ptz, this.xaddr('ptz'), 2, 60) : '') +
      '</tds:GetServicesResponse>'
    );
  }

  private capabilities(): string {
    return (
      `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
      `<tt:Device><tt:XAddr>${this.xaddr('device')}</tt:XAddr></tt:Device>` +
      `<tt:Media><tt:XAddr>${this.xaddr('media')}</tt:XAddr><tt:StreamingCapabilities>` +
      `<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>` +
      `</tt:StreamingCapabilities></tt:Media>` +
      (this.options.ptz ? `<tt:PTZ><tt:XAddr>${this.xaddr('ptz')}</tt:XAddr></tt:PTZ>` : '') +
      `</tds:Capabilities></tds:GetCapabilitiesResponse>`
    );
  }

  private profile(tag: string): string {
    return (
      `<${tag} token="profile_1" fixed="true"><tt:Name>MainStream</tt:Name>` +
      `<tt:VideoSourceConfiguration token="video_src_config_1"><tt:Name>VideoSource</tt:Name><tt:UseCount>1</tt:UseCount>` +
      `<tt:SourceToken>video_src_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
      `<tt:VideoEncoderConfiguration token="video_enc_1"><tt:Name>H264</tt:Name><tt:UseCount>1</tt:UseCount>` +
      `<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>` +
      `<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>30</tt:FrameRateLimit>` +
      `<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>` +
      `<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>` +
      (this.options.ptz ? this.ptzConfiguration('tt:PTZConfiguration') : '') +
      `</${tag}>`
    );
  }

  private ptzConfiguration(tag: string): string {
    return (
      `<${tag} token="ptz_config_1"><tt:Name>PTZ</tt:Name><tt:UseCount>1</tt:UseCount>` +
      `<tt:NodeToken>ptz_node_1</tt:NodeToken>` +
      `<tt:DefaultAbsolutePantTiltPositionSpace>${GENERIC_PAN_TILT}</tt:DefaultAbsolutePantTiltPositionSpace>` +
      `<tt:DefaultAbsoluteZoomPositionSpace>${GENERIC_ZOOM}</tt:DefaultAbsoluteZoomPositionSpace>` +
      `<tt:DefaultPTZSpeed><tt:PanTilt x="1" y="1"/><tt:Zoom x="1"/></tt:DefaultPTZSpeed>` +
      `<tt:DefaultPTZTimeout>PT5S</tt:DefaultPTZTimeout></${tag}>`
    );
  }

  private node(): string {
    const range = (min: number, max: number) =>
      `<tt:XRange><tt:Min>${min}</tt:Min><tt:Max>${max}</tt:Max></tt:XRange>`;
    return (
      `<tptz:PTZNode token="ptz_node_1" FixedHomePosition="false"><tt:Name>PTZ</tt:Name><tt:SupportedPTZSpaces>` +
      `<tt:AbsolutePanTiltPositionSpace><tt:URI>${GENERIC_PAN_TILT}</tt:URI>${range(-1, 1)}` +
      `<tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:AbsolutePanTiltPositionSpace>` +
      `<tt:AbsoluteZoomPositionSpace><tt:URI>${GENERIC_ZOOM}</tt:URI>${range(0, 1)}</tt:AbsoluteZoomPositionSpace>` +
      `</tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>${this.options.maxPresets}</tt:MaximumNumberOfPresets>` +
      `<tt:HomeSupported>false</tt:HomeSupported></tptz:PTZNode>`
    );
  }
}

function vectors({ pan, tilt, zoom }: SimPosition): string {
  return (
    `<tt:PanTilt x="${pan}" y="${tilt}" space="${GENERIC_PAN_TILT}"/>` +
    `<tt:Zoom x="${zoom}" space="${GENERIC_ZOOM}"/>`
  );
}

function presetXml(preset: SimPreset): string {
  return (
    `<tptz:Preset token="${escapeXml(preset.token)}"><tt:Name>${escapeXml(preset.name)}</tt:Name>` +
    `<tt:PTZPosition>${vectors(preset)}</tt:PTZPosition></tptz:Preset>`
  );
}

const ENVELOPE_OPEN =
  `<?xml version="1.0" encoding="UTF-8"?>` +
  `<env:Envelope xmlns:env="${NS.soap}" xmlns:tds="${NS.device}" xmlns:trt="${NS.media}" ` +
  `xmlns:tptz="${NS.ptz}" xmlns:tt="${NS.schema}" xmlns:ter="${NS.error}">`;

function envelopeOf(body: string): string {
  return `${ENVELOPE_OPEN}<env:Header/><env:Body>${body}</env:Body></env:Envelope>`;
}

function faultEnvelope(fault: Fault): string {
  // SOAP 1.2: Code/Value env:Sender|env:Receiver with nested ONVIF subcodes, a Reason text.
  const subcodes = fault.subcodes.reduceRight(
    (inner, subcode) => `<env:Subcode><env:Value>${subcode}</env:Value>${inner}</env:Subcode>`,
    '',
  );
  return envelopeOf(
    `<env:Fault><env:Code><env:Value>env:${fault.code}</env:Value>${subcodes}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${escapeXml(fault.reason)}</env:Text></env:Reason></env:Fault>`,
  );
}

/** Starts a simulated camera; close it when done. */
export async function startOnvifSim(options: OnvifSimOptions = {}): Promise<OnvifSim> {
  return new OnvifSim(options).start();
}
