import { createSessionCaps, isSessionRefusal, sessionClientKey } from './session-caps';

describe('session caps', () => {
  it('counts per client and in total, and a released place (once, however often released) is free again', () => {
    const caps = createSessionCaps({ total: 3, perClient: 2 });
    const first = caps.take('ip:10.0.0.1');
    const second = caps.take('ip:10.0.0.1');
    expect(caps.take('ip:10.0.0.1')).toEqual({ scope: 'client', limit: 2 });
    const other = caps.take('ip:10.0.0.2');
    expect(caps.take('ip:10.0.0.3')).toEqual({ scope: 'total', limit: 3 });
    if (isSessionRefusal(first) || isSessionRefusal(second) || isSessionRefusal(other)) throw new Error('expected places');
    first.release();
    first.release();
    expect(caps.total()).toBe(2);
    expect(isSessionRefusal(caps.take('ip:10.0.0.1'))).toBe(false);
    expect(caps.take('ip:10.0.0.3')).toEqual({ scope: 'total', limit: 3 });
  });

  it('names a client by its authenticated principal when it has one, else by its address', () => {
    const request = (auth?: unknown) => ({ ip: '192.0.2.7', socket: {}, ...(auth ? { auth } : {}) }) as never;
    expect(sessionClientKey(request({ clientId: 'alice' }))).toBe('principal:alice');
    expect(sessionClientKey(request())).toBe('ip:192.0.2.7');
    expect(sessionClientKey(request({ clientId: '' }))).toBe('ip:192.0.2.7');
  });
});
