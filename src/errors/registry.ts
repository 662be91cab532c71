// One registry of codes: every error and alert the appliance reports has a stable code here and a
// remediation sentence a venue manager can act on. An error is answered by the API or the CLI with
// its HTTP status; an alert is raised to the alert center with its severity; some codes are both
// (a camera the test cannot reach is an API answer and, on air, an alert). The sentences of the
// alerts themselves are built in alert-messages.ts beside this file.
/** How urgent an alert is, least first. */
export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface FieldIssue {
  /** JSON path or field name the problem is at, like `timeline.tracks.video.cues[1].start_time`. */
  path: string;
  message: string;
}

/** A code the API or the CLI answers with. */
interface ErrorEntry {
  readonly status: number;
  readonly remediation: string;
}

/**
 * A code raised as an alert. `severity` is how it is usually raised; a sentence builder raises it
 * higher where the situation is worse (a camera with no working backup, a destination that has
 * failed ten times). `when` holds the remediation for particular situations; `{name}` in it is
 * filled in from the facts (alertRemediation).
 */
interface AlertEntry {
  readonly severity: AlertSeverity;
  readonly remediation: string;
  readonly when?: Readonly<Record<string, string>>;
}

type RegistryEntry = ErrorEntry | AlertEntry | (ErrorEntry & AlertEntry);

