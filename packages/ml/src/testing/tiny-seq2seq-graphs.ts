import type { Graph, Node, Tensor } from './onnx-writer';

/**
 * The two ONNX graphs of a tiny "translation model" with exactly the interface transformers.js
 * 4.3 drives for Marian and M2M100/NLLB exports (optimum's seq2seq layout, read from
 * models/modeling_utils.js `seq2seq_forward`, `decoder_forward`, `addPastKeyValues`,
 * `getPastKeyValues` and configs.js `getKeyValueNames`):
 *
 * encoder_model: input_ids, attention_mask [batch, src_len] (int64) → last_hidden_state
 *   [batch, src_len, d_model=1]. Its "hidden state" is each source token id as a float, with
 *   padded positions (attention_mask 0) replaced by EOS, so padding reads as "sentence over".
 *
 * decoder_model_merged: encoder_attention_mask, input_ids [batch, 1], encoder_hidden_states,
 *   past_key_values.0.{decoder,encoder}.{key,value} [batch, heads=1, seq, head_dim=1],
 *   use_cache_branch → logits [batch, 1, vocab], present.0.{decoder,encoder}.{key,value}.
 *   The decoder "cache" holds every decoder token id seen so far (past + this step), so its
 *   length tells the step `t`, and its entry 1 is the token after the decoder start: for NLLB,
 *   the forced target-language token. The next token is
 *
 *     table[slot(cache[min(t, 1)]) * vocab + source[min(t, src_len - 1)]]
 *
 *   one-hot as logits: source token t is mapped through the table row of the language forced
 *   at step 1 (rows: 0 = no language, then one per language token). So the output depends on
 *   the source tokens, their order, the padding, the cache being fed back each step (without
 *   it t stays 0) and the forced BOS token (without it the row is another one).
 *
 * The graphs ignore use_cache_branch, encoder_attention_mask and the past encoder cache, which
 * transformers.js feeds but a model may leave unused, like the real merged decoders do on one
 * of their two branches.
 */

export type TinySeq2SeqTables = {
  vocabSize: number;
  eosId: number;
  /** token id → row of `table` (0 for every token that is not a target-language token). */
  slotOf: number[];
  /** Row-major [rows × vocabSize]: row r maps a source token id to the token to emit. */
  table: number[];
  /**
   * Busy work per decoder step (for event-loop tests): `matmuls` products of `size`×`size`
   * matrices built from the input at run time (so no constant folding removes them), whose
   * result is added to the logits times 0. The output is unchanged; each step just costs CPU,
   * like a real model's step does.
   */
  busy?: { size: number; matmuls: number };
};

const int64 = (name: string, values: number[], dims = [values.length]): Tensor => ({ name, type: 'int64', dims, values });
const node = (op: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = []): Node => ({ op, inputs, outputs, attributes });

export function encoderGraph(tables: TinySeq2SeqTables): Graph {
  return {
    name: 'tiny_encoder',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
    ],
    outputs: [{ name: 'last_hidden_state', type: 'float', shape: ['batch_size', 'encoder_sequence_length', 1] }],
    initializers: [int64('eos', [tables.eosId], []), int64('axis_2', [2])],
    nodes: [
      node('Cast', ['attention_mask'], ['mask'], [{ name: 'to', int: 9 }]),
      node('Where', ['mask', 'input_ids', 'eos'], ['ids']),
      node('Cast', ['ids'], ['ids_f'], [{ name: 'to', int: 1 }]),
      node('Unsqueeze', ['ids_f', 'axis_2'], ['last_hidden_state']),
    ],
  };
}

