/**
 * Whether the llm engine's server can take work, asked now and then rather than per job: GET
 * <baseUrl>/models, which every OpenAI-compatible server has (Ollama, vLLM, llama.cpp, LM
 * Studio, OpenAI). Any HTTP answer but 401/403 means the server is there; a list of models also
 * tells whether the model a job names is served. Without this, `engine=llm` with the server
 * down was accepted, transcribed for minutes and failed on the first chunk. Reasons name the
 * setting rather than the address: they reach API clients, and the address may be internal.
 */

export type LlmServerState = { reachable: true; models?: string[] } | { reachable: false; reason: string };

/** An answer is kept this long: a working server for a minute, a failing one for 10 s. */
const UP_TTL_MS = 60_000;
const DOWN_TTL_MS = 10_000;
const PROBE_TIMEOUT_MS = 3000;

export function createLlmServerProbe(server: { baseUrl: string; apiKey?: string }): () => Promise<LlmServerState> {
  let known: { at: number; state: Promise<LlmServerState> } | undefined;
  return async () => {
    if (known) {
      const state = await known.state;
      if (Date.now() - known.at < (state.reachable ? UP_TTL_MS : DOWN_TTL_MS)) return state;
    }
    known = { at: Date.now(), state: probe(server) };
    return known.state;
  };
}

async function probe(server: { baseUrl: string; apiKey?: string }): Promise<LlmServerState> {
  const url = `${server.baseUrl.replace(/\/+$/, '')}/models`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${server.apiKey || 'none'}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch (error) {
    return { reachable: false, reason: `the LLM server (LLM_BASE_URL) does not answer (${failureCause(error)})` };
  }
  if (response.status === 401 || response.status === 403) {
    return { reachable: false, reason: `the LLM server (LLM_BASE_URL) refuses the API key (HTTP ${response.status}; check LLM_API_KEY)` };
  }
  if (!response.ok) return { reachable: true };
  const body = (await response.json().catch(() => undefined)) as { data?: { id?: unknown }[] } | undefined;
  const models = Array.isArray(body?.data) ? body.data.map((entry) => entry.id).filter((id): id is string => typeof id === 'string') : undefined;
  return { reachable: true, ...(models && models.length > 0 ? { models } : {}) };
}

/** "ECONNREFUSED", "TimeoutError": what fetch's wrapped error says went wrong. */
function failureCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code === 'string') return code;
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer in ${PROBE_TIMEOUT_MS / 1000} s`;
  return typeof cause?.message === 'string' ? cause.message : describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
