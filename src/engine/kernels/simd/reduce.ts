// sumRows(x, rows, width, out): out[j] += sum over r of x[r*width + j], into a zeroed out (column sums: bias
// gradients, means). Rows go in blocks of 64, each block summed in registers and then added to out: two-level
// summation, so a 100k-row sum rounds like a ~1.6k-term one, close to the cpu backend's double-precision loop.
import { columnReduce } from './channels';

export function sumRowsFn() {
  return columnReduce('sumRows', 1, 0, 1, (f, [x], _, [acc], type) => {
    f.get(acc).get(x);
    (type === 'v128' ? f.vadd() : f.fadd()).set(acc);
  });
}
