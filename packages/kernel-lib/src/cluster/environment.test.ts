// What the Slurm programs and the jobs see of the environment: a fixed minimum, never the server's secrets.
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { SlurmSubmitError } from '../errors';
import { exportArguments, jobEnvNameProblem, jobEnvironment, slurmProgramEnv } from './environment';
import { runSlurm } from './exec';

/** Runs `body` with these variables set (undefined: unset), then restores the environment. */
function withEnv<T>(vars: Record<string, string | undefined>, body: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map(name => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
  apply(vars);
  try {
    return body();
  } finally {
    apply(saved);
  }
}

const SECRETS = { SCICAT_TOKEN: 'scicat-secret', JUPYTERHUB_API_TOKEN: 'hub-secret', JPY_SESSION_NAME: 'jpy-secret' };

/** An executable shell script in a fresh folder. */
function program(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mdlma-env-')), 'program');
  writeFileSync(file, `#!/bin/sh\n${text}\n`, { mode: 0o755 });
  return file;
}

describe('job variable names', () => {
  it.each(['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'SLURM_CONF', 'SBATCH_OUTPUT', 'SCICAT_TOKEN', 'JUPYTERHUB_API_TOKEN', 'JPY_SESSION_NAME'])(
    '%s is refused with the pattern it matches',
    name => {
      expect(jobEnvNameProblem(name)).toMatch(/is not allowed \(it matches /);
      expect(() => jobEnvironment({ [name]: 'x' })).toThrow(SlurmSubmitError);
    }
  );

  it('a facility adds shell-style patterns in MDLMA_SLURM_DENY_ENV', () => {
    withEnv({ MDLMA_SLURM_DENY_ENV: 'SITE_*, AWS_SECRET?' }, () => {
      expect(jobEnvNameProblem('SITE_KEY')).toMatch(/matches SITE_\*/);
      expect(jobEnvNameProblem('AWS_SECRET1')).toMatch(/matches AWS_SECRET\?/);
      expect(jobEnvNameProblem('AWS_SECRET12')).toBeNull();
      expect(jobEnvNameProblem('MESSAGE')).toBeNull();
    });
  });

  it('refuses names that are not identifiers and values that are not text', () => {
    expect(() => jobEnvironment({ 'A=B': 'x' })).toThrow(/letters, digits and _/);
    expect(() => jobEnvironment({ A: 5 })).toThrow(/must be a string/);
    expect(() => jobEnvironment({ A: 'a\0b' })).toThrow(/NUL/);
  });
});

describe("a job's variables", () => {
  it('are the inherited few, SLURM_CONF and the request: never the server secrets', () => {
    const env = withEnv({ ...SECRETS, MDLMA_MODELS: '/models', LANG: 'C.UTF-8', MDLMA_SLURM_JOB_ENV: 'CONDA_PREFIX, SCICAT_URL', CONDA_PREFIX: '/conda', SCICAT_URL: 'http://x' }, () =>
      jobEnvironment({ MESSAGE: 'a, b\nc' }, { slurmConf: '/etc/slurm/slurm.conf' })
    );
    expect(env).toEqual({ LANG: 'C.UTF-8', MDLMA_MODELS: '/models', CONDA_PREFIX: '/conda', SLURM_CONF: '/etc/slurm/slurm.conf', MESSAGE: 'a, b\nc' });
  });

  it('go to sbatch as names on the command line and values through --export-file', () => {
    const { args, input } = exportArguments({ MESSAGE: 'a, b', TOKEN_OF_THE_USER: 'not in argv' });
    expect(args).toEqual(['--export=MESSAGE,TOKEN_OF_THE_USER', '--export-file=3']);
    expect(input).toBe('MESSAGE=a, b\0TOKEN_OF_THE_USER=not in argv\0');
    expect(exportArguments({})).toEqual({ args: ['--export=NONE'] });
  });
});

describe('the Slurm programs', () => {
  it('run with the fixed environment only', async () => {
    const printEnv = program('env');
    const seen = await withEnv({ ...SECRETS, LD_PRELOAD: '', SBATCH_OUTPUT: '/elsewhere/%j.out', SLURM_JOB_ID: '7' }, () =>
      runSlurm({ paths: { sinfo: printEnv }, slurmConf: '/etc/slurm/slurm.conf' }, 'sinfo', [])
    );
    const names = seen.trim().split('\n').map(line => line.split('=')[0]).filter(name => name !== 'PWD').sort();
    expect(names.every(name => ['HOME', 'LANG', 'LC_ALL', 'LOGNAME', 'PATH', 'SLURM_CONF', 'TZ', 'USER'].includes(name))).toBe(true);
    expect(seen).toContain('SLURM_CONF=/etc/slurm/slurm.conf\n');
    expect(seen).toMatch(new RegExp(`^PATH=${printEnv.replace(/\/program$/, '')}:/usr/local/sbin:`, 'm'));
    for (const secret of Object.values(SECRETS)) {
      expect(seen).not.toContain(secret);
    }
  });

  it('read the job variables from file descriptor 3', async () => {
    const readFd3 = program('cat <&3');
    const out = await runSlurm({ paths: { sbatch: readFd3 } }, 'sbatch', ['--export-file=3'], { fd3: 'A=1\0B=a, b\0' });
    expect(out).toBe('A=1\0B=a, b\0');
  });

  it('keep HOME and USER even when the caller has none', () => {
    const env = withEnv({ HOME: undefined, USER: undefined, LOGNAME: undefined }, () => slurmProgramEnv(undefined, undefined));
    expect(env.HOME).toBeTruthy();
    expect(env.USER).toBeTruthy();
    expect(env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });
});
