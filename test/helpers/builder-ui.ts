// Driving the timeline builder like an operator: real mouse drags from the palette onto lanes,
// cue edges and bodies, located through the builder's accessible names.
import type { Locator, Page } from 'playwright-core';
import { parseTime } from '../../web/src/pages/timelines/builder/model.ts';
import { saveScreenshot } from './browser.ts';

export async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('element has no box (not visible)');
  return found;
}

/** The x of a time on a lane (the lane body spans the timeline's content at the current zoom). */
export async function xAt(page: Page, lane: Locator, seconds: number): Promise<number> {
  const duration = Number(await page.getByRole('slider', { name: 'Playhead' }).getAttribute('aria-valuemax'));
  const b = await box(lane);
  return b.x + (seconds / duration) * b.width;
}

/** A real mouse drag: press on `from`, move in steps (HTML5 drag and pointer drags both see it), release. */
export async function dragMouse(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 6, from.y + 2, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

export async function dropOnLane(page: Page, item: Locator, lane: Locator, seconds: number) {
  await item.scrollIntoViewIfNeeded();
  const source = await box(item);
  const target = await box(lane);
  await dragMouse(
    page,
    { x: source.x + source.width / 2, y: source.y + source.height / 2 },
    { x: await xAt(page, lane, seconds), y: target.y + target.height / 2 },
  );
}

/** Waits until a cue's accessible name matches (its times are in it); says what it was if not. */
export async function waitForLabel(locator: Locator, pattern: RegExp): Promise<void> {
  const handle = await locator.elementHandle();
  try {
    await locator
      .page()
      .waitForFunction(
        ([el, source]) =>
          new RegExp(source as string).test(
            (el as { getAttribute(n: string): string | null } | null)?.getAttribute('aria-label') ?? '',
          ),
        [handle, pattern.source] as const,
      );
  } catch {
    await saveScreenshot(locator.page(), 'builder-failed');
    throw new Error(`the cue is "${await locator.getAttribute('aria-label')}", expected ${pattern}`);
  }
}

export function cue(page: Page, id: string): Locator {
  return page.locator(`[data-cue-id="${id}"]`);
}

/** A cue's start and end in seconds, read from its accessible name ("…, 1:02.4–1:32.4, …"). */
export async function cueSpan(locator: Locator): Promise<{ start: number; end: number }> {
  const label = (await locator.getAttribute('aria-label')) ?? '';
  const match = /, ((?:\d+:)?\d+:\d+(?:\.\d)?)–((?:\d+:)?\d+:\d+(?:\.\d)?)/.exec(label);
  if (!match) throw new Error(`no times in "${label}"`);
  return { start: parseTime(match[1]!)!, end: parseTime(match[2]!)! };
}

/** Pixels per second of a lane at the current zoom. */
export async function pixelsPerSecond(page: Page, lane: Locator): Promise<number> {
  const duration = Number(await page.getByRole('slider', { name: 'Playhead' }).getAttribute('aria-valuemax'));
  return (await box(lane)).width / duration;
}

/** The time under an x on a lane (the inverse of xAt). */
export async function timeAtX(page: Page, lane: Locator, x: number): Promise<number> {
  const b = await box(lane);
  return (x - b.x) / (await pixelsPerSecond(page, lane));
}
