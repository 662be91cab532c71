// At boot: an execution still 'running' whose process is gone died mid-show (power cut, SIGKILL,
// OOM kill). The newest such show is resumed on the same row; older ones are closed as 'error',
// since the appliance has one program output. Rows owned by a live process (e.g. a
// `vistter show start` running beside the appliance) are left alone, and while such a show is on
// air nothing is resumed.
import type { Logger } from '../core/logger.ts';
import { isProcessAlive } from '../process/child-registry.ts';
import type { Execution, ExecutionOwner } from '../store/repositories/records.ts';
import type { Store } from '../store/store.ts';
import type { RunningShow } from './running-show.ts';
import type { ResumeResult, ShowRunner } from './show-runner.ts';
import { messageOf } from '../core/message-of.ts';

export interface BootResume {
  /** The show now on air again, if any. */
  resumed: RunningShow | null;
  /** What happened to each interrupted row, newest first. */
  results: Array<{ executionId: number; outcome: ResumeResult['kind'] | 'superseded'; detail: string }>;
  /** Running rows whose owner is alive: not ours to touch. */
  liveElsewhere: Execution[];
}

export async function resumeInterruptedShows(
  store: Store,
  runner: ShowRunner,
  options: { logger: Logger; isAlive?: (owner: ExecutionOwner) => boolean },
): Promise<BootResume> {
  const isAlive = options.isAlive ?? isProcessAlive;
  const log = options.logger;
  const running = store.executions.running();
  const liveElsewhere = running.filter((row) => row.owner !== null && isAlive(row.owner));
  const interrupted = running.filter((row) => !liveElsewhere.includes(row)).sort((a, b) => b.id - a.id);
  const result: BootResume = { resumed: null, results: [], liveElsewhere };
  for (const row of liveElsewhere) {
    log.info(
      { execution: row.id, pid: row.owner?.pid },
      'a show is running in another live process; leaving it alone',
    );
  }

  for (const row of interrupted) {
    const onAir = liveElsewhere[0];
    if (onAir) {
      // Two shows on the same destinations would fight over them: the live one keeps the air.
      const detail = `interrupted; not resumed because execution ${onAir.id} is on air in another process (pid ${onAir.owner?.pid ?? '?'})`;
      store.executions.finish(row.id, 'error', { error: detail });
      log.warn({ execution: row.id }, detail);
      result.results.push({ executionId: row.id, outcome: 'superseded', detail });
      continue;
    }
    if (result.resumed) {
      const detail = `interrupted; the appliance resumed the newer show (execution ${result.resumed.executionId}) instead`;
      store.executions.finish(row.id, 'error', { error: detail });
      log.warn({ execution: row.id }, detail);
      result.results.push({ executionId: row.id, outcome: 'superseded', detail });
      continue;
    }
    let outcome: ResumeResult;
    try {
      outcome = await runner.resume(row);
    } catch (error) {
      // Never let one bad row keep the appliance from booting.
      const message = messageOf(error);
      store.executions.finish(row.id, 'error', { error: `interrupted and not resumed: ${message}` });
      log.error({ execution: row.id, err: message }, 'resume failed');
      result.results.push({ executionId: row.id, outcome: 'error', detail: message });
      continue;
    }
    switch (outcome.kind) {
      case 'resumed':
        result.resumed = outcome.show;
        result.results.push({
          executionId: row.id,
          outcome: 'resumed',
          detail: `frame ${outcome.decision.frame}`,
        });
        break;
      case 'completed':
        result.results.push({ executionId: row.id, outcome: 'completed', detail: outcome.note });
        break;
      case 'error':
        result.results.push({ executionId: row.id, outcome: 'error', detail: outcome.message });
        break;
    }
  }
  return result;
}
