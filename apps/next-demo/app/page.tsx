import { cookies } from 'next/headers';

export default async function Page() {
  const all = (await cookies()).getAll();
  return <p>cookies: {all.length}</p>;
}
