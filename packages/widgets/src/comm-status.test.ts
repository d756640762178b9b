import { CommStatus } from './comm-status';

describe('CommStatus', () => {
  it('shows the round trip once the kernel answered', () => {
    const status = new CommStatus();
    expect(status.isHidden).toBe(true);
    status.setState({ kind: 'ok', roundTripMs: 12.4 });
    expect(status.node.textContent).toBe('MDLMA comms ✓ 12 ms');
    expect(status.node.dataset.state).toBe('ok');
    expect(status.isHidden).toBe(false);
  });

  it('tells the user what to do when the comm fails, and hides for other kernels', () => {
    const status = new CommStatus();
    status.setState({ kind: 'failed', reason: 'timeout after 10 s' });
    expect(status.node.title).toMatch(/timeout after 10 s.*Restart the kernel/);
    status.setState({ kind: 'not-mdlma', kernelName: 'python3' });
    expect(status.isHidden).toBe(true);
  });
});
