import { createMemoryLogger } from '@imagegen/common';
import { createPendingLogger } from './pending-logger';

describe('createPendingLogger', () => {
  it('writes the lines logged before the logger was attached, in order and with their bindings, then writes straight through', () => {
    const pending = createPendingLogger();
    const component = pending.logger.child({ component: 'storage' });
    pending.logger.warn('first', { setting: 'a' });
    component.info('second');
    const target = createMemoryLogger({ service: 'imagegen-mcp' });
    expect(target.lines).toEqual([]);

    pending.attach(target);
    expect(target.lines).toEqual([
      { level: 'warn', message: 'first', fields: { service: 'imagegen-mcp', setting: 'a' } },
      { level: 'info', message: 'second', fields: { service: 'imagegen-mcp', component: 'storage' } },
    ]);
    component.child({ imageId: 'img_1' }).error('third');
    expect(target.lines[2]).toEqual({
      level: 'error',
      message: 'third',
      fields: { service: 'imagegen-mcp', component: 'storage', imageId: 'img_1' },
    });
  });
});
