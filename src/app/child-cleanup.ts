// Wires the on-disk child registry to the process layer: at start, end what a crashed run of the
// appliance (or of `vistter show start`) left behind, then record this process's own children,
// supervised and short-lived alike (every process group src/process/ starts).
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { ChildRegistry, reapOrphanedChildren, type ReapReport } from '../process/child-registry.ts';
import { observeProcessGroups } from '../process/registry.ts';

export interface ChildTracking {
  registry: ChildRegistry;
  reaped: ReapReport;
  /** Clean shutdown: every child was stopped, so the list is removed. */
  close(): void;
}

/** The registry folder inside the data folder. */
export function childRegistryDir(dataDir: string): string {
  return join(dataDir, 'run');
}

export async function trackChildProcesses(dataDir: string, logger: Logger): Promise<ChildTracking> {
  const dir = childRegistryDir(dataDir);
  const reaped = await reapOrphanedChildren(dir, { logger });
  const registry = new ChildRegistry(dir, { logger });
  observeProcessGroups({
    started: (pgid, label) => registry.record(pgid, label),
    ended: (pgid) => registry.forget(pgid),
  });
  return {
    registry,
    reaped,
    close: () => {
      observeProcessGroups(null);
      registry.close();
    },
  };
}
