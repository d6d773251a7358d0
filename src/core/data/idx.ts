// IDX files (the MNIST format): 2 zero bytes, a type code, a dimension count, big-endian uint32 dims, then
// big-endian data. Often gzipped; we detect that by content, since names like `*-ubyte` rarely say `.gz`.
import * as zlib from 'zlib';
import { DataError } from './errors';
import { FILE_LIMITS, type FileAccess, formatBytes, type OpenFile, readAt, readBounded, withFile } from './files';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxHeader {
  type: IdxType;
  dims: number[];
  /** Bytes the header takes (4 + 4 per dimension). */
  headerBytes: number;
  gzipped: boolean;
}

export interface IdxFile {
  type: IdxType;
  dims: number[];
  data: IdxArray;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

export function idxTypeSize(type: IdxType): number {
  return Object.values(TYPES).find((t) => t.type === type)!.size;
}

/** Where data comes from: `path` for fs and DataError.file, `name` (as the user wrote it) for messages. */
interface Src {
  path: string;
  name: string;
}

function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function hex(buf: Uint8Array): string {
  return '0x' + Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Parses the header, or returns undefined when `buf` holds too few bytes to contain all of it. */
function parseHeader(buf: Uint8Array, src: Src, gzipped: boolean, complete: boolean): IdxHeader | undefined {
  const where = gzipped ? `${src.name} (after gunzip)` : src.name;
  const file = src.path;
  if (buf.length < 4) {
    if (!complete) return undefined;
    throw new DataError(`${where} is too short to be an IDX file (${buf.length} bytes)`, file);
  }
  if (buf[0] !== 0 || buf[1] !== 0 || TYPES[buf[2]] === undefined || buf[3] === 0) {
    const why =
      buf[0] !== 0 || buf[1] !== 0
        ? 'is not an IDX file'
        : TYPES[buf[2]] === undefined
          ? `has an unknown data type code 0x${buf[2].toString(16).padStart(2, '0')}`
          : 'declares 0 dimensions';
    throw new DataError(`corrupt IDX header in ${where}: magic ${hex(buf)} ${why}`, file);
  }
  const ndims = buf[3];
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) {
    if (!complete) return undefined;
    throw new DataError(`${where} is truncated: its header declares ${ndims} dimensions but the file ends first`, file);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { type: TYPES[buf[2]].type, dims, headerBytes, gzipped };
}

function expectedBytes(h: IdxHeader): number {
  return h.dims.reduce((a, b) => a * b, 1) * idxTypeSize(h.type);
}

function truncated(src: Src, h: IdxHeader, have: number, source: string): DataError {
  const want = expectedBytes(h);
  const what = have < want ? 'is truncated' : `has ${have - want} bytes more than its header says`;
  return new DataError(
    `${src.name} ${what}: header says ${h.dims.join('x')}${idxTypeSize(h.type) > 1 ? ` ${h.type}s` : ''} = ${want} bytes, ${source} ${have}`,
    src.path,
  );
}

/** Largest output of a partial gunzip for the header: a few KiB of input cannot inflate past ~1000x. */
const HEADER_INFLATE_LIMIT = 8 * 1024 * 1024;

function gunzip(buf: Uint8Array, src: Src, partial: boolean): Buffer {
  // A small gzip file may inflate to anything: the output is capped like a plain file.
  const maxOutputLength = partial ? HEADER_INFLATE_LIMIT : FILE_LIMITS.idx;
  try {
    // Z_SYNC_FLUSH makes zlib hand back what it decoded so far instead of failing on the missing tail.
    return zlib.gunzipSync(buf, partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength } : { maxOutputLength });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(`${src.name} inflates to more than the ${formatBytes(maxOutputLength)} NAS Studio reads as an IDX file`, src.path);
    }
    const msg = (err as Error).message;
    if (/unexpected end/i.test(msg)) throw new DataError(`${src.name} is truncated: its gzip stream ends early`, src.path);
    throw new DataError(`${src.name} is not a valid gzip file: ${msg}`, src.path);
  }
}

/**
 * Reads just the header, and checks the file is as long as the header says (from its size, or for gzip from the
 * uncompressed size in the gzip trailer), without decompressing the data: fast enough for the editor's checker.
 */
