import { useState } from 'react';

/** A tab kept in the URL's hash (`#json`), so a reload or a shared link opens the same tab. */
export function useHashTab<T extends string>(tabs: readonly T[], fallback: T): [T, (tab: T) => void] {
  const [tab, setTab] = useState<T>(() => {
    const hash = window.location.hash.slice(1) as T;
    return tabs.includes(hash) ? hash : fallback;
  });
  const choose = (next: T) => {
    setTab(next);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}#${next}`);
  };
  return [tabs.includes(tab) ? tab : fallback, choose];
}

export function Tabs<T extends string>({ tabs, value, onChange }: { tabs: readonly (readonly [T, string])[]; value: T; onChange: (tab: T) => void }) {
  return (
    <nav className="tabs">
      {tabs.map(([key, label]) => (
        <button key={key} className={value === key ? 'active' : ''} onClick={() => onChange(key)}>
          {label}
        </button>
      ))}
    </nav>
  );
}
