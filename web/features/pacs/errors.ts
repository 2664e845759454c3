// What a failed PACS request (a dicomweb-client error, with the HTTP status and the gateway's JSON answer) means
// to the user: offline, the PACS not answering (the gateway's pacs_unavailable), signed out, or the PACS refusing.

/** The gateway's error code in a failed request's answer ({ error, code }), when there is one. */
export function pacsErrorCode(err: unknown): string | null {
  const body = (err as { response?: unknown } | null)?.response;
  if (typeof body !== 'string') return null;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

export function pacsErrorText(err: unknown): string {
  const status = (err as { status?: number } | null)?.status;
  if (status === 0 || status === undefined) return 'The server cannot be reached (offline?). Local files still work.';
  if (pacsErrorCode(err) === 'pacs_refused') return "The PACS refused the server's credentials: ask your administrator to check BigBrain's DICOMweb settings. Local files still work.";
  if (status === 502 || status === 504 || pacsErrorCode(err) === 'pacs_unavailable') return 'The PACS is not answering (the server could not reach it). Local files still work.';
  if (status === 401) return 'Sign in again to reach the PACS.';
  if (status === 409 && (err as { refused?: boolean }).refused) return `The PACS did not store the result: ${(err as Error).message}.`;
  return `The PACS request failed (${status}).`;
}
