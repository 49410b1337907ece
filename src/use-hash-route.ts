import { useEffect, useState } from 'react';

export type Route = 'notes' | 'admin';

const routeOf = (hash: string): Route => (hash === '#/admin' ? 'admin' : 'notes');

/** Two pages do not need a router: the hash is enough and survives reloads. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
