import type { LanguagePair } from './types';

/**
 * Language pairs, compactly: a route is every language in `from` into every language in `to`,
 * except into itself. One route says what NLLB does (202 languages, any to any); an engine with
 * a model per direction (Apertium, Marian) has one route per source language.
 */
export type PairRoute = { from: string[]; to: string[] };

export function routesCover(routes: readonly PairRoute[], pair: LanguagePair): boolean {
  return pair.from !== pair.to && routes.some((route) => route.from.includes(pair.from) && route.to.includes(pair.to));
}

/** One route per source language, targets in the order first seen. */
export function routesFromPairs(pairs: readonly LanguagePair[]): PairRoute[] {
  const targets = new Map<string, string[]>();
  for (const { from, to } of pairs) {
    if (from === to) continue;
    const list = targets.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    targets.set(from, list);
  }
  return [...targets.entries()].map(([from, to]) => ({ from: [from], to }));
}

/** Every pair, once. */
export function expandRoutes(routes: readonly PairRoute[]): LanguagePair[] {
  const seen = new Set<string>();
  const pairs: LanguagePair[] = [];
  for (const route of routes) {
    for (const from of route.from) {
      for (const to of route.to) {
        const key = `${from}>${to}`;
        if (from === to || seen.has(key)) continue;
        seen.add(key);
        pairs.push({ from, to });
      }
    }
  }
  return pairs;
}

/** The targets reachable from `from`, or from any language when `from` is absent. */
export function routeTargets(routes: readonly PairRoute[], from?: string): Set<string> {
  const targets = new Set<string>();
  for (const route of routes) {
    if (from !== undefined && !route.from.includes(from)) continue;
    for (const to of route.to) if (from === undefined ? route.from.some((source) => source !== to) : to !== from) targets.add(to);
  }
  return targets;
}

/** How many pairs the routes cover (each pair counted once). */
export function countPairs(routes: readonly PairRoute[]): number {
  return expandRoutes(routes).length;
}
