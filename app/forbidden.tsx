// The 403 page, shown when the server refuses a section to the signed-in user's role.
import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="center">
      <div className="card">
        <h1>Not allowed</h1>
        <p>Your role may not open this page. The server refused the request.</p>
        <Link href="/">Back to the dashboard</Link>
      </div>
    </main>
  );
}
