/** JSON's character codes and the exact (lossless) JSON reader and writer, for connectors that scan JSON text themselves. */
export * from './protocol/json-chars.js';
export * from './protocol/lossless-json.js';
