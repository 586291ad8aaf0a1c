// A minimal reader for .zip files (a .vsix is one): lists entries with their
// unix mode and reads an entry's bytes. Enough to check a packaged extension
// without an unzip binary.
"use strict";
const fs = require("fs");
const zlib = require("zlib");

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

function readZip(file) {
  const buf = fs.readFileSync(file);
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${file} is not a zip archive (no end of central directory)`);
  const count = buf.readUInt16LE(end + 10);
  let offset = buf.readUInt32LE(end + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`${file}: corrupt central directory at ${offset}`);
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const size = buf.readUInt32LE(offset + 24);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const externalAttributes = buf.readUInt32LE(offset + 38);
    const localOffset = buf.readUInt32LE(offset + 42);
    const name = buf.toString("utf8", offset + 46, offset + 46 + nameLength);
    entries.set(name, { name, method, compressedSize, size, localOffset, mode: externalAttributes >>> 16 });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return {
    entries,
    read(name) {
      const e = entries.get(name);
      if (!e) throw new Error(`${file} has no entry ${name}`);
      if (buf.readUInt32LE(e.localOffset) !== LOCAL_FILE_HEADER) throw new Error(`${file}: corrupt local header for ${name}`);
      const start = e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28);
      const data = buf.subarray(start, start + e.compressedSize);
      if (e.method === 0) return Buffer.from(data);
      if (e.method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${file}: ${name} uses unsupported compression method ${e.method}`);
    },
  };
}

module.exports = { readZip };