export function readIdxHeader(file: string, name = file, access?: FileAccess): IdxHeader {
  const src = { path: file, name };
  return withFile(file, name, access, (f) => {
    const size = f.size;
    // An IDX header is at most 4 + 4 * 255 bytes; gzip's own header and a deflate block header come first.
    const limit = Math.min(size, 64 * 1024);
    let chunk = Math.min(limit, 4096);
    for (;;) {
      const raw = readAt(f, 0, chunk);
      const gz = isGzip(raw);
      const complete = raw.length >= size;
      const bytes = gz ? gunzip(raw, src, !complete) : raw;
      const h = parseHeader(bytes, src, gz, complete || chunk >= limit);
      if (h) {
        checkLength(f, h, src);
        return h;
      }
      chunk = Math.min(limit, chunk * 4);
    }
  });
}

function checkLength(f: OpenFile, h: IdxHeader, src: Src): void {
  const size = f.size;
  const want = expectedBytes(h);
  if (h.headerBytes + want > FILE_LIMITS.idx) {
    throw new DataError(
      `${src.name}: its header declares ${h.dims.join('x')} values (${formatBytes(h.headerBytes + want)}), more than the ${formatBytes(FILE_LIMITS.idx)} NAS Studio reads as an IDX file`,
      src.path,
    );
  }
  if (!h.gzipped) {
    if (size - h.headerBytes !== want) throw truncated(src, h, size - h.headerBytes, 'file has');
    return;
  }
  // ISIZE is the uncompressed length mod 2^32; a cut-off file has garbage there, which rarely matches by chance.
  const tail = readAt(f, size - 4, 4);
  if (tail.length < 4) throw new DataError(`${src.name} is truncated: its gzip stream ends early`, src.path);
  const isize = tail.readUInt32LE(0);
  const total = h.headerBytes + want;
  if (isize !== total % 2 ** 32) {
    throw new DataError(
      `${src.name} is truncated or corrupt: header says ${h.dims.join('x')} = ${want} bytes of data, the gzip trailer says the file holds ${isize - h.headerBytes}`,
      src.path,
    );
  }
}

/** Reads a whole IDX file, gzipped or not. uint8 data is returned as a view, without a copy. */
export function readIdx(file: string, name = file, access?: FileAccess): IdxFile {
  const src = { path: file, name };
  const raw = readBounded(file, name, FILE_LIMITS.idx, 'an IDX file', access);
  const gz = isGzip(raw);
  const bytes = gz ? gunzip(raw, src, false) : raw;
  const h = parseHeader(bytes, src, gz, true)!;
  const have = bytes.length - h.headerBytes;
  if (have !== expectedBytes(h)) throw truncated(src, h, have, gz ? 'uncompressed data has' : 'file has');
  return { type: h.type, dims: h.dims, data: decode(bytes, h) };
}

function decode(bytes: Buffer, h: IdxHeader): IdxArray {
  const n = h.dims.reduce((a, b) => a * b, 1);
  const off = bytes.byteOffset + h.headerBytes;
  switch (h.type) {
    case 'uint8':
      return new Uint8Array(bytes.buffer, off, n);
    case 'int8':
      return new Int8Array(bytes.buffer, off, n);
  }
  const view = new DataView(bytes.buffer, off, n * idxTypeSize(h.type));
  switch (h.type) {
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

/** Encodes an IDX file (big-endian, as the format requires); used by tests and handy for exporting data. */
export function encodeIdx(type: IdxType, dims: number[], data: ArrayLike<number>): Buffer {
  const code = Number(Object.entries(TYPES).find(([, t]) => t.type === type)![0]);
  const size = idxTypeSize(type);
  const out = Buffer.alloc(4 + 4 * dims.length + data.length * size);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  const off = 4 + 4 * dims.length;
  for (let i = 0; i < data.length; i++) {
    const p = off + i * size;
    switch (type) {
      case 'uint8':
        out.writeUInt8(data[i], p);
        break;
      case 'int8':
        out.writeInt8(data[i], p);
        break;
      case 'int16':
        out.writeInt16BE(data[i], p);
        break;
      case 'int32':
        out.writeInt32BE(data[i], p);
        break;
      case 'float32':
        out.writeFloatBE(data[i], p);
        break;
      case 'float64':
        out.writeDoubleBE(data[i], p);
        break;
    }
  }
  return out;
}
