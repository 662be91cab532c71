// The program as viewers get it, from the appliance's HLS preview: hls.js (Media Source
// Extensions), or the browser's own HLS where there is no MSE. Muted autoplay, with a visible play
// control for browsers that block it; a timeline playhead bar under the picture.
import Hls from 'hls.js';
import { useEffect, useState } from 'react';
import type { LiveShow } from '../../../../src/domain/live.ts';
import { formatDuration } from '../../components/ui.tsx';
import type { ShowInfo } from './show-info.ts';

/** The playlist is written a few seconds after the show starts: try again this often. */
const RETRY_MS = 2000;

type Phase = 'waiting' | 'playing' | 'paused' | 'unsupported';

function usePreviewPlayer(video: HTMLVideoElement | null, url: string | null, generation: string) {
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

export function ProgramPreview({ show }: { show: LiveShow | null }) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const url = show?.previewUrl ?? null;
  const phase = usePreviewPlayer(video, url, String(show?.executionId ?? ''));
  const [muted, setMuted] = useState(true);
  useEffect(() => {
    if (video) video.muted = muted;
  }, [video, muted, phase]);

  const running = url !== null;
  return (
    <section className="cr-preview card" aria-labelledby="cr-preview-title">
      <div className="cr-section-head">
        <h2 id="cr-preview-title">Program preview</h2>
        {running ? (
          <div className="cr-row">
            <button
              type="button"
              className="btn"
              disabled={phase === 'unsupported'}
              onClick={() => {
                if (!video) return;
                if (video.paused) void video.play().catch(() => undefined);
                else video.pause();
              }}
            >
              {phase === 'playing' ? 'Pause preview' : 'Play preview'}
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
        ) : phase === 'waiting' ? (
          <p className="cr-video-message cr-video-overlay">Waiting for the preview…</p>
        ) : phase === 'unsupported' ? (
          <p className="cr-video-message cr-video-overlay">
            This browser cannot play the preview. Use a current Chrome, Edge, Firefox or Safari.
          </p>
        ) : null}
      </div>
      {running ? <p className="hint cr-small">The preview runs a few seconds behind the stream.</p> : null}
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
