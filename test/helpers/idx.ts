// Writes IDX files (the MNIST format) for tests, through the project's own encoder (src/core/data/idx.ts).
import * as fs from 'node:fs';
import { encodeIdx } from '../../src/core/data/idx';

export function writeIdx(file: string, dims: number[], values: ArrayLike<number>, type: 'uint8' | 'float32'): void {
  fs.writeFileSync(file, encodeIdx(type, dims, values));
}