export const CODES = {
  VALIDATION_FAILED: { status: 400, remediation: 'Correct the fields listed and try again.' },
  JSON_MALFORMED: {
    status: 400,
    remediation: 'Check the file is complete JSON (an editor or jsonlint shows where).',
  },
  TIMELINE_INVALID: {
    status: 422,
    remediation: 'Fix the problems listed (each names the field and cue) and try again; nothing was saved.',
  },
  TIMELINE_NOT_FOUND: {
    status: 404,
    remediation: 'List the timelines to find its number; it may have been deleted.',
  },
  TIMELINE_ON_AIR: {
    status: 409,
    remediation: 'Stop the show that plays this timeline first, then delete it.',
  },
  CAMERA_NOT_FOUND: {
    status: 404,
    remediation: 'List the cameras to find its number; it may have been deleted.',
  },
  CAMERA_IN_USE: {
    status: 409,
    remediation:
      'Remove the camera from the timelines listed (and as backup of the cameras listed) first, then delete it.',
  },
  PRESET_NOT_FOUND: {
    status: 404,
    remediation: 'List the camera’s presets; capture the preset again if it is missing.',
  },
  DESTINATION_ON_AIR: {
    status: 409,
    remediation: 'Stop the show that streams to it first (or go live without it), then delete it.',
  },
  // Testing a destination (issue 16).
  DESTINATION_TEST_ON_AIR: {
    status: 409,
    remediation:
      'The show on air already streams to it: the control room shows whether the server takes the stream. Test it once the show has stopped (or go live without it).',
  },
  DESTINATION_TEST_RUNNING: {
    status: 409,
    remediation: 'Wait a few seconds for the running test to finish and read its result.',
  },
  DESTINATION_NOT_FOUND: {
    status: 404,
    remediation: 'List the destinations to find its number; it may have been deleted.',
  },
  ASSET_NOT_FOUND: {
    status: 404,
    remediation: 'List the assets to find its number; upload it again if it was deleted.',
  },
  ASSET_IN_USE: {
    status: 409,
    remediation: 'Remove the asset from the timelines listed first, then delete it.',
  },
  EXECUTION_NOT_FOUND: {
    status: 404,
    remediation: 'List the show history to find its number.',
  },
  SCHEDULE_NOT_FOUND: {
    status: 404,
    remediation: 'List the schedules to find its number; it may have been deleted.',
  },
  ALERT_NOT_FOUND: {
    status: 404,
    remediation: 'List the alerts to find its number; old cleared alerts are removed after a while.',
  },
  WEBHOOK_URL_INVALID: {
    status: 400,
    remediation: 'Enter the full webhook address, starting with https:// (or http:// on the local network).',
  },
  CONFLICT: { status: 409, remediation: 'Choose another name, or edit the existing entry instead.' },
  FILE_NOT_FOUND: { status: 404, remediation: 'Check the path and that the file exists.' },
  // Issue 17, the daily time-lapse.
  TIMELAPSE_NOT_FOUND: {
    status: 404,
    remediation: 'List the time-lapses to see which days there are; the recordings quota removes the oldest.',
  },
  TIMELAPSE_NOTHING_TO_MAKE: {
    status: 409,
    remediation:
      'Turn the time-lapse on in its settings and put a show on air; snapshots are taken at the set interval.',
  },
  TIMELAPSE_BUSY: {
    status: 409,
    remediation:
      'Wait for the time-lapse being made to finish (its progress is on the Time-lapse page), then try again.',
  },
  SECRET_UNREADABLE: {
    status: 500,
    remediation:
      'The encryption key changed or the data was copied from another appliance: enter the password or stream key again.',
  },
  SECRET_KEY_INVALID: {
    status: 500,
    remediation:
      'Set VISTTER_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32), or unset it to use the key file.',
  },
  DATABASE_ERROR: {
    status: 500,
    remediation: 'Check the disk is not full and the data folder is writable; the last good state was kept.',
  },
  // The HTTP API: requests, sign-in, uploads.
  INTERNAL_ERROR: {
    status: 500,
    remediation:
      'Try again; if it keeps happening, send the appliance log (journalctl -u vistterstream) to support.',
  },

  NOT_FOUND: { status: 404, remediation: 'Check the address; the API reference is at /api/docs.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    remediation: 'Check the method (GET, POST, PUT, PATCH, DELETE) in the API reference at /api/docs.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    remediation:
      'Send JSON with the header Content-Type: application/json (uploads use multipart/form-data).',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    remediation:
      'Send a smaller file; the limit is shown in the message and can be raised with VISTTER_MAX_UPLOAD_MB.',
  },
  UNAUTHENTICATED: {
    status: 401,
    remediation: 'Sign in again; sessions end after 7 days or when you sign out.',
  },
  LOGIN_FAILED: {
    status: 401,
    remediation:
      'Check the user name and password (they are case-sensitive). A forgotten password is reset with: bin/vistter admin reset-password.',
  },
  LOGIN_RATE_LIMITED: {
    status: 429,
    remediation: 'Wait the number of seconds given, then try again with the right password.',
  },
  CSRF_REJECTED: {
    status: 403,
    remediation: 'Reload the page and try again; changes are accepted only from the appliance’s own pages.',
  },
  // HTTPS and hosts (issue 14 item 7).
  HOST_NOT_ALLOWED: {
    status: 421,
    remediation:
      'Open the appliance by its address or its .local name. If this name is really the appliance’s (a DNS name, a TLS proxy, a forwarded port), add the name to allowedHosts in the config file (or VISTTER_ALLOWED_HOSTS, names separated by commas) and restart it.',
  },
  SETUP_REQUIRED: {
    status: 409,
    remediation: 'Open the appliance’s web page and choose the admin password first.',
  },
  SETUP_ALREADY_DONE: {
    status: 409,
    remediation:
      'Sign in with the admin account; a forgotten password is reset with: bin/vistter admin reset-password.',
  },
  PASSWORD_TOO_WEAK: {
    status: 400,
    remediation:
      'Choose a password of at least 10 characters that is not the user name, not only spaces and not one character repeated (a few words make a good one).',
  },
  TOKEN_NOT_FOUND: {
    status: 404,
    remediation: 'List the API tokens to find its number; it may have been revoked.',
  },
  // Roles and users (issue 14 item 5: src/api/auth/roles.ts).
  ROLE_REQUIRED: {
    status: 403,
    remediation:
      'Sign in with an account that has the role named (or use an API token made with it); an admin can change roles under Settings → Users and API tokens.',
  },
  USER_NOT_FOUND: {
    status: 404,
    remediation: 'List the users under Settings → Users to find its number; it may have been removed.',
  },
  LAST_ADMIN: {
    status: 409,
    remediation: 'Make another user admin first: the appliance always keeps at least one admin.',
  },
  ASSET_UNSUPPORTED: {
    status: 415,
    remediation:
      'Upload a PNG, JPEG, GIF or WebP image, an MP4, MOV, MKV or WebM video, or an MP3, WAV, AAC or OGG audio file.',
  },
  ASSET_UNREADABLE: {
    status: 422,
    remediation: 'The file looks damaged or incomplete: export it again from its source and upload it again.',
  },
  UPLOAD_INCOMPLETE: {
    status: 400,
    remediation:
      'The upload was cut off before the end: check the network connection and upload the file again.',
  },
  ASSET_NO_THUMBNAIL: {
    status: 404,
    remediation: 'Audio files have no picture; for an image or video, upload it again to make its thumbnail.',
  },
  // Fetched data and pictures (issue 14): bounded in bytes, time and pixels (src/net, src/assets/image-*).
  FETCH_TOO_LARGE: {
    status: 502,
    remediation:
      'Point it at a smaller answer: JSON data up to 64 kB (only the fields the template shows), images up to 16 MB.',
  },
  FETCH_TIMEOUT: {
    status: 504,
    remediation:
      'Check the server at that address is up and answers quickly (open it in a browser on the venue’s network); the last good value stays on air meanwhile.',
  },
  FETCH_FAILED: {
    status: 502,
    remediation:
      'Check the address (open it in a browser on the venue’s network) and that the server answers with the file or the JSON.',
  },
  DATA_INVALID: {
    status: 502,
    remediation:
      'The address must answer a JSON object such as {"temperature": 21}: open it in a browser to see what it sends.',
  },
  IMAGE_TOO_LARGE: {
    status: 422,
    remediation:
      'Scale the picture down to at most 8192 pixels on a side and 40 megapixels (the program’s own size, such as 1920×1080, is plenty), then use it again.',
  },
  IMAGE_UNSUPPORTED: {
    status: 415,
    remediation: 'Use a PNG, JPEG, GIF or WebP image.',
  },
  IMAGE_UNREADABLE: {
    status: 422,
    remediation: 'The image looks damaged or incomplete: export it again from its source.',
  },
  // Show control.
  SHOW_ALREADY_LIVE: {
    status: 409,
    remediation: 'Stop the show on air first (or wait for the countdown to finish), then go live again.',
  },
  SHOW_NOT_LIVE: { status: 409, remediation: 'Go live first; this control acts on the show on air.' },
  QUALITY_MOVE_FAILED: {
    status: 503,
    remediation:
      'The stream goes on at its current level. Try again in a minute; if it keeps failing, the machine is too busy to start a second encoder beside the first: lower the timeline’s resolution or frame rate.',
  },
  PREFLIGHT_FAILED: {
    status: 409,
    remediation:
      'Fix the failed checks listed (each says how), or start anyway with "force" if you accept them.',
  },
  CAMERA_NOT_IN_SHOW: {
    status: 409,
    remediation:
      'Choose a camera the timeline uses (or its backup); other cameras are not connected during this show.',
  },
  OVERLAY_NOT_FOUND: {
    status: 404,
    remediation:
      'Choose a text overlay cue of the timeline on air (its cue id is shown in the status panel).',
  },
  JUMP_OUT_OF_RANGE: {
    status: 400,
    remediation: 'Choose a time between 0 and the timeline’s duration.',
  },
  CAMERA_UNREACHABLE: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the camera’s power, network cable and address (open it in VLC to compare), then test again.',
  },
  CAMERA_AUTH_FAILED: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the camera’s user name and password (as set in the camera’s own web page), then test again.',
  },
  CAMERA_NO_VIDEO: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the stream path (e.g. /stream1) in the camera’s manual; the address answered but sent no video.',
  },
  CAMERA_TEST_FAILED: {
    status: 502,
    remediation:
      'Open the camera’s address in VLC to compare; if it plays there, send the appliance log (journalctl -u vistterstream) to support.',
  },
  PTZ_NOT_CONFIGURED: {
    status: 409,
    remediation:
      'Set the camera type to PTZ and enter its ONVIF address, user name and password, then try again.',
  },
  PTZ_FAILED: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the camera is on and its ONVIF user may control PTZ; capture the preset again if the camera was reset.',
  },
  // Outputs (destinations, preview, recording): reported in status and alerts, not as API errors.
  DESTINATION_UNREACHABLE: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the server address and port and the appliance’s internet connection; the stream reconnects by itself as soon as the server answers.',
    when: {
      test: 'Check the server address and port, that the server is running, and the appliance’s internet connection; then test again.',
    },
  },
  DESTINATION_DNS_FAILED: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the server name for typos and that the appliance can reach the internet (router, DNS); it keeps retrying.',
    when: {
      test: 'Check the server name for typos and that the appliance can reach the internet (router, DNS); then test again.',
    },
  },
  DESTINATION_TLS_FAILED: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the server address starts with rtmps:// and uses the platform’s port (usually 443), and that the appliance’s date and time are right.',
  },
  DESTINATION_REJECTED: {
    status: 502,
    severity: 'warning',
    remediation:
      'Check the stream key (copy it again from the platform) and that the channel or live event is set up to receive a stream.',
  },
  DESTINATION_NO_RESPONSE: {
    status: 504,
    severity: 'warning',
    remediation:
      'Check the server address and port point at the platform’s ingest server (RTMP/RTMPS) and that no firewall holds the connection.',
  },
  DESTINATION_CONNECTION_LOST: {
    status: 502,
    severity: 'warning',
    remediation:
      'Usually a network drop or a server restart; the stream reconnects by itself. If it keeps happening, check the appliance’s upload bandwidth and network cable.',
    when: {
      test: 'Usually a network drop or a server restart: test again. If it keeps happening, check the appliance’s upload bandwidth and network cable.',
    },
  },
  DESTINATION_STALLED: {
    status: 504,
    severity: 'warning',
    remediation:
      'The server stopped taking data: check the upload bandwidth and the platform’s status page; the stream reconnects by itself.',
  },
  DESTINATION_FAILING: {
    status: 503,
    severity: 'error',
    remediation:
      'Fix the cause given in the destination’s last error; the appliance keeps retrying every minute and the other destinations are not affected.',
  },
  OUTPUT_DISK_ERROR: {
    status: 507,
    severity: 'warning',
    remediation:
      'Free disk space or check the recordings or preview folder is writable; the output retries by itself.',
  },
  OUTPUT_STALLED: {
    status: 500,
    severity: 'warning',
    remediation:
      'The output stopped writing and was restarted; if it keeps happening, check the disk and the appliance log.',
  },
  OUTPUT_SPAWN_FAILED: {
    status: 500,
    severity: 'warning',
    remediation: 'Install ffmpeg (scripts/up.sh does it) and check it runs: ffmpeg -version.',
  },
  OUTPUT_CRASHED: {
    status: 500,
    severity: 'warning',
    remediation: 'It is restarted automatically; if it keeps happening, send the appliance log to support.',
  },
  // Disk space (recordings quota, free space: src/recordings/).
  DISK_SPACE_LOW: {
    status: 507,
    severity: 'warning',
    remediation:
      'Copy the recordings you want to keep off the appliance and delete them, or delete media you no longer use; a lower recordings quota (VISTTER_RECORDINGS_QUOTA_GB) keeps it from happening again.',
  },
  RECORDING_DISK_FULL: {
    status: 507,
    severity: 'error',
    remediation:
      'Free space on the data disk (copy recordings off and delete them, or delete unused media); the recording starts again by itself. The stream is not affected.',
  },
  // Alerts only: raised while a show runs or by the scheduler, never an API answer.
  CAMERA_OFFLINE: {
    severity: 'warning',
    remediation: 'Check the camera’s power and network.',
    // {fix}: this remediation, or the one of the cause the camera's decoder gave.
    when: {
      onBackup: '{fix} The show returns to it by itself once it sends video again.',
      onSlate: '{fix} Give it a backup camera in its settings. The show returns to it by itself.',
    },
  },
  // Audio bed (issue 17).
  AUDIO_BED_FILE_FAILED: {
    severity: 'warning',
    remediation:
      'Check the file in the media library (play it, or upload it again as MP3, AAC, WAV, FLAC or Ogg); the show goes on with the next file of the playlist and the cameras’ sound.',
  },
  ENCODER_RESTARTED: {
    severity: 'warning',
    remediation:
      'Nothing to do if it happens once. If it repeats, check the appliance’s memory and CPU load on the monitoring page.',
  },
  DEGRADED_MODE: {
    severity: 'warning',
    remediation: 'Nothing to do: quality comes back step by step while the show stays calm.',
    when: {
      cpu: 'The stream goes on at {current}. It steps back up by itself after calm minutes; for full quality use a lower resolution or frame rate in the timeline, fewer cameras, or a faster machine.',
      network:
        'The stream goes on at a lower bitrate. Check the upload speed of the venue’s internet connection; the bitrate returns by itself after calm minutes.',
      operatorHeld:
        'Set the quality back to automatic in the control room when the reason for holding it has passed.',
      operatorAutomatic:
        'Nothing to do: degraded mode steps down when the show suffers and back up after calm minutes.',
    },
  },
  DESTINATION_SESSION_RESTARTED: {
    severity: 'info',
    remediation:
      'Nothing to do. Viewers may see the stream pause for a few seconds while the new session starts.',
    when: {
      facebook:
        'Nothing to do. Facebook shows the new session as a new live video; the stream was off for a few seconds at a keyframe.',
    },
  },
  SHOW_RESUMED: {
    severity: 'warning',
    remediation:
      'Nothing to do if it happens once. If it repeats, check the power supply and the appliance’s memory on the monitoring page; the log tells why the previous run ended.',
  },
  SCHEDULE_START_FAILED: {
    severity: 'warning',
    remediation:
      'Check the timeline and destinations of the schedule; it tries again every {retrySeconds} s until its window ends.',
  },
  SCHEDULE_SKIPPED: {
    severity: 'info',
    remediation:
      'Nothing to do if that was intended. It starts by itself when the air is free again within its window.',
  },
  SCHEDULE_PREFLIGHT_FAILED: {
    severity: 'warning',
    remediation: 'Open the control room to see what is wrong (each check says what to do).',
  },
  // YouTube Live API (issue 17; src/platforms/youtube/).
  YOUTUBE_CLIENT_NOT_SET: {
    status: 409,
    remediation:
      'Enter the Google OAuth client (type "TV and limited-input devices") id and secret in Settings; the README says how to create it.',
  },
  YOUTUBE_NOT_CONNECTED: {
    status: 409,
    remediation:
      'Connect the YouTube channel in Destinations (the appliance shows a code to enter at google.com/device).',
  },
  YOUTUBE_CONNECT_FAILED: {
    status: 409,
    remediation:
      'Start connecting again in Destinations and enter the code shown at the address shown, with the Google account that owns the channel, before it runs out.',
  },
  YOUTUBE_TOKEN_REVOKED: {
    status: 409,
    severity: 'error',
    remediation:
      'Reconnect the channel in Destinations: its access was removed in the Google account, or the OAuth client changed. The stream continues by RTMP meanwhile.',
  },
  YOUTUBE_QUOTA_EXCEEDED: {
    status: 429,
    severity: 'warning',
    remediation:
      'Nothing to do now: the appliance backs off and tries again later (the quota resets at midnight Pacific time) and the stream continues by RTMP. If it happens daily, ask Google for a higher quota in the Cloud console.',
  },
  YOUTUBE_BROADCAST_COMPLETE: {
    status: 409,
    severity: 'warning',
    remediation:
      'YouTube ended the broadcast; a new broadcast has to be created and bound to the same stream to stay on air.',
    when: {
      archive:
        'Nothing to do: the next broadcast started before YouTube’s 12-hour archive limit, so every hour is kept (one video per broadcast).',
    },
  },
  YOUTUBE_TRANSITION_REFUSED: {
    status: 409,
    remediation:
      'Make sure the stream reaches YouTube (its status is active) before going live, and that the broadcast has not already ended.',
  },
  YOUTUBE_CONNECTION_ON_AIR: {
    status: 409,
    remediation:
      'Stop the show that broadcasts on this channel first (or go live without its destination), then disconnect it.',
  },
  YOUTUBE_REQUEST_FAILED: {
    status: 502,
    remediation:
      'Check the appliance reaches the internet and YouTube; the message names what YouTube answered. It is tried again on the next check.',
  },
  // YouTube lifecycle events and the bind retry (issue 17 gaps).
  YOUTUBE_BROADCAST_LIVE: {
    severity: 'info',
    remediation: 'Nothing to do: viewers find the show at the watch link.',
  },
  YOUTUBE_BIND_FAILED: {
    severity: 'warning',
    remediation:
      'Nothing to do while YouTube has trouble: the appliance keeps trying to bind the broadcast, less often as time goes on, and the RTMP stream continues; viewers see it once it is bound. If it lasts, check that the appliance reaches www.googleapis.com; stopping and going live again makes a new broadcast.',
  },
  // The venue website's outputs (issue 17, src/website/).
  WEBSITE_RATE_LIMITED: {
    status: 429,
    remediation:
      'Wait the number of seconds given (Retry-After); the picture changes only every few seconds anyway.',
  },
  WEBSITE_PLAYER_FULL: {
    status: 503,
    remediation:
      'Try again in a minute, or watch the venue’s stream on its YouTube or Facebook page; the venue can allow more viewers in Settings → Venue website.',
  },
  WEBSITE_PUSH_FAILED: {
    severity: 'warning',
    remediation:
      'Check the push address and credentials in Settings → Venue website, and that the website accepts a {method} of a JPEG there; the appliance keeps trying, less often while it fails.',
  },
} as const satisfies Record<string, RegistryEntry>;

