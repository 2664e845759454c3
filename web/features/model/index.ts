export { ModelStatus } from './ModelStatus.tsx';
export { UpdatePrompt, useServiceWorkerUpdate } from './UpdatePrompt.tsx';
export { useDeviceSupport, useEngine, useModelDelivery, useServiceWorkerActive, type Engine } from './useModel.ts';
export { ensureAssets, IntegrityError, verifyCached } from './delivery.ts';
export { download, DownloadError, type RetryInfo } from './download.ts';
