// Kernel names shared by the fused sequence kernels (worker side) and the layers that call them, kept free of
// imports so the layers can name a kernel without loading the kernels.

/** A whole LSTM sequence forward: x [B, T, F], kernel, recurrentKernel, bias -> h, c, tanh(c), gates. */
export const LSTM_KERNEL = 'NasLstm';
/** Its gradient: dh and the forward's saved tensors -> dx, dKernel, dRecurrentKernel, dBias. */
export const LSTM_GRAD_KERNEL = 'NasLstmGrad';
/** Multi-head self-attention's core: qkv [B, T, 3hk] (attrs heads, keySize) -> heads' outputs [B, T, hk], softmax weights. */
export const ATTENTION_KERNEL = 'NasSelfAttention';
/** Its gradient: d(outputs), qkv and the softmax weights -> d(qkv). */
export const ATTENTION_GRAD_KERNEL = 'NasSelfAttentionGrad';
/** Layer normalization over the last axis: x, gamma, beta (attr epsilon) -> y, each row's mean and 1/std. */
export const LAYER_NORM_KERNEL = 'NasLayerNorm';
/** Its gradient: dy, x, gamma, mean, 1/std -> dx, dgamma, dbeta. */
export const LAYER_NORM_GRAD_KERNEL = 'NasLayerNormGrad';
