// File names of a recording that had to be restarted: a restarted recorder never overwrites what
// it wrote before (an MP4 or FLV cannot be appended to), it continues in the next part.
import { posix } from 'node:path';

/** Part 1 is the path itself; part n ≥ 2 is "<name>.part<n><ext>" (show.mp4 → show.part2.mp4). */
export function recordingPartPath(path: string, part: number): string {
  if (!Number.isInteger(part) || part < 1) throw new RangeError(`part must be an integer >= 1, got ${part}`);
  if (part === 1) return path;
  const ext = posix.extname(path);
  return `${path.slice(0, path.length - ext.length)}.part${part}${ext}`;
}

/**
 * The first part number ≥ `from` whose file does not exist yet (a file left by an earlier show or
 * run is never overwritten).
 */
export function nextFreePart(path: string, from: number, exists: (path: string) => boolean): number {
  let part = Math.max(1, Math.floor(from));
  while (exists(recordingPartPath(path, part))) part++;
  return part;
}
