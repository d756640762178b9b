import { ABORTED, ExecutionQueue } from './execution-queue';

/** A cell that records that it ran and ends with `status`. */
function cell(ran: string[], name: string, status: 'ok' | 'error') {
  return async () => {
    ran.push(name);
    return { status };
  };
}

describe('ExecutionQueue', () => {
  it('runs cells in arrival order', async () => {
    const queue = new ExecutionQueue();
    const ran: string[] = [];
    const slow = queue.run({ stopOnError: true }, async () => {
      await new Promise(resolve => setTimeout(resolve, 20));
      ran.push('slow');
      return { status: 'ok' };
    });
    const fast = queue.run({ stopOnError: true }, cell(ran, 'fast', 'ok'));
    await Promise.all([slow, fast]);
    expect(ran).toEqual(['slow', 'fast']);
  });

  it('aborts the cells queued behind a failure with stop_on_error', async () => {
    const queue = new ExecutionQueue();
    const ran: string[] = [];
    const outcomes = await Promise.all([
      queue.run({ stopOnError: true }, cell(ran, 'fails', 'error')),
      queue.run({ stopOnError: true }, cell(ran, 'queued', 'ok'))
    ]);
    expect(outcomes).toEqual([{ status: 'error' }, ABORTED]);
    expect(ran).toEqual(['fails']);
    // A cell that arrives after the failure was reported runs.
    await expect(queue.run({ stopOnError: true }, cell(ran, 'later', 'ok'))).resolves.toEqual({ status: 'ok' });
  });

  it('never aborts after a failure without stop_on_error', async () => {
    const queue = new ExecutionQueue();
    const ran: string[] = [];
    const outcomes = await Promise.all([
      queue.run({ stopOnError: false }, cell(ran, 'fails', 'error')),
      queue.run({ stopOnError: false }, cell(ran, 'next', 'ok'))
    ]);
    expect(outcomes).toEqual([{ status: 'error' }, { status: 'ok' }]);
    expect(ran).toEqual(['fails', 'next']);
  });

  it('keeps running cells after a task throws', async () => {
    const queue = new ExecutionQueue();
    const broken = queue.run({ stopOnError: true }, () => Promise.reject(new Error('kernel fault')));
    await expect(broken).rejects.toThrow('kernel fault');
    await expect(queue.run({ stopOnError: true }, cell([], 'next', 'ok'))).resolves.toEqual({ status: 'ok' });
  });
});
