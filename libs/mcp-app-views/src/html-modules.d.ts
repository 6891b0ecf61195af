/** A built view, imported as its HTML text (tsup's text loader; a Jest transform in tests). */
declare module '*.html' {
  const html: string;
  export default html;
}
