// The audio part of the /api/live WebSocket: the program's audio meter readings, pushed about 14
// times a second while a show is live, to a socket that asked for them ({type:'audio', on:true};
// the control room's meters do while they are on screen). Other listeners never receive them.
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { LiveClientMessageSchema, type LiveAudioMessage, type LiveClientMessage } from '../../domain/live.ts';
import type { ApiShowControl } from '../deps.ts';

/** About 14 a second: at least 10 even when the event loop runs late. */
export const AUDIO_PUSH_EVERY_MS = 70;

export type AudioLevelSource = Pick<ApiShowControl, 'audioLevels'>;
type AudioReading = NonNullable<ReturnType<AudioLevelSource['audioLevels']>>;

/** What the stream needs of a socket (a ws WebSocket, or a stand-in in unit tests). */
export type AudioSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'send' | 'on'>;

/** One decimal is finer than any meter shows; it keeps the message short. */
const tenth = (db: number | null): number | null => (db === null ? null : Math.round(db * 10) / 10);

export function audioMessage(reading: AudioReading, wallNow: number): LiveAudioMessage {
  return {
    type: 'audio',
    data: {
      at: new Date(wallNow).toISOString(),
      executionId: reading.executionId,
      seq: reading.levels.seq,
      channels: reading.levels.channels.map((channel) => ({
        peakDb: tenth(channel.peakDb),
        rmsDb: tenth(channel.rmsDb),
        clipped: channel.clipped,
      })),
    },
  };
}

/** A browser's message on the socket, or null when it is not one we know (ignored). */
export function parseClientMessage(raw: unknown): LiveClientMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    return null;
  }
  const message = LiveClientMessageSchema.safeParse(parsed);
  return message.success ? message.data : null;
}

export function streamAudioLevels(socket: AudioSocket, source: AudioLevelSource, clock: Clock): void {
  let timer: TimerHandle | null = null;
  let last: { executionId: number; seq: number } | null = null;
  const push = (): void => {
    if (socket.readyState !== socket.OPEN) return;
    const reading = source.audioLevels();
    // Only new windows: a stalled playout sends nothing rather than the same reading again.
    if (!reading || (last?.executionId === reading.executionId && last.seq === reading.levels.seq)) return;
    last = { executionId: reading.executionId, seq: reading.levels.seq };
    socket.send(JSON.stringify(audioMessage(reading, clock.wallNow())));
  };
  const tick = (): void => {
    push();
    timer = clock.setTimeout(tick, AUDIO_PUSH_EVERY_MS);
  };
  socket.on('message', (raw: unknown) => {
    const message = parseClientMessage(raw);
    if (message?.type !== 'audio') return;
    if (message.on && !timer) tick();
    if (!message.on && timer) {
      timer.cancel();
      timer = null;
    }
  });
  socket.on('close', () => {
    timer?.cancel();
    timer = null;
  });
}
