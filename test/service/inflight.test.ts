// The stateless endpoint's cancellation registry: a later POST's notifications/cancelled ends the request it names,
// within the same MCP server only, and finished requests are forgotten.

import { describe, expect, it } from 'vitest';
import { InflightRequests } from '../../service/http/inflight.js';

const call = (id: string | number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'x' } });
const cancel = (requestId: string | number) => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId, reason: 'user' },
});

describe('InflightRequests', () => {
  it('cancels the named request of the same server, once', () => {
    const reg = new InflightRequests();
    const ended: string[] = [];
    reg.track('srv_a', call(7), () => ended.push('a7'));
    reg.track('srv_b', call(7), () => ended.push('b7'));
    reg.track('srv_a', call('7'), () => ended.push('a"7"'));
    expect(reg.cancelNamed('srv_a', cancel(7))).toBe(1);
    expect(ended).toEqual(['a7']);
    expect(reg.cancelNamed('srv_a', cancel(7))).toBe(0);
    expect(reg.cancelNamed('srv_a', [cancel('7'), cancel(99)])).toBe(1);
    expect(ended).toEqual(['a7', 'a"7"']);
    expect(reg.size).toBe(1);
  });

  it('forgets a request when its response is done, and tracks only requests', () => {
    const reg = new InflightRequests();
    let ended = 0;
    const untrack = reg.track(
      's',
      [call(1), call(2), cancel(5), { jsonrpc: '2.0', method: 'notifications/initialized' }],
      () => ended++,
    );
    expect(reg.size).toBe(2);
    untrack();
    expect(reg.size).toBe(0);
    expect(reg.cancelNamed('s', cancel(1))).toBe(0);
    expect(ended).toBe(0);
  });

  it('ignores bodies that are not JSON-RPC messages', () => {
    const reg = new InflightRequests();
    reg.track('s', 'junk', () => {});
    reg.track('s', null, () => {});
    expect(reg.size).toBe(0);
    expect(reg.cancelNamed('s', { method: 'notifications/cancelled', params: { requestId: { nested: 1 } } })).toBe(0);
  });
});
