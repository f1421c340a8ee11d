import { AppError, findLanguage, routeTargets, type EngineName } from '@babelfish/core';
import type { EngineRegistry } from '@babelfish/ml';

/**
 * Checks that every target can be reached before any work is queued or done. With a known
 * source each pair must have an engine; with the source still unknown (to be detected), each
 * target must at least be reachable from some language. Throws a 400-class AppError listing
 * what is available.
 */
export async function assertLanguagePlan(
  engines: EngineRegistry,
  plan: { source: string | null; targets: string[]; engine?: EngineName | null },
): Promise<void> {
  const unknown = [...plan.targets, ...(plan.source ? [plan.source] : [])].filter((code) => !findLanguage(code));
  if (unknown.length > 0) throw new AppError('UNKNOWN_LANGUAGE', `Unknown language code(s): ${unknown.join(', ')}`);
  if (plan.source) {
    for (const target of plan.targets) {
      if (target !== plan.source) await engines.resolve(plan.source, target, plan.engine ?? undefined);
    }
    return;
  }
  const available = await engines.available();
  const reachable = new Set(available.flatMap((entry) => [...routeTargets(entry.routes)]));
  const unreachable = plan.targets.filter((target) => !reachable.has(findLanguage(target)!.code));
  if (unreachable.length > 0) {
    throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `No installed engine translates into ${unreachable.join(', ')}`, { available });
  }
}
