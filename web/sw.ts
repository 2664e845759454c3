/// <reference lib="webworker" />
// The service worker: precaches the app shell only. The model and the ORT runtime live in the
// cache the app fills itself (RUNTIME_CACHE); this worker only serves them from there offline.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CODEC_CACHE, RUNTIME_CACHE } from './lib/runtime.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//, /^\/authorization/, /^\/detect/] }),
);

registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin && request.method === 'GET' && (url.pathname.startsWith('/ort/') || url.pathname.startsWith('/models/')),
  async ({ request }) => (await (await caches.open(RUNTIME_CACHE)).match(request.url)) ?? fetch(request),
);

// The DICOM reader, its codecs' glue (dicom/) and WASM (codecs/): cached by the app on first need, served from there.
registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin && request.method === 'GET' && (url.pathname.startsWith('/dicom/') || url.pathname.startsWith('/codecs/')),
  async ({ request }) => (await (await caches.open(CODEC_CACHE)).match(request.url)) ?? fetch(request),
);

self.addEventListener('message', (e) => {
  if ((e.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
