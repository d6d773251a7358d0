// Writes IDX files (the MNIST format) for tests: big-endian header and data, float32 or uint8.
import * as fs from 'node:fs';

export function writeIdx(file: string, dims: number[], values: ArrayLike<number>, type: 'uint8' | 'float32'): void {
  const code = type === 'uint8' ? 0x08 : 0x0d;
  const size = type === 'uint8' ? 1 : 4;
  const buf = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  buf[2] = code;
  buf[3] = dims.length;
  dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  const o = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++) {
    if (type === 'uint8') buf[o + i] = values[i];
    else buf.writeFloatBE(values[i], o + 4 * i);
  }
  fs.writeFileSync(file, buf);
}
