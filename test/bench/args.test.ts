import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchArgs } from '../../bench/args.js';

const USAGE = 'bench [--steps 5] [--nets a,b] [--threads 1,2] [--net resnet] [--no-write]';
const DEFAULTS = { steps: 5, nets: ['a', 'b'], threads: [1, 2], net: 'resnet', 'no-write': false };

/** What benchArgs printed and the exit code it asked for, when it stopped the run. */
function stopped(argv: string[]): { code: unknown; message: string } {
  const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${String(code)}`);
  });
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  expect(() => benchArgs(USAGE, DEFAULTS, { argv, choices: { nets: ['a', 'b', 'x'], net: ['resnet', 'charcnn'] } })).toThrow(/^exit/);
  return { code: exit.mock.calls[0]?.[0], message: error.mock.calls.map((c) => c.join(' ')).join('\n') };
}

describe('benchArgs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the defaults, and what the command line sets, typed as the defaults', () => {
    expect(benchArgs(USAGE, DEFAULTS, { argv: [] })).toEqual(DEFAULTS);
    expect(
      benchArgs(USAGE, DEFAULTS, { argv: ['--steps', '10', '--nets', 'x', '--threads', '1,2,4', '--net', 'charcnn', '--no-write'] }),
    ).toEqual({
      steps: 10,
      nets: ['x'],
      threads: [1, 2, 4],
      net: 'charcnn',
      'no-write': true,
    });
  });

  it.each([
    [['--step', '10'], /Unknown option '--step'/],
    [['--steps'], /--steps/],
    [['--steps', 'ten'], /--steps: expected a number, got "ten"/],
    [['--threads', '1,,2'], /--threads: expected a comma-separated list/],
    [['--threads', '1,x'], /--threads: expected a number, got "x"/],
    [['10'], /positional/i],
    [['--nets', 'a,resnt'], /--nets: expected one of a, b, x, got "resnt"/],
    [['--net', 'vgg'], /--net: expected one of resnet, charcnn, got "vgg"/],
  ])('stops on %j with exit 2, the reason and the usage', (argv, reason) => {
    const { code, message } = stopped(argv);
    expect(code).toBe(2);
    expect(message).toMatch(reason);
    expect(message).toContain(`usage: ${USAGE}`);
  });
});
