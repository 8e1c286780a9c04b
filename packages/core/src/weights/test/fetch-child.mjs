// Child process for the cross-process cache tests: imports the transpiled cache module given on
// the command line, fetches one URL into a cache directory and prints {"path": …} or {"error": code}.
import { pathToFileURL } from 'node:url';

const [modulePath, url, sha256, cacheDir] = process.argv.slice(2);
const { fetchCached } = await import(pathToFileURL(modulePath).href);
try {
  const path = await fetchCached(url, { sha256, cacheDir, retryDelayMs: 20, lockStaleMs: 5000 });
  process.stdout.write(`${JSON.stringify({ path })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error.code ?? String(error) })}\n`);
  process.exitCode = 1;
}
