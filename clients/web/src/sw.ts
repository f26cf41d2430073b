// The app shell offline: the files are cached at install; requests for them
// go to the network first (a new build shows at once) and fall back to the
// cache. RPCs (POST) are never touched: answers wait in IndexedDB instead.
const sw = self as unknown as ServiceWorkerGlobalScope;
declare const BUILD_ID: string;

const CACHE = `survey-shell-${BUILD_ID}`;
const SHELL = ["./", "app.js", "app.css", "manifest.webmanifest", "icon.svg"];

sw.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => sw.skipWaiting()));
});

sw.addEventListener("activate", (e) => {
  e.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await sw.clients.claim();
  })());
});

sw.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== sw.location.origin) return;
  const scope = new URL(sw.registration.scope).pathname;
  if (!url.pathname.startsWith(scope)) return;
  e.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok) {
        const copy = res.clone();
        void caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    } catch {
      const cached = await caches.match(req, { ignoreSearch: true }) ??
        (req.mode === "navigate" ? await caches.match("./") : undefined);
      return cached ?? Response.error();
    }
  })());
});
