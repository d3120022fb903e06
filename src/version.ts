/** The library's version (from package.json at build time). */
export const VERSION = '0.2.0-dev.1';
