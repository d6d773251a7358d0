// A minimal WebAssembly assembler: just what our SIMD kernels need (i32 arithmetic, structured control flow,
// f32 and v128 memory access and arithmetic). Kernels are generated as bytes at run time, so the repository
// holds their source, not a compiled blob, and no C toolchain is needed to build or change them.

export type ValType = 'i32' | 'f32' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** A local variable (parameters included). */
export class Local {
  constructor(readonly index: number) {}
}

/** One function body. Methods append instructions and return `this`, so code reads top to bottom. */
export class Fn {
  readonly code: number[] = [];
  private readonly extra: ValType[] = [];

  constructor(
    readonly exportName: string,
    readonly params: ValType[],
    readonly results: ValType[] = [],
  ) {}

  param(i: number): Local {
    return new Local(i);
  }

  local(type: ValType): Local {
    this.extra.push(type);
    return new Local(this.params.length + this.extra.length - 1);
  }

  /** Appends raw opcodes; the named helpers below cover the common ones. */
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(l: Local): this {
    this.code.push(0x20);
    uleb(l.index, this.code);
    return this;
  }

  set(l: Local): this {
    this.code.push(0x21);
    uleb(l.index, this.code);
    return this;
  }

  tee(l: Local): this {
    this.code.push(0x22);
    uleb(l.index, this.code);
    return this;
  }

  i32(n: number): this {
    this.code.push(0x41);
    sleb(n | 0, this.code);
    return this;
  }

