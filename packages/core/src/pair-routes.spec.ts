import { countPairs, expandRoutes, routesCover, routesFromPairs, routeTargets } from './pair-routes';

describe('pair routes', () => {
  const anyOf = { from: ['en', 'es', 'de'], to: ['en', 'es', 'de'] };
  const intoEnglish = { from: ['ja', 'fr'], to: ['en'] };

  it('covers every pair of a route but none into the same language', () => {
    expect(routesCover([anyOf], { from: 'es', to: 'de' })).toBe(true);
    expect(routesCover([anyOf], { from: 'es', to: 'es' })).toBe(false);
    expect(routesCover([anyOf, intoEnglish], { from: 'ja', to: 'en' })).toBe(true);
    expect(routesCover([anyOf, intoEnglish], { from: 'en', to: 'ja' })).toBe(false);
  });

  it('expands to each pair once and counts them', () => {
    expect(countPairs([anyOf])).toBe(6);
    expect(countPairs([anyOf, anyOf, intoEnglish])).toBe(8);
    expect(expandRoutes([intoEnglish])).toEqual([{ from: 'ja', to: 'en' }, { from: 'fr', to: 'en' }]);
  });

  it('groups pairs by source and lists reachable targets', () => {
    const routes = routesFromPairs([{ from: 'en', to: 'es' }, { from: 'en', to: 'fr' }, { from: 'es', to: 'en' }, { from: 'en', to: 'es' }]);
    expect(routes).toEqual([{ from: ['en'], to: ['es', 'fr'] }, { from: ['es'], to: ['en'] }]);
    expect([...routeTargets(routes, 'en')]).toEqual(['es', 'fr']);
    expect([...routeTargets(routes)].sort()).toEqual(['en', 'es', 'fr']);
    expect([...routeTargets([{ from: ['en'], to: ['en'] }])]).toEqual([]);
  });
});
