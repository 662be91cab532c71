// Program audio meters: the left and right channel of what goes to the encoder, peak and RMS in
// dBFS (RMS by AES17: a sine reads its peak level), with a peak hold, a dBFS scale and the figures
// in words. Readings come over the live socket 10–15 times a second, asked for only while this is
// on screen. Silence (below −90 dBFS) reads "Silence".
import { useEffect, useRef, useState } from 'react';
import type { LiveAudio } from '../../../../src/domain/live.ts';
import { subscribeProgramAudio } from '../../api/live.ts';
import './audio-meters.css';

/** The bars show −60…0 dBFS; lower levels (down to the −90 floor) sit at the left end. */
const SCALE_MIN_DB = -60;
const METER_FLOOR_DB = -90;
const SCALE_MARKS = [0, -6, -12, -20, -40, -60] as const;
/** The peak hold marker stays this long, then falls to the current peak. */
const PEAK_HOLD_MS = 1500;
/** With no reading for this long the figures are old: said so, not shown as current. */
const STALE_MS = 1000;
const CHANNEL_NAMES = ['Left', 'Right'] as const;

interface Hold {
  db: number | null;
  until: number;
  clipped: boolean;
}

/** Position on the bar in % (0 at −60 dBFS or below, 100 at 0 dBFS). */
function barPercent(db: number | null): number {
  if (db === null) return 0;
  return Math.max(0, Math.min(100, ((db - SCALE_MIN_DB) / -SCALE_MIN_DB) * 100));
}

/** "−20.0" with a true minus sign; null is silence. */
export function dbText(db: number | null): string {
  if (db === null) return 'Silence';
  const rounded = Math.round(db * 10) / 10;
  return `${rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(1)}`;
}

function zone(db: number | null): 'low' | 'ok' | 'hot' {
  if (db === null || db < -18) return 'low';
  return db < -6 ? 'ok' : 'hot';
}

function useProgramAudio(): { audio: LiveAudio | null; stale: boolean } {
  const [audio, setAudio] = useState<LiveAudio | null>(null);
  const [stale, setStale] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = subscribeProgramAudio((reading) => {
      setAudio(reading);
      setStale(false);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => setStale(true), STALE_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, []);
  return { audio, stale };
}

function ChannelMeter({
  name,
  level,
  hold,
}: {
  name: string;
  level: LiveAudio['channels'][number];
  hold: Hold;
}) {
  const silent = level.peakDb === null;
  const words =
    (silent ? 'Silence' : `peak ${dbText(level.peakDb)} dBFS, RMS ${dbText(level.rmsDb)} dBFS`) +
    (hold.clipped ? ', clipping' : '');
  return (
    <div className="am-channel">
      <span className="am-name" aria-hidden="true">
        {name[0]}
      </span>
      <div
        className="am-track"
        role="meter"
        aria-label={`${name} channel level`}
        aria-valuemin={METER_FLOOR_DB}
        aria-valuemax={0}
        aria-valuenow={level.peakDb ?? METER_FLOOR_DB}
        aria-valuetext={words}
      >
        <div
          className="am-fill am-peak"
          style={{ clipPath: `inset(0 ${100 - barPercent(level.peakDb)}% 0 0)` }}
        />
        <div
          className="am-fill am-rms"
          style={{ clipPath: `inset(0 ${100 - barPercent(level.rmsDb)}% 0 0)` }}
        />
        {hold.db !== null ? (
          <div className={`am-hold am-hold-${zone(hold.db)}`} style={{ left: `${barPercent(hold.db)}%` }} />
        ) : null}
        {hold.clipped ? <span className="am-clip">CLIP</span> : null}
      </div>
      <span className={`am-readout${silent ? ' am-silent' : ''}`} data-testid={`audio-${name.toLowerCase()}`}>
        {silent ? (
          'Silence'
        ) : (
          <>
            <span className="am-value">{dbText(level.peakDb)}</span> peak{' '}
            <span className="am-value">{dbText(level.rmsDb)}</span> RMS
          </>
        )}
      </span>
    </div>
  );
}

export function AudioMeters() {
  const { audio, stale } = useProgramAudio();
  const holds = useRef<Hold[]>([]);
  const now = Date.now();
  const channels = audio?.channels ?? [];
  channels.forEach((level, index) => {
    const hold = holds.current[index];
    const higher = !hold || hold.db === null || (level.peakDb !== null && level.peakDb >= hold.db);
    if (!hold || higher || now > hold.until)
      holds.current[index] = { db: level.peakDb, until: now + PEAK_HOLD_MS, clipped: level.clipped };
    else if (level.clipped) hold.clipped = true;
  });

  return (
    <section
      className="card am-meters"
      aria-labelledby="am-title"
      data-reading={audio ? `${audio.executionId}:${audio.seq}` : ''}
    >
      <h2 id="am-title">Program audio</h2>
      {!audio ? (
        <p className="hint am-wait">Waiting for the program audio…</p>
      ) : (
        <>
          {channels.slice(0, 2).map((level, index) => (
            <ChannelMeter
              key={CHANNEL_NAMES[index]}
              name={CHANNEL_NAMES[index]!}
              level={level}
              hold={holds.current[index]!}
            />
          ))}
          <div className="am-channel am-scale-row" aria-hidden="true">
            <span className="am-name" />
            <div className="am-scale">
              {SCALE_MARKS.map((mark) => (
                <span key={mark} className="am-mark" style={{ left: `${barPercent(mark)}%` }}>
                  {dbText(mark).replace('.0', '')}
                </span>
              ))}
            </div>
            <span className="am-readout am-unit">dBFS</span>
          </div>
          {stale ? (
            <p className="hint am-stale" role="status">
              No new audio reading for a moment — the figures above may be old.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
