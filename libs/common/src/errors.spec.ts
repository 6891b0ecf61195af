import { ImageGenError, toImageGenError, throwIfAborted } from './errors';

describe('ImageGenError', () => {
  it('is recognised across copies of the package by its registered marker', () => {
    const foreign = { [Symbol.for('imagegen.error')]: true, code: 'timeout' };
    expect(ImageGenError.isInstance(foreign)).toBe(true);
    expect(ImageGenError.isInstance(new Error('plain'))).toBe(false);
    expect(ImageGenError.isInstance(null)).toBe(false);
  });

  it('serialises its structured fields without the cause', () => {
    const error = new ImageGenError({
      code: 'rate_limited',
      message: 'Slow down.',
      retryable: true,
      provider: 'openai',
      statusCode: 429,
      retryAfterMs: 2000,
      cause: new Error('secret sk-abc inside'),
    });
    const json = error.toJSON();
    expect(json).toMatchObject({ code: 'rate_limited', retryable: true, provider: 'openai', statusCode: 429, retryAfterMs: 2000 });
    expect(JSON.stringify(json)).not.toContain('sk-abc');
  });

  it('hides the text of unexpected errors behind a generic message', () => {
    const wrapped = toImageGenError(new Error('ENOENT /home/someone/secret'));
    expect(wrapped.code).toBe('internal');
    expect(wrapped.message).not.toContain('/home/someone');
  });

  it('maps abort errors to cancelled and passes family members through', () => {
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(toImageGenError(abort).code).toBe('cancelled');
    const original = new ImageGenError({ code: 'not_found', message: 'No such image.' });
    expect(toImageGenError(original)).toBe(original);
  });

  it('throws cancelled once a signal has fired', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort();
    expect(() => throwIfAborted(controller.signal)).toThrow(expect.objectContaining({ code: 'cancelled' }));
  });
});
