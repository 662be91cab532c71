// The program as viewers get it. Where the browser has Media Source Extensions (or Apple's
// ManagedMediaSource) it plays the fan-out's FLV over a WebSocket, about a second behind the
// output (program-player.ts); elsewhere (iPhones before iOS 17.1) the appliance's HLS preview,
// several seconds behind. Which one plays is said under the picture, with the measured delay.
// Muted autoplay, with a visible play control for browsers that block it; a timeline playhead
// bar under the picture.
import Hls from 'hls.js';
import { useEffect, useState } from 'react';
import type { LiveShow } from '../../../../src/domain/live.ts';
import { formatDuration } from '../../components/ui.tsx';
import { lowLatencyPreviewSupported, PROGRAM_SOCKET_PATH, ProgramPlayer } from './program-player.ts';
import type { ShowInfo } from './show-info.ts';

/** The playlist is written a few seconds after the show starts: try again this often. */
const RETRY_MS = 2000;
/** Reconnecting the low-latency preview: first wait, and the longest. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 5000;
/** Behind the output by more than this for CATCH_UP_AFTER measurements (one a second), the
 *  preview starts afresh at the live picture (stale data queued on the way is dropped). */
const CATCH_UP_DELAY_MS = 2500;
const CATCH_UP_AFTER = 3;
/** …but not more often than this. */
const CATCH_UP_EVERY_MS = 20_000;

type Phase = 'connecting' | 'reconnecting' | 'waiting' | 'playing' | 'stalled' | 'paused' | 'unsupported';
type PreviewKind = 'low-latency' | 'hls' | 'none';

interface PreviewStatus {
  phase: Phase;
  /** Why it is reconnecting, in words. */
  note: string | null;
  /** How far the picture is behind what the destinations get (low-latency preview only). */
  delayMs: number | null;
}

const STARTING: PreviewStatus = { phase: 'connecting', note: null, delayMs: null };

/** Decided once: the low-latency preview wherever MSE exists, HLS only without it. */
function previewKind(): PreviewKind {
  if (lowLatencyPreviewSupported()) return 'low-latency';
  // Chromium says it "maybe" plays HLS natively but fails to decode this preview: hls.js first.
  if (Hls.isSupported()) return 'hls';
  return document.createElement('video').canPlayType('application/vnd.apple.mpegurl') !== '' ? 'hls' : 'none';
}

function closeText(code: number, reason: string): string {
  if (reason) return reason;
  return code === 1006 ? 'connection lost' : `closed (${code})`;
}

