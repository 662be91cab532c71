import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import {
  parseProcStat,
  parseProcessStat,
  parseTemperature,
  readCpuTemperature,
  readCpuTimes,
  readProcessCpu,
  SystemSampler,
} from '../../../src/health/system.ts';
import { tempDir } from '../../helpers/temp.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/health');

function procStat(cpu: number[]): string {
  // Same layout as the fixture: aggregate line, then four cpuN lines (their values are not used).
  const perCpu = Array.from({ length: 4 }, (_, i) => `cpu${i} 1 0 1 1 0 0 0 0 0 0`);
  return [`cpu  ${cpu.join(' ')} 0 0`, ...perCpu, 'intr 1 0', 'ctxt 2', ''].join('\n');
}

function processStat(pid: number, comm: string, utime: number, stime: number, start: number): string {
  return `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 ${utime} ${stime} 0 0 20 0 7 0 ${start} 9 9 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n`;
}

describe('parsing /proc and /sys', () => {
  it('reads the aggregate cpu line: busy and total ticks (guest time not counted twice), cpu count', () => {
    const times = readCpuTimes(join(FIXTURES, 'proc'));
    // user 10000 + nice 500 + system 3000 + idle 80000 + iowait 1000 + softirq 500 = 95000;
    // idle + iowait = 81000 are not busy.
    assert.deepEqual(times, { busy: 14000, total: 95000, cpus: 4 });
    assert.deepEqual(parseProcStat('cpu  100 0 0 100 0 0 0 0 50 50\ncpu0 100 0 0 100 0 0 0 0 50 50\n'), {
      busy: 100,
      total: 200,
      cpus: 1,
    });
    assert.equal(parseProcStat('intr 1 2 3\n'), null);
  });

  it('reads a process stat whose name holds spaces and parentheses', () => {
    assert.deepEqual(readProcessCpu(4242, join(FIXTURES, 'proc')), {
      pid: 4242,
      ticks: 1800,
      startTicks: 777000,
    });
    assert.deepEqual(parseProcessStat(7, processStat(7, 'a) b (c', 10, 5, 99)), {
      pid: 7,
      ticks: 15,
      startTicks: 99,
    });
    assert.equal(parseProcessStat(7, 'garbage'), null);
    assert.equal(readProcessCpu(999999, join(FIXTURES, 'proc')), null);
    assert.equal(readProcessCpu(-1, join(FIXTURES, 'proc')), null);
  });

  it('CPU temperature: the preferred zone type, millidegrees to °C, broken and foreign zones ignored', () => {
    assert.deepEqual(readCpuTemperature(join(FIXTURES, 'sys-pi5')), {
      celsius: 61.9,
      type: 'cpu-thermal',
      zone: 'thermal_zone0',
    });
    // The CPU package wins over the (cooler) ACPI sensor and the (hotter) wifi card; the -273 °C zone is broken.
    assert.deepEqual(readCpuTemperature(join(FIXTURES, 'sys-x86')), {
      celsius: 72,
      type: 'x86_pkg_temp',
      zone: 'thermal_zone1',
    });
    assert.equal(
      readCpuTemperature(join(FIXTURES, 'sys-nocpu')),
      null,
      'no CPU sensor: null, not the wifi card',
    );
    assert.equal(readCpuTemperature(join(FIXTURES, 'no-such-sys')), null);
  });

  it('parseTemperature accepts millidegrees or degrees and rejects the implausible', () => {
    assert.equal(parseTemperature('61850\n'), 61.9);
    assert.equal(parseTemperature('45'), 45);
    assert.equal(parseTemperature('-5000'), -5);
    assert.equal(parseTemperature('-273000'), null);
    assert.equal(parseTemperature('200000'), null);
    assert.equal(parseTemperature(''), null);
    assert.equal(parseTemperature('n/a'), null);
    assert.equal(parseTemperature(null), null);
  });

  it('works on this machine’s real /proc (temperature may be null here)', () => {
    const times = readCpuTimes();
    assert.ok(times && times.cpus >= 1 && times.total > 0 && times.busy <= times.total);
    assert.equal(readProcessCpu(process.pid)?.pid, process.pid);
    const sampler = new SystemSampler();
    sampler.sample([process.pid]);
    const sample = sampler.sample([process.pid]);
    assert.ok(sample.cpuPercent === null || (sample.cpuPercent >= 0 && sample.cpuPercent <= 100));
    const temperature = readCpuTemperature();
    assert.ok(temperature === null || (temperature.celsius > -40 && temperature.celsius < 150));
  });
});

