'use client';

import { useEffect, useState, useTransition } from 'react';
import { count, login, logout, logoutAll } from './actions';

/** The Server Action behind each form of the page, by the Route Handler the form names. */
const ACTIONS: Record<string, (form: FormData) => Promise<void>> = {
  '/login': login,
  '/count': count,
  '/logout': logout,
  '/logout-all': logoutAll,
};

/**
 * The page's HTML, with its forms sent to Server Actions rather than posted: progressive
 * enhancement the other way round, so that without JavaScript the same forms still
 * work against the Route Handlers of the contract.
 */
export function ActionForms({ html }: { html: string }) {
  const [, startTransition] = useTransition();
  // Next replaces the history entry when it hydrates: a test that waits for a navigation
  // after a click must first wait for `data-hydrated="true"`, or it sees that one.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div
      data-hydrated={String(hydrated)}
      onSubmit={(event) => {
        const form = event.target as HTMLFormElement;
        const action = ACTIONS[new URL(form.action).pathname];
        if (action === undefined) return;
        event.preventDefault();
        const data = new FormData(form);
        startTransition(async () => {
          await action(data);
        });
      }}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: demo-kit's page, which escapes every value it interpolates.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
