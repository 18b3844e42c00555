import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/** The UI lives under /ui; client routes are paths below it, served the SPA's index by the gateway. */
export const BASE = '/ui';

export type Route =
  | { page: 'executions' }
  | { page: 'execution'; id: string }
  | { page: 'definitions' }
  | { page: 'definition'; name: string; version?: number }
  | { page: 'new-definition' }
  | { page: 'queues' }
  | { page: 'missing'; path: string };

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'missing', path }; // not valid percent-encoding
  }
  if (parts.length === 0 || (parts[0] === 'executions' && parts.length === 1)) return { page: 'executions' };
  if (parts[0] === 'execution' && parts.length === 2) return { page: 'execution', id: parts[1] };
  if (parts[0] === 'definitions' && parts.length === 1) return { page: 'definitions' };
  if (parts[0] === 'new-definition' && parts.length === 1) return { page: 'new-definition' };
  if (parts[0] === 'definitions' && parts.length === 2) return { page: 'definition', name: parts[1] };
  if (parts[0] === 'definitions' && parts.length === 3 && /^\d+$/.test(parts[2])) return { page: 'definition', name: parts[1], version: Number(parts[2]) };
  if (parts[0] === 'queues' && parts.length === 1) return { page: 'queues' };
  return { page: 'missing', path };
}

export function navigate(to: string): void {
  window.history.pushState(null, '', `${BASE}${to}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** A link that navigates in place (and still opens in a new tab with a modifier key). */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={`${BASE}${to}`} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