  f32(x: number): this {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([x]).buffer));
    return this;
  }

  /** local += n */
  inc(l: Local, n: number | Local): this {
    this.get(l);
    if (n instanceof Local) this.get(n);
    else this.i32(n);
    return this.op(0x6a).set(l);
  }

  /** memory.fill (bulk memory): [dst, value, bytes] on the stack; V8 runs it as a native memset. */
  memoryFill(): this {
    return this.op(0xfc, 0x0b, 0x00);
  }

  /** memory.copy (bulk memory): [dst, src, bytes] on the stack; V8 runs it as a native memmove. */
  memoryCopy(): this {
    return this.op(0xfc, 0x0a, 0x00, 0x00);
  }

  /** A block whose `br 0`, from `body`, leaves it. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  /**
   * `for (; counter < limit; counter += step) body()`, counter an i32 local, limit one or a constant; `br 0`
   * inside body continues. Runs zero times when counter >= limit at the start.
   */
  loop(counter: Local, limit: Local | number, step: number, body: () => void): this {
    const cmpLimit = () => (limit instanceof Local ? this.get(limit) : this.i32(limit));
    this.block(() => {
      this.get(counter);
      cmpLimit();
      this.op(0x4e, 0x0d, 0x00); // i32.ge_s; br_if 0
      this.code.push(0x03, 0x40);
      this.block(body);
      this.inc(counter, step);
      this.get(counter);
      cmpLimit();
      this.op(0x48, 0x0d, 0x00); // i32.lt_s; br_if 0 (the loop)
      this.code.push(0x0b);
    });
    return this;
  }

  /** if (top of stack, an i32) { then() } else { otherwise() }; with `result`, both arms leave one value. */
  if(then: () => void, otherwise?: () => void, result?: ValType): this {
    this.code.push(0x04, result ? VALTYPE[result] : 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }

  private mem(prefix: number[], align: number, offset: number): this {
    this.code.push(...prefix);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }

  // Memory access; `offset` is a constant byte offset added to the address on the stack.
  loadF32(offset = 0): this {
    return this.mem([0x2a], 2, offset);
  }
  storeF32(offset = 0): this {
    return this.mem([0x38], 2, offset);
  }
  loadI32(offset = 0): this {
    return this.mem([0x28], 2, offset);
  }
  storeI32(offset = 0): this {
    return this.mem([0x36], 2, offset);
  }
  loadV(offset = 0): this {
    return this.mem([0xfd, 0x00], 2, offset);
  }
  storeV(offset = 0): this {
    return this.mem([0xfd, 0x0b], 2, offset);
  }
  /** One f32 from memory, broadcast to all four lanes. */
  loadSplat(offset = 0): this {
    return this.mem([0xfd, 0x09], 2, offset);
  }

  private simd(op: number): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    return this;
  }
  vsplat(): this {
    return this.simd(0x13);
  }
  vadd(): this {
    return this.simd(0xe4);
  }
  vsub(): this {
    return this.simd(0xe5);
  }
  vneg(): this {
    return this.simd(0xe1);
  }
  vmul(): this {
    return this.simd(0xe6);
  }
  vgt(): this {
    return this.simd(0x44);
  }
  veq(): this {
    return this.simd(0x41);
  }
  vand(): this {
    return this.simd(0x4e);
  }
  vor(): this {
    return this.simd(0x50);
  }
  vandnot(): this {
    return this.simd(0x4f);
  }
  vbitselect(): this {
    return this.simd(0x52);
  }
  /** i8x16.shuffle picking four 32-bit lanes of the two vectors on the stack (0-3 the first, 4-7 the second). */
  shuffle32(lanes: [number, number, number, number]): this {
    this.code.push(0xfd, 0x0d);
    for (const l of lanes) this.code.push(l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3);
    return this;
  }
  vzero(): this {
    this.code.push(0xfd, 0x0c, ...new Array(16).fill(0));
    return this;
  }

  // i32 arithmetic and comparisons.
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  shl(): this {
    return this.op(0x74);
  }
  ltS(): this {
    return this.op(0x48);
  }
  leS(): this {
    return this.op(0x4c);
  }
  eq(): this {
    return this.op(0x46);
  }
  geS(): this {
    return this.op(0x4e);
  }
  ltU(): this {
    return this.op(0x49);
  }
  eqz(): this {
    return this.op(0x45);
  }
  and(): this {
    return this.op(0x71);
  }
  select(): this {
    return this.op(0x1b);
  }

  fadd(): this {
    return this.op(0x92);
  }
  fgt(): this {
    return this.op(0x5e);
  }
  feq(): this {
    return this.op(0x5b);
  }
  or(): this {
    return this.op(0x72);
  }
  divU(): this {
    return this.op(0x6e);
  }
  remU(): this {
    return this.op(0x70);
  }
  /** Signed min/max of the two i32s on the stack. */
  minS(): this {
    return this.minMax(0x48);
  }
  maxS(): this {
    return this.minMax(0x4a);
  }
  private minMax(cmp: number): this {
    // select(a, b, a <cmp> b) needs a and b twice; two scratch locals keep it to one expression.
    const [a, b] = this.pair();
    return this.set(b).set(a).get(a).get(b).get(a).get(b).op(cmp).select();
  }
  private scratchPair?: [Local, Local];
  private pair(): [Local, Local] {
    this.scratchPair ??= [this.local('i32'), this.local('i32')];
    return this.scratchPair;
  }

  encode(): number[] {
    const out: number[] = [];
    const groups: Array<[number, ValType]> = [];
    for (const t of this.extra) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(VALTYPE[t]);
    }
    append(out, this.code);
    out.push(0x0b);
    const sized: number[] = [];
    uleb(out.length, sized);
    return sized.concat(out);
  }
}

/** out.push(...items) without spreading: generated bodies outgrow the engine's argument limit. */
function append(out: number[], items: number[]): void {
  for (const b of items) out.push(b);
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  append(out, content);
}

/** A module that imports its memory as env.memory and exports every function under its name. */
export function assemble(fns: Fn[]): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const p of f.params) types.push(VALTYPE[p]);
    uleb(f.results.length, types);
    for (const r of f.results) types.push(VALTYPE[r]);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00, 0x01); // memory, no maximum, at least one page
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    name(f.exportName, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) append(code, f.encode());
  section(10, code, out);
  return Uint8Array.from(out);
}