export function decoderGraph(tables: TinySeq2SeqTables): Graph {
  const cache = (kind: 'decoder' | 'encoder', part: 'key' | 'value', prefix: 'past_key_values' | 'present') => `${prefix}.0.${kind}.${part}`;
  const pastShape = (length: string) => ['batch_size', 1, length, 1];
  return {
    name: 'tiny_decoder_merged',
    inputs: [
      { name: 'encoder_attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'decoder_sequence_length'] },
      { name: 'encoder_hidden_states', type: 'float', shape: ['batch_size', 'encoder_sequence_length', 1] },
      { name: cache('decoder', 'key', 'past_key_values'), type: 'float', shape: pastShape('past_decoder_sequence_length') },
      { name: cache('decoder', 'value', 'past_key_values'), type: 'float', shape: pastShape('past_decoder_sequence_length') },
      { name: cache('encoder', 'key', 'past_key_values'), type: 'float', shape: pastShape('encoder_sequence_length_out') },
      { name: cache('encoder', 'value', 'past_key_values'), type: 'float', shape: pastShape('encoder_sequence_length_out') },
      { name: 'use_cache_branch', type: 'bool', shape: [1] },
    ],
    outputs: [
      { name: 'logits', type: 'float', shape: ['batch_size', 'decoder_sequence_length', tables.vocabSize] },
      { name: cache('decoder', 'key', 'present'), type: 'float', shape: pastShape('present_decoder_sequence_length') },
      { name: cache('decoder', 'value', 'present'), type: 'float', shape: pastShape('present_decoder_sequence_length') },
      { name: cache('encoder', 'key', 'present'), type: 'float', shape: pastShape('encoder_sequence_length_out') },
      { name: cache('encoder', 'value', 'present'), type: 'float', shape: pastShape('encoder_sequence_length_out') },
    ],
    initializers: [
      ...(tables.busy ? [int64('busy_shape', [tables.busy.size, tables.busy.size]), { name: 'busy_fill', type: 'float' as const, dims: [], values: [1 / tables.busy.size] }, { name: 'zero', type: 'float' as const, dims: [], values: [0] }] : []),
      int64('one', [1]),
      int64('flat', [-1]),
      int64('axes_1_3', [1, 3]),
      int64('axis_1', [1]),
      int64('vocab', [tables.vocabSize]),
      { name: 'one_hot_values', type: 'float', dims: [2], values: [0, 1] },
      int64('slot_of', tables.slotOf),
      int64('table', tables.table),
    ],
    nodes: [
      // The decoder cache: every decoder token so far, as floats, one per position.
      node('Cast', ['input_ids'], ['tokens_f'], [{ name: 'to', int: 1 }]),
      node('Unsqueeze', ['tokens_f', 'axes_1_3'], ['tokens_4d']),
      node('Concat', [cache('decoder', 'key', 'past_key_values'), 'tokens_4d'], [cache('decoder', 'key', 'present')], [{ name: 'axis', int: 2 }]),
      node('Concat', [cache('decoder', 'value', 'past_key_values'), 'tokens_4d'], [cache('decoder', 'value', 'present')], [{ name: 'axis', int: 2 }]),
      // t = cache length - 1; the language token sits at min(t, 1).
      node('Shape', [cache('decoder', 'key', 'present')], ['decoder_length'], [{ name: 'start', int: 2 }, { name: 'end', int: 3 }]),
      node('Sub', ['decoder_length', 'one'], ['step']),
      node('Min', ['step', 'one'], ['language_position']),
      node('Gather', [cache('decoder', 'key', 'present'), 'language_position'], ['language_4d'], [{ name: 'axis', int: 2 }]),
      node('Reshape', ['language_4d', 'flat'], ['language_f']),
      node('Cast', ['language_f'], ['language_token'], [{ name: 'to', int: 7 }]),
      node('Gather', ['slot_of', 'language_token'], ['slot']),
      // The source token at min(t, last): the longest row ends on its EOS, shorter ones on padding.
      node('Shape', ['encoder_hidden_states'], ['source_length'], [{ name: 'start', int: 1 }, { name: 'end', int: 2 }]),
      node('Sub', ['source_length', 'one'], ['last_source']),
      node('Min', ['step', 'last_source'], ['source_position']),
      node('Gather', ['encoder_hidden_states', 'source_position'], ['source_3d'], [{ name: 'axis', int: 1 }]),
      node('Reshape', ['source_3d', 'flat'], ['source_f']),
      node('Cast', ['source_f'], ['source_token'], [{ name: 'to', int: 7 }]),
      node('Mul', ['slot', 'vocab'], ['row_start']),
      node('Add', ['row_start', 'source_token'], ['table_index']),
      node('Gather', ['table', 'table_index'], ['next_token']),
      node('OneHot', ['next_token', 'vocab', 'one_hot_values'], ['scores'], [{ name: 'axis', int: -1 }]),
      ...busyWork(tables, 'scores', 'busy_scores'),
      node('Unsqueeze', ['busy_scores', 'axis_1'], ['logits']),
      // The cross-attention cache transformers.js keeps from the first step.
      node('Unsqueeze', ['encoder_hidden_states', 'axis_1'], [cache('encoder', 'key', 'present')]),
      node('Unsqueeze', ['encoder_hidden_states', 'axis_1'], [cache('encoder', 'value', 'present')]),
    ],
  };
}

/** `input` + 0 × (a chain of matrix products seeded from the encoder states), or `input` as is. */
function busyWork(tables: TinySeq2SeqTables, input: string, output: string): Node[] {
  if (!tables.busy) return [node('Identity', [input], [output])];
  const nodes: Node[] = [
    node('ReduceMean', ['encoder_hidden_states'], ['busy_mean'], [{ name: 'keepdims', int: 0 }]),
    node('Mul', ['busy_mean', 'zero'], ['busy_nothing']),
    node('Add', ['busy_nothing', 'busy_fill'], ['busy_value']),
    node('Expand', ['busy_value', 'busy_shape'], ['busy_0']),
  ];
  // Entries stay 1/size: each product of two such matrices is again one.
  for (let i = 1; i <= tables.busy.matmuls; i++) nodes.push(node('MatMul', [`busy_${i - 1}`, 'busy_0'], [`busy_${i}`]));
  nodes.push(
    node('ReduceSum', [`busy_${tables.busy.matmuls}`], ['busy_sum'], [{ name: 'keepdims', int: 0 }]),
    node('Mul', ['busy_sum', 'zero'], ['busy_zero']),
    node('Add', [input, 'busy_zero'], [output]),
  );
  return nodes;
}
