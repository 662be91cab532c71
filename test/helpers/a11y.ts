// Accessibility checks with axe-core in the real page: every control has a name a screen reader
// reads and a keyboard reaches (WCAG 2.x level A rules: labels, button/link names, ARIA use,
// focusable content). Contrast (level AA) is judged by looking at the screenshots instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | null = null;

export interface A11yViolation {
  rule: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The level-A violations on the page as it is now (an empty list when there are none). */
export async function a11yViolations(page: Page): Promise<A11yViolation[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (script-src 'self')
  // refuses an added <script> tag.
  if (!(await page.evaluate(() => 'axe' in globalThis))) {
    axeSource ??= readFileSync(AXE_SCRIPT, 'utf8');
    await page.evaluate(axeSource);
  }
  return page.evaluate(async () => {
    interface AxeResult {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    }
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<AxeResult> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag21a'] } });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  });
}
