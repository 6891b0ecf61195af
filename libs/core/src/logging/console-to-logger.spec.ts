import { createMemoryLogger } from '@imagegen/common';
import { createRedisCache } from '@imagegen/cache';
import { routeConsoleToLogger } from './console-to-logger';

describe('routeConsoleToLogger', () => {
  it('turns console output into log lines at the matching level, and can be undone', () => {
    const logger = createMemoryLogger();
    const target = { log: jest.fn(), info: jest.fn(), debug: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Console;
    const originalWarn = target.warn;
    const undo = routeConsoleToLogger(logger, target);
    target.warn('[WARN] %s does not require a password', 'Redis server');
    target.log('plain', 42);
    target.error(new Error('boom').message);
    expect(logger.lines).toEqual([
      { level: 'warn', message: '[WARN] Redis server does not require a password', fields: { source: 'console' } },
      { level: 'info', message: 'plain 42', fields: { source: 'console' } },
      { level: 'error', message: 'boom', fields: { source: 'console' } },
    ]);
    expect(originalWarn).not.toHaveBeenCalled();
    undo();
    expect(target.warn).toBe(originalWarn);
  });

  it("catches ioredis's plain-text warning about a password the Redis server does not need", async () => {
    const logger = createMemoryLogger();
    const undo = routeConsoleToLogger(logger);
    const cache = createRedisCache<{ value: number }>({
      url: 'redis://:not-needed-password@127.0.0.1:6379',
      keyPrefix: `hardening-console-${process.pid}:`,
      maxBytes: 1024,
      commandTimeoutMs: 2000,
    });
    try {
      await cache.ping();
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('does not require a password'),
          fields: { source: 'console' },
        }),
      );
    } finally {
      await cache.close();
      undo();
    }
  });
});
