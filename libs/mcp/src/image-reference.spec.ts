import { parseImageReference } from './image-reference';

describe('parseImageReference with file:// URLs', () => {
  it('decodes percent-escapes such as %20 into the file path', () => {
    expect(parseImageReference('file:///home/ada/My%20Photos/caf%C3%A9.png', true, 'image')).toEqual({
      kind: 'file',
      path: '/home/ada/My Photos/café.png',
    });
  });

  it('refuses a file:// URL naming another host, saying what to give instead', () => {
    expect(() => parseImageReference('file://server/share/photo.png', true, 'image')).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: expect.stringMatching(/file:\/\/ URL/) }),
    );
  });
});