/** The current picture as an image, kept on screen while the preview is paused. */
function stillOf(video: HTMLVideoElement): string | null {
  if (video.videoWidth === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  try {
    return canvas.toDataURL('image/jpeg', 0.8);
  } catch {
    return null;
  }
}

function useLowLatencyPreview(
  video: HTMLVideoElement | null,
  enabled: boolean,
  generation: string,
  onBlocked: () => void,
): PreviewStatus {
  const [status, setStatus] = useState<PreviewStatus>(STARTING);
  useEffect(() => {
    if (!video || !enabled) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${PROGRAM_SOCKET_PATH}`;
    let player: ProgramPlayer | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let stopped = false;
    const update = (next: Partial<PreviewStatus>): void => setStatus((now) => ({ ...now, ...next }));
    let behindCount = 0;
    let caughtUpAt = 0;
    const again = (
      why: string,
      wait = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** attempt++),
    ): void => {
      player?.destroy();
      player = null;
      if (stopped) return;
      // The show on air goes on: try again, soon at first, then less often.
      update({ phase: 'reconnecting', note: why, delayMs: null });
      retry = setTimeout(connect, wait);
    };
    const connect = (): void => {
      retry = null;
      const current = new ProgramPlayer(video, url, {
        onClosed: (code, reason) => again(closeText(code, reason)),
        onFailed: (message) => again(`player error (${message})`),
      });
      player = current;
      current.play().catch(() => {
        // Autoplay refused (a click is needed) or the player was replaced meanwhile.
        if (player === current && video.paused) onBlocked();
      });
    };
    const onPlaying = (): void => {
      attempt = 0;
      update({ phase: 'playing', note: null });
    };
    const onWaiting = (): void => update({ phase: 'stalled' });
    const measure = setInterval(() => {
      if (!player) return;
      const delayMs = player.delayMs();
      update({ delayMs });
      behindCount = delayMs !== null && delayMs > CATCH_UP_DELAY_MS ? behindCount + 1 : 0;
      if (behindCount >= CATCH_UP_AFTER && Date.now() - caughtUpAt > CATCH_UP_EVERY_MS) {
        behindCount = 0;
        caughtUpAt = Date.now();
        again('catching up with the live picture', 0);
      }
    }, 1000);
    video.addEventListener('playing', onPlaying);
    video.addEventListener('waiting', onWaiting);
    setStatus(STARTING);
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      clearInterval(measure);
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
      player?.destroy();
      player = null;
      video.removeAttribute('src');
      video.load();
    };
  }, [video, enabled, generation, onBlocked]);
  return status;
}

function useHlsPreview(video: HTMLVideoElement | null, url: string | null, generation: string): Phase {
  const [phase, setPhase] = useState<Phase>('waiting');
  useEffect(() => {
    if (!video || !url) return;
    let hls: Hls | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    // hls.js wherever Media Source Extensions exist; the browser's own HLS only without them
    // (iPhone). Chromium 156 says it "maybe" plays HLS natively but fails to decode this preview.
    const native = !Hls.isSupported() && video.canPlayType('application/vnd.apple.mpegurl') !== '';
    const again = (): void => {
      if (stopped || retry) return;
      setPhase('waiting');
      retry = setTimeout(() => {
        retry = null;
        start();
      }, RETRY_MS);
    };
    const start = (): void => {
      hls?.destroy();
      hls = null;
      // A fresh URL per attempt, so neither the browser nor a proxy hands back an old playlist.
      const src = `${url}${url.includes('?') ? '&' : '?'}show=${encodeURIComponent(generation)}&t=${Date.now()}`;
      if (native) {
        video.src = src;
      } else if (Hls.isSupported()) {
        hls = new Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 0, lowLatencyMode: false });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal) again();
        });
        hls.loadSource(src);
        hls.attachMedia(video);
      } else {
        setPhase('unsupported');
        return;
      }
      video.muted = true;
      void video.play().catch(() => setPhase('paused'));
    };
    const onPlaying = (): void => setPhase('playing');
    const onPause = (): void => setPhase('paused');
    const onError = (): void => {
      if (native) again();
    };
    video.addEventListener('playing', onPlaying);
    video.addEventListener('pause', onPause);
    video.addEventListener('error', onError);
    start();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('pause', onPause);
      video.removeEventListener('error', onError);
      hls?.destroy();
      video.removeAttribute('src');
      video.load();
      setPhase('waiting');
    };
  }, [video, url, generation]);
  return phase;
}

/** What is said under the picture: which preview plays, how far behind, and its state. */
function previewCaption(kind: PreviewKind, status: PreviewStatus): string {
  if (kind === 'hls') return 'Preview (HLS, ~6 s behind)';
  const parts = ['Live preview (low latency)'];
  if (status.phase === 'connecting') parts.push('connecting…');
  else if (status.phase === 'reconnecting') parts.push(`reconnecting (${status.note ?? 'lost'})…`);
  else if (status.phase === 'paused') parts.push('paused');
  else if (status.delayMs !== null) parts.push(`${(status.delayMs / 1000).toFixed(1)} s behind the output`);
  return parts.join(' · ');
}

export function ProgramPreview({ show }: { show: LiveShow | null }) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [kind] = useState<PreviewKind>(previewKind);
  const [held, setHeld] = useState(false);
  const [onBlocked] = useState(() => () => setHeld(true));
  const generation = String(show?.executionId ?? '');
  const hlsUrl = kind === 'hls' ? (show?.previewUrl ?? null) : null;
  const lowLatency = useLowLatencyPreview(
    video,
    kind === 'low-latency' && show !== null && !held,
    generation,
    onBlocked,
  );
  const hlsPhase = useHlsPreview(video, hlsUrl, generation);
  const status: PreviewStatus =
    kind === 'low-latency'
      ? held
        ? { phase: 'paused', note: null, delayMs: null }
        : lowLatency
      : { phase: kind === 'none' ? 'unsupported' : hlsPhase, note: null, delayMs: null };
  const phase = status.phase;
  const [muted, setMuted] = useState(true);
  useEffect(() => {
    if (video) video.muted = muted;
  }, [video, muted, phase]);
  // A new show starts playing again even if the last one's preview was paused.
  useEffect(() => {
    video?.removeAttribute('poster');
    setHeld(false);
  }, [video, generation]);

  const running = kind === 'low-latency' ? show !== null : hlsUrl !== null;
  const playPause = (): void => {
    if (!video) return;
    if (kind !== 'low-latency') {
      if (video.paused) void video.play().catch(() => undefined);
      else video.pause();
      return;
    }
    // Paused, the low-latency preview lets go of the stream (a live buffer would grow without
    // end); the last picture stays on screen and Play joins the program at its live edge.
    if (held) {
      video.removeAttribute('poster');
      setHeld(false);
    } else {
      const still = stillOf(video);
      if (still) video.poster = still;
      setHeld(true);
    }
  };
  return (
    <section className="cr-preview card" aria-labelledby="cr-preview-title">
      <div className="cr-section-head">
        <h2 id="cr-preview-title">Program preview</h2>
        {running ? (
          <div className="cr-row">
            <button type="button" className="btn" disabled={phase === 'unsupported'} onClick={playPause}>
              {phase === 'playing' || phase === 'stalled' ? 'Pause preview' : 'Play preview'}
            </button>
            <button type="button" className="btn" aria-pressed={!muted} onClick={() => setMuted((m) => !m)}>
              {muted ? 'Sound off' : 'Sound on'}
            </button>
          </div>
        ) : null}
      </div>
      <div className="cr-video-frame">
        <video
          ref={setVideo}
          className="cr-video"
          muted
          playsInline
          autoPlay
          aria-label="Program video"
          hidden={!running}
        />
        {!running ? (
          <p className="cr-video-message">Preview not running — it starts when a show is on air.</p>
        ) : phase === 'waiting' || phase === 'connecting' ? (
          <p className="cr-video-message cr-video-overlay">Waiting for the preview…</p>
        ) : phase === 'reconnecting' ? (
          <p className="cr-video-message cr-video-overlay">
            Reconnecting to the program ({status.note ?? 'lost'})…
          </p>
        ) : phase === 'unsupported' ? (
          <p className="cr-video-message cr-video-overlay">
            This browser cannot play the preview. Use a current Chrome, Edge, Firefox or Safari.
          </p>
        ) : null}
      </div>
      {running ? (
        <p className="hint cr-small" data-testid="preview-caption">
          {previewCaption(kind, status)}
        </p>
      ) : null}
    </section>
  );
}

/** Where the timeline is (position / duration), with the video cues' boundaries marked. */
export function Playhead({ show, info }: { show: LiveShow; info: ShowInfo | null }) {
  const duration = show.position.durationSeconds || info?.durationSeconds || 0;
  const position = Math.min(show.position.seconds, duration);
  const fraction = duration > 0 ? position / duration : 0;
  const text = `${formatDuration(position)} of ${formatDuration(duration)}`;
  return (
    <div className="cr-playhead">
      <div className="cr-playhead-labels">
        <span>
          Timeline position <strong data-testid="position">{text}</strong>
          {show.paused ? <span className="badge badge-warn cr-inline-badge">Paused</span> : null}
        </span>
        <span className="hint">
          {show.position.loop ? `Loops · pass ${show.position.iteration + 1}` : 'Plays once'}
        </span>
      </div>
      <div
        className="cr-playhead-bar"
        role="progressbar"
        aria-label="Timeline position"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration)}
        aria-valuenow={Math.round(position)}
        aria-valuetext={text}
      >
        <div className="cr-playhead-fill" style={{ width: `${fraction * 100}%` }} />
        {(info?.cueStarts ?? []).map((start) => (
          <span
            key={start}
            className="cr-playhead-cue"
            style={{ left: `${(start / duration) * 100}%` }}
            title={`Cue at ${formatDuration(start)}`}
          />
        ))}
        <span className="cr-playhead-head" style={{ left: `${fraction * 100}%` }} />
      </div>
    </div>
  );
}
