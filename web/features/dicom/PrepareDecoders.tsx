// "Prepare DICOM decoders for offline use": fetches the DICOM reader and its four WASM codecs (~1 MB) now, with
// progress, instead of on the first compressed DICOM — for a device that will be used offline.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CODECS, cachedCodecs, codecBytes, prepareCodecs, type CodecProgress } from '../../lib/codec-assets.ts';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export interface PrepareDecodersProps {
  /** Loads the reader and the codecs in the inference worker, which keeps their code for offline use. */
  prepareInWorker: () => Promise<void>;
}

export function PrepareDecoders({ prepareInWorker }: PrepareDecodersProps) {
  const qc = useQueryClient();
  const [progress, setProgress] = useState<CodecProgress | null>(null);
  const haveCaches = typeof caches !== 'undefined';
  const cached = useQuery({ queryKey: ['dicom-codecs'], queryFn: () => cachedCodecs(), enabled: haveCaches, networkMode: 'always' });
  const prepare = useMutation({
    networkMode: 'always',
    mutationFn: async () => {
      setProgress(null);
      await prepareCodecs(setProgress);
      await prepareInWorker();
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['dicom-codecs'] }),
  });
  if (!haveCaches) return null;
  const ready = cached.data?.length ?? 0;
  return (
    <div className="prepare-decoders">
      <button type="button" onClick={() => prepare.mutate()} disabled={prepare.isPending}>
        Prepare DICOM decoders for offline use
      </button>{' '}
      <span className="muted" data-testid="dicom-decoders">
        {prepare.isPending
          ? 'Downloading…'
          : prepare.isSuccess
            ? 'DICOM decoders ready offline'
            : `${ready} of ${CODECS.length} decoders on this device (${mb(codecBytes())} in all). Otherwise the DICOM reader and each decoder are fetched the first time a file needs them, and only then work offline.`}
      </span>
      {prepare.isPending && progress && (
        <progress max={progress.total} value={progress.loaded} aria-label="DICOM decoders download" />
      )}
      {prepare.error && <p className="error">{prepare.error.message}</p>}
    </div>
  );
}
