// The install's /proc part (scripts/install-service.sh): the fstab line it writes, the kernel
// command line it fixes, and — as root — that a procfs remounted by its own function hides one
// user's command lines (stream keys, camera passwords) from another, except from the group.
// The root part mounts a separate procfs instance (Linux ≥ 5.8 keeps options per mount): the
// machine's own /proc, shared with everything else running here, is never changed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../helpers/temp.ts';

const SCRIPT = fileURLToPath(new URL('../../../scripts/install-service.sh', import.meta.url));

/** Runs one of the script's functions (sourced, so nothing else of the install runs). */
function scriptFunction(name: string, ...args: string[]) {
  // $0 is not the script's path: the script runs its install only when executed as itself.
  return spawnSync('bash', ['-c', `source "$1"; shift; ${name} "$@"`, 'install-test', SCRIPT, ...args], {
    encoding: 'utf8',
  });
}

function run(command: string, args: string[]) {
  return spawnSync(command, args, { encoding: 'utf8' });
}

describe('install: /etc/fstab line for /proc', () => {
  const dir = tempDir('vistter-fstab-');
  after(() => dir.cleanup());

  const cases: Array<{ name: string; before: string; procLine: string }> = [
    {
      name: "Debian's empty fstab: the line is added",
      before: '# UNCONFIGURED FSTAB FOR BASE SYSTEM\n',
      procLine: 'proc\t/proc\tproc\tdefaults,hidepid=invisible,gid=1234\t0\t0',
    },
    {
      name: 'a proc line with other options: they are kept',
      before:
        'UUID=ab12 / ext4 errors=remount-ro 0 1\nproc /proc proc defaults,nosuid,nodev 0 0\n#proc /proc proc hidepid=0 0 0\n',
      procLine: 'proc\t/proc\tproc\tdefaults,hidepid=invisible,gid=1234,nosuid,nodev\t0\t0',
    },
    {
      name: 'an older hidepid=2 with another group: replaced',
      before: 'proc  /proc  proc  hidepid=2,gid=5  0  0\n',
      procLine: 'proc\t/proc\tproc\tdefaults,hidepid=invisible,gid=1234\t0\t0',
    },
  ];

  for (const [index, testCase] of cases.entries()) {
    it(testCase.name, () => {
      const fstab = join(dir.path, `fstab-${index}`);
      writeFileSync(fstab, testCase.before, { mode: 0o644 });
      const first = scriptFunction('ensure_proc_fstab', fstab, '1234');
      assert.equal(first.status, 0, first.stderr);
      const after1 = readFileSync(fstab, 'utf8');
      const lines = after1.split('\n');
      const procLines = lines.filter((line) => /^proc\s+\/proc\s/.test(line));
      assert.deepEqual(procLines, [testCase.procLine]);
      // Every other line is as it was.
      const others = (text: string) =>
        text
          .split('\n')
          .filter((line) => !/^proc\s+\/proc\s/.test(line) && !line.startsWith('# VistterStream'));
      assert.deepEqual(others(after1), others(testCase.before));
      // mount(8)'s own parser reads the options back.
      const parsed = run('findmnt', [
        '--fstab',
        '--tab-file',
        fstab,
        '--noheadings',
        '--output',
        'OPTIONS',
        '/proc',
      ]);
      assert.equal(parsed.status, 0, parsed.stderr);
      assert.match(parsed.stdout.trim(), /(^|,)hidepid=invisible(,|$)/);
      assert.match(parsed.stdout.trim(), /(^|,)gid=1234(,|$)/);
      // Idempotent: a second install changes nothing and says nothing.
      const second = scriptFunction('ensure_proc_fstab', fstab, '1234');
      assert.equal(second.status, 0, second.stderr);
      assert.equal(second.stdout, '');
      assert.equal(readFileSync(fstab, 'utf8'), after1);
      assert.equal(run('stat', ['-c', '%a', fstab]).stdout.trim(), '644');
    });
  }
});

