/** See ajvLinearErrors.cjs. */
export function linearErrors(code: string): { code: string; replaced: number };
