import { createMemoryLogger } from './logger';

describe('createMemoryLogger', () => {
  it('carries child bindings into every line', () => {
    const logger = createMemoryLogger({ service: 'test' });
    logger.child({ correlationId: 'abc' }).info('generated', { model: 'gpt-image-2' });
    expect(logger.lines).toEqual([
      { level: 'info', message: 'generated', fields: { service: 'test', correlationId: 'abc', model: 'gpt-image-2' } },
    ]);
  });
});