describe('install: the memory controller on a Raspberry Pi kernel command line', () => {
  const dir = tempDir('vistter-cmdline-');
  after(() => dir.cleanup());

  it('is turned on in the one line, once', () => {
    const cmdline = join(dir.path, 'cmdline.txt');
    writeFileSync(
      cmdline,
      'console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootwait cgroup_disable=memory\n',
    );
    const first = scriptFunction('cmdline_with_memory_cgroup', cmdline);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(
      first.stdout,
      'console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootwait cgroup_enable=memory cgroup_memory=1\n',
    );
    writeFileSync(cmdline, first.stdout);
    assert.equal(scriptFunction('cmdline_with_memory_cgroup', cmdline).stdout, first.stdout);
  });
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe(
  'install: hidepid as another user sees it (root only)',
  { skip: isRoot ? false : 'needs root' },
  () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const group = `vsproc${suffix}`;
    const outsider = `vsout${suffix}`;
    const monitor = `vsmon${suffix}`;
    const dir = tempDir('vistter-procfs-');
    const mountpoint = join(dir.path, 'proc');
    const marker = `rtmp://a.rtmp.youtube.com/live2/key-${suffix}`;
    let gid = '';
    let secretHolder: ChildProcess | undefined;
    let mounted = false;
    const procMountBefore = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((line) => line.split(' ')[4] === '/proc');

    before(() => {
      const made = scriptFunction('ensure_proc_group', group);
      assert.equal(made.status, 0, made.stderr);
      gid = made.stdout.trim();
      assert.match(gid, /^\d+$/);
      assert.equal(run('useradd', ['--no-create-home', '--shell', '/bin/sh', outsider]).status, 0);
      assert.equal(
        run('useradd', ['--no-create-home', '--shell', '/bin/sh', '--groups', group, monitor]).status,
        0,
      );
      chmodSync(dir.path, 0o755);
      mkdirSync(mountpoint);
      // A root process whose command line holds a stream key, as a publisher's does.
      secretHolder = spawn('/bin/sh', ['-c', 'sleep 600', marker], { detached: true, stdio: 'ignore' });
      const mount = run('mount', ['-t', 'proc', 'proc', mountpoint]);
      assert.equal(mount.status, 0, mount.stderr);
      mounted = true;
    });

    after(() => {
      if (secretHolder?.pid !== undefined) {
        try {
          process.kill(-secretHolder.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (mounted) run('umount', [mountpoint]);
      run('userdel', [outsider]);
      run('userdel', [monitor]);
      run('groupdel', [group]);
      dir.cleanup();
    });

    const readAs = (user: string, path: string) => run('runuser', ['-u', user, '--', 'cat', path]);

    it('before: any user reads the key in the command line; after apply_proc_hidepid only the group does', () => {
      const cmdline = join(mountpoint, String(secretHolder!.pid), 'cmdline');
      const plain = readAs(outsider, cmdline);
      assert.equal(plain.status, 0, plain.stderr);
      assert.ok(
        plain.stdout.includes(marker),
        'without hidepid the key is readable (what the install fixes)',
      );

      const applied = scriptFunction('apply_proc_hidepid', gid, mountpoint);
      assert.equal(applied.status, 0, applied.stderr);
      const options = run('findmnt', ['--noheadings', '--output', 'OPTIONS', mountpoint]).stdout;
      assert.match(options, /hidepid=invisible/);
      assert.match(options, new RegExp(`gid=${gid}`));

      const hidden = readAs(outsider, cmdline);
      assert.notEqual(hidden.status, 0);
      assert.equal(hidden.stdout.includes(marker), false);
      const listing = run('runuser', ['-u', outsider, '--', 'ls', mountpoint]);
      assert.equal(listing.stdout.split('\n').includes(String(secretHolder!.pid)), false, 'not even listed');
      const own = run('runuser', ['-u', outsider, '--', 'sh', '-c', `cat ${mountpoint}/$$/cmdline`]);
      assert.equal(own.status, 0, 'a user still sees their own processes');

      const monitored = readAs(monitor, cmdline);
      assert.equal(monitored.status, 0, monitored.stderr);
      assert.ok(monitored.stdout.includes(marker), 'the monitoring group sees every process');
    });

    it('left the machine’s own /proc as it was', () => {
      const now = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .find((line) => line.split(' ')[4] === '/proc');
      assert.equal(now, procMountBefore);
    });
  },
);
