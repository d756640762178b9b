// The frame of every command: help before parsing, bad usage before running, other errors left to the caller.
import { UsageError } from '../errors';
import { runCommand } from './command';

/** A command that records what its body received. */
function probe(parse: (args: string[]) => string[]) {
  const ran: string[][] = [];
  const command: runCommand.ICommand<string[]> = { name: 'probe', usage: 'usage: mdlma probe <word>', parse, run: async words => (ran.push(words), 7) };
  return { command, ran };
}

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (out.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation(chunk => (err.push(String(chunk)), true));
});
afterEach(() => jest.restoreAllMocks());

it('drops the command word, parses the rest and returns what the body returns', async () => {
  const { command, ran } = probe(args => args);
  expect(await runCommand(['probe', 'a', 'b'], command)).toBe(7);
  expect(await runCommand(['a'], command)).toBe(7);
  expect(ran).toEqual([['a', 'b'], ['a']]);
});

it.each([['--help'], ['-h']])('answers %s with the usage and exit 0, without parsing or running', async flag => {
  const parse = jest.fn((args: string[]) => args);
  const { command, ran } = probe(parse);
  expect(await runCommand(['probe', 'x', flag], command)).toBe(0);
  expect(out.join('')).toBe('usage: mdlma probe <word>\n');
  expect(parse).not.toHaveBeenCalled();
  expect(ran).toEqual([]);
});

it('reports a UsageError as every command does, with exit 2, and runs nothing', async () => {
  const { command, ran } = probe(() => {
    throw new UsageError('must be a word', '--word');
  });
  expect(await runCommand(['probe', '--word', '1'], command)).toBe(2);
  expect(err.join('')).toBe('mdlma probe: --word must be a word.\nRun "mdlma probe --help" for the options.\n');
  expect(ran).toEqual([]);
});

it('lets any other parse error through to the caller', async () => {
  const { command } = probe(() => {
    throw new RangeError('a bug, not bad usage');
  });
  await expect(runCommand(['probe'], command)).rejects.toThrow(RangeError);
});