/** The registry under the name the API layer and the tests know it by. */
export const ERRORS = CODES;

/** Every code of the registry. */
export type Code = keyof typeof CODES;
/** A code the API or the CLI answers with (it has an HTTP status). */
export type ErrorCode = { [C in Code]: (typeof CODES)[C] extends { status: number } ? C : never }[Code];
/** A code raised as an alert (it has a severity): an unknown code does not compile. */
export type AlertCode = {
  [C in Code]: (typeof CODES)[C] extends { severity: AlertSeverity } ? C : never;
}[Code];
/** The particular situations an alert code has a remediation for. */
export type AlertSituation<C extends AlertCode> = (typeof CODES)[C] extends { when: infer W }
  ? keyof W & string
  : never;

/**
 * The remediation of an alert: the code's own, or the one for a situation, with `{name}` filled
 * in from the facts (a name the facts do not give stays as it is).
 */
export function alertRemediation<C extends AlertCode>(
  code: C,
  situation?: AlertSituation<C>,
  facts: Readonly<Record<string, string | number>> = {},
): string {
  const entry: AlertEntry = CODES[code];
  const template =
    situation === undefined ? entry.remediation : (entry.when?.[situation] ?? entry.remediation);
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in facts ? String(facts[name]) : placeholder,
  );
}

/** The usual severity of an alert code. */
export function alertSeverity(code: AlertCode): AlertSeverity {
  return CODES[code].severity;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly remediation: string;
  readonly issues: readonly FieldIssue[];

  constructor(
    code: ErrorCode,
    message: string,
    issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = CODES[code].status;
    this.remediation = CODES[code].remediation;
    this.issues = issues;
  }

  /** The shape every API answer and CLI message uses. */
  toJSON(): { code: ErrorCode; message: string; remediation: string; issues: readonly FieldIssue[] } {
    return { code: this.code, message: this.message, remediation: this.remediation, issues: this.issues };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