describe('SystemSampler over a fixture /proc that changes between samples', () => {
  const dir = tempDir();
  const proc = join(dir.path, 'proc');
  after(() => dir.cleanup());
  beforeEach(() => {
    rmSync(proc, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'proc'), proc, { recursive: true });
  });

  it('machine CPU % from /proc/stat deltas; process CPU % as a share of the machine, and its CPU ms', () => {
    const sampler = new SystemSampler({ procRoot: proc, sysRoot: join(FIXTURES, 'sys-pi5') });
    const first = sampler.sample([4242, 4243]);
    assert.equal(first.cpuPercent, null, 'no interval yet');
    assert.deepEqual(first.processes, [
      { pid: 4242, cpuPercent: null, cpuMs: null },
      { pid: 4243, cpuPercent: null, cpuMs: null },
    ]);
    assert.equal(first.cpuCount, 4);
    assert.equal(first.temperature?.celsius, 61.9);

    // 2000 ticks pass: +1000 user, +400 system, +100 softirq busy; +450 idle, +50 iowait.
    writeFileSync(join(proc, 'stat'), procStat([11000, 500, 3400, 80450, 1050, 0, 600, 0]));
    // The encoder used 300 + 100 ticks of them; node none.
    writeFileSync(join(proc, '4242', 'stat'), processStat(4242, 'ffmpeg (enc) x', 1800, 400, 777000));
    const second = sampler.sample([4242, 4243]);
    assert.equal(second.cpuPercent, 75);
    assert.deepEqual(second.processes, [
      { pid: 4242, cpuPercent: 20, cpuMs: 4000 },
      { pid: 4243, cpuPercent: 0, cpuMs: 0 },
    ]);
  });

  it('a pid reused by another process, or one that died, gives null rather than a false figure', () => {
    const sampler = new SystemSampler({ procRoot: proc });
    sampler.sample([4242, 4243]);
    writeFileSync(join(proc, 'stat'), procStat([11000, 500, 3400, 80450, 1050, 0, 600, 0]));
    // 4242 restarted: a new start time, fewer ticks than before.
    writeFileSync(join(proc, '4242', 'stat'), processStat(4242, 'ffmpeg', 3, 1, 888000));
    rmSync(join(proc, '4243'), { recursive: true });
    const sample = sampler.sample([4242, 4243]);
    assert.deepEqual(sample.processes, [
      { pid: 4242, cpuPercent: null, cpuMs: null },
      { pid: 4243, cpuPercent: null, cpuMs: null },
    ]);

    // The restarted process is measured from the next interval on.
    writeFileSync(join(proc, 'stat'), procStat([12000, 500, 3800, 80900, 1100, 0, 700, 0]));
    writeFileSync(join(proc, '4242', 'stat'), processStat(4242, 'ffmpeg', 503, 101, 888000));
    assert.deepEqual(sampler.sample([4242]).processes, [{ pid: 4242, cpuPercent: 30, cpuMs: 6000 }]);
  });

  it('an unreadable /proc gives nulls, never an exception', () => {
    const sampler = new SystemSampler({
      procRoot: join(dir.path, 'missing'),
      sysRoot: join(dir.path, 'missing'),
    });
    sampler.sample([1]);
    assert.deepEqual(sampler.sample([1]), {
      cpuPercent: null,
      cpuCount: null,
      processes: [{ pid: 1, cpuPercent: null, cpuMs: null }],
      temperature: null,
    });
  });
});
