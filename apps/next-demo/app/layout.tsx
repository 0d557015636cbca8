import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'sess · Next.js demo' };

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  .badge { font-size: .8rem; padding: .1rem .5rem; border-radius: 1rem; background: #eef; }
  .notice { padding: .5rem 1rem; background: #efe; border-left: 4px solid #4a4; }
  form { display: inline-block; margin: .25rem .5rem .25rem 0; }
  button { font: inherit; padding: .25rem .75rem; cursor: pointer; }
  li.current { font-weight: 600; } code { font-size: .85rem; }
`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <style>{STYLE}</style>
      </head>
      <body>{children}</body>
    </html>
  );
}
